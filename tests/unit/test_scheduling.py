"""Scheduling over FSRS: the same results as fsrs itself, exact and repeatable."""

import random
from datetime import UTC, date, datetime, timedelta

import fsrs
import fsrs.scheduler
import pytest

from quizapp import scheduling
from quizapp.scheduling import CardStatus, Rating, StudySettings

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SCRIPT = [Rating.GOOD, Rating.GOOD, Rating.EASY, Rating.AGAIN, Rating.GOOD, Rating.HARD,
          Rating.GOOD, Rating.GOOD]


def run_ours(rng_seed=None):
    snapshot, now, results = None, START, []
    for rating in SCRIPT:
        rng = random.Random(rng_seed) if rng_seed is not None else None
        outcome = scheduling.review(snapshot, rating, now, StudySettings(), rng)
        snapshot = outcome.card
        results.append(snapshot)
        now = snapshot.due
    return results


def run_fsrs(fuzz_seed=None, monkeypatch=None):
    scheduler = fsrs.Scheduler(enable_fuzzing=fuzz_seed is not None)
    card, now, results = fsrs.Card(card_id=1), START, []
    for rating in SCRIPT:
        if fuzz_seed is not None:
            monkeypatch.setattr(fsrs.scheduler, "random", random.Random(fuzz_seed).random)
        card, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), now)
        results.append(card)
        now = card.due
    return results


def test_scripted_ratings_match_fsrs_without_fuzz():
    ours, theirs = run_ours(), run_fsrs()
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.state == int(reference.state)
        assert mine.step == reference.step
        assert mine.stability == pytest.approx(reference.stability, rel=1e-12)
        assert mine.difficulty == pytest.approx(reference.difficulty, rel=1e-12)
        assert mine.due == reference.due
        assert mine.last_review == reference.last_review


def test_fuzz_matches_fsrs_for_the_same_random_draws(monkeypatch):
    ours, theirs = run_ours(rng_seed=7), run_fsrs(fuzz_seed=7, monkeypatch=monkeypatch)
    assert [c.due for c in ours] == [c.due for c in theirs]
    assert run_ours(rng_seed=7) == ours  # injected randomness: repeatable


def test_counts_reps_and_lapses():
    final = run_ours()[-1]
    assert final.reps == len(SCRIPT)
    assert final.lapses == 1  # the Again on a review card
    assert final.state == CardStatus.REVIEW


def test_preview_shows_exactly_what_the_rating_applies():
    snapshot = run_ours()[-1]
    now = snapshot.due + timedelta(days=1)
    previews = scheduling.preview(snapshot, now, StudySettings(), seed=1234)
    for rating in Rating:
        applied = scheduling.review(snapshot, rating, now, StudySettings(),
                                    scheduling.fuzz_source(1234))
        assert applied.card.due == previews[rating].card.due


def test_higher_retention_means_shorter_intervals():
    snapshot = run_ours()[-1]
    now = snapshot.due

    def interval(retention):
        settings = StudySettings(desired_retention=retention)
        return scheduling.review(snapshot, Rating.GOOD, now, settings).interval

    assert interval(0.97) < interval(0.90) < interval(0.80)


@pytest.mark.parametrize("utc_time, tz, day", [
    (datetime(2026, 1, 1, 23, 30, tzinfo=UTC), "Asia/Baku", date(2026, 1, 1)),  # 03:30 local
    (datetime(2026, 1, 2, 0, 30, tzinfo=UTC), "Asia/Baku", date(2026, 1, 2)),  # 04:30 local
    (datetime(2026, 1, 1, 22, 0, tzinfo=UTC), "Asia/Karachi", date(2026, 1, 1)),  # 03:00
    (datetime(2026, 1, 1, 3, 59, tzinfo=UTC), "UTC", date(2025, 12, 31)),
])
def test_the_day_starts_at_4am_local(utc_time, tz, day):
    assert scheduling.study_day(utc_time, tz) == day
    assert scheduling.day_start(day, tz) <= utc_time < scheduling.day_start(
        day + timedelta(days=1), tz)


def test_steps_parse_and_explain_mistakes():
    assert scheduling.parse_steps("1m 10m 1h") == (
        timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1))
    with pytest.raises(ValueError, match="'ten' is not a step"):
        scheduling.parse_steps("1m ten")


@pytest.mark.parametrize("seconds, text", [
    (30, "<1m"), (600, "10m"), (3 * 3600, "3h"), (3 * 86400, "3d"), (62 * 86400, "2mo"),
    (400 * 86400, "1.1y")])
def test_interval_labels(seconds, text):
    assert scheduling.describe_interval(timedelta(seconds=seconds)) == text


def test_suggested_ratings():
    assert scheduling.suggested_rating(1.0) == Rating.GOOD
    assert scheduling.suggested_rating(0.0) == Rating.AGAIN
    assert scheduling.suggested_rating(0.5) == Rating.HARD


