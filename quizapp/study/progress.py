"""A student's progress: forecast, review history, measured retention, cards by state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..labels import tag_label
from ..models import Bank, CardState, Question, QuestionTag, ReviewLog, User
from ..scheduling import CardStatus, Rating, day_start, study_day

FORECAST_DAYS = 30
HISTORY_DAYS = 365


@dataclass(frozen=True)
class Retention:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class StateRow:
    label: str
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Progress:
    today: date
    forecast: list[tuple[date, int]]  # day -> cards due that day (overdue counted today)
    history: list[tuple[date, int]]  # day -> reviews that day, oldest first
    retention_month: Retention
    retention_all: Retention
    desired_retention: float
    by_state: StateRow
    by_bank: list[StateRow]
    by_tag: list[StateRow]


def forecast(session: Session, user: User, now: datetime) -> list[tuple[date, int]]:
    today = study_day(now, user.timezone)
    horizon = day_start(today + timedelta(days=FORECAST_DAYS), user.timezone)
    dues = session.scalars(select(CardState.due).join(Question)
                           .where(CardState.user_id == user.id, CardState.due < horizon,
                                  Question.retired.is_(False)))
    per_day = Counter(max(study_day(due, user.timezone), today) for due in dues)
    return [(today + timedelta(days=n), per_day[today + timedelta(days=n)])
            for n in range(FORECAST_DAYS)]


def history(session: Session, user: User, now: datetime) -> list[tuple[date, int]]:
    today = study_day(now, user.timezone)
    first = today - timedelta(days=HISTORY_DAYS - 1)
    since = day_start(first, user.timezone)
    times = session.scalars(select(ReviewLog.reviewed_at).where(
        ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= since))
    per_day = Counter(study_day(t, user.timezone) for t in times)
    return [(first + timedelta(days=n), per_day[first + timedelta(days=n)])
            for n in range(HISTORY_DAYS)]


def retention(session: Session, user: User, since: datetime | None) -> Retention:
    """Recall of cards in review: the first review of each card on each day counts; Again
    is a fail (as Anki's true retention)."""
    query = (select(ReviewLog.question_id, ReviewLog.reviewed_at, ReviewLog.rating,
                    ReviewLog.state_before)
             .where(ReviewLog.user_id == user.id).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    if since is not None:
        query = query.where(ReviewLog.reviewed_at >= since)
    seen: set[tuple[int, date]] = set()
    passed = total = 0
    for question_id, at, rating, state_before in session.execute(query):
        key = (question_id, study_day(at, user.timezone))
        if key in seen:
            continue
        seen.add(key)
        if state_before == CardStatus.REVIEW:
            total += 1
            passed += rating != Rating.AGAIN
    return Retention(passed, total)


def _state_rows(session: Session, user: User, key, label_of, join_tags: bool) -> list[StateRow]:
    known = (select(key, CardState.state, func.count())
             .select_from(CardState).join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id, Question.retired.is_(False)))
    totals = select(key, func.count(Question.id)).where(Question.retired.is_(False))
    if join_tags:
        known = known.join(QuestionTag, QuestionTag.question_id == Question.id)
        totals = totals.join(QuestionTag, QuestionTag.question_id == Question.id)
    states: dict = {}
    for k, state, count in session.execute(known.group_by(key, CardState.state)):
        states.setdefault(k, Counter())[state] += count
    rows = []
    for k, total in session.execute(totals.group_by(key).order_by(key)):
        s = states.get(k, Counter())
        learning = s[int(CardStatus.LEARNING)] + s[int(CardStatus.RELEARNING)]
        review = s[int(CardStatus.REVIEW)]
        rows.append(StateRow(label_of(k), total - learning - review, learning, review))
    return rows


def progress_for(session: Session, user: User, now: datetime) -> Progress:
    titles = dict(session.execute(select(Bank.id, Bank.title)).all())
    by_bank = _state_rows(session, user, Question.bank_id, titles.get, False)
    total = StateRow("All cards", sum(r.new for r in by_bank), sum(r.learning for r in by_bank),
                     sum(r.review for r in by_bank))
    month_start = day_start(study_day(now, user.timezone) - timedelta(days=29), user.timezone)
    return Progress(
        today=study_day(now, user.timezone), forecast=forecast(session, user, now),
        history=history(session, user, now),
        retention_month=retention(session, user, month_start),
        retention_all=retention(session, user, None),
        desired_retention=user.desired_retention, by_state=total, by_bank=by_bank,
        by_tag=_state_rows(session, user, QuestionTag.tag, tag_label, True))
