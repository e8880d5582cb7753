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


def test_limit_is_per_account_across_addresses(make_app):
    app = make_app()
    for n in range(5):
        app.test_client().post("/login", data={"email": "victim@example.org", "password": "x"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    blocked = app.test_client().post("/login", data={"email": "victim@example.org",
                                                     "password": PASSWORD},
                                     environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_limit(make_app):
    app = make_app()
    client = app.test_client()
    from tests.conftest import Users

    with app.app_context():
        Users(app, client).create("ok@example.org")
    for _ in range(7):
        client.post("/logout")
        assert client.post("/login", data={"email": "ok@example.org",
                                           "password": PASSWORD}).status_code == 302


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


# -- Session cookies and CSRF tokens: each worker verifies a cookie once and signs a CSRF
# token once (quizapp/security.py); what they let in must stay exactly what Flask lets in.

def _logged_in_client(app: Flask, email: str):
    from tests.conftest import Users

    client = app.test_client()
    with app.app_context():
        Users(app, client).create(email)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    response = client.post("/login", data={"csrf_token": token, "email": email,
                                           "password": PASSWORD})
    assert response.status_code == 302
    return client


def _logout_token(client) -> str:
    page = client.get("/study/").get_data(as_text=True)
    return page.split('action="/logout"')[1].split('name="csrf_token" value="')[1].split('"')[0]


def test_a_remembered_session_cookie_still_expires(make_app, monkeypatch):
    import time

    app = make_app(PERMANENT_SESSION_LIFETIME=600)
    client = _logged_in_client(app, "expiring@example.org")
    for _ in range(2):  # the first shows (and so ends) the welcome message: a new cookie
        assert client.get("/study/").status_code == 200
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/study/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_one_character_off_a_remembered_one_is_refused(make_app):
    app = make_app()
    client = _logged_in_client(app, "forged@example.org")
    assert client.get("/study/").status_code == 200
    cookie = client.get_cookie("session").value
    spot = len(cookie) // 3  # inside the signed payload
    forged = cookie[:spot] + ("A" if cookie[spot] != "A" else "B") + cookie[spot + 1:]
    client.set_cookie("session", forged)
    response = client.get("/study/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remembered_cookie_gives_each_request_its_own_session(make_app):
    """The same cookie sent twice (a second tab, a retry) shows its message both times:
    reading the message in one request does not take it out of the remembered cookie."""
    app = make_app()
    client = _logged_in_client(app, "twice@example.org")
    with_message = client.get_cookie("session").value  # carries "Welcome back"
    for _ in range(2):
        client.set_cookie("session", with_message)
        assert "Welcome back" in client.get("/").get_data(as_text=True)


def test_csrf_token_is_signed_once_per_session_and_fits_only_that_session(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    first = _logged_in_client(app, "first@example.org")
    second = _logged_in_client(app, "second@example.org")
    token = _logout_token(first)
    assert _logout_token(first) == token  # handed out again, not signed afresh
    assert _logout_token(second) != token
    assert second.post("/logout", data={"csrf_token": token}).status_code == 400
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302
