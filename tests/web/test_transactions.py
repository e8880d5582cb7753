"""How requests use the database: the card page reads without a transaction on PostgreSQL, a
rating holds SQLite's write lock only for its writes, and a pooled PostgreSQL connection that
was dropped while idle is replaced before a request sees it."""

from __future__ import annotations

import re
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select

from quizapp import database
from quizapp.extensions import db
from quizapp.models import CardState, ReviewLog, Role
from tests.conftest import PG_URL, Users
from tests.helpers import flashcards, import_banks

# These tests are about one backend each: run them only there.
only_postgres = pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [], indirect=True)
only_sqlite = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _statements(engine):
    """Record (sql, autocommit) for every statement the app sends, until the list is closed.
    On SQLite, every statement SQLite itself runs (BEGIN included), from its trace hook."""
    seen: list[tuple[str, bool]] = []
    if engine.dialect.name == "sqlite":
        traced = []

        def trace(dbapi_connection, _record, _proxy):
            traced.append(dbapi_connection)
            dbapi_connection.set_trace_callback(
                lambda sql: seen.append((" ".join(sql.split()), False)))

        def stop():
            event.remove(engine, "checkout", trace)
            for dbapi_connection in traced:
                dbapi_connection.set_trace_callback(None)

        event.listen(engine, "checkout", trace)
        return seen, stop

    def record(conn, _cursor, statement, _params, _context, _many):
        seen.append((" ".join(statement.split()), conn.connection.dbapi_connection.autocommit))

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def fresh(make_app):
    """An app whose requests each have their own app context, as under gunicorn (the `app`
    fixture keeps one context, and so one session, across a test's requests); a logged-in
    student with two new cards."""
    app = make_app()
    client = app.test_client()
    with app.app_context():
        Users(app, client).login_as(Role.STUDENT)
        import_banks(flashcards("deck", 2))
        db.session.remove()
    return app, client


def _study_once(app, client) -> tuple[list, list]:
    """Show a card, then rate it: the statements of each request."""
    with app.app_context():
        engine = db.engine
    seen, stop = _statements(engine)
    page = client.get("/study/session?scope=all")
    shown = list(seen)
    seen.clear()
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    rated = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    stop()
    assert page.status_code == 200 and rated.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1
    return shown, seen


@only_postgres  # SQLite's transactions cost no round trip
def test_studying_needs_no_transaction_on_postgres(fresh):
    shown, rated = _study_once(*fresh)
    assert shown and all(autocommit for _, autocommit in shown), shown
    # The rating writes its card and its review log in one statement, atomic on its own.
    assert all(autocommit for _, autocommit in rated), rated
    writes = [sql for sql, _ in rated if not sql.startswith("SELECT")]
    assert len(writes) == 1, rated
    assert "INSERT INTO card_states" in writes[0] and "INSERT INTO review_logs" in writes[0]


@only_sqlite
def test_a_rating_takes_the_sqlite_write_lock_only_for_its_writes(fresh):
    _, rated = _study_once(*fresh)
    sql = [s for s, _ in rated]
    immediate = sql.index("BEGIN IMMEDIATE")
    reads, writes = sql[:immediate], sql[immediate + 1:]
    # The user (unless known already); the busy timeout is set aside while BEGIN naps.
    assert all(s.startswith(("SELECT", "PRAGMA busy_timeout")) for s in reads), sql
    writes = [s for s in writes if not s.startswith("PRAGMA busy_timeout")]
    assert [s.split()[0] for s in writes] == ["INSERT", "INSERT", "COMMIT"], sql


def _hold_write_lock(app) -> sqlite3.Connection:
    """Another process's writer, in the middle of its write."""
    other = sqlite3.connect(sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database,
                            isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def _busy_timeout(app) -> int:
    """The busy timeout of the pooled connection (the tests' requests run one at a time,
    so the pool holds one)."""
    with app.app_context():
        return db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(ReviewLog)),
                db.session.scalar(select(func.count()).select_from(CardState)))


@only_sqlite
def test_a_rating_waits_for_another_writer_then_goes_through(fresh):
    app, client = fresh
    page = client.get("/study/session?scope=all").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    other = _hold_write_lock(app)
    try:
        threading.Timer(0.2, other.commit).start()
        started = time.monotonic()
        rated = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
        waited = time.monotonic() - started
    finally:
        other.close()
    assert rated.status_code == 302 and waited >= 0.15  # it did wait for the other writer
    assert _counts(app) == (1, 1)
    # The connection keeps its busy timeout for every later statement.
    assert _busy_timeout(app) == database.BUSY_TIMEOUT_MS


