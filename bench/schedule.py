"""Scheduling toward a date, load balancing and catch-up, by simulation.

Synthetic students study with the app's own scheduler (quizapp.scheduling, with the plans
the app builds). Each student forgets on the FSRS curve with a hidden factor of their own:
their true stability is the model's times a factor drawn once (log-normal), which the
scheduler does not know. Each review is recalled with the true probability (Good) or not
(Again, then relearnt the same day); learning steps are passed. Students skip days at random.
Everything is seeded: the same arguments give the same figures.

Three experiments, each run twice on the same students (the same hidden factors and seeds):

- target date: recall on an exam day 45 days away, normal scheduling against a target
  (day, recall) on the cards; the share of cards actually recalled on the day (each card
  drawn with its true probability) and the reviews it took;
- load balancing: the standard deviation of each student's daily reviews over 60 days,
  with reviews placed on the least-loaded day of the fuzz range, and without (random fuzz);
- catch-up: after 40 days of study and a 14-day break, the heaviest day of the next 14 and
  the share of cards recalled 14 days after the return, with the backlog spread over 5 days
  most-at-risk first, and without (all overdue reviews the first day back).

    .venv/bin/python -m bench.schedule [--students 40] [--cards 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizapp import scheduling
from quizapp.scheduling import CardSnapshot, Plan, Rating, StudySettings, Target

HERE = Path(__file__).resolve().parent
START = date(2027, 1, 4)  # a Monday
STUDY_HOUR = 10  # students study at 10:00 UTC (their day starts at 4 am)
TZ = "UTC"


@dataclass
class Student:
    factor: float  # true stability ÷ the model's (hidden from the scheduler)
    skip: float  # chance of skipping a day
    rng: random.Random
    cards: dict[int, CardSnapshot | None] = field(default_factory=dict)
    due_days: Counter = field(default_factory=Counter)  # the load the app would read
    reviews: Counter = field(default_factory=Counter)  # reviews done per day

    def true_recall(self, card: CardSnapshot, at: datetime) -> float:
        if card.last_review is None or card.stability is None:
            return 0.0
        days = (at - card.last_review).total_seconds() / 86400
        return scheduling.recall_after(scheduling._to_fsrs(replace(
            card, stability=card.stability * self.factor)), days, StudySettings())


def students(count: int, cards: int, seed: int, skip: float) -> list[Student]:
    made = []
    for n in range(count):
        rng = random.Random(seed * 1_000 + n)
        made.append(Student(factor=math.exp(rng.gauss(0, 0.35)), skip=skip, rng=rng,
                            cards=dict.fromkeys(range(cards))))
    return made


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=STUDY_HOUR)


def _study_card(student: Student, key: int, day: date, settings: StudySettings,
                plan_of) -> int:
    """One card through today: a review (recalled with the true probability), then learning
    or relearning steps until it is in review again. Returns the reviews it took."""
    card, now, done = student.cards[key], _at(day), 0
    if card is not None:
        student.due_days[scheduling.study_day(card.due, TZ)] -= 1
    for _ in range(12):  # learning steps end in review within a few
        if card is None or card.state != scheduling.CardStatus.REVIEW:
            rating = Rating.GOOD  # learning steps: passed
        else:
            recalled = student.rng.random() < student.true_recall(card, now)
            rating = Rating.GOOD if recalled else Rating.AGAIN
        card = scheduling.review(card, rating, now, settings, student.rng, plan_of(now)).card
        done += 1
        if card.state == scheduling.CardStatus.REVIEW:
            break
        now = card.due
    student.cards[key] = card
    student.due_days[scheduling.study_day(card.due, TZ)] += 1
    return done


def study_day(student: Student, day: date, settings: StudySettings, new_per_day: int,
              plan, max_reviews: int = 10_000) -> int:
    """A day of study: every review due (most overdue first, up to the limit), then new
    cards. `plan(student, now)` gives the Plan each review is scheduled under."""
    if student.rng.random() < student.skip:
        return 0
    end = _at(day) + timedelta(hours=12)
    due = sorted((card.due, key) for key, card in student.cards.items()
                 if card is not None and card.due < end)
    done = 0
    for _due, key in due[:max_reviews]:
        done += _study_card(student, key, day, settings, lambda now: plan(student, now))
    new = [key for key, card in student.cards.items() if card is None][:new_per_day]
    for key in new:
        done += _study_card(student, key, day, settings, lambda now: plan(student, now))
    student.reviews[day] += done
    return done


def _plain(_student: Student, _now: datetime) -> Plan:
    return Plan(tz=TZ, balance=False)  # FSRS's own fuzz, drawn at random in its range


def _balanced(student: Student, _now: datetime) -> Plan:
    return Plan(tz=TZ, load=student.due_days)


def _recalled(student: Student, at: datetime) -> float:
    """The share of the student's cards recalled at `at`, each drawn with its true
    probability (a card never met is not recalled)."""
    hits = sum(student.rng.random() < student.true_recall(card, at)
               for card in student.cards.values() if card is not None)
    return hits / len(student.cards)


def target_date(count: int, cards: int, seed: int, desired: float, goal: float,
                days: int = 45, new_per_day: int = 20, skip: float = 0.15) -> dict:
    """Recall on the exam day, normal scheduling against a target on the cards."""
    settings = replace(StudySettings(), desired_retention=desired)
    exam = START + timedelta(days=days)
    target = Target(exam, goal)
    result = {}
    for mode, plan in (("normal", _plain),
                       ("target", lambda s, now: Plan(tz=TZ, targets=(target,),
                                                      balance=False))):
        group = students(count, cards, seed, skip)
        for n in range(days):
            for student in group:
                study_day(student, START + timedelta(days=n), settings, new_per_day, plan)
        result[mode] = {
            "recalled_on_the_day": round(statistics.mean(
                _recalled(s, _at(exam)) for s in group), 4),
            "reviews": sum(sum(s.reviews.values()) for s in group)}
    result["extra_reviews_ratio"] = round(result["target"]["reviews"] /
                                          result["normal"]["reviews"], 3)
    return {"desired_retention": desired, "target_recall": goal, "days": days,
            "skip": skip, **result}


def balancing(count: int, cards: int, seed: int, days: int = 60, new_per_day: int = 20
              ) -> dict:
    """The spread of daily reviews, with and without load balancing."""
    settings = StudySettings()
    result = {}
    for mode, plan in (("without", _plain), ("with", _balanced)):
        group = students(count, cards, seed, skip=0.0)
        for n in range(days):
            for student in group:
                study_day(student, START + timedelta(days=n), settings, new_per_day, plan)
        # From the day new cards run out: before it, the new cards set the pace.
        settled = START + timedelta(days=math.ceil(cards / new_per_day))
        sds = [statistics.pstdev([s.reviews[START + timedelta(days=n)] for n in range(days)
                                  if START + timedelta(days=n) >= settled]) for s in group]
        result[mode] = {"sd_daily_reviews": round(statistics.mean(sds), 2),
                        "reviews": sum(sum(s.reviews.values()) for s in group)}
    result["sd_ratio"] = round(result["with"]["sd_daily_reviews"] /
                               result["without"]["sd_daily_reviews"], 3)
    return {"days": days, **result}


def catch_up(count: int, cards: int, seed: int, studied: int = 40, away: int = 14,
             spread: int = 5, after: int = 14, new_per_day: int = 20) -> dict:
    """A 14-day break, then the backlog: all at once, or spread over `spread` days."""
    settings = StudySettings()
    result = {}
    for mode in ("without", "with"):
        group = students(count, cards, seed, skip=0.0)
        for n in range(studied):
            for student in group:
                study_day(student, START + timedelta(days=n), settings, new_per_day, _plain)
        back = START + timedelta(days=studied + away)
        if mode == "with":
            for student in group:
                overdue = [(k, c) for k, c in student.cards.items()
                           if c is not None and c.due < _at(back) - timedelta(hours=6)]
                for key, due in scheduling.spread_backlog(overdue, _at(back), spread,
                                                          settings, TZ).items():
                    student.cards[key] = replace(student.cards[key], due=due)
        for n in range(after):
            for student in group:
                study_day(student, back + timedelta(days=n), settings, new_per_day, _plain)
        peaks = [max(s.reviews[back + timedelta(days=n)] for n in range(after)) for s in group]
        result[mode] = {
            "peak_day_reviews": round(statistics.mean(peaks), 1),
            "recalled_after": round(statistics.mean(
                _recalled(s, _at(back + timedelta(days=after))) for s in group), 4)}
    result["peak_ratio"] = round(result["with"]["peak_day_reviews"] /
                                 result["without"]["peak_day_reviews"], 3)
    return {"studied_days": studied, "break_days": away, "spread_days": spread,
            "measured_after_days": after, **result}


def run(count: int, cards: int, seed: int) -> dict:
    return {"students": count, "cards": cards, "seed": seed,
            "target_date": [target_date(count, cards, seed, 0.80, 0.90),
                            target_date(count, cards, seed, 0.90, 0.90)],
            "balancing": balancing(count, cards, seed),
            "catch_up": catch_up(count, cards, seed)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(args.students, args.cards, args.seed)
    (HERE / "results" / "schedule.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return {"schedule": result}


if __name__ == "__main__":
    main()
