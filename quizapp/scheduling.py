"""Spaced-repetition scheduling over FSRS-6 (the `fsrs` package). The only module that imports it.

Pure: no Flask, no database. Time is passed in (UTC-aware) and fuzz comes from an injected
random.Random, so the same inputs always give the same schedule. The interval a rating button
shows is computed with the same random source as the rating applies, so they always agree.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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


def fuzz_range(days: int, maximum_days: int) -> tuple[int, int]:
    """The days FSRS's fuzz may move an interval of `days` to (its own ranges and rounding)."""
    if days < 2.5:
        return days, days
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum_days)
    return min(low, high), high


def _fuzzed(interval: timedelta, maximum_days: int, rng: random.Random) -> timedelta:
    """FSRS's own fuzz (same ranges and rounding), drawn from the injected random source."""
    days = interval.days
    if days < 2.5:
        return interval
    low, high = fuzz_range(days, maximum_days)
    return timedelta(days=min(round(rng.random() * (high - low + 1) + low), maximum_days))


def _to_fsrs(snapshot: CardSnapshot | None) -> Card:
    if snapshot is None or snapshot.state == NEW:
        return Card(card_id=1)
    return Card(card_id=1, state=State(snapshot.state), step=snapshot.step,
                stability=snapshot.stability, difficulty=snapshot.difficulty,
                due=snapshot.due, last_review=snapshot.last_review)


def review(snapshot: CardSnapshot | None, rating: Rating, now: datetime,
           settings: StudySettings, rng: random.Random | None = None,
           plan: Plan | None = None) -> Review:
    """Apply one rating at `now`. With rng=None no fuzz is applied. With a plan, the day a
    review lands on is chosen within the fuzz range by the plan (see `landing_day`)."""
    if now.tzinfo is None:
        raise ValueError("now must be UTC-aware")
    now = now.astimezone(UTC)
    card, _ = _scheduler(settings).review_card(_to_fsrs(snapshot), FsrsRating(int(rating)), now)
    due = card.due
    if plan is not None and card.state == State.Review:
        due = now + timedelta(days=landing_day(card, now, settings, plan, rng))
    elif rng is not None and card.state == State.Review:
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
            seed: int | None, plan: Plan | None = None) -> dict[Rating, Review]:
    """What each rating would do; with the seed (and plan) the rating will use, so the
    intervals match."""
    return {rating: review(snapshot, rating, now, settings, fuzz_source(seed), plan)
            for rating in Rating}


def reach(snapshot: CardSnapshot | None, ratings: Sequence[Rating], now: datetime,
          settings: StudySettings) -> int:
    """The furthest day from `now` any of these ratings could land the card's next review on
    (0 when none makes it a review card): how far a plan needs to know each day's load."""
    furthest = 0
    for rating in ratings:
        card = review(snapshot, rating, now, settings).card
        if card.state == State.Review:
            days = max(1, (card.due - now).days)
            furthest = max(furthest, fuzz_range(days, settings.maximum_interval_days)[1])
    return furthest


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


# -- Where a review lands: a target day, each day's load, days off ------------------------------

FREE, LIGHT = "free", "light"
LIGHT_WEIGHT = 2  # on a light day each review already due counts twice


@dataclass(frozen=True)
class Target:
    """Every card of a scope recalled on `day` with probability at least `recall`."""

    day: date
    recall: float


@dataclass(frozen=True)
class DaysOff:
    """Weekdays (0 = Monday) and dates on which a student studies little (light) or not at
    all (free). A date's mark overrides its weekday's."""

    free_weekdays: frozenset[int] = frozenset()
    light_weekdays: frozenset[int] = frozenset()
    free_dates: frozenset[date] = frozenset()
    light_dates: frozenset[date] = frozenset()

    def kind(self, day: date) -> str | None:
        if day in self.free_dates:
            return FREE
        if day in self.light_dates:
            return LIGHT
        if day.weekday() in self.free_weekdays:
            return FREE
        return LIGHT if day.weekday() in self.light_weekdays else None

    def __bool__(self) -> bool:
        return bool(self.free_weekdays or self.light_weekdays or self.free_dates
                    or self.light_dates)

    def to_dict(self) -> dict:
        return {"free_weekdays": sorted(self.free_weekdays),
                "light_weekdays": sorted(self.light_weekdays),
                "free_dates": sorted(d.isoformat() for d in self.free_dates),
                "light_dates": sorted(d.isoformat() for d in self.light_dates)}

    @classmethod
    def from_dict(cls, data: dict | None) -> DaysOff:
        data = data or {}
        return cls(frozenset(data.get("free_weekdays", ())),
                   frozenset(data.get("light_weekdays", ())),
                   frozenset(date.fromisoformat(d) for d in data.get("free_dates", ())),
                   frozenset(date.fromisoformat(d) for d in data.get("light_dates", ())))


