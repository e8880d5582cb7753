"""A tiny run of the admin users-page benchmark, so it cannot rot (no assertion on time)."""

import pytest

from bench import admin_users

pytestmark = pytest.mark.bench


def test_tiny_admin_users_run_reaches_every_page_it_times():
    result = admin_users.main(["--users", "120", "--repeat", "1"])["admin_users"]
    assert result["users"] == 120
    assert set(result["ms_median"]) == {"first page", "middle page", "last page",
                                        "search, a few found", "search, none found"}
