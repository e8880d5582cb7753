"""The logged-in user is not read from the database on every request, yet stays fresh: a
user's own change reaches every worker at once, someone else's within USER_CACHE_SECONDS, and
a password is always checked against the database.

Two apps on one database stand for two gunicorn workers; one browser's cookies go to either."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from werkzeug.test import Client

from quizapp.auth import known_users
from quizapp.auth.views import PASSWORD_CHANGED
from quizapp.config import ConfigError
from quizapp.config import load as load_config
from quizapp.extensions import db
from quizapp.models import Role, User
from tests.conftest import PASSWORD, Users

NEW_PASSWORD = "a brand new passphrase"


class Workers:
    """Apps sharing one database; `browser()` is a cookie jar whose requests go to the app
    named on each call, each request in its own app context, as under gunicorn."""

    def __init__(self, make_app, **config):
        self.apps = [make_app(**config), make_app(reset_limits=False, **config)]
        self.target = self.apps[0]

    def _wsgi(self, environ, start_response):
        return self.target.wsgi_app(environ, start_response)

    def browser(self) -> Browser:
        return Browser(self)

    def user_reads(self, index: int) -> list[str]:
        """Record the statements that read the users table through one app."""
        with self.apps[index].app_context():
            engine = db.engine
        seen: list[str] = []
        event.listen(engine, "before_cursor_execute",
                     lambda _c, _cu, sql, *_: seen.append(sql) if "FROM users" in sql else None)
        return seen


class Browser:
    def __init__(self, workers: Workers):
        self.workers = workers
        self.client = Client(workers._wsgi)

    def get(self, index: int, path: str):
        self.workers.target = self.workers.apps[index]
        return self.client.get(path)

    def post(self, index: int, path: str, data: dict):
        self.workers.target = self.workers.apps[index]
        return self.client.post(path, data=data)

    def login(self, index: int, email: str, password: str = PASSWORD):
        response = self.post(index, "/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)


def _account(app, email: str, role: Role = Role.STUDENT) -> None:
    with app.app_context():
        Users(app, app.test_client()).create(email=email, role=role)
        db.session.remove()


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def _settings(**changes) -> dict:
    return {"timezone": "UTC", "desired_retention": "0.90", "new_cards_per_day": "20",
            "max_reviews_per_day": "200", "learning_steps": "1m 10m"} | changes


def _new_cards_per_day(page) -> str:
    return re.search(r'name="new_cards_per_day"[^>]*value="(\d+)"',
                     page.get_data(as_text=True)).group(1)


def _laptop_and_phone(make_app) -> tuple[Browser, Browser]:
    """One student logged in twice: the laptop on worker 0, the phone on worker 1."""
    workers = Workers(make_app)
    _account(workers.apps[0], "s@example.org")
    laptop, phone = workers.browser(), workers.browser()
    laptop.login(0, "s@example.org")
    phone.login(1, "s@example.org")
    return laptop, phone


def test_a_known_user_is_not_read_again_within_the_cache_time(make_app):
    workers = Workers(make_app)
    _account(workers.apps[0], "s@example.org")
    browser = workers.browser()
    browser.login(0, "s@example.org")
    reads = workers.user_reads(0)
    assert browser.get(0, "/study/").status_code == 200
    assert len(reads) == 1  # first request after login: read once
    assert browser.get(0, "/study/").status_code == 200
    assert browser.get(0, "/progress").status_code == 200
    assert len(reads) == 1, reads


def test_with_no_cache_time_the_user_is_read_on_every_request(make_app):
    workers = Workers(make_app, USER_CACHE_SECONDS=0)
    _account(workers.apps[0], "s@example.org")
    browser = workers.browser()
    browser.login(0, "s@example.org")
    reads = workers.user_reads(0)
    browser.get(0, "/study/")
    browser.get(0, "/study/")
    assert len(reads) == 2


def test_my_own_change_reaches_the_other_worker_at_once(make_app):
    workers = Workers(make_app)
    _account(workers.apps[0], "s@example.org")
    browser = workers.browser()
    browser.login(0, "s@example.org")
    assert _new_cards_per_day(browser.get(1, "/study/settings")) == "20"  # worker 1 knows me
    saved = browser.post(0, "/study/settings", _settings(new_cards_per_day="5"))
    assert saved.status_code == 302
    assert _new_cards_per_day(browser.get(1, "/study/settings")) == "5"
    assert _new_cards_per_day(browser.get(0, "/study/settings")) == "5"


def test_a_role_change_by_an_admin_is_seen_at_once_by_that_worker_and_soon_by_the_others(
        make_app):
    workers = Workers(make_app)
    _account(workers.apps[0], "s@example.org")
    _account(workers.apps[0], "admin@example.org", Role.ADMIN)
    now = [1000.0]
    for app in workers.apps:
        known_users.of(app).clock = lambda: now[0]
    student, admin = workers.browser(), workers.browser()
    student.login(0, "s@example.org")
    admin.login(0, "admin@example.org")
    for index in (0, 1):
        assert "/classes" not in student.get(index, "/").get_data(as_text=True)
    student_id = _user_id(workers.apps[0], "s@example.org")
    changed = admin.post(0, f"/admin/users/{student_id}/role", {"role": "teacher"})
    assert changed.status_code == 302
    assert "/classes" in student.get(0, "/").get_data(as_text=True)  # the admin's worker
    assert "/classes" not in student.get(1, "/").get_data(as_text=True)  # not yet
    now[0] += known_users.of(workers.apps[1]).seconds
    assert "/classes" in student.get(1, "/").get_data(as_text=True)


def test_a_password_is_always_checked_against_the_database(make_app):
    laptop, phone = _laptop_and_phone(make_app)
    assert phone.get(1, "/account/password").status_code == 200  # worker 1 knows the phone
    changed = laptop.post(0, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    # The phone, signed in before the change, is logged out when it tries to change it back
    # (worker 1's cached copy knows no hash), and the old password no longer logs in there.
    stale = phone.post(1, "/account/password", {
        "current": PASSWORD, "password": "yet another passphrase",
        "confirm": "yet another passphrase"})
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    assert phone.post(1, "/login", {"email": "s@example.org", "password": PASSWORD}
                      ).status_code == 200
    phone.login(1, "s@example.org", NEW_PASSWORD)



def test_changing_the_password_logs_out_the_other_browsers(make_app):
    """The other browsers are logged out as soon as a worker reads the user afresh: at once
    on the worker where the password changed; on another worker that had the user cached,
    within USER_CACHE_SECONDS, and meanwhile they cannot change the account. The
    browser that changed it stays signed in everywhere."""
    laptop, phone = _laptop_and_phone(make_app)
    tablet = laptop.workers.browser()
    tablet.login(1, "s@example.org")
    workers = laptop.workers
    now = [1000.0]
    for app in workers.apps:
        known_users.of(app).clock = lambda: now[0]
    for browser, index in ((phone, 0), (phone, 1), (tablet, 1)):
        assert browser.get(index, "/account/password").status_code == 200
    changed = laptop.post(0, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert "Any other browser signed in to your account has been logged out." in \
        laptop.get(0, "/").get_data(as_text=True)
    stale = phone.get(0, "/account/password")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    assert PASSWORD_CHANGED in phone.get(0, stale.headers["Location"]).get_data(as_text=True)
    # Worker 1 still has its copy: the tablet can read, but saving reads the row and ends.
    assert tablet.get(1, "/study/settings").status_code == 200
    refused = tablet.post(1, "/study/settings", _settings(new_cards_per_day="7"))
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert PASSWORD_CHANGED in tablet.get(1, refused.headers["Location"]).get_data(as_text=True)
    assert tablet.get(1, "/study/settings").status_code == 302
    with workers.apps[0].app_context():
        assert db.session.scalar(db.select(User.new_cards_per_day)) == 20
    assert phone.get(1, "/account/password").status_code == 200  # worker 1's copy, for now
    now[0] += known_users.of(workers.apps[1]).seconds
    assert phone.get(1, "/account/password").status_code == 302
    for index in (0, 1):
        assert laptop.get(index, "/account/password").status_code == 200
    phone.login(1, "s@example.org", NEW_PASSWORD)
    assert phone.get(0, "/account/password").status_code == 200


def test_a_password_change_holds_the_users_row_until_it_commits(make_app):
    """Two changes at once must not both succeed (both would keep their browsers signed in,
    at the same version). On PostgreSQL the change reads the row FOR UPDATE, so the second
    waits and then finds the old password gone; on SQLite the POST's BEGIN IMMEDIATE
    already lets one writer in at a time."""
    workers = Workers(make_app)
    _account(workers.apps[0], "s@example.org")
    browser = workers.browser()
    browser.login(0, "s@example.org")
    reads = workers.user_reads(0)
    changed = browser.post(0, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    locked = [sql for sql in reads if "FOR UPDATE" in sql]
    with workers.apps[0].app_context():
        backend = db.engine.dialect.name
    assert len(locked) == (1 if backend == "postgresql" else 0), reads


@pytest.mark.parametrize("kept, parsed", [
    ("7", (7, 0)), ("7:3", (7, 3)), ("", None), (":", None), ("7:", None), ("x:1", None),
    ("7:x", None), ("7:1:2", None), ("-7", None), ("7:-1", None), ("7:0", None), (" 7", None),
    ("+7", None), ("9" * 19, None), (None, None), (7, (7, 0))])
def test_what_a_session_keeps_of_its_user_is_read_strictly(kept, parsed):
    assert known_users.parse_session_id(kept) == parsed


def test_sessions_from_before_session_versions_hold_until_the_password_changes(make_app):
    """Sessions signed in before the upgrade hold the bare user id: they stay valid for a
    user still at version 0 (every user, right after the migration), and end once that
    user's password changes."""
    workers = Workers(make_app)
    _account(workers.apps[0], "old@example.org")
    user_id = _user_id(workers.apps[0], "old@example.org")
    with workers.apps[0].app_context():
        db.session.get(User, user_id).session_version = 0
        db.session.commit()
    browser = workers.browser()
    with workers.apps[0].test_request_context():
        cookie = workers.apps[0].session_interface.get_signing_serializer(
            workers.apps[0]).dumps({"_user_id": str(user_id), "_fresh": True})
    browser.client.set_cookie("session", cookie)
    assert browser.get(0, "/account/password").status_code == 200
    with workers.apps[0].app_context():
        db.session.get(User, user_id).set_password(NEW_PASSWORD, "pbkdf2:sha256:1000")
        db.session.commit()
    assert browser.get(0, "/account/password").status_code == 302

