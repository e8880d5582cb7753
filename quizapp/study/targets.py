"""Target days, days off and each day's load: what decides the day a review lands on besides
FSRS (scheduling.Plan), read for one student; and what a target's scope covers. No Flask here.

A target belongs to a student (their own) or to a class (set by its teacher, for every
student enrolled). Its scope is written as study links write it: `bank:slug`, `tag:name`,
`module:path/key` (an orientation module) or `path:slug` (all of a path's modules).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import scheduling
from ..labels import tag_label
from ..models import (
    Bank,
    CardState,
    Enrolment,
    OrientationPath,
    Question,
    QuestionTag,
    ReviewLog,
    SchoolClass,
    StudyTarget,
    User,
)
from ..problems import N_, Problem
from ..selection import candidate_ids, shared_banks
from .queue import CARD_COLUMNS

MAX_DAYS_AHEAD = 366
MAX_TARGETS = 20  # per student or per class
PACE_DAYS = 7  # a student's pace: new cards a day over the last week
LOAD_DAYS = 30  # each day's load is read this far ahead at least


class TargetError(Problem):
    """A target that cannot be set; the message says why."""


@dataclass(frozen=True)
class ActiveTarget:
    """A target as it applies to one student."""

    id: int
    scope: str
    title: str
    day: date
    recall: float  # the class's or the student's, else their desired retention
    class_name: str | None  # set by this class's teacher; None: the student's own
    teacher_id: int | None = None  # that teacher (their banks count toward a topic)

    @property
    def own(self) -> bool:
        return self.class_name is None

    @property
    def goal(self) -> scheduling.Target:
        return scheduling.Target(self.day, self.recall)

    @property
    def covers(self) -> tuple[str, int | None]:
        """What decides the questions it covers (scope_ids' arguments)."""
        return self.scope, self.teacher_id


# -- Scopes ----------------------------------------------------------------------------------

def _path(session: Session, slug: str) -> OrientationPath | None:
    return session.scalar(select(OrientationPath).where(OrientationPath.slug == slug))


def scope_title(session: Session, scope: str) -> str | None:
    """What a scope is called on a page, or None when it names nothing."""
    kind, _, value = scope.partition(":")
    if kind == "bank":
        return session.scalar(select(Bank.title).where(Bank.slug == value))
    if kind == "tag":
        found = session.scalar(select(Question.id).where(Question.id.in_(
            candidate_ids(session, [], [value]))).limit(1))
        return tag_label(value) if found is not None else None
    if kind == "module":
        slug, _, key = value.partition("/")
        path = _path(session, slug)
        module = next((m for m in path.modules if m["id"] == key), None) if path else None
        return f"{path.title}: {module['title']}" if module else None
    if kind == "path":
        path = _path(session, value)
        return path.title if path else None
    return None


def scope_ids(session: Session, scope: str, teacher_id: int | None = None) -> list[int]:
    """The live questions a target's scope covers (what its study link studies). A class's
    target (given its teacher) draws a topic only from the bundled banks and that teacher's
    own, as an assignment does: another teacher's bank cannot slip its questions into the
    class's target by carrying the tag."""
    kind, _, value = scope.partition(":")
    if kind == "bank":
        return candidate_ids(session, [value], [])
    if kind == "tag":
        return candidate_ids(session, [], [value], topic_banks=None if teacher_id is None
                             else shared_banks(session, teacher_id))
    if kind in ("module", "path"):
        slug, _, key = value.partition("/")
        path = _path(session, slug)
        modules = [m for m in (path.modules if path else [])
                   if kind == "path" or m["id"] == key]
        ids: set[int] = set()
        shared = shared_banks(session)
        for module in modules:
            ids.update(candidate_ids(session, module["banks"], module["tags"],
                                     topic_banks=shared))
        return sorted(ids)
    return []


def scope_choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """What a target can be set for, grouped as a page offers it: orientation paths and
    their modules, banks, topics."""
    orientation = []
    for path in session.scalars(select(OrientationPath).order_by(OrientationPath.title)):
        orientation.append((f"path:{path.slug}", path.title))
        orientation += [(f"module:{path.slug}/{m['id']}", f"{path.title}: {m['title']}")
                        for m in path.modules]
    banks = [(f"bank:{slug}", title) for slug, title in session.execute(
        select(Bank.slug, Bank.title).order_by(Bank.title))]
    tags = [(f"tag:{tag}", tag_label(tag)) for tag in session.scalars(
        select(QuestionTag.tag).distinct().order_by(QuestionTag.tag))]
    return {"orientation": orientation, "banks": banks, "topics": tags}


# -- Whose targets ------------------------------------------------------------------------------

def targets_of(session: Session, user: User, today: date, titles: bool = True
               ) -> list[ActiveTarget]:
    """The targets that apply to a student from `today` on: their own and their classes'."""
    rows = session.execute(
        select(StudyTarget, SchoolClass.name, SchoolClass.teacher_id)
        .outerjoin(SchoolClass, SchoolClass.id == StudyTarget.class_id)
        .where(StudyTarget.day >= today, or_(
            StudyTarget.user_id == user.id,
            StudyTarget.class_id.in_(select(Enrolment.class_id).where(
                Enrolment.user_id == user.id))))
        .order_by(StudyTarget.day, StudyTarget.id)).all()
    return [ActiveTarget(t.id, t.scope, (scope_title(session, t.scope) if titles else None)
                         or t.scope, t.day,
                         t.recall or user.desired_retention, class_name, teacher_id)
            for t, class_name, teacher_id in rows]


def class_targets(session: Session, class_id: int, today: date) -> list[StudyTarget]:
    return list(session.scalars(select(StudyTarget).where(
        StudyTarget.class_id == class_id, StudyTarget.day >= today)
        .order_by(StudyTarget.day, StudyTarget.id)))


def class_target(session: Session, class_id: int, scope: str) -> StudyTarget | None:
    return session.scalar(select(StudyTarget).where(StudyTarget.class_id == class_id,
                                                    StudyTarget.scope == scope))


def set_target(session: Session, scope: str, day: date, recall: float | None, today: date,
               by: User, user_id: int | None = None, class_id: int | None = None
               ) -> StudyTarget:
    """Set (or move) the target of a student's or a class's scope. Raises TargetError."""
    if scope_title(session, scope) is None:
        raise TargetError(N_("There is nothing to study under that name."))
    if day <= today:
        raise TargetError(N_("Choose a day after today."))
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise TargetError(N_("Choose a day within the next year."))
    if recall is not None and not 0.7 <= recall <= 0.99:
        raise TargetError(N_("The recall to reach must be between 70% and 99%."))
    owner = _owner(user_id, class_id)
    target = session.scalar(select(StudyTarget).where(owner, StudyTarget.scope == scope))
    if target is None:
        if session.scalar(select(func.count()).select_from(StudyTarget).where(
                owner, StudyTarget.day >= today)) >= MAX_TARGETS:
            raise TargetError(N_("Remove a target first: at most %(most)s can be set."),
                              most=MAX_TARGETS)
        try:
            with session.begin_nested():  # the same scope set at the same moment elsewhere
                target = StudyTarget(user_id=user_id, class_id=class_id, scope=scope, day=day,
                                     recall=recall, created_by=by.id)
                session.add(target)
        except IntegrityError:
            target = session.scalar(select(StudyTarget).where(owner, StudyTarget.scope == scope))
    target.day, target.recall, target.created_by = day, recall, by.id
    session.flush()
    return target


def _owner(user_id: int | None, class_id: int | None):
    if (user_id is None) == (class_id is None):
        raise ValueError("a target belongs to a student or to a class")
    return StudyTarget.user_id == user_id if user_id is not None else \
        StudyTarget.class_id == class_id


def remove_target(session: Session, target_id: int, user_id: int | None = None,
                  class_id: int | None = None) -> bool:
    return session.execute(delete(StudyTarget).where(
        StudyTarget.id == target_id, _owner(user_id, class_id))).rowcount == 1


# -- The plan one rating is scheduled under -----------------------------------------------------

def day_loads(session: Session, user_id: int, tz: str, first: date, last: date
              ) -> dict[date, int]:
    """How many of the student's cards fall due on each day from `first` to `last`."""
    dues = session.scalars(select(CardState.due).where(
        CardState.user_id == user_id,
        CardState.due >= scheduling.day_start(first, tz),
        CardState.due < scheduling.day_start(last + timedelta(days=1), tz)))
    return dict(Counter(scheduling.study_day(due, tz) for due in dues))


@dataclass
class PlanReads:
    """What the plans of one request read once: the student's targets, and each day's load
    (kept current as the request's own ratings move cards). A rating and the next card's
    buttons are one request in the study loop."""

    targets: list[ActiveTarget] | None = None
    scopes: dict[tuple, frozenset[int]] = field(default_factory=dict)  # each target's questions
    load: Counter | None = None
    load_until: date | None = None

    def moved(self, tz: str, before: datetime | None, after: datetime) -> None:
        if self.load is not None:
            if before is not None:
                self.load[scheduling.study_day(before, tz)] -= 1
            self.load[scheduling.study_day(after, tz)] += 1


def plan_for(session: Session, user: User, question_id: int, now: datetime,
             reach_days: int, reads: PlanReads | None = None) -> scheduling.Plan:
    """The plan a rating of this question is scheduled under: the targets whose scope holds
    it, the student's days off, and the load of the days it may land on."""
    reads = reads if reads is not None else PlanReads()
    tz = user.timezone
    today = scheduling.study_day(now, tz)
    if reads.targets is None:
        reads.targets = targets_of(session, user, today, titles=False)
    for target in reads.targets:
        if target.covers not in reads.scopes:
            reads.scopes[target.covers] = frozenset(scope_ids(session, *target.covers))
    goals = tuple(t.goal for t in reads.targets if question_id in reads.scopes[t.covers])
    # A month at least: the next card's buttons in the same request mostly need no more.
    until = today + timedelta(days=max(reach_days, LOAD_DAYS))
    if reach_days >= 3 and (reads.load_until is None or reads.load_until < until):
        reads.load = Counter(day_loads(session, user.id, tz, today + timedelta(days=1), until))
        reads.load_until = until
    return scheduling.Plan(tz=tz, targets=goals, load=reads.load if reach_days >= 3 else {},
                           days_off=scheduling.DaysOff.from_dict(user.days_off))


# -- Readiness ----------------------------------------------------------------------------------

def pace(session: Session, user: User, now: datetime) -> float:
    """New cards a day the student has met over the last week."""
    since = scheduling.day_start(scheduling.study_day(now, user.timezone)
                                 - timedelta(days=PACE_DAYS - 1), user.timezone)
    met = session.scalar(select(func.count()).select_from(ReviewLog).where(
        ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= since,
        ReviewLog.state_before == scheduling.NEW))
    return (met or 0) / PACE_DAYS


def snapshots(session: Session, user_id: int, ids: list[int]
              ) -> list[scheduling.CardSnapshot | None]:
    """The student's card on each of these questions (None: never studied)."""
    found = {row[0]: scheduling.CardSnapshot(*row[1:]) for row in session.execute(
        select(CardState.question_id, *CARD_COLUMNS)
        .where(CardState.user_id == user_id, CardState.question_id.in_(ids)))}
    return [found.get(i) for i in ids]


def readiness(session: Session, user: User, target: scheduling.Target, ids: list[int],
              now: datetime) -> scheduling.Forecast:
    """A student's predicted recall of these questions (a target's scope_ids) on its target
    day: now, and at their pace."""
    return scheduling.forecast(
        snapshots(session, user.id, ids), target, now,
        scheduling.settings_for(user.desired_retention, user.learning_steps), user.timezone,
        pace(session, user, now), scheduling.DaysOff.from_dict(user.days_off))


# -- Days off and catch-up ----------------------------------------------------------------------

MOVE_AHEAD_DAYS = 120  # reviews already scheduled this far ahead move off newly free days
CATCH_UP_FROM = 10  # overdue reviews from which the catch-up is offered


def _review_cards(session: Session, user: User, *where):
    return session.execute(
        select(CardState.id, *CARD_COLUMNS)
        .where(CardState.user_id == user.id,
               CardState.state == int(scheduling.CardStatus.REVIEW), *where))


_MOVE_DUE = (update(CardState.__table__)
             .where(CardState.__table__.c.id == bindparam("card_id"),
                    CardState.__table__.c.due == bindparam("was"))
             .values(due=bindparam("new_due")))


def _set_dues(session: Session, dues: dict[int, tuple[datetime, datetime]]) -> None:
    """Move each card from the due it was read with to its new one; a card rated meanwhile
    (its due changed) keeps what the rating gave it."""
    if dues:
        session.connection().execute(_MOVE_DUE, [
            {"card_id": key, "was": was, "new_due": due} for key, (was, due) in dues.items()])


def save_days_off(session: Session, user: User, days_off: scheduling.DaysOff,
                  now: datetime) -> int:
    """Keep the student's days off, and move the reviews already scheduled on a free day to
    the nearest day allowed. Returns how many moved."""
    user.days_off = days_off.to_dict() if days_off else None
    today = scheduling.study_day(now, user.timezone)
    rows = _review_cards(session, user, CardState.due >= scheduling.day_start(
        today + timedelta(days=1), user.timezone), CardState.due < scheduling.day_start(
        today + timedelta(days=MOVE_AHEAD_DAYS), user.timezone))
    moved = {}
    for key, *card in rows:
        snapshot = scheduling.CardSnapshot(*card)
        due = scheduling.moved_off(snapshot, today, user.timezone, days_off)
        if due is not None:
            moved[key] = (snapshot.due, due)
    _set_dues(session, moved)
    return len(moved)


def backlog(session: Session, user: User, now: datetime) -> int:
    """Reviews overdue since before today."""
    start = scheduling.day_start(scheduling.study_day(now, user.timezone), user.timezone)
    return session.scalar(select(func.count()).select_from(CardState).where(
        CardState.user_id == user.id, CardState.state == int(scheduling.CardStatus.REVIEW),
        CardState.due < start)) or 0


def catch_up(session: Session, user: User, now: datetime, days: int) -> int:
    """Spread the overdue reviews over the next `days` study days, most at risk first (see
    scheduling.spread_backlog). Returns how many were spread."""
    start = scheduling.day_start(scheduling.study_day(now, user.timezone), user.timezone)
    cards = [(key, scheduling.CardSnapshot(*card))
             for key, *card in _review_cards(session, user, CardState.due < start)]
    dues = scheduling.spread_backlog(
        cards, now, days, scheduling.settings_for(user.desired_retention, user.learning_steps),
        user.timezone, scheduling.DaysOff.from_dict(user.days_off))
    was = {key: card.due for key, card in cards}
    _set_dues(session, {key: (was[key], due) for key, due in dues.items()})
    return len(dues)


def retention_options(session: Session, user: User, now: datetime
                      ) -> list[scheduling.RetentionOption]:
    """The desired-retention simulator of the settings page, on the student's own cards and
    the new cards their daily limit would bring."""
    cards = [scheduling.CardSnapshot(*row) for row in session.execute(
        select(*CARD_COLUMNS)
        .join(Question, Question.id == CardState.question_id)
        .where(CardState.user_id == user.id, Question.retired.is_(False))
        .order_by(CardState.id))]
    questions = session.scalar(select(func.count(Question.id)).where(
        Question.retired.is_(False))) or 0
    return scheduling.retention_options(
        cards, now, scheduling.settings_for(user.desired_retention, user.learning_steps),
        new_cards=max(0, questions - len(cards)), new_per_day=user.new_cards_per_day,
        values=sorted({*scheduling.RETENTION_CHOICES, round(user.desired_retention, 2)}))


def class_scope_ids(session: Session, target: StudyTarget) -> list[int]:
    """The questions a class's target covers, topics drawn as its teacher's assignments are."""
    teacher_id = session.scalar(select(SchoolClass.teacher_id).where(
        SchoolClass.id == target.class_id))
    return scope_ids(session, target.scope, teacher_id)


@dataclass(frozen=True)
class ClassReadiness:
    target: StudyTarget
    title: str
    ready: int  # students predicted to reach the target on the day, at their pace
    students: int


def class_readiness(session: Session, target: StudyTarget, students: list[User],
                    now: datetime) -> ClassReadiness:
    ids = class_scope_ids(session, target)
    ready = 0
    for student in students:
        recall = target.recall or student.desired_retention
        forecast = readiness(session, student, scheduling.Target(target.day, recall), ids, now)
        ready += not forecast.short_of(recall)
    return ClassReadiness(target, scope_title(session, target.scope) or target.scope, ready,
                          len(students))
