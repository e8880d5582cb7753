"""A tiny run of the scheduling simulation, so it cannot rot: seeded and repeatable, and the
effects it measures point the right way (targets raise recall on the day, catch-up lowers
the heaviest day)."""

import pytest

from bench import schedule

pytestmark = pytest.mark.bench


def test_target_date_mode_reaches_the_target_where_normal_scheduling_falls_short():
    result = schedule.target_date(4, 40, seed=7, desired=0.80, goal=0.90)
    assert result == schedule.target_date(4, 40, seed=7, desired=0.80, goal=0.90)  # seeded
    assert result["normal"]["recalled_on_the_day"] < 0.90
    assert result["target"]["recalled_on_the_day"] >= 0.90
    assert result["extra_reviews_ratio"] > 1  # it costs reviews, and says how many


def test_catch_up_spreads_the_wall_of_reviews_after_a_break():
    result = schedule.catch_up(4, 40, seed=7, studied=15, away=10, spread=3, after=6)
    assert result["with"]["peak_day_reviews"] < result["without"]["peak_day_reviews"]
    assert result["with"]["recalled_after"] >= result["without"]["recalled_after"] - 0.02


def test_balancing_evens_out_the_days():
    result = schedule.balancing(4, 60, seed=7, days=40)
    assert 0 < result["with"]["sd_daily_reviews"] < result["without"]["sd_daily_reviews"]
    assert result["sd_ratio"] == round(result["with"]["sd_daily_reviews"] /
                                       result["without"]["sd_daily_reviews"], 3)
