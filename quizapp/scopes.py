"""What a study link names, resolved for one student: a bank, a topic, everything, or the
exact questions an assignment or an orientation module draws on. No Flask here.

`assignment:12`, `module:trip/first`, `path:trip` and `target:7` (a class's target day) are
written in links (the home page, a module's page, the plan); they resolve to the same questions
the assignment, the module's check or the target uses, never to "everything". A link the
student may not use resolves to nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import selection
from .classes import service as classes
from .models import Assignment, Enrolment, OrientationPath, StudyTarget, User
from .study import targets
from .study.queue import Scope


def resolve(session: Session, user: User, text: str | None, now: datetime) -> Scope | None:
    simple = Scope.parse(text)
    if simple is not None:
        return simple
    kind, _, value = (text or "").partition(":")
    if kind == "assignment" and value.isdigit() and len(value) < 10:
        return _assignment(session, user, int(value), now)
    if kind == "module":
        slug, _, key = value.partition("/")
        return _module(session, slug, key)
    if kind == "target" and value.isdigit() and len(value) < 10:
        return _class_target(session, user, int(value))
    if kind == "path":
        title = targets.scope_title(session, text)
        return None if title is None else Scope(
            "set", text, tuple(targets.scope_ids(session, text)), title)
    return None


def _assignment(session: Session, user: User, assignment_id: int, now: datetime
                ) -> Scope | None:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or session.scalar(select(Enrolment.id).where(
            Enrolment.class_id == assignment.class_id, Enrolment.user_id == user.id)) is None:
        return None
    ids = classes.scope_question_ids(session, assignment)
    # While it is open, the cards it asks for are not held back by the daily new-card limit.
    is_open = classes.window_state(assignment, now) == "open"
    return Scope("set", f"assignment:{assignment.id}", tuple(ids), assignment.title,
                 new_unlimited=is_open)


def _class_target(session: Session, user: User, target_id: int) -> Scope | None:
    """The questions a class's target covers, for a student of that class: a topic drawn as
    the class's assignments draw it, which its plain `tag:` link would not."""
    target = session.get(StudyTarget, target_id)
    if target is None or target.class_id is None or session.scalar(select(Enrolment.id).where(
            Enrolment.class_id == target.class_id, Enrolment.user_id == user.id)) is None:
        return None
    return Scope("set", f"target:{target.id}", tuple(targets.class_scope_ids(session, target)),
                 targets.scope_title(session, target.scope) or target.scope)


def _module(session: Session, slug: str, key: str) -> Scope | None:
    path = session.scalar(select(OrientationPath).where(OrientationPath.slug == slug))
    module = next((m for m in path.modules if m["id"] == key), None) if path else None
    if module is None:
        return None
    ids = selection.candidate_ids(session, module["banks"], module["tags"],
                                  topic_banks=selection.shared_banks(session))
    return Scope("set", f"module:{slug}/{key}", tuple(ids), module["title"])
