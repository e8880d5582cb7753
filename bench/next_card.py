"""Next-card latency as card states grow, and the plan of its query.

Target (issue: performance): with 1,000,000 card states the next-card call takes at most
1.15x (p50) and 1.25x (p95) its time with 1,000, and the query plan is an index search with no
temporary sort. Each size is a fresh database of generated students x cards; the call timed is
the service's whole next-card step (queue counts, then the one card query).

    .venv/bin/python -m bench.next_card [--sizes 10x100 10000x100] [--calls 400]
        [--database-url URL]
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

from sqlalchemy import event, select, text

from bench.data import populate
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


def measure(users: int, cards: int, calls: int, url: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        database = url or f"sqlite:///{Path(tmp) / 'next.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            now = datetime.now(UTC)
            started = time.perf_counter()
            populate(users, cards, now, new_share=0.0)  # every card has a state
            generated = time.perf_counter() - started
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            ids = list(db.session.scalars(select(User.id)))
            rng = random.Random(5)
            chosen = [db.session.get(User, rng.choice(ids)) for _ in range(calls)]
            for user in chosen[:20]:
                next_card(db.session, user, Scope(), now)
            times = []
            for user in chosen:
                start = time.perf_counter()
                next_card(db.session, user, Scope(), now)
                times.append((time.perf_counter() - start) * 1000)
            states = db.session.scalar(text("SELECT count(*) FROM card_states"))
            plan, plan_ok = _plan(chosen[0], now)
            result = {
                "backend": db.engine.dialect.name, "users": users, "cards_per_user": cards,
                "card_states": states, "generate_s": round(generated, 1),
                "p50_ms": round(statistics.median(times), 3),
                "p95_ms": round(statistics.quantiles(times, n=20)[18], 3),
                "plan": plan, "plan_index_no_sort": plan_ok}
            db.session.remove()
            if url:
                db.drop_all()
            db.engine.dispose()
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["10x100", "1000x100"],
                        help="students x cards per student, e.g. 10000x100 for 1,000,000")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        users, cards = (int(n) for n in size.lower().split("x"))
        results.append(measure(users, cards, args.calls, args.database_url))
    small, large = results[0], results[-1]
    ratios = {"p50": round(large["p50_ms"] / small["p50_ms"], 3),
              "p95": round(large["p95_ms"] / small["p95_ms"], 3)}
    for r in results:
        print(f"next card ({r['backend']}) with {r['card_states']:>9,} card states: p50 "
              f"{r['p50_ms']:.3f} ms, p95 {r['p95_ms']:.3f} ms; index search without sort: "
              f"{r['plan_index_no_sort']}")
    print(f"ratio largest/smallest: p50 {ratios['p50']}x (target 1.15x), p95 {ratios['p95']}x "
          f"(target 1.25x)")
    return {"next_card": {"sizes": results, "ratio": ratios}}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, default=str))