# -- Where a review lands: target days, load, days off (golden values at fixed times) ---------

# A card after three Goods: stability 11 days; reviewed Good on 14 March it would be due in
# 46 days, and FSRS's fuzz allows 42 to 50.
def _three_goods():
    snapshot, now = None, START
    for _ in range(3):
        snapshot = scheduling.review(snapshot, Rating.GOOD, now, StudySettings()).card
        now = snapshot.due
    return snapshot


SEASONED = _three_goods()
DUE_AT = SEASONED.due  # Saturday 14 March 2026, 09:10 UTC
TODAY = date(2026, 3, 14)


def _lands(plan, rng=None) -> int:
    outcome = scheduling.review(SEASONED, Rating.GOOD, DUE_AT, StudySettings(), rng, plan)
    return (outcome.card.due - DUE_AT).days


def test_a_plan_without_constraints_keeps_fsrs_interval_and_fuzz_range():
    assert _lands(scheduling.Plan()) == 46
    assert scheduling.fuzz_range(46, 36500) == (42, 50)
    drawn = {_lands(scheduling.Plan(), random.Random(n)) for n in range(200)}
    assert drawn <= set(range(42, 51)) and len(drawn) > 5


def test_a_target_day_caps_the_interval_so_recall_on_the_day_reaches_the_target():
    target = scheduling.Target(TODAY + timedelta(days=20), 0.97)
    days = _lands(scheduling.Plan(targets=(target,)))
    assert days == 19  # the latest review that carries the card to 97% on the day
    reviewed = scheduling.review(
        scheduling.review(SEASONED, Rating.GOOD, DUE_AT, StudySettings(), None,
                          scheduling.Plan(targets=(target,))).card,
        Rating.GOOD, DUE_AT + timedelta(days=days), StudySettings()).card
    on_the_day = scheduling.recall_after(scheduling._to_fsrs(reviewed), 1, StudySettings())
    assert on_the_day >= 0.97
    # Without the review, recall on the day would have been below the target.
    natural = scheduling.review(SEASONED, Rating.GOOD, DUE_AT, StudySettings()).card
    assert scheduling.recall_after(scheduling._to_fsrs(natural), 20, StudySettings()) < 0.97


def test_a_target_the_card_already_meets_or_that_has_passed_changes_nothing():
    met = scheduling.Target(TODAY + timedelta(days=20), 0.9)  # recall then is above 90%
    past = scheduling.Target(TODAY - timedelta(days=1), 0.99)
    soon = scheduling.Target(TODAY + timedelta(days=1), 0.99)  # no day left before it
    for target in (met, past, soon):
        assert _lands(scheduling.Plan(targets=(target,))) == 46


def test_the_earliest_demanding_target_wins():
    near = scheduling.Target(TODAY + timedelta(days=20), 0.97)
    far = scheduling.Target(TODAY + timedelta(days=40), 0.97)
    assert _lands(scheduling.Plan(targets=(far, near))) == 19
    assert _lands(scheduling.Plan(targets=(far,))) < 46


def test_load_balancing_picks_the_least_loaded_day_in_the_fuzz_range():
    load = {TODAY + timedelta(days=d): 9 for d in range(1, 60)}
    load[TODAY + timedelta(days=44)] = 3
    assert _lands(scheduling.Plan(load=load), random.Random(1)) == 44
    load[TODAY + timedelta(days=51)] = 0  # outside the range FSRS allows: never chosen
    assert _lands(scheduling.Plan(load=load), random.Random(1)) == 44
    assert _lands(scheduling.Plan(load=load, balance=False)) == 46


def test_free_days_are_avoided_and_light_days_count_double():
    natural_day = TODAY + timedelta(days=46)  # a Wednesday
    free = scheduling.DaysOff(free_weekdays=frozenset({natural_day.weekday()}))
    assert _lands(scheduling.Plan(days_off=free)) == 45
    everything = scheduling.DaysOff(free_dates=frozenset(
        TODAY + timedelta(days=d) for d in range(42, 51)))
    assert _lands(scheduling.Plan(days_off=everything)) == 41  # the nearest earlier day
    load = {TODAY + timedelta(days=d): 5 for d in range(1, 60)}
    load[TODAY + timedelta(days=43)] = 3
    light = scheduling.DaysOff(light_dates=frozenset({TODAY + timedelta(days=43)}))
    assert _lands(scheduling.Plan(load=load, days_off=light)) != 43  # 3 × 2 > 5
    # A date's mark overrides its weekday's.
    both = scheduling.DaysOff(free_weekdays=frozenset({natural_day.weekday()}),
                              light_dates=frozenset({natural_day}))
    assert both.kind(natural_day) == scheduling.LIGHT
    assert scheduling.DaysOff.from_dict(both.to_dict()) == both


