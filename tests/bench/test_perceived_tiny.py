"""A tiny run of the perceived-speed harness: Chromium studies a few flashcards beside two
wrk students; every card is timed and Space sends no request. No assertion is about time."""

import os
import shutil

import pytest

from bench import perceived
from tests.conftest import require_service

pytestmark = pytest.mark.bench


def test_tiny_perceived_run():
    if shutil.which("wrk") is None:
        require_service("wrk is not installed (apt-get install wrk)")
    if not os.path.exists(perceived.CHROMIUM):
        require_service(f"{perceived.CHROMIUM} is missing (apt-get install chromium)")
    result = perceived.run(cards=4, clients=2, database_url=None)
    assert result["cards"] == 4
    assert result["requests_to_reveal"] == 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
