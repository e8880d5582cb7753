"""Classes, enrolments and assignments: the rules that need the database. No Flask here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import selection
from ..database import for_update
from ..models import Assignment, Enrolment, QuizAttempt, ReviewLog, SchoolClass, User
from ..problems import N_, Problem
from ..quiz import service as quizzes

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes


class ClassError(Problem):
    """A user-caused problem with a class or assignment; the message is shown as is."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def create_class(session: Session, teacher: User, name: str) -> SchoolClass:
    school_class = SchoolClass(teacher_id=teacher.id, name=name.strip(),
                               join_code=new_join_code())
    session.add(school_class)
    session.flush()
    return school_class


def classes_of_teacher(session: Session, teacher: User) -> list[SchoolClass]:
    query = select(SchoolClass).order_by(SchoolClass.created_at.desc())
    if not teacher.is_admin:
        query = query.where(SchoolClass.teacher_id == teacher.id)
    return list(session.scalars(query))


def can_manage(user: User, school_class: SchoolClass) -> bool:
    return user.is_admin or school_class.teacher_id == user.id


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper().replace("-", "")


def class_by_code(session: Session, code: str) -> SchoolClass | None:
    return session.scalar(select(SchoolClass).where(
        SchoolClass.join_code == normalise_code(code)))


def join_class(session: Session, student: User, code: str) -> SchoolClass:
    school_class = class_by_code(session, code)
    if school_class is None:
        raise ClassError(N_("No class has that code. Check it with your teacher."))
    if not school_class.joining_open:
        raise ClassError(N_("%(name)s is not taking new students. Ask your teacher."),
                         name=school_class.name)
    exists = session.scalar(select(Enrolment.id).where(
        Enrolment.class_id == school_class.id, Enrolment.user_id == student.id))
    if exists is None:
        try:
            with session.begin_nested():
                session.add(Enrolment(class_id=school_class.id, user_id=student.id))
        except IntegrityError:
            pass  # joined twice at once: once is enough
    return school_class


def remove_student(session: Session, school_class: SchoolClass, user_id: int) -> None:
    session.execute(delete(Enrolment).where(Enrolment.class_id == school_class.id,
                                            Enrolment.user_id == user_id))


def students_of(session: Session, school_class: SchoolClass) -> list[User]:
    return list(session.scalars(
        select(User).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.class_id == school_class.id).order_by(User.name, User.email)))


def classes_of_student(session: Session, student: User) -> list[SchoolClass]:
    return list(session.scalars(
        select(SchoolClass).join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(Enrolment.user_id == student.id).order_by(SchoolClass.name)))


# -- Assignments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssignmentStatus:
    assignment: Assignment
    state: str  # upcoming | open | closed
    done: bool
    summary: str  # e.g. "12 of 40 cards reviewed" or "best 80% (1 of 2 attempts)"
    attempts_used: int = 0
    best: float | None = None
    open_attempt: QuizAttempt | None = None

    @property
    def can_start(self) -> bool:
        a = self.assignment
        return (self.state == "open" and a.kind == "quiz" and
                (a.attempts_allowed is None or self.attempts_used < a.attempts_allowed
                 or self.open_attempt is not None))


def window_state(assignment: Assignment, now: datetime) -> str:
    if assignment.opens_at is not None and now < assignment.opens_at:
        return "upcoming"
    if now > assignment.due_at:
        return "closed"
    return "open"


def scope_question_ids(session: Session, assignment: Assignment) -> list[int]:
    """The questions an assignment covers: every card for a study goal, the graded ones
    (no self-graded flashcards) for a quiz."""
    return selection.candidate_ids(session, assignment.banks, assignment.tags,
                                   objective_only=assignment.kind == "quiz",
                                   topic_banks=topic_banks_of(session, assignment))


def topic_banks_of(session: Session, assignment: Assignment) -> list[str]:
    """The banks an assignment's topics draw from: the bundled ones and its teacher's."""
    teacher_id = session.scalar(select(SchoolClass.teacher_id).where(
        SchoolClass.id == assignment.class_id))
    return selection.shared_banks(session, teacher_id)


def study_progress(session: Session, assignment: Assignment, user_id: int) -> tuple[int, int]:
    """(cards in scope reviewed at least once by the due date, cards in scope)."""
    ids = scope_question_ids(session, assignment)
    if not ids:
        return 0, 0
    reviewed = session.scalar(select(func.count(func.distinct(ReviewLog.question_id))).where(
        ReviewLog.user_id == user_id, ReviewLog.question_id.in_(ids),
        ReviewLog.reviewed_at <= assignment.due_at))
    return reviewed or 0, len(ids)


def status_for(session: Session, assignment: Assignment, user: User,
               now: datetime) -> AssignmentStatus:
    state = window_state(assignment, now)
    if assignment.kind == "study":
        reviewed, total = study_progress(session, assignment, user.id)
        return AssignmentStatus(assignment, state, total > 0 and reviewed >= total,
                                f"{reviewed} of {total} cards reviewed")
    attempts = list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.assignment_id == assignment.id, QuizAttempt.user_id == user.id)
        .order_by(QuizAttempt.started_at)))
    done = [a for a in attempts if a.submitted_at is not None]
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    best = max((a.score / a.max_score for a in done), default=None)
    allowed = assignment.attempts_allowed
    used = f"{len(attempts)} of {allowed} attempts" if allowed else f"{len(attempts)} attempts"
    summary = f"best {round(best * 100)}% ({used})" if best is not None else f"not taken ({used})"
    return AssignmentStatus(assignment, state, bool(done), summary, len(attempts), best,
                            open_attempt)


def assignments_for_student(session: Session, student: User,
                            now: datetime) -> list[AssignmentStatus]:
    query = (select(Assignment).join(Enrolment, Enrolment.class_id == Assignment.class_id)
             .where(Enrolment.user_id == student.id).order_by(Assignment.due_at))
    return [status_for(session, a, student, now) for a in session.scalars(query)]


def start_assignment_quiz(session: Session, assignment: Assignment, student: User,
                          now: datetime) -> QuizAttempt:
    """The student's open attempt, or a new one when the window and attempts allow."""
    # Locking the enrolment row serialises two starts by the same student (two tabs), so the
    # attempts allowed cannot be exceeded.
    enrolled = session.scalar(for_update(select(Enrolment.id).where(
        Enrolment.class_id == assignment.class_id, Enrolment.user_id == student.id)))
    if enrolled is None or assignment.kind != "quiz":
        raise ClassError(N_("That assignment is not yours."))
    status = status_for(session, assignment, student, now)
    if status.open_attempt is not None and status.state == "open":
        return status.open_attempt
    if status.state == "upcoming":
        opens = assignment.opens_at.astimezone(ZoneInfo(student.timezone))
        raise ClassError(N_("This quiz opens on %(when)s (%(zone)s)."),
                         when=f"{opens:%d %b %Y, %H:%M}",
                         zone=student.timezone.replace("_", " "))
    if status.state == "closed":
        raise ClassError(N_("This quiz is past its due date."))
    if not status.can_start:
        raise ClassError(N_("You have used all your attempts at this quiz."))
    spec = quizzes.QuizSpec(title=assignment.title, banks=assignment.banks, tags=assignment.tags,
                            size=assignment.size or 10, feedback=assignment.feedback,
                            time_limit_minutes=assignment.time_limit_minutes,
                            time_adjustable=assignment.time_adjustable, objective_only=True,
                            closes_at=assignment.due_at,
                            topic_banks=topic_banks_of(session, assignment))
    attempt = quizzes.start_attempt(session, student, spec, now)
    attempt.assignment_id = assignment.id
    return attempt
