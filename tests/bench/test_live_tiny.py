"""A tiny run of the live-session benchmark (PostgreSQL, Redis, gunicorn with a worker
restart in the middle), so it cannot rot: every answer recorded once (no assertion on time)."""

import pytest

from bench import live
from tests.conftest import PG_URL, REDIS_URL, require_service

pytestmark = pytest.mark.bench


def test_tiny_live_run_records_every_answer_once_across_a_worker_restart():
    if not PG_URL or not REDIS_URL:
        require_service("the live benchmark needs PostgreSQL and Redis")
    result = live.main(["--database-url", PG_URL, "--redis-url", REDIS_URL,
                        "--students", "12", "--questions", "4", "--threads", "32",
                        "--think-seconds", "0", "0.5", "--reveal-seconds", "0.2"])["live"]
    assert result["answers_recorded"] == result["answers_distinct"] == 12 * 4
    assert result["questions_stalled"] == []
    assert result["streams_received"] >= 12 * 4 - 12  # the restart may cost one question's
    assert result["phones_reconnected"] == 12  # every stream dropped at the restart, came back
