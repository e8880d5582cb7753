"""The one transaction rule (quizapp/database.py), held on both databases: GET requests never
write; a view's writes are one transaction; on SQLite the write lock is taken just before the
first write, so a writer waits its turn instead of failing with "database is locked", and no
lock is held while a view only reads or hashes a password. A pooled PostgreSQL connection
dropped while idle is replaced before a request sees it."""

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
from quizapp.models import CardState, ReviewLog, Role, User
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


def _in_transaction(conn) -> bool:
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        return driver.in_transaction
    return driver.info.transaction_status != 0


def test_reads_run_outside_transactions_and_writes_inside_one(fresh):
    """The same on both backends: a card page's reads hold nothing; a rating reads the login
    outside any transaction, writes the card and its review in one, and reads the next card
    (and what its rating buttons need) after its commit."""
    app, client = fresh
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, _params, _context, _many):
        seen.append((statement.split()[0].upper(), _in_transaction(conn)))

    event.listen(engine, "before_cursor_execute", record)  # after the app's own listener
    try:
        page = client.get("/study/session?scope=all")
        shown, seen[:] = list(seen), []
        token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        rated = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"},
                            headers={"X-Study-Fragment": "1"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200 and rated.status_code == 200
    assert shown and all(word == "SELECT" and not held for word, held in shown), shown
    # The login; the card and its review; then the next card's queue and card, and (for
    # the rating buttons) the load of the days Easy could reach. The queue's read says the
    # student has no target days, so none are read.
    assert seen == [("SELECT", False), ("INSERT", True), ("INSERT", True), ("SELECT", False),
                    ("SELECT", False), ("SELECT", False)], seen


def test_a_failed_request_writes_nothing(make_app):
    """Writes are one transaction: a view that fails after its first write leaves no trace."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.post("/test/half")
    def half():
        db.session.add(User(email="one@example.org", name="One", password_hash="x"))
        db.session.flush()
        db.session.add(User(email="two@example.org", name="Two", password_hash="x"))
        db.session.flush()
        raise RuntimeError("a bug after two writes")

    assert app.test_client().post("/test/half").status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


@only_sqlite
def test_a_login_hashes_the_password_before_taking_the_write_lock(fresh):
    app, client = fresh
    client.post("/logout")
    with app.app_context():
        engine = db.engine
        Users(app, client).create("late@example.org")
    seen, stop = _statements(engine)
    answer = Users(app, client).login("late@example.org")
    stop()
    assert answer.status_code == 302
    sql = [s for s, _ in seen]
    begin = sql.index("BEGIN IMMEDIATE")
    assert any(s.startswith("SELECT") and "FROM users" in s for s in sql[:begin]), sql
    # Under the lock only the writes: the audit line and the new login session.
    assert [s.split(" (")[0] for s in sql[begin + 1:]] == [
        "INSERT INTO audit_events", "INSERT INTO login_sessions", "COMMIT"], sql


@only_sqlite
def test_a_write_after_another_writer_committed_is_not_locked_out(fresh):
    """The case SQLite's plain BEGIN gets wrong: read, another connection commits, then
    write. A deferred transaction would fail at once with "database is locked" (its read
    snapshot is stale); reads outside the write transaction, and BEGIN IMMEDIATE before the
    write, let it through."""
    app, _client = fresh
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CardState)) == 0
        other = sqlite3.connect(sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database,
                                isolation_level=None)
        other.execute("UPDATE users SET name = 'Changed'")
        other.close()
        db.session.execute(sa.update(User).values(timezone="Asia/Baku"))
        db.session.commit()
        assert db.session.scalar(select(User.name)) == "Changed"


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
def test_a_writer_that_never_gets_the_lock_gives_up_with_a_friendly_page(make_app, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 150)
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    with app.app_context():
        Users(app, client).login_as(Role.STUDENT)
        import_banks(flashcards("deck", 2))
        db.session.remove()
    page = client.get("/study/session?scope=all").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    other = _hold_write_lock(app)
    try:
        rated = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    finally:
        other.rollback()
        other.close()
    assert rated.status_code == 500 and "Something went wrong" in rated.get_data(as_text=True)
    assert _counts(app) == (0, 0)  # nothing half-written
    # The same rating goes through once the lock is free.
    again = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    assert again.status_code == 302 and _counts(app) == (1, 1)


@only_postgres  # a SQLite file has no connection to drop
def test_a_dropped_connection_is_replaced_before_use(make_app, request):
    schema = request.getfixturevalue("pg_schema")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {
        "options": f"-csearch_path={schema}", "application_name": "quizapp-ping-test"}})
    client = app.test_client()
    with app.app_context():
        Users(app, client).login_as(Role.STUDENT)
        db.session.remove()
    assert client.get("/study/").status_code == 200
    _drop_pooled_connections(app)
    assert client.get("/study/").status_code == 200  # tested at checkout, and replaced


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
