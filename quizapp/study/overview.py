"""What there is to study, per bank and per tag, in a few aggregate queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..labels import tag_group, tag_name, topic_order
from ..models import Bank, CardState, Question, QuestionTag, User
from ..scheduling import CardStatus
from .queue import QueueCounts, Scope, today_counts, unseen


@dataclass(frozen=True)
class ScopeChoice:
    scope: Scope
    label: str
    group: str
    counts: QueueCounts
    total: int


def _due_by(session: Session, user: User, key, join_tags: bool, now: datetime) -> dict:
    query = (select(key, CardState.state, func.count())
             .join(Question, Question.id == CardState.question_id)
             .where(CardState.user_id == user.id, CardState.due <= now,
                    Question.retired.is_(False)))
    if join_tags:
        query = query.join(QuestionTag, QuestionTag.question_id == Question.id)
    result: dict = defaultdict(dict)
    for k, state, count in session.execute(query.group_by(key, CardState.state)):
        result[k][state] = count
    return result


def _totals_by(session: Session, user: User, key, join_tags: bool) -> dict:
    query = select(key, func.count(Question.id), func.count(Question.id).filter(unseen(user.id)))
    if join_tags:
        query = query.join(QuestionTag, QuestionTag.question_id == Question.id)
    query = query.where(Question.retired.is_(False)).group_by(key)
    return {k: (total, unseen) for k, total, unseen in session.execute(query)}


def _counts(due: dict, unseen: int, new_left: int, reviews_left: int) -> QueueCounts:
    return QueueCounts(
        learning=due.get(int(CardStatus.LEARNING), 0) + due.get(int(CardStatus.RELEARNING), 0),
        review=min(due.get(int(CardStatus.REVIEW), 0), reviews_left),
        new=min(unseen, new_left))


def scope_choices(session: Session, user: User, now: datetime) -> list[ScopeChoice]:
    day = today_counts(session, user, now)
    new_left = max(0, user.new_cards_per_day - day.new_seen)
    reviews_left = max(0, user.max_reviews_per_day - day.reviews_done)
    choices: list[ScopeChoice] = []
    bank_due = _due_by(session, user, Question.bank_id, False, now)
    bank_totals = _totals_by(session, user, Question.bank_id, False)
    all_due: dict = defaultdict(int)
    for per_state in bank_due.values():
        for state, count in per_state.items():
            all_due[state] += count
    all_total = sum(t for t, _ in bank_totals.values())
    all_unseen = sum(u for _, u in bank_totals.values())
    choices.append(ScopeChoice(Scope(), "Everything", "All",
                               _counts(all_due, all_unseen, new_left, reviews_left), all_total))
    for bank in session.scalars(select(Bank).order_by(Bank.id)):
        if bank.id not in bank_totals:
            continue
        total, unseen = bank_totals[bank.id]
        choices.append(ScopeChoice(Scope("bank", bank.slug), bank.title, "Banks",
                                   _counts(bank_due.get(bank.id, {}), unseen, new_left,
                                           reviews_left), total))
    tag_due = _due_by(session, user, QuestionTag.tag, True, now)
    totals = _totals_by(session, user, QuestionTag.tag, True)
    for tag in sorted(totals, key=topic_order):
        total, unseen = totals[tag]
        choices.append(ScopeChoice(Scope("tag", tag), tag_name(tag), tag_group(tag),
                                   _counts(tag_due.get(tag, {}), unseen, new_left, reviews_left),
                                   total))
    return choices
