"""Teacher dashboard for a large class, on generated data.

Target (issue: teachers): a class of 500 students with 200 questions and 50,000 answers renders
its dashboard in under 300 ms. Prints the median and best of several renders (full page,
through the Flask test client) and the time of each aggregate on its own.

    .venv/bin/python -m bench.dashboard_speed [--students 500] [--questions 200]
        [--answers-per-student 100] [--repeat 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from bench.data import as_after_autovacuum, in_app, signed_in
from bench.generate import bank_yaml
from quizapp.banks import load_bank_bytes
from quizapp.banks.importer import apply_import
from quizapp.classes import dashboard
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    CardState,
    Enrolment,
    Question,
    QuizAnswer,
    QuizAttempt,
    ReviewLog,
    SchoolClass,
    User,
)

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def populate(students: int, questions: int, per_student: int, seed: int = 3) -> int:
    rng = random.Random(seed)
    bank = load_bank_bytes(bank_yaml(questions, "dash").encode(), "dash.yaml")
    apply_import(db.session, [bank], NOW)
    ids = list(db.session.scalars(select(Question.id).order_by(Question.id)))
    teacher = User(email="t@bench", name="Teacher", password_hash="x", role="teacher")
    db.session.add(teacher)
    db.session.flush()
    school_class = SchoolClass(teacher_id=teacher.id, name="Bench class", join_code="BENCH123")
    db.session.add(school_class)
    db.session.flush()
    quizzes = [Assignment(class_id=school_class.id, kind="quiz", title=f"Quiz {n}",
                          banks=["dash"], size=per_student // 5, due_at=NOW)
               for n in range(5)]
    study = Assignment(class_id=school_class.id, kind="study", title="Study all",
                       banks=["dash"], due_at=NOW)
    db.session.add_all([*quizzes, study])
    db.session.flush()
    users = [{"email": f"s{n}@bench", "name": f"Student {n:03d}", "password_hash": "x",
              "role": "student"} for n in range(students)]
    db.session.execute(insert(User), users)
    student_ids = list(db.session.scalars(select(User.id).where(User.role == "student")))
    db.session.execute(insert(Enrolment), [{"class_id": school_class.id, "user_id": u,
                                            "joined_at": NOW} for u in student_ids])
    attempts, cards, logs = [], [], []
    for uid in student_ids:
        ability = rng.random()
        for quiz in quizzes:
            chosen = rng.sample(ids, quiz.size)
            attempts.append((uid, quiz.id, chosen, ability))
        for qid in rng.sample(ids, 60):
            due = NOW + timedelta(days=rng.randint(-5, 30))
            cards.append({"user_id": uid, "question_id": qid, "state": 2, "step": None,
                          "stability": 5.0, "difficulty": 5.0, "due": due,
                          "last_review": NOW - timedelta(days=3), "reps": 3, "lapses": 0})
            logs.append({"user_id": uid, "question_id": qid, "rating": rng.choice([1, 3, 3, 4]),
                         "reviewed_at": NOW - timedelta(days=3), "state_before": 2,
                         "state_after": 2, "due_after": due, "source": "study"})
    db.session.execute(insert(CardState), cards)
    db.session.execute(insert(ReviewLog), logs)
    answers = 0
    for uid, assignment_id, chosen, ability in attempts:
        scores = [float(rng.random() < ability) for _ in chosen]
        attempt = {"user_id": uid, "assignment_id": assignment_id, "title": "q", "settings": {},
                   "seed": 1, "question_ids": chosen, "started_at": NOW, "submitted_at": NOW,
                   "score": sum(scores), "max_score": len(chosen)}
        attempt_id = db.session.execute(insert(QuizAttempt).returning(QuizAttempt.id),
                                        [attempt]).scalar_one()
        db.session.execute(insert(QuizAnswer), [
            {"attempt_id": attempt_id, "question_id": q, "position": i, "response": None,
             "score": s} for i, (q, s) in enumerate(zip(chosen, scores, strict=True))])
        answers += len(chosen)
    db.session.commit()
    return answers, school_class.id, teacher.id


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(students: int, questions: int, per_student: int, repeat: int,
        database_url: str | None) -> dict:
    with in_app(database_url, "dash") as app:
        answers, class_id, teacher_id = populate(students, questions, per_student)
        as_after_autovacuum()
        client = signed_in(app, db.session.get(User, teacher_id))
        page = lambda: client.get(f"/teach/classes/{class_id}")  # noqa: E731
        assert page().status_code == 200
        school_class = db.session.get(SchoolClass, class_id)
        parts = {
            "students": lambda: dashboard.student_rows(db.session, school_class, NOW),
            "mastery": lambda: dashboard.mastery_grid(
                db.session, school_class, dashboard.class_topics(db.session, school_class)),
            "items": lambda: dashboard.item_analysis(db.session, school_class),
        }
        full = timed(page, repeat)
        return {
            "backend": db.engine.dialect.name, "students": students,
            "questions": questions, "answers": answers,
            "page_ms_median": round(statistics.median(full), 1),
            "page_ms_best": round(min(full), 1),
            "parts_ms_median": {k: round(statistics.median(timed(f, repeat)), 1)
                                for k, f in parts.items()},
        }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--answers-per-student", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    result = run(args.students, args.questions, args.answers_per_student, args.repeat,
                 args.database_url)
    print(f"dashboard ({result['backend']}): {result['students']} students, "
          f"{result['questions']} questions, {result['answers']} answers: page "
          f"{result['page_ms_median']} ms median, {result['page_ms_best']} ms best "
          f"(target < 300 ms); parts {result['parts_ms_median']}")
    return {"dashboard": result}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
