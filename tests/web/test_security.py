"""Roles, CSRF, rate limits, headers and start-up safety."""

import uuid

import pytest
from flask import Flask

from quizapp import create_app
from quizapp.config import ConfigError
from quizapp.models import Role
from tests.conftest import PASSWORD, REDIS_URL, require_service


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please log in to see that page." in page and "password was changed" not in page


def test_student_gets_403_on_admin_page(client, users):
    users.login_as(Role.STUDENT)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_admin_changes_a_role(client, users):
    target = users.create("future-teacher@example.org")
    users.login_as(Role.ADMIN)
    assert "future-teacher@example.org" in client.get("/admin/users").get_data(as_text=True)
    response = client.post(f"/admin/users/{target.id}/role", data={"role": "teacher"})
    assert response.status_code == 302
    assert target.role == "teacher"
    bad = client.post(f"/admin/users/{target.id}/role", data={"role": "emperor"},
                      follow_redirects=True)
    assert "Choose student, teacher or admin" in bad.get_data(as_text=True)


def test_post_without_csrf_token_is_rejected(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_form_with_csrf_token_is_accepted(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/register", data={
        "csrf_token": token, "name": "A", "email": "a@example.org",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def _sixth_failed_login(app: Flask) -> list[int]:
    client = app.test_client()
    return [client.post("/login", data={"email": "x@example.org",
                                        "password": "wrong"}).status_code for _ in range(6)]


def test_sixth_rapid_failed_login_is_429(make_app):
    codes = _sixth_failed_login(make_app())
    assert codes == [200] * 5 + [429]


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(make_app):
    app = make_app()
    from tests.conftest import Users

    with app.app_context():
        Users(app, app.test_client()).create("victim@example.org")
    for n in range(10):
        app.test_client().post("/login", data={"email": "victim@example.org", "password": "x"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    own = app.test_client().post("/login", data={"email": "victim@example.org",
                                                 "password": PASSWORD},
                                 environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert own.status_code == 302


def test_guessing_one_account_from_many_addresses_meets_the_backstop(make_app):
    app = make_app(LOGIN_ACCOUNT_RATE_LIMIT="8 per hour")
    codes = [app.test_client().post("/login", data={
        "email": "victim@example.org", "password": "x"},
        environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code for n in range(10)]
    assert codes == [200] * 8 + [429] * 2


def test_a_classroom_behind_one_address_can_all_log_in(make_app):
    app = make_app()
    from tests.conftest import Users

    with app.app_context():
        for n in range(30):
            Users(app, app.test_client()).create(f"pupil{n}@example.org")
    codes = [app.test_client().post("/login", data={
        "email": f"pupil{n}@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for n in range(30)]
    assert codes == [302] * 30


def test_a_rate_limit_key_is_never_longer_than_an_email(make_app):
    app = make_app()
    answer = app.test_client().post("/login", data={"email": "a" * 900_000, "password": "x"})
    assert answer.status_code == 200  # the form says the email is too long
    from quizapp.extensions import limiter

    assert all(len(str(key)) < 400 for key in limiter.storage.storage)  # memory:// keys


def test_rate_limit_held_in_redis(make_app):
    if not REDIS_URL:
        require_service("QUIZAPP_TEST_REDIS_URL is not set")
    import redis

    from quizapp.extensions import limiter

    prefix = f"quizapp-test-{uuid.uuid4().hex}"
    app = make_app(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    assert "redis" in type(limiter.storage).__name__.lower()
    codes = _sixth_failed_login(app)
    assert codes == [200] * 5 + [429]
    keys = redis.Redis.from_url(REDIS_URL).keys("*login-account:x@example.org*")
    assert keys, "the counters live in Redis"
    # Another worker or host sharing Redis sees the same count.
    other = make_app(reset_limits=False, RATELIMIT_STORAGE_URI=REDIS_URL,
                     RATELIMIT_KEY_PREFIX=prefix)
    again = other.test_client().post("/login", data={"email": "x@example.org", "password": "x"})
    assert again.status_code == 429
    limiter.reset()


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_and_lax(client, users):
    users.create("c@example.org")
    cookie = users.login("c@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.delenv("QUIZAPP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="QUIZAPP_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_with_secret_key_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "s" * 64)
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "s" * 64


def test_healthz_names_the_backend(client, backend):
    body = client.get("/healthz").get_json()
    assert body["database"] == {"backend": "postgresql" if backend == "postgres" else "sqlite",
                                "answers": True}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_behind_a_proxy_each_client_has_its_own_limit(make_app):
    app = make_app(PROXY_HOPS=1)
    client = app.test_client()
    for _ in range(5):
        client.post("/login", data={"email": "a@example.org", "password": "x"},
                    headers={"X-Forwarded-For": "203.0.113.1"})
    other = client.post("/login", data={"email": "b@example.org", "password": "x"},
                        headers={"X-Forwarded-For": "203.0.113.2"})
    assert other.status_code == 200  # not the first client's 429


def test_hsts_only_in_production(monkeypatch, tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "s" * 64)
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    production = create_app()
    assert production.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_only_trusted_hosts_are_answered(monkeypatch, make_app):
    monkeypatch.setenv("QUIZAPP_TRUSTED_HOSTS", "quiz.example.org, .school.example")
    client = make_app().test_client()
    assert client.get("/login", headers={"Host": "quiz.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "ict.school.example"}).status_code == 200
    refused = client.get("/login", headers={"Host": "quiz.example.org.evil.test"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This site is not served at this address" in page  # the app's page, no trace
    assert "href=" not in page  # every link from it would be refused too


def test_an_empty_trusted_host_list_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_TRUSTED_HOSTS", " , ")
    with pytest.raises(ConfigError, match="QUIZAPP_TRUSTED_HOSTS must list at least one"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})




# -- Login sessions live in the database: whatever one worker (or host) does to a login,
# every other one sees on its next request. Two app instances on one database stand for two
# gunicorn workers.

def _token(page_html: str) -> str:
    return page_html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]


def _logged_in(app: Flask, email: str, role: Role = Role.STUDENT):
    from tests.conftest import Users

    client = app.test_client()
    with app.app_context():
        Users(app, client).create(email, role=role)
    response = client.post("/login", data={"csrf_token": _token(client.get("/login").get_data(
        as_text=True)), "email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _same_browser(client, other_app: Flask):
    """The same browser's next request, served by another worker."""
    other = other_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_demoted_admin_is_refused_on_every_worker_at_once(make_app):
    first = make_app(WTF_CSRF_ENABLED=True)
    second = make_app(reset_limits=False, WTF_CSRF_ENABLED=True)
    admin = _logged_in(first, "boss@example.org", Role.ADMIN)
    other_admin = _logged_in(second, "deputy@example.org", Role.ADMIN)
    target = _logged_in(first, "pupil@example.org")
    for worker in (first, second):  # each worker has served this admin's pages
        assert _same_browser(admin, worker).get("/admin/users").status_code == 200
    with second.app_context():
        from quizapp.extensions import db
        from quizapp.models import User

        boss = db.session.scalar(User.by_email("boss@example.org"))
        pupil_id = db.session.scalar(User.by_email("pupil@example.org")).id
        page = other_admin.get("/admin/users").get_data(as_text=True)
    demoted = other_admin.post(f"/admin/users/{boss.id}/role",
                               data={"role": "student", "csrf_token": _token(page)})
    assert demoted.status_code == 302
    # Their very next request, on either worker, is a student's.
    for worker in (first, second):
        browser = _same_browser(admin, worker)
        assert browser.get("/admin/users").status_code == 403
        page = browser.get("/").get_data(as_text=True)
        promote = browser.post(f"/admin/users/{pupil_id}/role",
                               data={"role": "admin", "csrf_token": _token(page)})
        assert promote.status_code == 403
    with first.app_context():
        assert db.session.scalar(User.by_email("pupil@example.org")).role == "student"
    assert target.get("/").status_code == 200


def test_a_cookie_replayed_after_logout_gets_the_login_page(make_app):
    first = make_app(WTF_CSRF_ENABLED=True)
    second = make_app(reset_limits=False, WTF_CSRF_ENABLED=True)
    client = _logged_in(first, "leaver@example.org")
    stolen = client.get_cookie("session").value
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": _token(page)}).status_code == 302
    for worker in (first, second):
        replay = worker.test_client()
        replay.set_cookie("session", stolen)
        answer = replay.get("/progress")
        assert answer.status_code == 302 and "/login?next=" in answer.headers["Location"]
        # Nor does the old cookie's CSRF token let it change anything.
        assert replay.post("/study/settings", data={"csrf_token": _token(page)}).status_code \
            in (302, 400)
        assert replay.get("/progress").status_code == 302


def test_a_password_change_ends_the_other_browsers_and_keeps_this_one(make_app):
    from quizapp.auth.views import SESSION_ENDED

    first = make_app(WTF_CSRF_ENABLED=True)
    second = make_app(reset_limits=False, WTF_CSRF_ENABLED=True)
    laptop = _logged_in(first, "owner@example.org")
    phone = second.test_client()
    answer = phone.post("/login", data={"csrf_token": _token(phone.get("/login").get_data(
        as_text=True)), "email": "owner@example.org", "password": PASSWORD})
    assert answer.status_code == 302 and phone.get("/progress").status_code == 200
    form = laptop.get("/account/password").get_data(as_text=True)
    changed = laptop.post("/account/password", data={
        "csrf_token": _token(form), "current": PASSWORD, "password": "a new secret 1",
        "confirm": "a new secret 1"})
    assert changed.status_code == 302
    assert laptop.get("/progress").status_code == 200  # this browser stays in
    refused = phone.get("/progress")
    assert refused.status_code == 302
    assert SESSION_ENDED["password"] in phone.get(refused.headers["Location"]).get_data(
        as_text=True)


def test_a_cookie_from_before_login_does_not_log_anyone_in(make_app):
    """Session fixation: a cookie planted before the victim logs in stays anonymous."""
    app = make_app(WTF_CSRF_ENABLED=True)
    victim = app.test_client()
    victim.get("/login")
    planted = victim.get_cookie("session").value
    from tests.conftest import Users

    with app.app_context():
        Users(app, victim).create("victim@example.org")
    victim.post("/login", data={"csrf_token": _token(victim.get("/login").get_data(
        as_text=True)), "email": "victim@example.org", "password": PASSWORD})
    assert victim.get("/progress").status_code == 200
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/progress").status_code == 302


def test_the_csrf_token_changes_at_login_and_logout(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    anonymous = _token(client.get("/login").get_data(as_text=True))
    from tests.conftest import Users

    with app.app_context():
        Users(app, client).create("rotate@example.org")
    client.post("/login", data={"csrf_token": anonymous, "email": "rotate@example.org",
                                "password": PASSWORD})
    signed_in = _token(client.get("/").get_data(as_text=True))
    # The token from before login no longer works.
    assert client.post("/study/settings", data={"csrf_token": anonymous}).status_code == 400
    client.post("/logout", data={"csrf_token": signed_in})
    assert client.post("/login", data={"csrf_token": signed_in, "email": "rotate@example.org",
                                       "password": PASSWORD}).status_code == 400


def test_a_csrf_token_older_than_a_school_day_asks_for_a_reload(make_app, monkeypatch):
    import time

    app = make_app(WTF_CSRF_ENABLED=True)
    client = _logged_in(app, "slow@example.org")
    token = _token(client.get("/study/settings").get_data(as_text=True))
    later = time.time() + 13 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    answer = client.post("/study/settings", data={"csrf_token": token})
    assert answer.status_code == 400
    assert "Reload the page" in answer.get_data(as_text=True)


def test_a_flood_of_flash_messages_leaves_the_session_small(make_app):
    """A script that never follows the redirect to the login page would make every request
    add a message to its cookie."""
    app = make_app()
    client = app.test_client()
    for _ in range(300):
        assert client.get("/progress").status_code == 302
    assert len(client.get_cookie("session").value) < 600
    page = client.get("/login").get_data(as_text=True)
    assert page.count("Please log in to see that page.") == 1


def test_anonymous_requests_leave_the_workers_memory_as_it_was(make_app):
    """Nothing is kept per cookie or per user between requests: thousands of anonymous
    visitors, each with a cookie of its own, leave nothing behind."""
    import gc
    import tracemalloc

    app = make_app()

    def visit(count: int) -> None:
        for n in range(count):  # each piles a few messages into a cookie of its own
            client = app.test_client()
            for _ in range(4):
                client.get("/progress", headers={"User-Agent": f"bot {n}"})

    visit(100)  # warm: templates compiled, pools filled
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    visit(1000)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"grown {grown}")
    assert grown < 128 * 1024, f"{grown} bytes kept after 1,000 visitors"


def test_private_pages_are_not_cached(client, users):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    users.login_as(Role.STUDENT)
    assert client.get("/progress").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"
