"""Orientation paths: import, unlock modules in order, mastery checks, certificates, cohorts."""

from __future__ import annotations

import secrets
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import scheduling, selection
from ..banks.orientation import OrientationFile
from ..database import for_update
from ..models import (
    Bank,
    Certificate,
    OrientationPath,
    Question,
    QuestionTag,
    QuizAttempt,
    StudyTarget,
    User,
)
from ..problems import N_, Problem
from ..quiz import service as quizzes
from ..study import targets

INACTIVE_AFTER = timedelta(days=7)


class PathError(Problem):
    """A user-caused problem (a locked module, say); the message is shown as is."""


def reference_problems(session: Session):
    """A check for the loader: every bank and tag a module names must exist."""
    banks = set(session.scalars(select(Bank.slug)))
    tags = set(session.scalars(select(QuestionTag.tag).distinct()))

    def check(document: OrientationFile) -> list[tuple[tuple, str]]:
        problems = []
        for i, module in enumerate(document.modules):
            if module.source.paragraphs:
                found = selection.candidate_ids(
                    session, module.banks, module.tags, objective_only=True,
                    topic_banks=selection.shared_banks(session),
                    paragraphs=module.source.paragraphs)
                if len(found) < module.check.questions:
                    problems.append((("modules", i, "check", "questions"),
                                     f"the check asks {module.check.questions} questions, but "
                                     f"only {len(found)} graded questions of its banks and "
                                     f"topics cite its paragraphs "
                                     f"{', '.join(map(str, module.source.paragraphs))}"))
            for j, bank in enumerate(module.banks):
                if bank not in banks:
                    problems.append((("modules", i, "banks", j), f"no bank '{bank}' is loaded"))
            for j, tag in enumerate(module.tags):
                if tag not in tags:
                    problems.append((("modules", i, "tags", j), f"no question has tag '{tag}'"))
        return problems

    return check


def import_path(session: Session, document: OrientationFile, now: datetime) -> OrientationPath:
    """Create or update the path (the caller commits). Progress is keyed on module ids."""
    path = session.scalar(select(OrientationPath).where(OrientationPath.slug == document.id))
    modules = [m.model_dump(mode="json") for m in document.modules]
    if path is None:
        path = OrientationPath(slug=document.id)
        session.add(path)
    path.title, path.description = document.title, document.description
    if path.modules != modules:
        path.modules, path.updated_at = modules, now
    session.flush()
    return path


@dataclass
class ModuleProgress:
    index: int
    module: dict
    state: str = "locked"  # locked | open | passed
    best: float | None = None  # best share in the mastery check
    passed_at: datetime | None = None
    passing_score: float | None = None  # score of the first passing attempt
    attempts: int = 0
    open_attempt: QuizAttempt | None = None

    @property
    def pass_mark(self) -> float:
        return self.module["check"]["pass_mark"]


def _attempts(session: Session, path: OrientationPath, user_ids) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.path_id == path.id, QuizAttempt.user_id.in_(user_ids))
        .order_by(QuizAttempt.started_at, QuizAttempt.id)))


def module_progress(path: OrientationPath, attempts: list[QuizAttempt]) -> list[ModuleProgress]:
    """Each module's state: passed by a check at or above its pass mark; the first module and
    each one after a passed module is open; the rest are locked."""
    rows = [ModuleProgress(i, m) for i, m in enumerate(path.modules)]
    by_key = {row.module["id"]: row for row in rows}
    for attempt in attempts:
        row = by_key.get(attempt.module_key)
        if row is None:
            continue
        row.attempts += 1
        if attempt.submitted_at is None:
            row.open_attempt = attempt
            continue
        share = attempt.score / attempt.max_score
        row.best = share if row.best is None else max(row.best, share)
        if share >= row.pass_mark and row.passed_at is None:
            row.passed_at, row.passing_score = attempt.submitted_at, share
    unlocked = True
    for row in rows:
        if row.passed_at is not None:
            row.state = "passed"
        elif unlocked:
            row.state = "open"
            unlocked = False
        else:
            row.state = "locked"
    return rows


def progress_for(session: Session, path: OrientationPath, user: User) -> list[ModuleProgress]:
    return module_progress(path, _attempts(session, path, [user.id]))


def start_check(session: Session, path: OrientationPath, user: User, module_key: str,
                now: datetime) -> QuizAttempt:
    """The module's open check, or a new one: one open attempt per module, however many
    times "Take the check" is sent at once (the student's row is held until the commit)."""
    session.execute(for_update(select(User.id).where(User.id == user.id)))
    rows = {r.module["id"]: r for r in progress_for(session, path, user)}
    row = rows.get(module_key)
    if row is None:
        raise PathError(N_("There is no such module in this path."))
    if row.state == "locked":
        raise PathError(N_("Pass the previous module's mastery check first."))
    if row.open_attempt is not None:
        return row.open_attempt
    module = row.module
    spec = quizzes.QuizSpec(title=f"Mastery check: {module['title']}", banks=module["banks"],
                            tags=module["tags"], size=module["check"]["questions"],
                            feedback="end", objective_only=True,
                            topic_banks=selection.shared_banks(session),
                            paragraphs=module_paragraphs(module))
    attempt = quizzes.start_attempt(session, user, spec, now)
    attempt.path_id, attempt.module_key = path.id, module_key
    return attempt