def test_catch_up_spreads_the_backlog_most_forgotten_first_and_skips_free_days():
    now = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)  # a Monday, after a two-week break
    cards = [(n, scheduling.CardSnapshot(
        state=2, step=None, stability=float(n + 1), difficulty=5.0,
        due=now - timedelta(days=5), last_review=now - timedelta(days=15)))
        for n in range(10)]
    off = scheduling.DaysOff(free_dates=frozenset({date(2026, 3, 31)}))
    due = scheduling.spread_backlog(cards, now, 4, StudySettings(), "UTC", off)
    days = {}
    for key, at in due.items():
        days.setdefault(scheduling.study_day(at, "UTC"), []).append(key)
    assert sorted(days) == [date(2026, 3, 30), date(2026, 4, 1), date(2026, 4, 2),
                            date(2026, 4, 3)]  # Tuesday the 31st is free
    assert [len(days[d]) for d in sorted(days)] == [3, 3, 2, 2]
    assert sorted(days[date(2026, 3, 30)]) == [0, 1, 2]  # the weakest memories first
    assert due[0] == now  # today's share is due now, not at 4 am already past


def test_forecast_counts_unseen_cards_and_projects_the_pace():
    now = DUE_AT  # the learnt cards are due today
    target = scheduling.Target(date(2026, 4, 14), 0.9)
    cards = [SEASONED] * 10 + [None] * 30
    idle = scheduling.forecast(cards, target, now, StudySettings(), "UTC", pace=0)
    steady = scheduling.forecast(cards, target, now, StudySettings(), "UTC", pace=5)
    assert idle.unseen == 30 and idle.needed_per_day == 1  # 30 cards, 31 days to go
    # 10 learnt cards of 40: each at 79% a month on without review, 92.5% if reviewed today.
    assert idle.now == pytest.approx(0.1966, abs=1e-4)
    assert idle.projected == pytest.approx(0.2313, abs=1e-4)
    assert steady.projected >= 0.9 > idle.projected
    assert steady.now == idle.now  # today's standing does not depend on the pace
    rushed = scheduling.forecast(cards, scheduling.Target(date(2026, 3, 17), 0.9), now,
                                 StudySettings(), "UTC", pace=5)
    assert rushed.needed_per_day == 15 and rushed.short_of(0.9)


def test_a_review_already_on_a_free_day_moves_to_the_nearest_open_day_earlier_first():
    card = scheduling.CardSnapshot(state=2, step=None, stability=20.0, difficulty=5.0,
                                   due=datetime(2026, 3, 21, 9, 0, tzinfo=UTC),  # Saturday
                                   last_review=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    weekend = scheduling.DaysOff(free_weekdays=frozenset({5, 6}))
    today = date(2026, 3, 10)
    assert scheduling.fuzz_range(20, 36500) == (17, 23)  # 3 days either side
    assert scheduling.moved_off(card, today, "UTC", weekend) == datetime(
        2026, 3, 20, 9, 0, tzinfo=UTC)  # Friday: a day earlier
    friday_too = scheduling.DaysOff(free_weekdays=frozenset({4, 5, 6}))
    assert scheduling.moved_off(card, today, "UTC", friday_too) == datetime(
        2026, 3, 19, 9, 0, tzinfo=UTC)  # Thursday: Friday and Sunday are free too
    assert scheduling.moved_off(card, today, "UTC", scheduling.DaysOff()) is None
    short = scheduling.CardSnapshot(state=2, step=None, stability=1.0, difficulty=5.0,
                                    due=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),  # Saturday
                                    last_review=datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    assert scheduling.moved_off(short, today, "UTC", weekend) == datetime(
        2026, 3, 13, 9, 0, tzinfo=UTC)  # a day earlier is always allowed
    # Never into the past: a Saturday review from yesterday's view has nowhere earlier to go.
    assert scheduling.moved_off(short, date(2026, 3, 14), "UTC", weekend) is None


def test_the_retention_simulator_trades_reviews_for_recall():
    cards = []
    for n in range(40):  # cards of different ages and strengths
        card, at = None, DUE_AT - timedelta(days=60 - n)
        for rating in (Rating.GOOD, Rating.GOOD, Rating.HARD if n % 3 == 0 else Rating.GOOD):
            card = scheduling.review(card, rating, at, StudySettings()).card
            at = card.due
        cards.append(card)
    options = scheduling.retention_options(cards, DUE_AT, StudySettings(), new_cards=300,
                                           new_per_day=10)
    assert [o.retention for o in options] == [0.80, 0.85, 0.90, 0.95]
    reviews = [round(o.reviews_per_day, 2) for o in options]
    recall = [round(o.recall, 4) for o in options]
    # Golden values (90 days): more retention costs more reviews and keeps more recalled.
    assert reviews == [12.93, 15.97, 19.63, 24.65]
    assert recall == [0.8904, 0.9432, 0.9558, 0.9774]
    assert scheduling.retention_options([], DUE_AT, StudySettings())[0].reviews_per_day == 0
