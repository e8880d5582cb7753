"""A tiny run of the load harness, so it cannot rot: it completes and loses nothing.

No assertion here is about time; bench/README.md has the figures.
"""

import shutil
import uuid

import pytest
import sqlalchemy as sa

from bench import load
from tests.conftest import PG_URL, require_service

pytestmark = pytest.mark.bench


@pytest.fixture
def wrk():
    if shutil.which("wrk") is None:
        require_service("wrk is not installed (apt-get install wrk)")


def check(result: dict) -> None:
    level = result["levels"][0]
    assert level["js"]["cards_per_s"] > 0 and level["plain"]["cards_per_s"] > 0
    # With JavaScript a card is one request; without, three.
    assert level["js"]["requests"] <= level["js"]["ratings_ok"] + 2 * level["clients"]
    assert level["plain"]["requests"] >= 3 * level["plain"]["ratings_ok"]
    for study in (level["js"], level["plain"]):
        assert study["ratings_ok"] > 0, study
        assert study["ratings_lost"] == 0, study
        assert study["duplicate_reviews"] == 0, study
        assert study["server_errors"] == 0 and study["non_2xx_3xx"] == 0, study
        assert study["database_locked"] == 0 and study["tracebacks"] == 0, study
        assert study["socket_errors"] == 0, study
    assert level["bare"]["requests"] > 0 and level["bare"]["non_2xx_3xx"] == 0


def test_tiny_load_run_on_sqlite(wrk):
    check(load.run(users=6, cards=30, clients=[3], seconds=2, workers=2, database_url=None))


def test_tiny_load_run_on_postgres_with_several_workers(wrk):
    if not PG_URL:
        require_service("QUIZAPP_TEST_POSTGRES_URL is not set")
    schema = f"qb_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        check(load.run(users=8, cards=30, clients=[4], seconds=2, workers=3,
                       database_url=url.render_as_string(hide_password=False)))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_rounds_keep_the_quickest_but_never_hide_a_loss():
    slow = {"rps": 900.0, "p95_ms": 9.0, "ratings_ok": 100, "ratings_lost": 1,
            "server_errors": 0, "worker_peak_rss_mb": [120.0, 99.0]}
    fast = {"rps": 1000.0, "p95_ms": 8.0, "ratings_ok": 120, "ratings_lost": 0,
            "server_errors": 2, "worker_peak_rss_mb": [110.0, 111.0]}
    best = load.best_of([slow, fast])
    assert (best["rps"], best["p95_ms"]) == (1000.0, 8.0)
    assert (best["ratings_ok"], best["ratings_lost"], best["server_errors"]) == (220, 1, 2)
    assert max(best["worker_peak_rss_mb"]) == 120.0
    assert best["rounds"] == [900.0, 1000.0]
