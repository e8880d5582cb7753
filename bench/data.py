"""Generated users and card states with a realistic spread of due dates."""

from __future__ import annotations

import random
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from bench.generate import KINDS, bank_yaml
from quizapp import create_app
from quizapp.auth import sessions
from quizapp.banks import load_bank_bytes
from quizapp.banks.importer import apply_import
from quizapp.extensions import db
from quizapp.models import CardState, Question, User

PASSWORD = "bench password"
CHUNK = 20_000


def populate(users: int, cards: int, now: datetime | None = None, seed: int = 11,
             new_share: float = 0.15, kinds: list[str] = KINDS) -> list[str]:
    """A bank of `cards` questions and `users` students who have seen most of them: of each
    student's cards seen, 12% in learning due within the hour, 9% in review and overdue by up
    to 30 days, the rest in review due over the next 60 days, in random order and with random
    due times; `new_share` of the cards are still new (no card state). Every student gets the
    same shares, so ten students are a fair sample of ten thousand. (Drawn card by card, a
    thousand students had from 1 to 19 overdue reviews, median 7, and those with the most set
    the large size's slowest next-card calls, not the size of the data.) The questions cycle
    through `kinds` (every type by default). Returns the students' emails."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    bank = bank_yaml(cards, "bench", kinds=kinds).encode()
    apply_import(db.session, [load_bank_bytes(bank, "b.yaml")], now)
    ids = list(db.session.scalars(select(Question.id).order_by(Question.id)))
    password_hash = generate_password_hash(PASSWORD)
    emails = [f"student{n:05d}@bench.example" for n in range(users)]
    for start in range(0, users, CHUNK):
        db.session.execute(insert(User), [
            {"email": e, "name": f"Student {n:05d}", "password_hash": password_hash,
             "role": "student", "new_cards_per_day": 10_000, "max_reviews_per_day": 100_000}
            for n, e in enumerate(emails[start:start + CHUNK], start=start)])
    user_ids = list(db.session.scalars(select(User.id).where(User.role == "student")
                                       .order_by(User.id)))
    batch: list[dict] = []
    for uid in user_ids:
        seen = [qid for qid in ids if rng.random() >= new_share]
        for qid, kind in zip(seen, _kinds(len(seen), rng), strict=True):
            batch.append(_card(uid, qid, kind, now, rng))
            if len(batch) >= CHUNK:
                db.session.execute(insert(CardState), batch)
                batch = []
    if batch:
        db.session.execute(insert(CardState), batch)
    db.session.commit()
    return emails


def _kinds(seen: int, rng: random.Random) -> list[str]:
    learning, overdue = round(seen * 0.12), round(seen * 0.09)
    kinds = ["learning"] * learning + ["overdue"] * overdue
    kinds += ["later"] * (seen - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _card(uid: int, qid: int, kind: str, now: datetime, rng: random.Random) -> dict:
    if kind == "learning":  # due within the hour
        due, state, step, stability = now + timedelta(minutes=rng.randint(-10, 60)), 1, 1, 0.5
    elif kind == "overdue":  # review, overdue by up to 30 days
        due, state, step, stability = now - timedelta(days=rng.uniform(0, 30)), 2, None, 4.0
    else:  # review, due later
        due, state, step, stability = now + timedelta(days=rng.uniform(0, 60)), 2, None, 12.0
    return {"user_id": uid, "question_id": qid, "state": state, "step": step,
            "stability": stability, "difficulty": rng.uniform(3, 8), "due": due,
            "last_review": now - timedelta(days=3), "reps": 3, "lapses": 0}


def vacuum_analyze() -> None:
    """What autovacuum would have done by now on a live database: fresh statistics, and on
    PostgreSQL a visibility map so index-only scans need not visit the table."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql"
                             else "ANALYZE")


def as_after_autovacuum() -> None:
    """A freshly bulk-loaded database as a live one would be by now: PostgreSQL's autovacuum
    would have analysed it; SQLite has no such thing, so it stays as it is."""
    if db.engine.dialect.name == "postgresql":
        vacuum_analyze()


@contextmanager
def in_app(database_url: str | None, name: str):
    """An app on a fresh database (a temporary SQLite file unless a URL is given), inside its
    context; the tables are dropped afterwards on a shared database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / f'{name}.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.drop_all()
            db.create_all()
            try:
                yield app
            finally:
                db.session.remove()
                if database_url:
                    db.drop_all()
                db.engine.dispose()


def signed_in(app, user: User):
    """A test client logged in as `user`, as Flask-Login keeps a login."""
    sessions.start(db.session, user, "bench", datetime.now(UTC), timedelta(days=1))
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    return client
