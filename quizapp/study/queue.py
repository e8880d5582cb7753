"""The study queue: what to show next, and how much is left today. No Flask here.

The card page's queries are built once per kind of scope, with bound parameters, and each
answers from an index: the queue's counts in one statement, the next card in one more. They
select plain columns, so they run as Core statements on the session's connection: no ORM
entity is built for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Date, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from .. import scheduling
from ..models import (
    Bank,
    CardState,
    Enrolment,
    Question,
    QuestionTag,
    ReviewLog,
    StudyTarget,
    User,
    UTCDateTime,
)

UNLIMITED = 1_000_000  # a daily limit that never binds
LEARN_AHEAD = timedelta(minutes=20)  # as Anki: learning steps due soon are shown when idle
LEARNING_STATES = (int(scheduling.CardStatus.LEARNING), int(scheduling.CardStatus.RELEARNING))
REVIEW_STATES = (int(scheduling.CardStatus.REVIEW),)


@dataclass(frozen=True)
class Scope:
    """What a student studies: everything, one bank, one tag, or a set of questions that an
    assignment or an orientation module draws on (several banks and topics at once)."""

    kind: str = "all"  # all | bank | tag | set
    value: str = ""  # the bank or tag; for a set, what it is (e.g. "assignment:12")
    ids: tuple[int, ...] = ()  # a set's questions
    title: str = ""  # a set's name, as its page shows it
    new_unlimited: bool = False  # new cards not held back by the daily limit (assignments)

    @classmethod
    def parse(cls, text: str | None) -> Scope | None:
        """A bank, a tag or everything; None for anything else (a set needs resolving)."""
        kind, _, value = (text or "all").partition(":")
        if kind in ("bank", "tag") and value:
            return cls(kind, value)
        return cls() if kind == "all" and not value else None

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}" \
            if self.kind != "set" else self.value

    def filter(self, query):
        """Restrict a query that involves Question to this scope."""
        return scoped(query, self.kind, list(self.ids) if self.kind == "set" else self.value)

    @property
    def params(self) -> dict:
        if self.kind == "set":
            return {"scope_ids": list(self.ids)}
        return {"scope_value": self.value} if self.kind != "all" else {}


def scoped(query, kind: str, value=None):
    """Restrict a query that involves Question to a scope; the value defaults to a bound
    parameter (`scope_value`, or the list `scope_ids` of a set), so a statement can be built
    once and run for any scope of its kind."""
    query = query.where(Question.retired.is_(False))
    if kind == "set":
        ids = bindparam("scope_ids", expanding=True) if value is None else value
        return query.where(Question.id.in_(ids))
    value = bindparam("scope_value") if value is None else value
    if kind == "bank":
        return query.where(Question.bank_id.in_(select(Bank.id).where(Bank.slug == value)))
    if kind == "tag":
        return query.where(Question.id.in_(
            select(QuestionTag.question_id).where(QuestionTag.tag == value)))
    return query


@dataclass(frozen=True)
class CardQuestion:
    """What the card page shows of a question: read as plain columns, not ORM objects, because
    the study loop reads one on every card."""

    id: int
    key: str
    type: str
    prompt: str
    content: dict
    bank_title: str
    explanation: str | None
    bank_source: dict | None
    bank_language: str


@dataclass(frozen=True)
class StudyCard:
    question: CardQuestion
    card: scheduling.CardSnapshot | None
    queue: str  # learning | review | new | ahead


@dataclass(frozen=True)
class DayCounts:
    new_seen: int
    reviews_done: int


@dataclass(frozen=True)
class QueueCounts:
    learning: int
    review: int
    new: int

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new


@dataclass(frozen=True)
class QueueState:
    """Everything the queue depends on, read in one round trip."""

    learning_due: int
    review_due: int
    unseen: int
    new_seen_today: int
    reviews_done_today: int
    has_targets: bool  # the student has target days to come (theirs or a class's)
    new_per_day: int
    reviews_per_day: int

    @property
    def reviews_left(self) -> int:
        return max(0, self.reviews_per_day - self.reviews_done_today)

    @property
    def new_left(self) -> int:
        return max(0, self.new_per_day - self.new_seen_today)

    @property
    def counts(self) -> QueueCounts:
        return QueueCounts(self.learning_due, min(self.review_due, self.reviews_left),
                           min(self.unseen, self.new_left))

    @property
    def day(self) -> DayCounts:
        return DayCounts(self.new_seen_today, self.reviews_done_today)


def unseen(user_id):
    """The question has no card for this user yet (a new card)."""
    return ~exists().where(CardState.user_id == user_id, CardState.question_id == Question.id)


def _state_in(states: tuple[int, ...]):
    """`state IN (1, 3)` with the constants written into the SQL: a bound list would be
    expanded into the statement on every execution."""
    return CardState.state.in_([literal_column(str(int(s))) for s in states])


def _count_cards(kind: str, states: tuple[int, ...]):
    query = (select(func.count()).select_from(CardState)
             .join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == bindparam("uid"),
                    CardState.due <= bindparam("now", type_=UTCDateTime()),
                    _state_in(states)))
    return scoped(query, kind).scalar_subquery()


def _count_today(state_before: int):
    return (select(func.count()).select_from(ReviewLog)
            .where(ReviewLog.user_id == bindparam("uid"),
                   ReviewLog.reviewed_at >= bindparam("day_start", type_=UTCDateTime()),
                   ReviewLog.source == "study", ReviewLog.state_before == state_before)
            .scalar_subquery())


def _seen_count(kind: str):
    """The user's cards on the scope's live questions (one card per question)."""
    uid = bindparam("uid")
    if kind == "all":
        # All the user's cards less those on retired questions: a count over the user's
        # card index, and a probe per retired question (there are few). Joining every card
        # to its question instead grew with the student's cards.
        cards = select(func.count()).select_from(CardState).where(CardState.user_id == uid)
        on_retired = select(func.count(Question.id)).where(
            Question.retired.is_(True),
            exists().where(CardState.user_id == uid, CardState.question_id == Question.id))
        return cards.scalar_subquery() - on_retired.scalar_subquery()
    return scoped(select(func.count()).select_from(CardState)
                  .join(Question, Question.id == CardState.question_id)
                  .where(CardState.user_id == uid), kind).scalar_subquery()


@lru_cache(maxsize=8)
def _queue_state_statement(kind: str):
    # New cards = the scope's questions less the user's cards among them: where asking "no
    # card yet?" of every question probed the whole card index once per question, and
    # slowed as it grew. The questions are counted on the (retired, bank) index, not by
    # reading every question's row.
    questions = scoped(select(func.count(Question.id)), kind).scalar_subquery()
    return select(
        _count_cards(kind, LEARNING_STATES), _count_cards(kind, REVIEW_STATES),
        questions - _seen_count(kind), _count_today(scheduling.NEW),
        _count_today(int(scheduling.CardStatus.REVIEW)), _has_targets())


def _has_targets():
    uid = bindparam("uid")
    return exists().where(StudyTarget.day >= bindparam("today", type_=Date()), or_(
        StudyTarget.user_id == uid,
        StudyTarget.class_id.in_(select(Enrolment.class_id).where(Enrolment.user_id == uid))))


def queue_state(session: Session, user: User, scope: Scope, now: datetime) -> QueueState:
    today = scheduling.study_day(now, user.timezone)
    start = scheduling.day_start(today, user.timezone)
    row = session.connection().execute(_queue_state_statement(scope.kind), {
        "uid": user.id, "now": now, "day_start": start, "today": today, **scope.params}).one()
    new_per_day = UNLIMITED if scope.new_unlimited else user.new_cards_per_day
    return QueueState(*row, new_per_day=new_per_day, reviews_per_day=user.max_reviews_per_day)


def today_counts(session: Session, user: User, now: datetime) -> DayCounts:
    return queue_state(session, user, Scope(), now).day


def queue_counts(session: Session, user: User, scope: Scope, now: datetime) -> QueueCounts:
    """How many cards the queue holds now, within today's limits."""
    return queue_state(session, user, scope, now).counts


