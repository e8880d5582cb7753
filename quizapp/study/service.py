"""The study queue and ratings: queries and rules that need the database. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from .. import scheduling
from ..models import Bank, CardState, Question, QuestionTag, ReviewLog, User
from ..scheduling import CardSnapshot, Rating
from .tokens import Presentation

LEARN_AHEAD = timedelta(minutes=20)  # as Anki: learning steps due soon are shown when idle
MAX_DURATION = timedelta(minutes=5)
LEARNING_STATES = (scheduling.CardStatus.LEARNING, scheduling.CardStatus.RELEARNING)


@dataclass(frozen=True)
class Scope:
    """What a student studies: everything, one bank, or one tag."""

    kind: str = "all"  # all | bank | tag
    value: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        kind, _, value = (text or "all").partition(":")
        if kind in ("bank", "tag") and value:
            return cls(kind, value)
        return cls()

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"

    def filter(self, query):
        """Restrict a query that involves Question to this scope."""
        query = query.where(Question.retired.is_(False))
        if self.kind == "bank":
            return query.where(Question.bank_id.in_(select(Bank.id).where(Bank.slug == self.value)))
        if self.kind == "tag":
            return query.where(Question.id.in_(
                select(QuestionTag.question_id).where(QuestionTag.tag == self.value)))
        return query


@dataclass(frozen=True)
class StudyCard:
    question: Question
    card: CardState | None
    queue: str  # learning | review | new | ahead


@dataclass(frozen=True)
class DayCounts:
    new_seen: int
    reviews_done: int


def settings_of(user: User) -> scheduling.StudySettings:
    return scheduling.settings_for(user.desired_retention, user.learning_steps)


def snapshot_of(card: CardState | None) -> CardSnapshot | None:
    if card is None:
        return None
    return CardSnapshot(card.state, card.step, card.stability, card.difficulty, card.due,
                        card.last_review, card.reps, card.lapses)


def today_counts(session: Session, user: User, now: datetime) -> DayCounts:
    start = scheduling.day_start(scheduling.study_day(now, user.timezone), user.timezone)
    rows = session.execute(
        select(ReviewLog.state_before, func.count())
        .where(ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= start,
               ReviewLog.source == "study")
        .group_by(ReviewLog.state_before)).all()
    by_state = dict(rows)
    return DayCounts(new_seen=by_state.get(scheduling.NEW, 0),
                     reviews_done=by_state.get(scheduling.CardStatus.REVIEW, 0))


def _due_card(session: Session, user: User, scope: Scope, states, until: datetime):
    query = (select(CardState, Question).join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id, CardState.due <= until,
                    CardState.state.in_([int(s) for s in states]))
             .order_by(CardState.due, CardState.id).limit(1))
    return session.execute(scope.filter(query)).first()


def _unseen(user: User):
    return ~exists().where(CardState.user_id == user.id, CardState.question_id == Question.id)


def _new_question(session: Session, user: User, scope: Scope) -> Question | None:
    query = (select(Question).where(_unseen(user))
             .order_by(Question.bank_id, Question.position).limit(1))
    return session.scalar(scope.filter(query))


def next_card(session: Session, user: User, scope: Scope, now: datetime) -> StudyCard | None:
    """Learning cards due, then reviews due (most overdue first), then new cards in bank order,
    within today's limits; then learning cards due within 20 minutes."""
    found = _due_card(session, user, scope, LEARNING_STATES, now)
    if found:
        return StudyCard(found[1], found[0], "learning")
    counts = today_counts(session, user, now)
    if counts.reviews_done < user.max_reviews_per_day:
        found = _due_card(session, user, scope, [scheduling.CardStatus.REVIEW], now)
        if found:
            return StudyCard(found[1], found[0], "review")
    if counts.new_seen < user.new_cards_per_day:
        question = _new_question(session, user, scope)
        if question is not None:
            return StudyCard(question, None, "new")
    found = _due_card(session, user, scope, LEARNING_STATES, now + LEARN_AHEAD)
    return StudyCard(found[1], found[0], "learning") if found else None


