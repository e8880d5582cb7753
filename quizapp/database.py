"""How requests use the database: one rule, the same on SQLite and PostgreSQL.

- Reads see what was committed when each statement ran, and run outside any transaction:
  nothing is held while a page only reads (PostgreSQL's READ COMMITTED, on both backends).
- A transaction begins just before the first statement that writes, or that reads rows a
  write will depend on (`for_update`): those rows stay locked until the commit, so two
  requests deciding at once (a quiz started twice, an attempt saved while submitted) take
  turns. The view commits once; helpers, services and models never commit. Whatever is left
  uncommitted when the request ends is rolled back.
- GET requests never write: every change is a POST.

The transaction's BEGIN is ours to send: on SQLite by SQLAlchemy's pysqlite recipe (the
driver's own transaction handling off), as BEGIN IMMEDIATE, so the write lock is taken
before anything is read for the write and a writer waits its turn (up to BUSY_TIMEOUT_MS)
instead of failing with "database is locked"; on PostgreSQL the connection is in autocommit
and BEGIN is sent the same way. So nothing holds a lock, or costs a BEGIN and a ROLLBACK,
while it only reads or does slow work before writing (a password hash, a bank validation).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for SQLite's write lock before giving up
_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "SHOW"})  # statements that never write
_FOR_A_WRITE = "quizapp_for_a_write"  # execution option set by for_update
_BEGIN = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}


def for_update(query):
    """Read rows that a write will depend on: the transaction begins here and the rows stay
    locked until the commit (on SQLite the write lock covers them)."""
    return query.with_for_update().execution_options(**{_FOR_A_WRITE: True})


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the recipe: BEGIN is ours to send
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; foreign keys are off by default.
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                   f"busy_timeout={BUSY_TIMEOUT_MS}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _ours_to_begin(conn) -> bool:
    """Whether the next statement may need our BEGIN: not inside a transaction already, nor on
    a connection that asked for autocommit itself (Alembic's autocommit_block, for an index
    built CONCURRENTLY)."""
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return False
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        return not driver.in_transaction
    return driver.autocommit and driver.info.transaction_status == 0  # psycopg: 0 is IDLE


def _begin_before_writing(conn, cursor, statement, _parameters, context,
                          _executemany) -> None:
    """BEGIN before the first statement of a transaction that writes (anything but a plain
    read: a write, a SAVEPOINT, DDL) or reads for a write."""
    if not _ours_to_begin(conn):
        return
    words = statement.split(None, 1)
    for_a_write = context is not None and context.execution_options.get(_FOR_A_WRITE)
    if for_a_write or (words and words[0].upper() not in _READS):
        cursor.execute(_BEGIN[conn.dialect.name])


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "before_cursor_execute", _begin_before_writing)


def engine_options(database_url: str) -> dict:
    """SQLite's transactions are ours to begin (see _sqlite_connect); PostgreSQL connections
    are in autocommit for the same reason, and tested before use, so a restarted server
    costs no request an error page."""
    if database_url.startswith("sqlite"):
        return {}
    return {"isolation_level": "AUTOCOMMIT", "pool_pre_ping": True}


def backend_name() -> str:
    return db.engine.dialect.name


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migrations, so they import nothing of ours."""
    from .models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def contains(text: str) -> str:
    """A LIKE pattern (escape character "\\") that finds `text`, lower-cased, anywhere."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