_QUESTION_COLUMNS = (Question.id, Question.key, Question.type, Question.prompt,
                     Question.content, Bank.title, Question.explanation, Bank.source,
                     Bank.language)
# A card's columns in the order of scheduling.CardSnapshot's fields.
CARD_COLUMNS = (CardState.state, CardState.step, CardState.stability, CardState.difficulty,
                CardState.due, CardState.last_review, CardState.reps, CardState.lapses)


def _study_card(row, queue: str) -> StudyCard:
    size = len(_QUESTION_COLUMNS)
    question = CardQuestion(*row[:size])
    card = scheduling.CardSnapshot(*row[size:]) if len(row) > size else None
    return StudyCard(question, card, queue)


@lru_cache(maxsize=32)
def _due_card_statement(kind: str, states: tuple[int, ...]):
    """The user's card in `states` due soonest before `until`: a range scan of the
    (user, due) index in due order; the question and its bank come in the same query."""
    query = (select(*_QUESTION_COLUMNS, *CARD_COLUMNS)
             .join_from(CardState, Question, Question.id == CardState.question_id)
             .join(Bank, Bank.id == Question.bank_id)
             .where(CardState.user_id == bindparam("uid"),
                    CardState.due <= bindparam("until", type_=UTCDateTime()),
                    _state_in(states))
             # Due order alone: exactly the index's order, so no sort step on any backend.
             .order_by(CardState.due).limit(1))
    return scoped(query, kind)