def study_ahead_card(session: Session, user: User, scope: Scope) -> StudyCard | None:
    """The card due soonest, whatever its due date: for studying ahead of schedule."""
    query = (select(CardState, Question).join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id).order_by(CardState.due, CardState.id).limit(1))
    found = session.execute(scope.filter(query)).first()
    return StudyCard(found[1], found[0], "ahead") if found else None


def next_due_at(session: Session, user: User, scope: Scope) -> datetime | None:
    query = (select(func.min(CardState.due)).join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id))
    return session.scalar(scope.filter(query))


@dataclass(frozen=True)
class QueueCounts:
    learning: int
    review: int
    new: int

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new


def queue_counts(session: Session, user: User, scope: Scope, now: datetime) -> QueueCounts:
    """How many cards the queue holds now, within today's limits."""
    due = dict(session.execute(scope.filter(
        select(CardState.state, func.count()).join(Question, Question.id == CardState.question_id)
        .where(CardState.user_id == user.id, CardState.due <= now)
        .group_by(CardState.state))).all())
    unseen = session.scalar(scope.filter(select(func.count(Question.id)).where(_unseen(user))))
    counts = today_counts(session, user, now)
    return QueueCounts(
        learning=sum(due.get(int(s), 0) for s in LEARNING_STATES),
        review=min(due.get(int(scheduling.CardStatus.REVIEW), 0),
                   max(0, user.max_reviews_per_day - counts.reviews_done)),
        new=min(unseen or 0, max(0, user.new_cards_per_day - counts.new_seen)))


# -- Rating -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RatingResult:
    applied: bool
    review: scheduling.Review | None = None


def preview_ratings(card: CardState | None, presentation: Presentation,
                    settings: scheduling.StudySettings) -> dict[Rating, scheduling.Review]:
    return scheduling.preview(snapshot_of(card), presentation.shown_at, settings,
                              presentation.seed)


def apply_rating(session: Session, user: User, presentation: Presentation, rating: Rating,
                 now: datetime, source: str = "study") -> RatingResult:
    """Apply a rating once. The schedule is computed as previewed when the card was shown,
    so the interval on the button is the one applied. The caller commits; a concurrent
    duplicate surfaces as an IntegrityError on commit and is also a no-op."""
    card = session.scalar(select(CardState).where(
        CardState.user_id == user.id, CardState.question_id == presentation.question_id))
    if (card.reps if card else 0) != presentation.reps:
        return RatingResult(applied=False)
    outcome = scheduling.review(snapshot_of(card), rating, presentation.shown_at,
                                settings_of(user), scheduling.fuzz_source(presentation.seed))
    shift = max(now - presentation.shown_at, timedelta(0))
    new = replace(outcome.card, due=outcome.card.due + shift, last_review=now)
    if not _store_card(session, user, presentation, card, new):
        return RatingResult(applied=False)
    session.add(ReviewLog(
        user_id=user.id, question_id=presentation.question_id, token=presentation.nonce,
        rating=int(rating), reviewed_at=now, state_before=outcome.state_before,
        state_after=new.state, due_after=new.due, source=source,
        duration_ms=int(min(shift, MAX_DURATION).total_seconds() * 1000)))
    return RatingResult(applied=True, review=replace(outcome, reviewed_at=now, card=new))


def _store_card(session: Session, user: User, presentation: Presentation,
                card: CardState | None, new: CardSnapshot) -> bool:
    values = new.to_dict()
    if card is None:
        session.add(CardState(user_id=user.id, question_id=presentation.question_id, **values))
        session.flush()
        return True
    # Only if nobody rated it meanwhile: the repetition count is the version.
    result = session.execute(update(CardState)
                             .where(CardState.id == card.id, CardState.reps == presentation.reps)
                             .values(**values).execution_options(synchronize_session=False))
    session.expire(card)
    return result.rowcount == 1
