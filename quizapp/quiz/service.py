"""Quizzes: compose, save answers, submit once, grade, and feed the study schedule.

Quiz-to-study rule (README): every graded answer is also a review of the student's card.
A wrong or partly wrong answer rates the card Again (it comes back soon). A fully right
answer rates it Good when the card is new or due, and changes nothing when the card is not
yet due, so a quiz never pushes a card further out than studying would.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import grading
from ..database import for_update
from ..models import CardState, Question, QuizAnswer, QuizAttempt, User
from ..problems import N_, Problem
from ..scheduling import Rating
from ..selection import candidate_ids
from ..study import service as study
from ..study.tokens import Presentation

MAX_QUESTIONS = 50
GRACE = timedelta(seconds=30)  # answers sent by the page as time runs out still count
FEEDBACK_MODES = ("each", "end")


class QuizError(Problem):
    """A user-caused problem starting or changing a quiz; the message is shown as is."""


@dataclass(frozen=True)
class QuizSpec:
    """What a student (or an assignment) asks for."""

    title: str
    banks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    size: int = 10
    feedback: str = "end"  # each | end
    time_limit_minutes: int | None = None
    time_adjustable: bool = True  # the student may extend or turn off the limit
    objective_only: bool = False  # leave out self-graded flashcards (graded checks)
    closes_at: datetime | None = None  # an assignment's due date: no answers after it
    topic_banks: list[str] | None = None  # the banks topics may draw from (None: any)
    # Only questions citing one of these source paragraphs (an orientation module's check
    # draws on what its briefing covers); None: any.
    paragraphs: list[int] | None = None

    def to_dict(self) -> dict:
        return {"banks": self.banks, "tags": self.tags, "size": self.size,
                "paragraphs": self.paragraphs,
                "feedback": self.feedback, "time_limit_minutes": self.time_limit_minutes,
                "time_adjustable": self.time_adjustable,
                "objective_only": self.objective_only, "topic_banks": self.topic_banks,
                "closes_at": self.closes_at.isoformat() if self.closes_at else None}


def compose(candidates: list[int], size: int, seed: int) -> list[int]:
    """The questions of one attempt, in the order shown: a seeded sample."""
    return random.Random(seed).sample(candidates, min(size, len(candidates)))


def start_attempt(session: Session, user: User, spec: QuizSpec, now: datetime,
                  seed: int | None = None) -> QuizAttempt:
    if not 1 <= spec.size <= MAX_QUESTIONS:
        raise QuizError(N_("Choose between 1 and %(most)s questions."), most=MAX_QUESTIONS)
    if spec.feedback not in FEEDBACK_MODES:
        raise QuizError(N_("Choose when to see feedback."))
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    chosen = compose(candidate_ids(session, spec.banks, spec.tags, spec.objective_only,
                                   spec.topic_banks, spec.paragraphs), spec.size, seed)
    if not chosen:
        raise QuizError(N_("There are no questions in what you picked."))
    limit = spec.time_limit_minutes
    deadline = _capped(now + timedelta(minutes=limit) if limit else None, spec.closes_at)
    attempt = QuizAttempt(user_id=user.id, title=spec.title, settings=spec.to_dict(), seed=seed,
                          question_ids=chosen, started_at=now, max_score=len(chosen),
                          deadline=deadline)
    session.add(attempt)
    session.flush()
    return attempt


def question_seed(attempt: QuizAttempt, question_id: int) -> int:
    """The seed of one question's shuffles in an attempt: the same on every reload."""
    return attempt.seed * 1_000_003 + question_id


def answers_by_question(attempt: QuizAttempt) -> dict[int, QuizAnswer]:
    return {a.question_id: a for a in attempt.answers}


def first_unanswered(attempt: QuizAttempt) -> int | None:
    """The number (from 1) of the first question without an answer; None when all have one."""
    answered = {a.question_id for a in attempt.answers if a.response is not None}
    return next((n for n, qid in enumerate(attempt.question_ids, start=1)
                 if qid not in answered), None)


