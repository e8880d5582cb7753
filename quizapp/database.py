"""How requests use the database: one rule, the same on SQLite and PostgreSQL.

- Reads see what was committed when each statement ran (PostgreSQL's READ COMMITTED; on
  SQLite a read outside a write transaction is its own snapshot).
- A view that writes does all its writes in one transaction and commits it once; helpers,
  services and models never commit. Reads a view makes after its commit (the next card after
  a rating) run outside that transaction. Whatever is left uncommitted when the request ends
  is rolled back (Flask-SQLAlchemy removes the session with the app context).
- GET requests never write: every change is a POST (so a link, a prefetch or a reload
  cannot change anything).

SQLite: SQLAlchemy's pysqlite recipe (the driver's own transaction handling turned off, BEGIN
sent by us), with one choice made: BEGIN IMMEDIATE, sent just before a transaction's first
write. The write lock is then taken before anything is read for the write, so a writer waits
its turn (up to BUSY_TIMEOUT_MS) instead of failing with "database is locked", and nothing
holds the lock while it only reads or does slow work before writing (a password hash, a bank
file's validation).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for SQLite's write lock before giving up
_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN"})  # statements that never write


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the recipe: BEGIN is ours to send
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; foreign keys are off by default.
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                   f"busy_timeout={BUSY_TIMEOUT_MS}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin_before_writing(conn, cursor, statement, _parameters, _context,
                                 _executemany) -> None:
    """BEGIN IMMEDIATE before the first statement of a transaction that may write (anything
    but a plain read: a write, a SAVEPOINT, DDL)."""
    if conn.connection.driver_connection.in_transaction:
        return
    words = statement.split(None, 1)
    if words and words[0].upper() not in _READS:
        cursor.execute("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "before_cursor_execute", _sqlite_begin_before_writing)


def engine_options(database_url: str) -> dict:
    """A database server's pooled connections are tested before use, so a restarted server
    costs no request an error page; a SQLite file needs no test."""
    return {} if database_url.startswith("sqlite") else {"pool_pre_ping": True}


def backend_name() -> str:
    return db.engine.dialect.name


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migrations, so they import nothing of ours."""
    from .models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