@dataclass(frozen=True)
class Plan:
    """What chooses the day a review lands on, within the range FSRS's fuzz allows: the
    targets of the card's scopes (never later than they permit), days off (never on a free
    day, light days avoided), and each day's load (the least-loaded day). Days are the
    student's (`tz`); `load` counts the cards already due on each day."""

    tz: str = "UTC"
    targets: tuple[Target, ...] = ()
    load: Mapping[date, int] = field(default_factory=dict)
    days_off: DaysOff = DaysOff()
    balance: bool = True


def recall_after(card: Card, days: float, settings: StudySettings) -> float:
    """Predicted probability of recall `days` after the card's last review (FSRS's curve)."""
    if card.last_review is None or card.stability is None:
        return 0.0
    return _scheduler(settings).get_card_retrievability(
        card, card.last_review + timedelta(days=max(0.0, days)))


def target_cap(card: Card, now: datetime, settings: StudySettings, plan: Plan) -> int | None:
    """The most days from `now` the next review may wait so that every target is met: none
    when no target needs a review before its day (the predicted recall on the day is already
    high enough, or the day is past), else the latest day from which one successful review
    carries the card to the target day with the recall wanted (1 if none can)."""
    today = study_day(now, plan.tz)
    caps = []
    for target in plan.targets:
        days_to = (target.day - today).days
        if days_to < 2 or recall_after(card, days_to, settings) >= target.recall:
            continue
        if (card.due - now).days < days_to:  # a review falls before the day anyway: only
            caps.append(days_to - 1)         # keep the fuzz from pushing it past the day
            continue

        def carries(days: int, target=target, days_to=days_to) -> bool:
            after, _ = _scheduler(settings).review_card(
                card, FsrsRating.Good, now + timedelta(days=days))
            return recall_after(after, days_to - days, settings) >= target.recall

        low, high = 1, days_to - 1  # the answer: the largest day that carries (recall on the
        while low < high:           # day falls the earlier the review, so bisect)
            middle = (low + high + 1) // 2
            low, high = (middle, high) if carries(middle) else (low, middle - 1)
        caps.append(low)
    return min(caps) if caps else None


def landing_day(card: Card, now: datetime, settings: StudySettings, plan: Plan,
                rng: random.Random | None) -> int:
    """How many days from `now` a card FSRS has just scheduled is due, under the plan."""
    natural = max(1, (card.due - now).days)
    cap = target_cap(card, now, settings, plan)
    if cap is not None and cap < natural:
        natural = cap
    low, high = fuzz_range(natural, settings.maximum_interval_days)
    if cap is not None:
        high = min(high, cap)
        low = min(low, high)
    today = study_day(now, plan.tz)

    def kind(days: int) -> str | None:
        return plan.days_off.kind(today + timedelta(days=days))

    allowed = [d for d in range(low, high + 1) if kind(d) != FREE]
    if not allowed:  # every day in range is free: the nearest earlier day that is not
        allowed = next(([d] for d in range(low - 1, 0, -1) if kind(d) != FREE),
                       list(range(low, high + 1)))
    if plan.balance and len(allowed) > 1:
        def weight(days: int) -> int:
            load = plan.load.get(today + timedelta(days=days), 0)
            return load * LIGHT_WEIGHT if kind(days) == LIGHT else load
        least = min(map(weight, allowed))
        allowed = [d for d in allowed if weight(d) == least]
    elif len(allowed) > 1 and any(kind(d) != LIGHT for d in allowed):
        allowed = [d for d in allowed if kind(d) != LIGHT]
    if len(allowed) == 1 or rng is None:
        return min(allowed, key=lambda d: (abs(d - natural), d))
    return allowed[rng.randrange(len(allowed))]