@only_sqlite
def test_a_writer_that_never_gets_the_lock_gives_up_with_a_friendly_page(fresh, monkeypatch):
    app, client = fresh
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get("/study/session?scope=all").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 150)
    other = _hold_write_lock(app)
    try:
        rated = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    finally:
        other.rollback()
        other.close()
    assert rated.status_code == 500 and "Something went wrong" in rated.get_data(as_text=True)
    assert _counts(app) == (0, 0)  # nothing half-written
    assert _busy_timeout(app) == 150  # put back, not left at 0, after giving up too
    # The same rating goes through once the lock is free.
    again = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    assert again.status_code == 302 and _counts(app) == (1, 1)


class _Recovering:
    """A SQLite connection whose BEGIN IMMEDIATE meets another connection recovering the
    WAL after an unclean stop (SQLITE_BUSY_RECOVERY) `times` times, or a stale snapshot."""

    def __init__(self, code: int, times: int):
        self.code, self.times, self.sent = code, times, []

    def execute(self, sql: str):
        self.sent.append(sql)
        if sql == "BEGIN IMMEDIATE" and self.times:
            self.times -= 1
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = self.code
            raise error


def test_a_writer_waits_out_a_wal_recovery_but_not_a_stale_snapshot():
    recovering = _Recovering(sqlite3.SQLITE_BUSY_RECOVERY, times=3)
    database._begin_immediate_in_short_naps(recovering)
    assert recovering.sent.count("BEGIN IMMEDIATE") == 4
    assert recovering.sent[-1] == f"PRAGMA busy_timeout={database.BUSY_TIMEOUT_MS}"
    stale = _Recovering(sqlite3.SQLITE_BUSY_SNAPSHOT, times=1)
    with pytest.raises(sa.exc.OperationalError):
        database._begin_immediate_in_short_naps(stale)
    assert stale.sent.count("BEGIN IMMEDIATE") == 1
    assert stale.sent[-1] == f"PRAGMA busy_timeout={database.BUSY_TIMEOUT_MS}"


def _drop_pooled_connections(app) -> None:
    """What a server restart does to idle connections: end every other backend of this
    database, as an administrator would."""
    with app.app_context():
        url = db.engine.url
    admin = sa.create_engine(url, connect_args=app.config["SQLALCHEMY_ENGINE_OPTIONS"].get(
        "connect_args", {}))
    ours = ("FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name = 'quizapp-ping-test'")
    # Autocommit: pg_stat_activity is read once per transaction.
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) {ours}"))
        # Termination is a signal: wait until the backends are really gone.
        deadline = time.monotonic() + 10
        while conn.execute(sa.text(f"SELECT count(*) {ours}")).scalar():
            assert time.monotonic() < deadline, "the backends did not end"
            time.sleep(0.02)
    admin.dispose()


@only_postgres  # a SQLite file has no connection to drop
@pytest.mark.parametrize("idle_seconds, survives", [(0.0, True), (3600.0, False)])
def test_a_dropped_idle_connection_is_replaced_before_use(make_app, request, idle_seconds,
                                                          survives):
    schema = request.getfixturevalue("pg_schema")
    app = make_app(DB_PING_AFTER_IDLE_SECONDS=idle_seconds, PROPAGATE_EXCEPTIONS=False,
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {
                       "options": f"-csearch_path={schema}",
                       "application_name": "quizapp-ping-test"}})
    client = app.test_client()
    with app.app_context():
        Users(app, client).login_as(Role.STUDENT)
        db.session.remove()
    assert client.get("/study/").status_code == 200
    _drop_pooled_connections(app)
    page = client.get("/study/")
    if survives:  # tested after idling, the dropped connection is replaced: the page loads
        assert page.status_code == 200
    else:  # untested, as a connection in use when the server went away: a friendly error
        assert page.status_code == 500
        assert "Something went wrong" in page.get_data(as_text=True)
        assert client.get("/study/").status_code == 200  # and the next request is served


def test_with_the_database_down_the_error_page_still_renders(fresh, monkeypatch):
    app, client = fresh

    def down(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(sa.orm.Session, "execute", down)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get("/study/")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Something went wrong" in text and "Traceback" not in text


@only_postgres
def test_an_error_after_the_connection_died_still_gets_the_friendly_page(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], connect_args=app.config[
        "SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}))

    def broken():
        # A bug unrelated to the database, just after the server dropped this connection:
        # the session still believes its transaction is open.
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        raise RuntimeError("a bug")

    app.add_url_rule("/test/broken", "broken", broken)
    page = app.test_client().get("/test/broken")
    admin.dispose()
    assert page.status_code == 500
    assert "Something went wrong" in page.get_data(as_text=True)