def test_the_cache_holds_a_bounded_number_of_users(make_app):
    workers = Workers(make_app)
    cache = known_users.of(workers.apps[0])
    cache.max_entries = 1
    for email in ("a@example.org", "b@example.org"):
        _account(workers.apps[0], email)
        browser = workers.browser()
        browser.login(0, email)
        assert browser.get(0, "/").status_code == 200
        assert len(cache) == 1


def test_a_form_from_another_device_saves_what_it_shows(make_app):
    laptop, phone = _laptop_and_phone(make_app)
    assert _new_cards_per_day(phone.get(1, "/study/settings")) == "20"  # the phone's form
    laptop.post(0, "/study/settings", _settings(new_cards_per_day="5"))
    # The phone's worker still knows the row with 20, but the phone submits its 20 on purpose.
    saved = phone.post(1, "/study/settings", _settings(new_cards_per_day="20"))
    assert saved.status_code == 302
    assert _new_cards_per_day(laptop.get(0, "/study/settings")) == "20"


def test_a_row_read_while_a_change_commits_is_not_kept(make_app):
    app = make_app()
    _account(app, "s@example.org")
    uid = _user_id(app, "s@example.org")
    cache = known_users.of(app)

    def change_commits_meanwhile(_conn, _cursor, sql, *_):
        if "FROM users" in sql:
            cache.forget(uid)  # what another thread's commit of this user does

    with app.test_request_context():
        event.listen(db.engine, "after_cursor_execute", change_commits_meanwhile)
        try:
            assert cache.load(uid).email == "s@example.org"
        finally:
            event.remove(db.engine, "after_cursor_execute", change_commits_meanwhile)
        db.session.remove()
    assert len(cache) == 0


