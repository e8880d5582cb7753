"""Engine-level settings that every connection needs, and each request's transaction:
SQLite's write lock taken up front (or late, for views marked so), and no transaction at all on
a database server for views that only read."""

from __future__ import annotations

import sqlite3
import time

from flask import Flask, current_app, g, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import scoped_session

from .config import ConfigError
from .extensions import db

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for SQLite's write lock before giving up
_FIRST_NAP, _LONGEST_NAP = 50e-6, 2e-3


def _sqlite_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Read the file through a memory map (128 MB, as Rails 8 sets by default) instead of a
    # read() per page: past the default 2 MB page cache, at 100,000 card states, the next card
    # grew 1.14x-1.16x over 1,000 states through the extra reads; mapped, 1.07x-1.09x in five
    # runs of six (1.14x in one).
    cursor.execute("PRAGMA mmap_size=134217728")
    cursor.close()


def _sqlite_begin(conn) -> None:
    """A transaction that will write takes the write lock at BEGIN (IMMEDIATE). A deferred one
    that reads first and writes later can fail at once with "database is locked" when another
    writer got in between, whatever the busy timeout; an immediate one waits its turn."""
    options = conn.get_execution_options()
    if options.get("sqlite_reads_first"):
        return  # each read is its own transaction until begin_write (see writes_late)
    driver = conn.connection.driver_connection
    if options.get("sqlite_write"):
        _begin_immediate_in_short_naps(driver)
    else:
        _sqlite_execute(driver, "BEGIN")


def _sqlite_execute(driver_connection, sql: str) -> None:
    """A transaction statement straight to the driver (through exec_driver_sql it cost 30 µs,
    a tenth of a request), failing as any statement does: as SQLAlchemy's error."""
    try:
        driver_connection.execute(sql)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


def _postgres_connect(dbapi_connection, _record) -> None:
    """Reuse generic plans. The app's hot statements are the study loop's, prepared by the
    driver and keyed by one user's id: their generic plan is the right one, but past about
    100,000 card states PostgreSQL judges it costlier than planning afresh, and then plans
    every call (0.3 ms, more than running it). Every other page is also keyed by one user,
    class or bank; the class-wide reports opt back in to planning per call (see `report`).
    The setting is per server connection: behind a transaction-pooling PgBouncer it would
    reach only some of them (the app then still works, with PostgreSQL's default plans)."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    dbapi_connection.autocommit = autocommit


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled server connection before use only if it sat idle for a while: a restart
    or an idle timeout drops idle connections, and testing every checkout costs a round trip
    per request (SQLAlchemy's pool_pre_ping). A connection that fails the test is replaced
    before the request sees it."""

    def checkin(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises: the pool retries afresh
            raise DisconnectionError("the pooled connection was dropped") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def read_only(view):
    """Mark a view that does not write. A POST of it does not queue for SQLite's write lock;
    on a database server it runs without a transaction (autocommit), which for reads changes
    nothing, since each statement of a READ COMMITTED transaction sees what was committed
    when it started anyway, and saves the BEGIN and ROLLBACK round trips."""
    view.read_only = True
    return view


def report(view):
    """Mark a view of class-wide aggregates: on PostgreSQL its statements are planned for the
    values at hand (a class of 5 and one of 500 want different joins), unlike the rest of the
    app's, which reuse generic plans. Not for a `read_only` view, which has no transaction
    to scope the setting to."""
    view.report = True
    return view


def writes_late(view):
    """Mark a POST view that reads first and writes last, with begin_write just before its
    writes, and whose writes do not depend on what it read (a conditional update, say): its
    reads are not in the write's transaction. On SQLite it then holds the write lock only
    for the writes, not the whole request. On PostgreSQL it runs without a transaction, so
    its write there must be a single statement (a rating's is)."""
    view.writes_late = True
    return view


def begin_write(session) -> None:
    """Begin the write of a `writes_late` view. On SQLite its reads ran without a
    transaction, so the write can begin IMMEDIATE on the same connection (had they run in
    one, a write from its snapshot could fail with "database is locked"). On PostgreSQL there
    is nothing to begin: the single statement is atomic on its own."""
    if isinstance(session, scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        return
    driver = session.connection().connection.driver_connection
    if not driver.in_transaction:
        _begin_immediate_in_short_naps(driver)
        return
    session.commit()  # reads inside a transaction after all (a test's shared session)
    session.connection(execution_options={"sqlite_write": True})


# Worth waiting for: another writer holds the lock, or another connection is recovering the
# WAL after an unclean stop. Not SQLITE_BUSY_SNAPSHOT: a stale read snapshot never clears.
_WAIT_ON = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY})


def _begin_immediate_in_short_naps(driver: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in naps of 50 µs and up. SQLite's own
    busy handler sleeps 1 ms, then 2, then 5...: far longer than a rating holds the lock
    (about 0.4 ms), so under load a waiting worker idled most of each nap (one rating in
    four waited, 1.1 ms each). Gives up after the same busy timeout, as SQLite would.
    Writers that begin deferred (the CLI import) still wait in SQLite's longer sleeps, so
    under a stream of ratings they get the lock later than these; they are rare and short."""
    try:
        driver.execute("PRAGMA busy_timeout=0")
        deadline, nap = time.monotonic() + BUSY_TIMEOUT_MS / 1000, _FIRST_NAP
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in _WAIT_ON or time.monotonic() > deadline:
                    raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc,
                                              sqlite3.Error) from exc
            time.sleep(nap)
            nap = min(nap * 2, _LONGEST_NAP)
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _view():
    return current_app.view_functions.get(request.endpoint or "")


def _begin_writes_immediately() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    view = _view()
    if view is None or getattr(view, "read_only", False) or db.session().in_transaction():
        return
    if getattr(view, "writes_late", False):
        db.session.connection(execution_options={"sqlite_reads_first": True})
    else:
        db.session.connection(execution_options={"sqlite_write": True})


def _postgres_request_transaction() -> None:
    view = _view()
    if db.session().in_transaction():
        return
    if getattr(view, "read_only", False) or getattr(view, "writes_late", False):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        g.read_without_transaction = True
    elif getattr(view, "report", False):
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _end_read_without_transaction(_exc) -> None:
    # The request's session normally ends with its app context; where a context outlives the
    # request (tests, CLI), the autocommit connection must not carry over into later writes.
    if g.pop("read_without_transaction", False):
        db.session.rollback()


def init_app(app: Flask) -> None:
    if app.config.get("SQLALCHEMY_RECORD_QUERIES"):
        raise ConfigError(
            "SQLALCHEMY_RECORD_QUERIES is not supported: the study loop's statements go "
            "straight to the driver (quizapp/hot_statements.py), and Flask-SQLAlchemy's query "
            "recorder needs SQLAlchemy's execution context for each statement.")
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            app.before_request(_begin_writes_immediately)
        else:
            if engine.dialect.name == "postgresql":
                event.listen(engine, "connect", _postgres_connect)
            _ping_after_idle(engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
            app.before_request(_postgres_request_transaction)
            app.teardown_request(_end_read_without_transaction)


def backend_name() -> str:
    return db.engine.dialect.name


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migrations, so they import nothing of ours."""
    from .models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
