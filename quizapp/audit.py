"""The audit log: who did what to which account, bank or class, when and from where.

The app only ever adds rows (`record`) and drops those older than the retention period
(`prune`, run by `flask setup` and `flask audit prune`); nothing edits one. `here` records an
event of the current request: its user and address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from .database import contains
from .extensions import db
from .models import AuditEvent, User

ACTIONS = {  # what each action means, as the admin's filter lists them
    "login": "Logged in",
    "login_failed": "Login failed",
    "password_changed": "Password changed",
    "reset_issued": "Reset link issued",
    "reset_sent": "Reset link emailed",
    "password_reset": "Password reset with a link",
    "sessions_ended": "Sessions ended",
    "role_changed": "Role changed",
    "deactivated": "Account deactivated",
    "reactivated": "Account reactivated",
    "account_deleted": "Account deleted",
    "data_exported": "Data downloaded",
    "bank_imported": "Bank imported or edited",
    "bank_owner_changed": "Bank handed over",
    "class_handed_over": "Class handed over",
    "class_joined": "Joined a class",
    "class_removed": "Removed from a class",
}
PAGE_SIZE = 50


def record(session: Session, now: datetime, action: str, *, actor: User | None = None,
           actor_email: str = "", address: str = "", target_user: User | None = None,
           target: str = "", detail: dict | None = None) -> None:
    """Add one event (the caller commits, with the change it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEvent(
        at=now, action=action, actor_id=actor.id if actor else None,
        actor_email=(actor.email if actor else actor_email)[:254], address=address[:64],
        target_user_id=target_user.id if target_user else None,
        target=(target or (target_user.email if target_user else ""))[:300], detail=detail))


def prune(session: Session, now: datetime, keep_days: int) -> int:
    """Drop events older than the retention period; how many went."""
    return session.execute(delete(AuditEvent).where(
        AuditEvent.at < now - timedelta(days=keep_days))).rowcount


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def search(session: Session, action: str = "", who: str = "", page: int = 1) -> Page:
    """Newest first, optionally one action and an email (or part of one) as actor or target."""
    query = select(AuditEvent)
    if action in ACTIONS:
        query = query.where(AuditEvent.action == action)
    if who:
        pattern = contains(who.strip())
        query = query.where(or_(func.lower(AuditEvent.actor_email).like(pattern, escape="\\"),
                                func.lower(AuditEvent.target).like(pattern, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    events = session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(list(events), page, pages, total)


def here(action: str, **kwargs) -> None:
    """Record an event of the current request: its signed-in user (unless `actor` or
    `actor_email` says otherwise) and the client's address."""
    if "actor" not in kwargs and "actor_email" not in kwargs and \
            current_user.is_authenticated:
        kwargs["actor"] = current_user
    record(db.session, datetime.now(UTC), action, address=get_remote_address() or "",
           **kwargs)
