"""Spaced-repetition scheduling over FSRS-6 (the `fsrs` package). The only module that imports it.

Pure: no Flask, no database. Time is passed in (UTC-aware) and fuzz comes from an injected
random.Random, so the same inputs always give the same schedule. The interval a rating button
shows is computed with the same random source as the rating applies, so they always agree.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from fsrs import Card, Scheduler, State
from fsrs import Rating as FsrsRating
from fsrs.scheduler import FUZZ_RANGES

DAY_STARTS_AT = time(4, 0)  # a student's day starts at 4 am local time, as in Anki
NEW = 0  # the state of a card never reviewed (fsrs states are 1, 2, 3)


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class CardStatus(IntEnum):
    NEW = NEW
    LEARNING = State.Learning.value
    REVIEW = State.Review.value
    RELEARNING = State.Relearning.value

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class StudySettings:
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval_days: int = 36500


@dataclass(frozen=True)
class CardSnapshot:
    """A card's scheduling state, as stored per user and question."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0

    def to_dict(self) -> dict:
        return {"state": self.state, "step": self.step, "stability": self.stability,
                "difficulty": self.difficulty, "due": self.due,
                "last_review": self.last_review, "reps": self.reps, "lapses": self.lapses}


@dataclass(frozen=True)
class Review:
    """The outcome of one rating."""

    rating: Rating
    reviewed_at: datetime
    state_before: int
    card: CardSnapshot

    @property
    def interval(self) -> timedelta:
        return self.card.due - self.reviewed_at


@lru_cache(maxsize=64)
def _scheduler(settings: StudySettings) -> Scheduler:
    return Scheduler(desired_retention=settings.desired_retention,
                     learning_steps=settings.learning_steps,
                     relearning_steps=settings.relearning_steps,
                     maximum_interval=settings.maximum_interval_days,
                     enable_fuzzing=False)


def _fuzzed(interval: timedelta, maximum_days: int, rng: random.Random) -> timedelta:
    """FSRS's own fuzz (same ranges and rounding), drawn from the injected random source."""
    days = interval.days
    if days < 2.5:
        return interval
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum_days)
    low = min(low, high)
    return timedelta(days=min(round(rng.random() * (high - low + 1) + low), maximum_days))


def _to_fsrs(snapshot: CardSnapshot | None) -> Card:
    if snapshot is None or snapshot.state == NEW:
        return Card(card_id=1)
    return Card(card_id=1, state=State(snapshot.state), step=snapshot.step,
                stability=snapshot.stability, difficulty=snapshot.difficulty,
                due=snapshot.due, last_review=snapshot.last_review)


def review(snapshot: CardSnapshot | None, rating: Rating, now: datetime,
           settings: StudySettings, rng: random.Random | None = None) -> Review:
    """Apply one rating at `now`. With rng=None no fuzz is applied."""
    if now.tzinfo is None:
        raise ValueError("now must be UTC-aware")
    now = now.astimezone(UTC)
    card, _ = _scheduler(settings).review_card(_to_fsrs(snapshot), FsrsRating(int(rating)), now)
    due = card.due
    if rng is not None and card.state == State.Review:
        due = now + _fuzzed(card.due - now, settings.maximum_interval_days, rng)
    before = snapshot.state if snapshot else NEW
    lapsed = before == State.Review and rating == Rating.AGAIN
    after = CardSnapshot(
        state=int(card.state), step=card.step, stability=card.stability,
        difficulty=card.difficulty, due=due, last_review=now,
        reps=(snapshot.reps if snapshot else 0) + 1,
        lapses=(snapshot.lapses if snapshot else 0) + int(lapsed))
    return Review(rating=rating, reviewed_at=now, state_before=before, card=after)


def preview(snapshot: CardSnapshot | None, now: datetime, settings: StudySettings,
            seed: int | None) -> dict[Rating, Review]:
    """What each rating would do; with the seed the rating will use, so the intervals match."""
    return {rating: review(snapshot, rating, now, settings, fuzz_source(seed))
            for rating in Rating}


def fuzz_source(seed: int | None) -> random.Random | None:
    """The random source for one presentation of a card (None: no fuzz)."""
    return None if seed is None else random.Random(seed)


def suggested_rating(score: float) -> Rating:
    """After an objective answer: wrong is Again, right is Good, partly right is Hard."""
    if score >= 1.0:
        return Rating.GOOD
    if score <= 0.0:
        return Rating.AGAIN
    return Rating.HARD


# -- The student's day ------------------------------------------------------------------------

def study_day(now: datetime, tz: str) -> date:
    """The student's calendar day: it starts at 4 am in their time zone."""
    local = now.astimezone(ZoneInfo(tz))
    return (local - timedelta(hours=DAY_STARTS_AT.hour, minutes=DAY_STARTS_AT.minute)).date()


def day_start(day: date, tz: str) -> datetime:
    """The UTC instant at which the student's `day` begins."""
    local = datetime.combine(day, DAY_STARTS_AT, tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


# -- Settings as a student types them ----------------------------------------------------------

_STEP = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """'1m 10m' -> (1 minute, 10 minutes). Raises ValueError with a readable message."""
    steps = []
    for part in text.split():
        match = _STEP.match(part.strip().lower())
        if not match:
            raise ValueError(f"'{part}' is not a step: write e.g. 1m, 10m, 1h or 1d")
        try:
            steps.append(timedelta(**{_UNITS[match.group(2)]: float(match.group(1))}))
        except OverflowError:
            raise ValueError(f"'{part}' is far too long: each step must be at most 7 days") \
                from None
    if len(steps) > 10:
        raise ValueError("use at most 10 steps")
    if any(s <= timedelta(0) or s > timedelta(days=7) for s in steps):
        raise ValueError("each step must be longer than 0 and at most 7 days")
    return tuple(steps)


@lru_cache(maxsize=256)
def settings_for(desired_retention: float, learning_steps: str) -> StudySettings:
    return replace(StudySettings(), desired_retention=desired_retention,
                   learning_steps=parse_steps(learning_steps))


def describe_interval(interval: timedelta) -> str:
    """Short text for a rating button: '<1m', '10m', '3h', '4d', '2mo', '1.5y'."""
    seconds = interval.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30.4)}mo"
    return f"{days / 365:.1f}y".replace(".0y", "y")
