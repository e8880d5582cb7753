"""Engine-level settings that every connection needs, and SQLite's write transactions."""

from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session

from .extensions import db


def _sqlite_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    """A transaction that will write takes the write lock at BEGIN (IMMEDIATE). A deferred one
    that reads first and writes later can fail at once with "database is locked" when another
    writer got in between, whatever the busy timeout; an immediate one waits its turn."""
    immediate = conn.get_execution_options().get("sqlite_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def read_only(view):
    """Mark a POST view that does not write, so it does not queue for SQLite's write lock."""
    view.read_only = True
    return view


def writes_late(view):
    """Mark a POST view that reads first and starts its write transaction itself, with
    begin_write, just before it writes: on SQLite it then holds the write lock only for the
    writes, not for the whole request. Only for views whose writes do not depend on what they
    read (a conditional update, say), since the read and the write are two transactions."""
    view.writes_late = True
    return view


def begin_write(session) -> None:
    """Begin the write transaction of a `writes_late` view. On SQLite the read transaction
    ends first (a write from its snapshot could fail with "database is locked") and the
    write begins IMMEDIATE; elsewhere the transaction simply goes on."""
    if isinstance(session, scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_write": True})


def _begin_writes_immediately() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if (view is None or getattr(view, "read_only", False) or getattr(view, "writes_late", False)
            or db.session().in_transaction()):
        return
    db.session.connection(execution_options={"sqlite_write": True})


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            app.before_request(_begin_writes_immediately)


def backend_name() -> str:
    return db.engine.dialect.name


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migrations, so they import nothing of ours."""
    from .models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