def moved_off(card: CardSnapshot, today: date, tz: str, days_off: DaysOff,
              maximum_days: int = 36500) -> datetime | None:
    """A review already scheduled on a free day, moved to the nearest day that is not free
    within the range FSRS's fuzz allows its interval (or a day earlier, which never lowers
    recall), earlier first; None when it need not move or has nowhere to go."""
    day = study_day(card.due, tz)
    if days_off.kind(day) != FREE or card.last_review is None:
        return None
    interval = max(1, (card.due - card.last_review).days)
    low, high = fuzz_range(interval, maximum_days)
    shifts = sorted((k for k in range(min(low - interval, -1), high - interval + 1) if k),
                    key=lambda k: (abs(k), k))
    for shift in shifts:
        moved = day + timedelta(days=shift)
        if moved >= today and days_off.kind(moved) != FREE:
            return card.due + timedelta(days=shift)
    return None


def spread_backlog(cards: Sequence[tuple[int, CardSnapshot]], now: datetime, days: int,
                   settings: StudySettings, tz: str, days_off: DaysOff = DaysOff()
                   ) -> dict[int, datetime]:
    """Catch-up after a break: the overdue cards spread evenly over the next `days` study
    days (free days skipped, today first), those most likely forgotten first, each due at the
    start of its day. Returns the new due time of each card (by the caller's key)."""
    today = study_day(now, tz)
    open_days = [d for d in (today + timedelta(days=n) for n in range(days * 7 + 7))
                 if days_off.kind(d) != FREE][:max(1, days)] or [today]
    at_risk = sorted(cards, key=lambda item: (
        recall_after(_to_fsrs(item[1]), (now - item[1].last_review).total_seconds() / 86400
                     if item[1].last_review else 0.0, settings), item[1].due, item[0]))
    share, extra = divmod(len(at_risk), len(open_days))
    due: dict[int, datetime] = {}
    position = 0
    for n, day in enumerate(open_days):
        for key, _snapshot in at_risk[position:position + share + (n < extra)]:
            due[key] = max(now, day_start(day, tz))
        position += share + (n < extra)
    return due


# -- Readiness on a target day -----------------------------------------------------------------

PROJECTION_STEPS = 40  # reviews followed per card at most (learning steps included)
FORECAST_CARDS = 300  # a forecast follows at most this many studied cards, evenly sampled


@dataclass(frozen=True)
class Forecast:
    """Predicted recall of a scope's cards on a target day (a card never studied counts 0)."""

    day: date
    cards: int
    unseen: int
    now: float  # with no more study from today
    projected: float  # studying on at `pace` new cards a day, each review done on its day
    pace: float
    needed_per_day: int  # new cards a day that would meet every card by the day before

    def short_of(self, recall: float) -> bool:
        return self.projected < recall


def _projected(card: CardSnapshot | None, start: datetime, end: datetime,
               settings: StudySettings, plan: Plan) -> float:
    """Recall at `end` of a card reviewed (and recalled) on each of its due days from
    `start` on, scheduled under the plan."""
    at = start if card is None or card.state == NEW else max(start, card.due)
    for _ in range(PROJECTION_STEPS):
        if at >= end:
            break
        card = review(card, Rating.GOOD, at, settings, None, plan).card
        at = card.due
    if card is None or card.state == NEW:
        return 0.0
    return recall_after(_to_fsrs(card), (end - card.last_review).total_seconds() / 86400,
                        settings)


