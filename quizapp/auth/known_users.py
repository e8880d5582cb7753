"""Who is logged in, without a database query on every request.

Flask-Login asks for the logged-in user on every request; in the study loop that query and
the ORM's loading of its row were a fifth of the app's time. Each worker therefore keeps a
user's columns for a few seconds (USER_CACHE_SECONDS; 0 reads the database every time) and
builds the User from them as if just loaded, detached: reading it needs no session (adding it
to the request's session cost 3% of a study loop), and a view that changes the user calls
`fresh`, which attaches it and reads the current row first.

How fresh it stays:
- a change to a user committed in this worker drops that user's entry at once;
- a user's own change (study settings, password) reaches every worker at once in the browser
  that made it: the commit puts a new stamp in that browser's session cookie, and an entry
  read under another stamp is not used. Their other browsers see it within
  USER_CACHE_SECONDS;
- a change made by someone else in another worker or on another host (an admin's role
  change, a CLI command) is seen within USER_CACHE_SECONDS;
- views that change the user (`fresh`) start from the database's row, so a form filled in
  from an older row still saves what it shows;
- only the columns named in CACHED are kept; the password hash is not, so checking a
  password always reads it afresh.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, abort, current_app, g, has_app_context, has_request_context, session
from flask_login import logout_user
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session, attributes, make_transient_to_detached

from ..extensions import db
from ..models import User

STAMP = "_user_stamp"  # in the Flask session: changes whenever the user changes their record
OUTDATED = "session_outdated"  # in g: this browser signed in before the password last changed
MAX_ENTRIES = 20_000  # about 1 KB each

# What requests read of the logged-in user; every value immutable. Any other column (the
# password hash, say) is left unloaded and read from the database when asked for.
CACHED = ("id", "email", "name", "role", "timezone", "created_at", "last_seen_at",
          "desired_retention", "new_cards_per_day", "max_reviews_per_day", "learning_steps",
          "session_version")
# What Flask-Login keeps in the session: User.get_id(), the id and, once past 0, the session
# version. Anything else (it is signed, so only this app wrote it) counts as nobody.
_SESSION_ID = re.compile(r"(\d{1,18})(?::([1-9]\d{0,9}))?")
_BY_ID = select(*(getattr(User, key) for key in CACHED)).where(User.id == bindparam("id"))
_MANAGER = attributes.manager_of_class(User)
_MAPPER = inspect(User)


@dataclass(frozen=True)
class _Entry:
    values: dict
    stamp: str | None
    read_at: float


class KnownUsers:
    """One app's cache of logged-in users' columns (one per worker process)."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES, clock=time.monotonic):
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._forgotten = 0  # counts forget() calls: a row read before one is not kept

    def load(self, user_id: int) -> User | None:
        sess = db.session()
        key = _MAPPER.identity_key_from_primary_key((user_id,))
        present = sess.identity_map.get(key)
        if present is not None:  # the view read this user before asking who is logged in
            return present
        stamp = session.get(STAMP)
        entry = self._fresh(user_id, stamp)
        if entry is None:
            forgotten = self._forgotten
            row = sess.connection().execute(_BY_ID, {"id": user_id}).first()
            if row is None:
                self.forget(user_id)
                return None
            entry = _Entry(dict(zip(CACHED, row, strict=True)), stamp, self.clock())
            self._keep(user_id, entry, forgotten)
        user = _MANAGER.new_instance()
        user.__dict__.update(entry.values)
        make_transient_to_detached(user)  # as if loaded: unchanged, password hash unloaded
        return user

    def _fresh(self, user_id: int, stamp: str | None) -> _Entry | None:
        if self.seconds <= 0:
            return None
        entry = self._entries.get(user_id)
        if entry is None or entry.stamp != stamp or \
                self.clock() - entry.read_at >= self.seconds:
            return None
        return entry

    def _keep(self, user_id: int, entry: _Entry, forgotten: int) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if self._forgotten != forgotten:  # a change was committed while we read: the
                return  # row may predate it
            self._entries[user_id] = entry
            self._entries.move_to_end(user_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, *user_ids: int) -> None:
        with self._lock:
            self._forgotten += 1
            for user_id in user_ids:
                self._entries.pop(user_id, None)

    def __len__(self) -> int:
        return len(self._entries)


def of(app: Flask) -> KnownUsers:
    return app.extensions["known_users"]


def parse_session_id(value) -> tuple[int, int] | None:
    """(user id, session version) from what the session keeps, or None."""
    match = _SESSION_ID.fullmatch(str(value))
    return None if match is None else (int(match[1]), int(match[2] or 0))


def fresh(user: User, lock: bool = False) -> User:
    """The user as the database has it now: for views that change the user, so that what
    they save is measured against the current row, not a cached one. `lock` holds the row
    until the commit (a password change, so that two at once cannot both succeed). A
    session signed in before the password last changed, still served from another worker's
    copy, ends here instead of changing the account.

    The cached user is detached, so this is the way to change it: a change made to it
    without this call is not saved. Call it before the view reads the same user's row any
    other way (a query listing users, say), or the session would hold two copies of it and
    refuse the second."""
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    if inspect(user).detached:  # as the cache builds it
        db.session.add(user)
    db.session.refresh(user, with_for_update=lock or None)
    signed_in = parse_session_id(session.get("_user_id")) if has_request_context() else None
    if signed_in is not None and signed_in[0] == user.id and \
            signed_in[1] != (user.session_version or 0):
        logout_user()
        setattr(g, OUTDATED, True)
        abort(current_app.login_manager.unauthorized())
    return user


def forget_stamp() -> None:
    """At logout: the next user of this browser starts without one."""
    session.pop(STAMP, None)


def _changed_users(sess: Session, _flush_context, _instances) -> None:
    changed = sess.info.setdefault("changed_users", set())
    for obj in (*sess.dirty, *sess.deleted):
        if isinstance(obj, User):
            changed.add(obj.id)


def _after_commit(sess: Session) -> None:
    changed = sess.info.pop("changed_users", None)
    if not changed or not has_app_context() or "known_users" not in current_app.extensions:
        return
    of(current_app).forget(*changed)
    if not has_request_context():
        return
    signed_in = parse_session_id(session.get("_user_id"))
    if signed_in is not None and signed_in[0] in changed:
        session[STAMP] = secrets.token_urlsafe(6)


def _after_rollback(sess: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback keeps the outer changes
        sess.info.pop("changed_users", None)


def init_app(app: Flask) -> None:
    app.extensions["known_users"] = KnownUsers(float(app.config["USER_CACHE_SECONDS"]))
    if not event.contains(Session, "before_flush", _changed_users):
        event.listen(Session, "before_flush", _changed_users)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