def is_open(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and (
        attempt.deadline is None or now <= attempt.deadline + GRACE)


def time_is_up(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and attempt.deadline is not None and \
        now > attempt.deadline + GRACE


def deadline_passed(attempt: QuizAttempt, now: datetime) -> bool:
    """The limit has run out (a few seconds' slack for the page's own clock)."""
    return attempt.deadline is not None and now >= attempt.deadline - timedelta(seconds=5)


def locked(attempt: QuizAttempt, answer: QuizAnswer | None) -> bool:
    """After-each feedback: an answer, once checked, stays as it was."""
    return attempt.settings.get("feedback") == "each" and answer is not None \
        and answer.answered_at is not None


def lock(session: Session, attempt: QuizAttempt) -> QuizAttempt:
    """The attempt read afresh and held until the commit: its saves, its extra time and its
    submit take turns, so nothing changes an attempt after it is submitted and a save sent
    twice at once replaces rather than duplicates."""
    attempt_id = attempt.id
    session.flush()  # expiring the attempt expires its answers too: keep their changes
    session.expire(attempt)
    # The values as locked, not as some earlier read left them.
    return session.execute(for_update(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
                           .execution_options(populate_existing=True)).scalar_one()


def save_answer(session: Session, attempt: QuizAttempt, question: Question,
                response: dict | None, now: datetime) -> QuizAnswer:
    """Store (or replace) the response to one question of an open attempt."""
    attempt = lock(session, attempt)
    if not is_open(attempt, now):
        raise QuizError(N_("This quiz has been submitted; its answers can no longer change."))
    if question.id not in attempt.question_ids:
        raise QuizError(N_("That question is not part of this quiz."))
    answer = answers_by_question(attempt).get(question.id)
    if locked(attempt, answer):
        return answer
    if answer is None:
        answer = QuizAnswer(attempt=attempt, question_id=question.id,
                            position=attempt.question_ids.index(question.id))
        session.add(answer)
    answer.response = response
    answer.answered_at = now if response is not None else None
    if attempt.settings.get("feedback") == "each":
        answer.score = grading.grade(question.content, response).score
    return answer


def _capped(deadline: datetime | None, closes_at: datetime | None) -> datetime | None:
    """The earlier of a time limit and an assignment's due date (either may be absent)."""
    if closes_at is None:
        return deadline
    return closes_at if deadline is None else min(deadline, closes_at)


def closes_at(attempt: QuizAttempt) -> datetime | None:
    value = attempt.settings.get("closes_at")
    return datetime.fromisoformat(value) if value else None


def extend_time(session: Session, attempt: QuizAttempt, now: datetime,
                turn_off: bool = False) -> None:
    """More time, or none at all, when the quiz allows it; never past an assignment's due
    date."""
    if not attempt.settings.get("time_adjustable"):
        raise QuizError(N_("This quiz does not allow changing its time limit."))
    attempt = lock(session, attempt)
    if attempt.deadline is None or not is_open(attempt, now):
        return
    due = closes_at(attempt)
    if turn_off:
        attempt.deadline = due
        return
    minutes = attempt.settings.get("time_limit_minutes") or 10
    attempt.deadline = _capped(max(attempt.deadline, now) + timedelta(minutes=minutes), due)


@dataclass(frozen=True)
class Submission:
    first_time: bool
    attempt: QuizAttempt


def submit(session: Session, attempt: QuizAttempt, user: User, now: datetime) -> Submission:
    """Grade and close the attempt once; a second submit changes nothing."""
    attempt = lock(session, attempt)
    # Its clock was read before it waited its turn: never dated before an answer it grades.
    now = max([now, *(a.answered_at for a in attempt.answers if a.answered_at)])
    claimed = session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id,
                                  QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now).execution_options(synchronize_session=False)).rowcount
    session.refresh(attempt)
    if claimed != 1:
        return Submission(False, attempt)
    questions = {q.id: q for q in session.scalars(
        select(Question).where(Question.id.in_(attempt.question_ids)))}
    answers = answers_by_question(attempt)
    total = 0.0
    learner = study.learner_of(user)  # one for the whole quiz: its plans read once
    for position, question_id in enumerate(attempt.question_ids):
        answer = answers.get(question_id)
        if answer is None:
            answer = QuizAnswer(attempt=attempt, question_id=question_id, position=position)
            session.add(answer)
        answer.score = grading.grade(questions[question_id].content, answer.response).score
        total += answer.score
        feed_study(session, learner, attempt, question_id, answer.score, now)
    attempt.score = total
    return Submission(True, attempt)


def feed_study(session: Session, learner: study.Learner, attempt: QuizAttempt,
               question_id: int, score: float, now: datetime) -> None:
    """Apply the quiz-to-study rule for one graded answer (exactly once per attempt)."""
    card = session.scalar(select(CardState).where(CardState.user_id == learner.id,
                                                  CardState.question_id == question_id))
    right = score >= 1.0
    if right and card is not None and card.due > now:
        return  # not yet due: a quiz does not push it further out
    nonce = hashlib.sha256(f"quiz:{attempt.id}:{question_id}".encode()).hexdigest()
    presentation = Presentation(learner.id, question_id, card.reps if card else 0, nonce, now,
                                study.snapshot_of(card))
    rating = Rating.GOOD if right else Rating.AGAIN
    study.apply_rating(session, learner, presentation, rating, now, source="quiz")


def history(session: Session, user: User) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                .order_by(QuizAttempt.started_at.desc())))


def answer_rows(session: Session, attempt: QuizAttempt, present: Callable) -> list[tuple]:
    """A submitted attempt question by question: (answer, question, how it is shown).
    present(content, prompt, seed, bank language) shows a question to the reader."""
    questions = {q.id: q for q in session.scalars(
        select(Question).where(Question.id.in_(attempt.question_ids)))}
    rows = []
    for answer in attempt.answers:
        question = questions[answer.question_id]
        rows.append((answer, question, present(
            question.content, question.prompt, question_seed(attempt, question.id),
            question.bank.language)))
    return rows


def attempts_at(session: Session, assignment_id: int, user_id: int) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.assignment_id == assignment_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at)))
