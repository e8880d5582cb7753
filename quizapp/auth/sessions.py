"""Login sessions kept in the database: one row per signed-in browser.

The browser's cookie holds a random token (inside Flask's signed session); the row holds its
SHA-256. Every request reads the row and its user afresh, so logging out, a password change,
an admin's role change or expiry takes effect on the next request, on every worker and host.
No Flask here: the views pass in what the request knows.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..models import LoginSession, User

TOUCH_AFTER = timedelta(minutes=5)  # how stale a session's "last seen" may get
LONGEST_USER_AGENT = 300


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, user_agent: str, now: datetime,
          lifetime: timedelta) -> LoginSession:
    """A new login session for `user` (the caller commits); `user.session_token` is set, so
    Flask-Login keeps the token, not the user's id."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(user_id=user.id, token_hash=_hash(token), created_at=now,
                       last_seen_at=now, expires_at=now + lifetime,
                       user_agent=(user_agent or "")[:LONGEST_USER_AGENT])
    session.add(row)
    user.session_token = token
    return row


@dataclass(frozen=True)
class Lookup:
    """What a request's token stands for: its user while the session is live; otherwise why
    not (`ended`: logout | password | ended | expired), so the login page can say."""

    user: User | None
    row: LoginSession | None
    ended: str | None = None


# Built once: every request runs it.
_BY_TOKEN = (select(LoginSession, User).join(User, User.id == LoginSession.user_id)
             .where(LoginSession.token_hash == bindparam("token_hash")))


def look_up(session: Session, token: str, now: datetime) -> Lookup:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return Lookup(None, None)
    found = session.execute(_BY_TOKEN, {"token_hash": _hash(token)}).first()
    if found is None:
        return Lookup(None, None)
    row, user = found
    if row.ended_at is not None:
        return Lookup(None, row, row.end_reason or "ended")
    if row.expires_at <= now:
        return Lookup(None, row, "expired")
    user.session_token = token
    return Lookup(user, row)


def touch(row: LoginSession, now: datetime) -> None:
    """Note that the session was used (only on requests that write, at most every few
    minutes; the caller's commit keeps it)."""
    if now - row.last_seen_at >= TOUCH_AFTER:
        row.last_seen_at = now


def end(session: Session, row: LoginSession, now: datetime, reason: str) -> None:
    session.execute(update(LoginSession)
                    .where(LoginSession.id == row.id, LoginSession.ended_at.is_(None))
                    .values(ended_at=now, end_reason=reason))


def end_others(session: Session, user_id: int, keep: LoginSession | None, now: datetime,
               reason: str) -> int:
    """End every live session of the user but `keep` (this browser); how many were ended."""
    query = (update(LoginSession)
             .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
             .values(ended_at=now, end_reason=reason))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    return session.execute(query).rowcount
