"""Ratings: applying them exactly once. The queue itself is in queue.py. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .. import scheduling
from ..hot_statements import HotStatement
from ..models import CardState, ReviewLog, User
from ..scheduling import CardSnapshot, Rating
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
    """Who rates, with the settings their schedule uses: plain values, so applying a rating
    needs no ORM user (nor one that a commit before the write could expire)."""

    id: int
    settings: scheduling.StudySettings


def learner_of(user: User) -> Learner:
    return Learner(user.id, settings_of(user))


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


def preview_ratings(presentation: Presentation,
                    settings: scheduling.StudySettings) -> dict[Rating, scheduling.Review]:
    """What each rating would do, from the state the card was shown with."""
    return scheduling.preview(presentation.card, presentation.shown_at, settings,
                              presentation.seed)


# Built once: these run on every rating.
_CARD = select(CardState).where(CardState.user_id == bindparam("uid"),
                                CardState.question_id == bindparam("qid"))
_CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                "lapses")
# The writes are plain Core statements on the session's connection: the ORM's bulk paths
# cost more than the statements themselves, and no ORM object needs to see these rows.
_CARDS, _REVIEWS = CardState.__table__, ReviewLog.__table__
_NEW_VALUES = {f: bindparam(f"new_{f}") for f in _CARD_FIELDS}
_UPDATE_CARD = (update(_CARDS)
                .where(_CARDS.c.user_id == bindparam("uid"),
                       _CARDS.c.question_id == bindparam("qid"),
                       _CARDS.c.reps == bindparam("old_reps"))
                .values(_NEW_VALUES))
_INSERT_CARD = insert(_CARDS).values(user_id=bindparam("uid"), question_id=bindparam("qid"),
                                     **_NEW_VALUES)
_REVIEW_COLUMNS = ("user_id", "question_id", "token", "rating", "reviewed_at", "duration_ms",
                   "state_before", "state_after", "due_after", "source")
_INSERT_REVIEW = insert(_REVIEWS).values({c: bindparam(c) for c in _REVIEW_COLUMNS})


def _card_and_review(card_write):
    """PostgreSQL: the card's write and its review log as one statement (the log is inserted
    only if the card was written). One statement is atomic without a transaction, and one
    round trip instead of four with BEGIN and COMMIT."""
    card = card_write.returning(_CARDS.c.id).cte("card")
    review = select(*[bindparam(f"review_{c}", type_=_REVIEWS.c[c].type)
                      for c in _REVIEW_COLUMNS]).select_from(card)
    return (insert(_REVIEWS).from_select(list(_REVIEW_COLUMNS), review)
            .execution_options(preserve_rowcount=True))  # an INSERT's rowcount is not kept


_RATE_NEW_CARD, _RATE_CARD = _card_and_review(_INSERT_CARD), _card_and_review(_UPDATE_CARD)
# Every rating runs one or two of these, straight to the driver (see hot_statements.py).
(_HOT_INSERT_CARD, _HOT_UPDATE_CARD, _HOT_INSERT_REVIEW, _HOT_RATE_NEW_CARD,
 _HOT_RATE_CARD) = map(HotStatement, (_INSERT_CARD, _UPDATE_CARD, _INSERT_REVIEW,
                                      _RATE_NEW_CARD, _RATE_CARD))


def shown_state(session: Session, presentation: Presentation) -> CardSnapshot | None:
    """The card state the presentation was made with: carried in the (signed) token for
    study, read from the database otherwise."""
    if presentation.card is not None or presentation.reps == 0:
        return presentation.card
    card = session.scalar(_CARD, {"uid": presentation.user_id,
                                  "qid": presentation.question_id})
    return snapshot_of(card) if card is not None and card.reps == presentation.reps else None


@dataclass(frozen=True)
class PlannedRating:
    """A rating worked out and not yet stored: the card's new state and its review log."""

    presentation: Presentation
    card: CardSnapshot
    review: scheduling.Review
    log: dict


def plan_rating(session: Session, learner: Learner, presentation: Presentation,
                rating: Rating, now: datetime, source: str = "study") -> PlannedRating | None:
    """Work out what a rating does. It reads nothing when the token carries the card, so it
    can run before the write lock is taken (the scheduler's arithmetic inside SQLite's write
    lock made the other worker wait for it). The schedule is computed as previewed when the
    card was shown, so the interval on the button is the one applied. None when the card has
    moved on since it was shown."""
    before = shown_state(session, presentation)
    if before is None and presentation.reps != 0:
        return None
    outcome = scheduling.review(before, rating, presentation.shown_at, learner.settings,
                                scheduling.fuzz_source(presentation.seed))
    shift = max(now - presentation.shown_at, timedelta(0))
    new = replace(outcome.card, due=outcome.card.due + shift, last_review=now)
    log = {
        "user_id": learner.id, "question_id": presentation.question_id,
        "token": presentation.nonce, "rating": int(rating), "reviewed_at": now,
        "state_before": outcome.state_before, "state_after": new.state, "due_after": new.due,
        "source": source, "duration_ms": int(min(shift, MAX_DURATION).total_seconds() * 1000)}
    return PlannedRating(presentation, new, replace(outcome, reviewed_at=now, card=new), log)


def store_rating(session: Session, planned: PlannedRating | None) -> RatingResult:
    """Store a planned rating once: the update only happens while the card is still at the
    repetition it was shown at; a new card is inserted, and a concurrent duplicate surfaces
    as an IntegrityError, which the caller treats as a no-op."""
    if planned is None or not _store(session, planned.presentation, planned.card, planned.log):
        return RatingResult(applied=False)
    return RatingResult(applied=True, review=planned.review)


def apply_rating(session: Session, learner: Learner, presentation: Presentation,
                 rating: Rating, now: datetime, source: str = "study") -> RatingResult:
    """Work out a rating and store it, in the caller's transaction."""
    return store_rating(session, plan_rating(session, learner, presentation, rating, now,
                                             source))


def _store(session: Session, presentation: Presentation, new: CardSnapshot,
           review: dict) -> bool:
    """Write the card's new state and its review log, both or neither. A new card is
    inserted (the unique user and question guard a second tab); a seen one is updated only if
    nobody rated it meanwhile: the repetition count is the version."""
    connection = session.connection()
    card = {"uid": review["user_id"], "qid": presentation.question_id,
            **{f"new_{f}": value for f, value in new.to_dict().items()}}
    if presentation.reps:
        card["old_reps"] = presentation.reps
    if connection.dialect.name == "postgresql":
        statement = _HOT_RATE_CARD if presentation.reps else _HOT_RATE_NEW_CARD
        return statement.run(connection, card | {
            f"review_{c}": value for c, value in review.items()}) == 1
    if not presentation.reps:
        _HOT_INSERT_CARD.run(connection, card)
    elif _HOT_UPDATE_CARD.run(connection, card) != 1:
        return False
    _HOT_INSERT_REVIEW.run(connection, review)
    return True