def forecast(cards: Sequence[CardSnapshot | None], target: Target, now: datetime,
             settings: StudySettings, tz: str, pace: float,
             days_off: DaysOff = DaysOff()) -> Forecast:
    """Readiness on `target.day` for these cards (None: not yet studied), now and projected:
    the cards never studied are met `pace` a day from today on (free days skipped)."""
    today = study_day(now, tz)
    end = day_start(target.day, tz) + timedelta(hours=12)
    plan = Plan(tz=tz, targets=(target,), days_off=days_off, balance=False)
    seen = [c for c in cards if c is not None and c.state != NEW]
    unseen = len(cards) - len(seen)
    days_left = max(0, (target.day - today).days)
    now_recall = [recall_after(_to_fsrs(c), (end - c.last_review).total_seconds() / 86400,
                               settings) if c.last_review else 0.0 for c in seen]
    step = max(1, math.ceil(len(seen) / FORECAST_CARDS))  # a sample stands for the rest
    projected = [_projected(c, now, end, settings, plan) for c in seen[::step]
                 for _ in range(step)][:len(seen)]
    study_days = [today + timedelta(days=n) for n in range(days_left)
                  if days_off.kind(today + timedelta(days=n)) != FREE]
    met = 0.0
    for day in study_days:  # new cards, a day's pace at a time, until the day before
        batch = min(unseen - int(met), int(met + pace) - int(met)) if pace > 0 else 0
        met += pace
        if batch > 0:
            start = max(now, day_start(day, tz))
            projected += [_projected(None, start, end, settings, plan)] * batch
        if met >= unseen:
            break
    total = max(1, len(cards))
    needed = math.ceil(unseen / max(1, len(study_days) - 1)) if unseen else 0
    return Forecast(day=target.day, cards=len(cards), unseen=unseen,
                    now=sum(now_recall) / total, projected=sum(projected) / total,
                    pace=pace, needed_per_day=needed)


# -- Choosing a desired retention ---------------------------------------------------------------

RETENTION_CHOICES = (0.80, 0.85, 0.90, 0.95)
SIMULATED_CARDS = 150  # at most this many of a student's cards are followed, evenly sampled


@dataclass(frozen=True)
class RetentionOption:
    retention: float
    reviews_per_day: float  # expected, lapses and their relearning included
    recall: float  # expected share of the cards recalled on an average day


def _follow(card: CardSnapshot | None, start: datetime, end: datetime,
            settings: StudySettings, sample_days: Sequence[datetime]
            ) -> tuple[float, float, int]:
    """A card reviewed on each of its due days from `start` to `end`: the expected reviews
    (a lapse, as likely as the predicted recall falls short of 1, costs its relearning
    steps), the sum of its predicted recall over the sample days it was known on, and how
    many days those were."""
    reviews, at = 0.0, start if card is None else max(start, card.due)
    history = [card] if card is not None and card.last_review else []
    for _ in range(PROJECTION_STEPS):
        if at >= end:
            break
        if card is not None and card.state == State.Review and card.last_review:
            missed = 1 - recall_after(_to_fsrs(card), (at - card.last_review).total_seconds()
                                      / 86400, settings)
            reviews += missed * (1 + len(settings.relearning_steps))
        card = review(card, Rating.GOOD, at, settings).card
        history.append(card)
        reviews += 1
        at = card.due
    recall_sum, known_days = 0.0, 0
    for day in sample_days:
        latest = next((c for c in reversed(history) if c.last_review <= day), None)
        if latest is not None:
            recall_sum += recall_after(_to_fsrs(latest),
                                       (day - latest.last_review).total_seconds() / 86400,
                                       settings)
            known_days += 1
    return reviews, recall_sum, known_days


def retention_options(cards: Sequence[CardSnapshot], now: datetime, settings: StudySettings,
                      new_cards: int = 0, new_per_day: int = 0, days: int = 90,
                      values: Sequence[float] = RETENTION_CHOICES) -> list[RetentionOption]:
    """What each desired retention would cost and give over the next `days`, from these
    cards (a student's own) and `new_cards` met `new_per_day` a day: expected reviews a day
    and the expected share of cards recalled on an average day (FSRS's model)."""
    end = now + timedelta(days=days)
    sample = [now + timedelta(days=n + 0.5) for n in range(days)]
    step = max(1, math.ceil(len(cards) / SIMULATED_CARDS))  # a sample stands for the rest
    followed = [(card, now, step) for card in cards[::step]]
    if new_per_day:  # a new card is the same to the model whichever it is: one per day
        for day in range(min(days, math.ceil(new_cards / new_per_day))):
            met = min(new_per_day, new_cards - day * new_per_day)
            followed.append((None, now + timedelta(days=day), met))
    options = []
    for value in values:
        chosen = replace(settings, desired_retention=value)
        reviews = recall = known = 0.0
        for card, start, weight in followed:
            r, k, n = _follow(card, start, end, chosen, sample)
            reviews, recall, known = reviews + r * weight, recall + k * weight, known + n * weight
        options.append(RetentionOption(value, reviews / days, recall / known if known else 0.0))
    return options


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