def test_a_user_the_view_already_read_is_the_logged_in_user(make_app):
    app = make_app()
    _account(app, "s@example.org")
    uid = _user_id(app, "s@example.org")
    with app.test_request_context():
        read = db.session.get(User, uid)
        assert known_users.of(app).load(uid) is read
        db.session.remove()


def test_a_change_survives_a_savepoint_rolled_back_after_it(make_app):
    app = make_app()
    _account(app, "s@example.org")
    uid = _user_id(app, "s@example.org")
    cache = known_users.of(app)
    with app.test_request_context():
        user = known_users.fresh(cache.load(uid))  # as views that change the user do
        db.session.commit()
        assert len(cache) == 1
        user.name = "Renamed"
        db.session.flush()
        with db.session.begin_nested() as savepoint:
            savepoint.rollback()
        db.session.commit()
        db.session.remove()
    assert len(cache) == 0
    with app.test_request_context():
        assert cache.load(uid).name == "Renamed"
        db.session.remove()


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf", "86400"])
def test_a_bad_cache_time_stops_the_app_with_a_clear_message(monkeypatch, tmp_path, value):
    monkeypatch.setenv("QUIZAPP_USER_CACHE_SECONDS", value)
    with pytest.raises(ConfigError, match="QUIZAPP_USER_CACHE_SECONDS"):
        load_config(str(tmp_path))


def test_the_cached_user_is_not_read_again_after_a_commit(make_app):
    """It is detached: a commit in the view does not expire it, so the layout rendered after
    it reads no row (before, every column was read again, the password hash included)."""
    app = make_app()
    _account(app, "s@example.org")
    uid = _user_id(app, "s@example.org")
    statements = []

    def seen(_conn, _cursor, sql, *_rest):
        statements.append(sql)

    with app.test_request_context():
        known_users.of(app).load(uid)  # read once, then cached
        user = known_users.of(app).load(uid)
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            db.session.commit()
            assert user.name  # the layout shows it
            assert statements == []
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        db.session.remove()
