"""Next-card latency as card states grow, and the plan of its query.

Target (issue: performance): with 1,000,000 card states the next-card call takes at most
1.15x (p50) and 1.25x (p95) its time with 1,000, and the query plan is an index search with no
temporary sort. Each size is a database of its own, generated students x cards (every card
with a state); the call timed is the service's whole next-card step (queue counts, then the
one card query). This machine's speed drifts, so the sizes are timed in interleaved rounds
(each round times every size back to back) and each ratio is the median of the rounds' own
ratios; each size's p50 and p95 are its medians over the rounds.

    .venv/bin/python -m bench.next_card [--sizes 10x100 10000x100] [--calls 1000]
        [--rounds 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, select, text

from bench.data import populate, vacuum_analyze
from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import User
from quizapp.study.queue import Scope, next_card


def _plan(user: User, now: datetime) -> tuple[str, bool]:
    """The database's plan for the due-card query exactly as the app sends it (captured from
    a real next-card call), asked with EXPLAIN."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY card_states.due" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        next_card(db.session, user, Scope(), now + timedelta(days=3650))  # finds a due card
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    cursor = db.session.connection().connection.cursor()
    if db.engine.dialect.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        return plan, "ix_card_states_user_due" in plan and "TEMP B-TREE" not in plan
    cursor.execute("EXPLAIN " + statement, parameters)
    plan = "\n".join(str(row[0]) for row in cursor.fetchall())
    return plan, "ix_card_states_user_due" in plan and "Sort" not in plan


class Size:
    """One generated database, ready to be timed."""

    def __init__(self, users: int, cards: int, url: str, calls: int, now: datetime):
        self.users, self.cards, self.url, self.now = users, cards, url, now
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        self.rounds: list[tuple[float, float]] = []
        with self.app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            populate(users, cards, now, new_share=0.0)
            self.generate_s = time.perf_counter() - started
            db.session.commit()
            vacuum_analyze()
            ids = list(db.session.scalars(select(User.id)))
            rng = random.Random(5)
            self.chosen = [rng.choice(ids) for _ in range(calls)]
            self.states = db.session.scalar(text("SELECT count(*) FROM card_states"))
            self.backend = db.engine.dialect.name

    def time_round(self) -> None:
        with self.app.app_context():
            users = {u.id: u for u in db.session.scalars(
                select(User).where(User.id.in_(set(self.chosen))))}
            for uid in self.chosen[:50]:
                next_card(db.session, users[uid], Scope(), self.now)
            times = []
            for uid in self.chosen:
                start = time.perf_counter()
                next_card(db.session, users[uid], Scope(), self.now)
                times.append((time.perf_counter() - start) * 1000)
            db.session.remove()
        self.rounds.append((statistics.median(times), statistics.quantiles(times, n=20)[18]))

    def result(self, drop: bool) -> dict:
        with self.app.app_context():
            plan, plan_ok = _plan(db.session.get(User, self.chosen[0]), self.now)
            db.session.remove()
            if drop:
                db.drop_all()
            db.engine.dispose()
        return {"backend": self.backend, "users": self.users, "cards_per_user": self.cards,
                "card_states": self.states, "generate_s": round(self.generate_s, 1),
                "p50_ms": round(statistics.median(r[0] for r in self.rounds), 3),
                "p95_ms": round(statistics.median(r[1] for r in self.rounds), 3),
                "rounds": [[round(a, 3), round(b, 3)] for a, b in self.rounds],
                "plan": plan, "plan_index_no_sort": plan_ok}


def _url(base: str | None, tmp: Path, n: int) -> str:
    if base is None:
        return f"sqlite:///{tmp / f'next-{n}.sqlite3'}"
    schema = f"quizapp_next_{n}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["10x100", "1000x100"],
                        help="students x cards per student, e.g. 10000x100 for 1,000,000")
    parser.add_argument("--calls", type=int, default=1000)
    # A round of 1,000 calls lasts a fraction of a second, so one burst of this machine's noise
    # spoils a whole round: with 3 rounds the ratio wandered from 1.10x to 1.30x between runs
    # of the same code, with 15 from 1.14x to 1.16x (each size keeping its quietest round).
    # On a later machine a single round ran a third faster than all the others, for one size
    # only, and the quietest rounds made 100,000 card states 0.70x as slow as 1,000; hence
    # medians of paired rounds, and 40 of them (p50 ratio 1.056x-1.064x over six runs).
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        sizes = []
        for n, size in enumerate(args.sizes):
            users, cards = (int(v) for v in size.lower().split("x"))
            sizes.append(Size(users, cards, _url(args.database_url, Path(tmp), n),
                              args.calls, now))
        for _ in range(args.rounds):
            for size in sizes:
                size.time_round()
        results = [s.result(drop=args.database_url is not None) for s in sizes]
    small, large = sizes[0], sizes[-1]
    ratios = {name: round(statistics.median(b[i] / a[i] for a, b in zip(
        small.rounds, large.rounds, strict=True)), 3) for i, name in enumerate(("p50", "p95"))}
    for r in results:
        print(f"next card ({r['backend']}) with {r['card_states']:>9,} card states: p50 "
              f"{r['p50_ms']:.3f} ms, p95 {r['p95_ms']:.3f} ms; index search without sort: "
              f"{r['plan_index_no_sort']}")
    print(f"ratio largest/smallest (median of {args.rounds} paired rounds): p50 "
          f"{ratios['p50']}x (target 1.15x), p95 {ratios['p95']}x (target 1.25x)")
    return {"next_card": {"sizes": results, "ratio": ratios}}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, default=str))
