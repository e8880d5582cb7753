"""A class's dashboard, computed with SQL aggregates (never every answer in Python)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from ..labels import topic_order
from ..models import (
    Assignment,
    Bank,
    CardState,
    Enrolment,
    Question,
    QuestionTag,
    QuizAnswer,
    QuizAttempt,
    ReviewLog,
    SchoolClass,
    User,
)
from ..problems import N_, Words
from ..scheduling import CardStatus, Rating
from .service import scope_question_ids
from .stats import ItemStats, ItemSums, item_stats

STARTED = Words(N_("started"))  # a quiz begun but not submitted


@dataclass(frozen=True)
class Member:
    """What the dashboard shows of a student: plain columns, not a User loaded per student."""

    id: int
    name: str
    email: str
    role: str = "student"


@dataclass
class StudentRow:
    user: Member
    last_active: datetime | None = None
    cards_studied: int = 0
    due_now: int = 0
    recalled: int = 0
    recall_tests: int = 0
    assignments: dict[int, str] = field(default_factory=dict)  # assignment id -> status text
    best: dict[int, float | None] = field(default_factory=dict)  # quiz assignments: best share
    attempts: dict[int, int] = field(default_factory=dict)  # quiz assignments: attempts made

    @property
    def retention(self) -> float | None:
        return self.recalled / self.recall_tests if self.recall_tests else None


@dataclass(frozen=True)
class ItemRow:
    question: Question
    bank_title: str
    stats: ItemStats


def _rows(session: Session, query):
    """Run an aggregate of plain columns as Core: no ORM entity to build for each of the
    mastery grid's thousands of rows."""
    return session.connection().execute(query)


def _members(school_class: SchoolClass):
    return select(Enrolment.user_id).where(Enrolment.class_id == school_class.id)


def student_rows(session: Session, school_class: SchoolClass, now: datetime) -> list[StudentRow]:
    members = _members(school_class)
    rows = {uid: StudentRow(Member(uid, name, email, role)) for uid, name, email, role in _rows(
        session,
        select(User.id, User.name, User.email, User.role).where(User.id.in_(members))
        .order_by(User.name, User.email))}
    for uid, studied, due in _rows(session,
            select(CardState.user_id, func.count(), func.count().filter(CardState.due <= now))
            .where(CardState.user_id.in_(members)).group_by(CardState.user_id)):
        rows[uid].cards_studied, rows[uid].due_now = studied, due
    for uid, last, tests, recalled in _rows(session,
            select(ReviewLog.user_id, func.max(ReviewLog.reviewed_at),
                   func.count().filter(ReviewLog.state_before == CardStatus.REVIEW),
                   func.count().filter(ReviewLog.state_before == CardStatus.REVIEW,
                                       ReviewLog.rating != Rating.AGAIN))
            .where(ReviewLog.user_id.in_(members)).group_by(ReviewLog.user_id)):
        rows[uid].last_active, rows[uid].recall_tests, rows[uid].recalled = last, tests, recalled
    for uid, last in _rows(session,
            select(QuizAttempt.user_id, func.max(QuizAttempt.started_at))
            .where(QuizAttempt.user_id.in_(members)).group_by(QuizAttempt.user_id)):
        current = rows[uid].last_active
        rows[uid].last_active = last if current is None or last > current else current
    assignments = school_class.assignments
    for assignment in assignments:
        if assignment.kind == "study":
            _study_column(session, assignment, members, rows)
    _quiz_columns(session, [a for a in assignments if a.kind != "study"], members, rows)
    return list(rows.values())


def _study_column(session: Session, assignment: Assignment, members, rows) -> None:
    ids = scope_question_ids(session, assignment)
    done = dict(_rows(session,
        select(ReviewLog.user_id, func.count(func.distinct(ReviewLog.question_id)))
        .where(ReviewLog.user_id.in_(members), ReviewLog.question_id.in_(ids),
               ReviewLog.reviewed_at <= assignment.due_at)
        .group_by(ReviewLog.user_id)).all()) if ids else {}
    for uid, row in rows.items():
        row.assignments[assignment.id] = Words(N_("%(done)s/%(total)s cards"),
                                               done=done.get(uid, 0), total=len(ids))


def _quiz_columns(session: Session, quizzes: list[Assignment], members, rows) -> None:
    """Every quiz's column in one query: one per quiz cost a round trip and a statement each."""
    if not quizzes:
        return
    share = cast(QuizAttempt.score, Float) / QuizAttempt.max_score
    stats = {(aid, uid): (n, best) for aid, uid, n, best in _rows(session,
        select(QuizAttempt.assignment_id, QuizAttempt.user_id, func.count(), func.max(share))
        .where(QuizAttempt.assignment_id.in_([a.id for a in quizzes]),
               QuizAttempt.user_id.in_(members))
        .group_by(QuizAttempt.assignment_id, QuizAttempt.user_id))}
    for uid, row in rows.items():
        for assignment in quizzes:
            n, best = stats.get((assignment.id, uid), (0, None))
            row.best[assignment.id], row.attempts[assignment.id] = best, n
            row.assignments[assignment.id] = (f"{round(best * 100)}%" if best is not None
                                              else (STARTED if n else "—"))