def _due_card(session: Session, user: User, scope: Scope, states: tuple[int, ...],
              until: datetime, queue: str) -> StudyCard | None:
    row = session.connection().execute(_due_card_statement(scope.kind, states),
                          {"uid": user.id, "until": until, **scope.params}).first()
    return None if row is None else _study_card(row, queue)


@lru_cache(maxsize=8)
def _new_question_statement(kind: str):
    query = (select(*_QUESTION_COLUMNS).join(Bank, Bank.id == Question.bank_id)
             .where(unseen(bindparam("uid")))
             .order_by(Question.bank_id, Question.position).limit(1))
    return scoped(query, kind)


def _new_question(session: Session, user: User, scope: Scope) -> StudyCard | None:
    row = session.connection().execute(_new_question_statement(scope.kind),
                          {"uid": user.id, **scope.params}).first()
    return None if row is None else _study_card(row, "new")


def next_card(session: Session, user: User, scope: Scope, now: datetime,
              state: QueueState | None = None) -> StudyCard | None:
    """Learning cards due, then reviews due (most overdue first), then new cards in bank order,
    within today's limits; then learning cards due within 20 minutes. The queue state says
    which one query to run."""
    state = state or queue_state(session, user, scope, now)
    found = None
    if state.learning_due:
        found = _due_card(session, user, scope, LEARNING_STATES, now, "learning")
    if found is None and state.review_due and state.reviews_left:
        found = _due_card(session, user, scope, REVIEW_STATES, now, "review")
    if found is None and state.unseen and state.new_left:
        found = _new_question(session, user, scope)
    return found or _due_card(session, user, scope, LEARNING_STATES, now + LEARN_AHEAD,
                              "learning")


def study_ahead_card(session: Session, user: User, scope: Scope) -> StudyCard | None:
    """The card due soonest, whatever its due date: for studying ahead of schedule."""
    query = (select(*_QUESTION_COLUMNS, *CARD_COLUMNS)
             .join_from(CardState, Question, Question.id == CardState.question_id)
             .join(Bank, Bank.id == Question.bank_id)
             .where(CardState.user_id == user.id).order_by(CardState.due, CardState.id).limit(1))
    row = session.execute(scope.filter(query)).first()
    return None if row is None else _study_card(row, "ahead")


def next_due_at(session: Session, user: User, scope: Scope) -> datetime | None:
    query = (select(func.min(CardState.due)).join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id))
    return session.scalar(scope.filter(query))
