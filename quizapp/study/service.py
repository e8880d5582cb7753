"""Ratings: applying them exactly once. The queue itself is in queue.py. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .. import scheduling
from ..models import CardState, ReviewLog, User
from ..scheduling import CardSnapshot, Rating
from . import targets
from .queue import (  # noqa: F401 - the queue's names are part of this service
    DayCounts,
    QueueCounts,
    QueueState,
    Scope,
    StudyCard,
    next_card,
    next_due_at,
    queue_counts,
    queue_state,
    study_ahead_card,
    today_counts,
)
from .tokens import Presentation

MAX_DURATION = timedelta(minutes=5)


def settings_of(user: User) -> scheduling.StudySettings:
    return scheduling.settings_for(user.desired_retention, user.learning_steps)


@dataclass(frozen=True)
class Learner:
    """Who rates, with the settings their schedule uses; with the user, their reviews land
    where their targets, days off and each day's load say (targets.plan_for)."""

    id: int
    settings: scheduling.StudySettings
    user: User | None = None
    reads: targets.PlanReads = field(default_factory=targets.PlanReads, compare=False)

    def plan(self, session: Session, question_id: int, now: datetime,
             ratings: tuple[Rating, ...], card: CardSnapshot | None, has_targets: bool = True
             ) -> scheduling.Plan | None:
        reach = scheduling.reach(card, ratings, now, self.settings)
        if self.user is None or not reach:  # learning steps: nothing for a plan to place
            return None
        if not has_targets and self.reads.targets is None:
            self.reads.targets = []  # none when the card was shown: nothing to read
        return targets.plan_for(session, self.user, question_id, now, reach, self.reads)


def learner_of(user: User) -> Learner:
    return Learner(user.id, settings_of(user), user)


def snapshot_of(card: CardState | None) -> CardSnapshot | None:
    if card is None:
        return None
    return CardSnapshot(card.state, card.step, card.stability, card.difficulty, card.due,
                        card.last_review, card.reps, card.lapses)


# -- Rating -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RatingResult:
    applied: bool
    review: scheduling.Review | None = None


def preview_ratings(session: Session, learner: Learner, presentation: Presentation
                    ) -> dict[Rating, scheduling.Review]:
    """What each rating would do, from the state the card was shown with."""
    before = shown_state(session, presentation)
    plan = learner.plan(session, presentation.question_id, presentation.shown_at,
                        tuple(Rating), before, presentation.targets)
    return scheduling.preview(before, presentation.shown_at, learner.settings,
                              presentation.seed, plan)


_CARD = select(CardState).where(CardState.user_id == bindparam("uid"),
                                CardState.question_id == bindparam("qid"))
_CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                "lapses")
# The writes are Core statements: no ORM object needs to see these rows.
_CARDS, _REVIEWS = CardState.__table__, ReviewLog.__table__
_NEW_VALUES = {f: bindparam(f"new_{f}") for f in _CARD_FIELDS}
_UPDATE_CARD = (update(_CARDS)
                .where(_CARDS.c.user_id == bindparam("uid"),
                       _CARDS.c.question_id == bindparam("qid"),
                       _CARDS.c.reps == bindparam("old_reps"))
                .values(_NEW_VALUES))
_INSERT_CARD = insert(_CARDS).values(user_id=bindparam("uid"), question_id=bindparam("qid"),
                                     **_NEW_VALUES)


def shown_state(session: Session, presentation: Presentation) -> CardSnapshot | None:
    """The card state the presentation was made with: carried in the (signed) token for
    study, read from the database otherwise."""
    if presentation.card is not None or presentation.reps == 0:
        return presentation.card
    card = session.scalar(_CARD, {"uid": presentation.user_id,
                                  "qid": presentation.question_id})
    return snapshot_of(card) if card is not None and card.reps == presentation.reps else None


def apply_rating(session: Session, learner: Learner, presentation: Presentation,
                 rating: Rating, now: datetime, source: str = "study") -> RatingResult:
    """Apply a rating once, in the caller's transaction. The schedule is computed as it was
    previewed when the card was shown (the interval on the button is the one applied), then
    stored only while the card is still at the repetition it was shown at: a second send of
    the same presentation, or a rating from a second tab, changes nothing."""
    before = shown_state(session, presentation)
    if before is None and presentation.reps != 0:
        return RatingResult(applied=False)  # the card has moved on since it was shown
    plan = learner.plan(session, presentation.question_id, presentation.shown_at, (rating,),
                        before, presentation.targets)
    outcome = scheduling.review(before, rating, presentation.shown_at, learner.settings,
                                scheduling.fuzz_source(presentation.seed), plan)
    shift = max(now - presentation.shown_at, timedelta(0))
    new = replace(outcome.card, due=outcome.card.due + shift, last_review=now)
    log = {
        "user_id": learner.id, "question_id": presentation.question_id,
        "token": presentation.nonce, "rating": int(rating), "reviewed_at": now,
        "state_before": outcome.state_before, "state_after": new.state, "due_after": new.due,
        "source": source, "duration_ms": int(min(shift, MAX_DURATION).total_seconds() * 1000)}
    if not _store(session, presentation, new, log):
        return RatingResult(applied=False)
    if learner.user is not None:
        learner.reads.moved(learner.user.timezone, before.due if before else None, new.due)
    return RatingResult(applied=True, review=replace(outcome, reviewed_at=now, card=new))


def _store(session: Session, presentation: Presentation, new: CardSnapshot,
           review: dict) -> bool:
    """Write the card's new state and its review log, both or neither (the caller's
    transaction). A new card is inserted (the unique user and question guard a second tab); a
    seen one is updated only if nobody rated it meanwhile: the repetition count is the
    version."""
    card = {"uid": review["user_id"], "qid": presentation.question_id,
            **{f"new_{f}": value for f, value in new.to_dict().items()}}
    connection = session.connection()  # Core statements: no ORM object needs these rows
    if not presentation.reps:
        connection.execute(_INSERT_CARD, card)
    elif connection.execute(_UPDATE_CARD, card | {"old_reps": presentation.reps}).rowcount != 1:
        return False
    connection.execute(insert(_REVIEWS), review)
    return True