def certificate_of(session: Session, path: OrientationPath, user: User) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                    Certificate.path_id == path.id))


def issue_certificate(session: Session, path: OrientationPath, user: User) -> Certificate | None:
    """The user's certificate, issued when the last module is passed: called by the submit
    that passes a check (the caller commits). Issued once, however often it is called."""
    existing = certificate_of(session, path, user)
    if existing is not None:
        return existing
    rows = progress_for(session, path, user)
    if not rows or any(r.state != "passed" for r in rows):
        return None
    certificate = Certificate(
        public_id=secrets.token_urlsafe(24), user_id=user.id, path_id=path.id, name=user.name,
        path_title=path.title, issued_at=max(r.passed_at for r in rows),
        modules=[{"title": r.module["title"], "score": round(r.passing_score * 100),
                  "passed_at": r.passed_at.strftime("%Y-%m-%d")} for r in rows])
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:  # issued by another request at the same moment
        return certificate_of(session, path, user)
    return certificate


def module_paragraphs(module: dict) -> list[int] | None:
    """The paragraphs a module's briefing covers: its check asks only about them."""
    return (module.get("source") or {}).get("paragraphs") or None


def module_scope(path: OrientationPath, module: dict) -> str:
    """The study link of a module: exactly the questions its check draws on."""
    return f"module:{path.slug}/{module['id']}"


def sources(session: Session, modules: list[dict]) -> list[dict]:
    """The sources of the banks these modules draw on (for the page's footer note)."""
    ids = set()
    for module in modules:
        ids.update(selection.candidate_ids(session, module["banks"], module["tags"],
                                           topic_banks=selection.shared_banks(session)))
    found = session.scalars(select(Bank.source).where(Bank.id.in_(
        select(Question.bank_id).where(Question.id.in_(ids)))))
    return [source for source in found if source]


def module_question_count(session: Session, module: dict) -> int:
    return len(selection.candidate_ids(session, module["banks"], module["tags"],
                                       topic_banks=selection.shared_banks(session)))


# -- Cohorts ---------------------------------------------------------------------------------

@dataclass
class Readiness:
    user: User
    modules: list[ModuleProgress]
    last_activity: datetime | None
    status: str = ""  # finished | on track | behind | not started
    forecast: scheduling.Forecast | None = None  # recall of the path on departure day
    recall: float | None = None  # the recall wanted of this student on that day

    @property
    def at_risk(self) -> bool:
        return self.forecast is not None and self.forecast.short_of(self.recall)

    @property
    def passed(self) -> int:
        return sum(1 for m in self.modules if m.state == "passed")


@dataclass
class CohortView:
    path: OrientationPath
    students: list[Readiness]
    averages: list[float | None] = field(default_factory=list)  # mean best score per module
    departure: StudyTarget | None = None

    @property
    def at_risk(self) -> int:
        return sum(1 for s in self.students if s.at_risk)


def cohort_readiness(session: Session, path: OrientationPath, students: list[User],
                     now: datetime, departure: StudyTarget | None = None) -> CohortView:
    attempts = _attempts(session, path, [s.id for s in students])
    by_user: dict[int, list[QuizAttempt]] = {s.id: [] for s in students}
    for attempt in attempts:
        by_user[attempt.user_id].append(attempt)
    rows = [Readiness(s, module_progress(path, by_user[s.id]),
                      max((a.started_at for a in by_user[s.id]), default=None))
            for s in students]
    median = statistics.median([r.passed for r in rows]) if rows else 0
    for row in rows:
        row.status = _status(row, len(path.modules), median, now)
    if departure is not None:  # each student's predicted recall of the path on the day
        ids = targets.class_scope_ids(session, departure)
        for row in rows:
            row.recall = departure.recall or row.user.desired_retention
            row.forecast = targets.readiness(session, row.user, scheduling.Target(
                departure.day, row.recall), ids, now)
    averages = []
    for index in range(len(path.modules)):
        bests = [r.modules[index].best for r in rows if r.modules[index].best is not None]
        averages.append(sum(bests) / len(bests) if bests else None)
    return CohortView(path, rows, averages, departure)


def _status(row: Readiness, total: int, median: float, now: datetime) -> str:
    if row.passed == total:
        return "finished"
    if row.last_activity is None:
        return "not started"
    if row.passed < median or now - row.last_activity > INACTIVE_AFTER:
        return "behind"
    return "on track"


def paths(session: Session) -> list[OrientationPath]:
    return list(session.scalars(select(OrientationPath).order_by(OrientationPath.title)))