# -- Topics ------------------------------------------------------------------------------------

def class_topics(session: Session, school_class: SchoolClass) -> list[str]:
    """The tags the class's assignments cover; every topic tag when there are none."""
    ids: set[int] = set()
    for assignment in school_class.assignments:
        ids.update(scope_question_ids(session, assignment))
    query = select(QuestionTag.tag).distinct().order_by(QuestionTag.tag)
    if ids:
        query = query.where(QuestionTag.question_id.in_(ids))
    return sorted(session.scalars(query), key=topic_order)


def mastery_grid(session: Session, school_class: SchoolClass,
                 topics: list[str]) -> dict[tuple[int, str], float]:
    """(student, tag) -> share of the tag's questions the student has graduated to review,
    for the topics a student has started (has any card of); not started is absent."""
    totals = dict(_rows(session,
        select(QuestionTag.tag, func.count()).join(Question, Question.id == QuestionTag.question_id)
        .where(QuestionTag.tag.in_(topics), Question.retired.is_(False))
        .group_by(QuestionTag.tag)).all())
    wanted = set(topics)
    grid = {}
    # No tag filter in SQL: with one, SQLite probes each tag per card (a lot slower).
    for uid, tag, known in _rows(session,
            select(CardState.user_id, QuestionTag.tag,
                   func.count().filter(CardState.state == CardStatus.REVIEW))
            .join(QuestionTag, QuestionTag.question_id == CardState.question_id)
            .join(Question, Question.id == CardState.question_id)
            .where(CardState.user_id.in_(_members(school_class)), Question.retired.is_(False))
            .group_by(CardState.user_id, QuestionTag.tag)):
        if tag in wanted:
            grid[(uid, tag)] = known / totals[tag] if totals.get(tag) else 0.0
    return grid


@dataclass(frozen=True)
class MasteryRow:
    name: str
    cells: list[tuple[int, int] | None]  # (percent, shade level 0-4) per topic; None: not started

    def cells_html(self) -> Markup:
        """The row's cells as HTML; only integers go in, so nothing needs escaping (and a
        500-student grid renders without 15,000 escape calls)."""
        return Markup("".join(
            '<td class="num level-none"><span aria-hidden="true">·</span>'
            '<span class="visually-hidden">not started</span></td>' if cell is None else
            f'<td class="num level-{cell[1]:d}">{cell[0]:d}%</td>' for cell in self.cells))


def mastery_rows(students: list[StudentRow], topics: list[str],
                 grid: dict[tuple[int, str], float]) -> list[MasteryRow]:
    """The grid as rows ready to print: whole percentages and a shade level per cell."""
    rows = []
    for student in students:
        values = [grid.get((student.user.id, t)) for t in topics]
        rows.append(MasteryRow(student.user.name, [
            None if v is None else (round(v * 100), min(4, int(v * 4))) for v in values]))
    return rows


# -- Item analysis -----------------------------------------------------------------------------

def first_attempts(school_class: SchoolClass):
    """Each student's first submitted attempt at each of the class's quiz assignments."""
    return (select(func.min(QuizAttempt.id))
            .join(Assignment, Assignment.id == QuizAttempt.assignment_id)
            .where(Assignment.class_id == school_class.id, QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.assignment_id))


def item_analysis(session: Session, school_class: SchoolClass) -> list[ItemRow]:
    x = func.coalesce(QuizAnswer.score, 0.0)
    rest = QuizAttempt.score - x
    sums = (select(QuizAnswer.question_id, func.count(), func.sum(x), func.sum(x * x),
                   func.sum(rest), func.sum(rest * rest), func.sum(x * rest))
            .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
            .where(QuizAttempt.id.in_(first_attempts(school_class)))
            .group_by(QuizAnswer.question_id))
    by_question = {qid: ItemSums(n, *(float(v or 0) for v in rest_))
                   for qid, n, *rest_ in _rows(session, sums)}
    if not by_question:
        return []
    questions = session.execute(
        select(Question, Bank.title).join(Bank, Bank.id == Question.bank_id)
        .where(Question.id.in_(list(by_question))))
    rows = [ItemRow(q, title, item_stats(by_question[q.id])) for q, title in questions]
    return sorted(rows, key=lambda r: (not r.stats.flags, r.stats.facility or 0))
