"""Roles, CSRF, rate limits, headers and start-up safety."""

import uuid

import pytest
from flask import Flask
from flask import request as flask_request

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


def _remembered_cookie(client) -> str:
    for _ in range(2):  # the first shows (and so ends) the welcome message: a new cookie
        assert client.get("/study/").status_code == 200
    return client.get_cookie("session").value


def _sent_to_login(client) -> bool:
    response = client.get("/study/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _signed_cookies(app: Flask):
    return app.session_interface._signing(app)[2]


def _logout_token(client) -> str:
    page = client.get("/study/").get_data(as_text=True)
    return page.split('action="/logout"')[1].split('name="csrf_token" value="')[1].split('"')[0]


@pytest.mark.parametrize("seconds", [601, -5])
def test_a_remembered_session_cookie_still_expires(make_app, monkeypatch, seconds):
    """Older than the session lifetime, or signed in the future: refused, as Flask would."""
    import time

    app = make_app(PERMANENT_SESSION_LIFETIME=600)
    client = _logged_in_client(app, "expiring@example.org")
    _remembered_cookie(client)
    then = time.time() + seconds
    monkeypatch.setattr(time, "time", lambda: then)
    assert _sent_to_login(client)


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_cookie_one_character_off_a_remembered_one_is_refused(make_app, where):
    app = make_app()
    client = _logged_in_client(app, "forged@example.org")
    cookie = _remembered_cookie(client)
    spot = len(cookie) // 3 if where == "payload" else len(cookie) - 10
    forged = cookie[:spot] + ("A" if cookie[spot] != "A" else "B") + cookie[spot + 1:]
    client.set_cookie("session", forged)
    assert _sent_to_login(client)


def test_new_keys_forget_the_cookies_verified_under_the_old_ones(make_app):
    app = make_app()
    client = _logged_in_client(app, "rotated@example.org")
    _remembered_cookie(client)
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    app.config["SECRET_KEY"] = "next-secret"
    assert client.get("/study/").status_code == 200  # the old key is still a fallback
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _sent_to_login(client)


def test_one_cookie_written_many_ways_takes_one_place(make_app):
    """itsdangerous accepts a signature with stray characters in it; each such spelling of
    a valid cookie is still accepted, but only the app's own spelling is remembered, so a
    flood of them cannot fill a worker's memory."""
    app = make_app()
    client = _logged_in_client(app, "flood@example.org")
    cookie = _remembered_cookie(client)
    before = len(_signed_cookies(app))
    for n in range(20):
        client.set_cookie("session", cookie + "!!!!" * (n + 1))
        assert client.get("/study/").status_code == 200
    assert len(_signed_cookies(app)) == before


def test_each_request_gets_its_own_copy_of_a_remembered_session(make_app):
    """Changing one request's session (a flash message added to the list) leaves the next
    request with the same cookie as the cookie says."""
    app = make_app()
    client = _logged_in_client(app, "twice@example.org")
    with_message = client.get_cookie("session").value  # carries "Welcome back"
    interface = app.session_interface
    with app.test_request_context(headers={"Cookie": f"session={with_message}"}):
        for _ in range(2):
            opened = interface.open_session(app, flask_request)
            assert opened["_flashes"] == [("success", "Welcome back, twice.")]
            opened["_flashes"].append(("info", "added in this request"))


def test_each_request_gets_its_own_copy_of_a_remembered_plain_session(make_app):
    """A session of plain values (no message waiting) is kept decoded; a request that
    changes its session leaves the next one with what the cookie says."""
    app = make_app()
    client = _logged_in_client(app, "plain@example.org")
    cookie = _remembered_cookie(client)
    assert _signed_cookies(app).get(cookie)[2] is not None  # kept decoded
    interface = app.session_interface
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        for _ in range(2):
            opened = interface.open_session(app, flask_request)
            assert "note" not in opened and opened["_user_id"]
            opened["note"] = "added in this request"
            opened.pop("_user_id")


def test_csrf_token_is_signed_once_per_session_and_fits_only_that_session(make_app,
                                                                         monkeypatch):
    import time

    app = make_app(WTF_CSRF_ENABLED=True)
    first = _logged_in_client(app, "first@example.org")
    second = _logged_in_client(app, "second@example.org")
    token = _logout_token(first)
    later = time.time() + 5  # a token signed now would carry another time
    monkeypatch.setattr(time, "time", lambda: later)
    assert _logout_token(first) == token  # handed out again, not signed afresh
    assert _logout_token(second) != token
    assert second.post("/logout", data={"csrf_token": token}).status_code == 400
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302


def test_with_a_csrf_time_limit_every_page_gets_a_fresh_token(make_app, monkeypatch):
    import time

    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600)
    client = _logged_in_client(app, "limited@example.org")
    token = _logout_token(client)
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert _logout_token(client) != token


def test_a_new_csrf_key_is_used_at_once(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_SECRET_KEY="csrf-one")
    client = _logged_in_client(app, "csrf-key@example.org")
    _logout_token(client)
    app.config["WTF_CSRF_SECRET_KEY"] = "csrf-two"
    assert client.post("/logout", data={"csrf_token": _logout_token(client)}).status_code == 302


def test_a_token_left_over_from_another_session_is_not_kept(make_app):
    """Where one app context spans several requests (some test set-ups, scripts), Flask-WTF
    hands the next request the token still in `g`. A worker that has not seen the second
    session yet must not remember that token as the second session's."""
    app = make_app(WTF_CSRF_ENABLED=True)
    first = _logged_in_client(app, "left-a@example.org")
    second = _logged_in_client(app, "left-b@example.org")
    other = make_app(reset_limits=False, WTF_CSRF_ENABLED=True)  # same database and keys
    a, b = other.test_client(), other.test_client()
    a.set_cookie("session", first.get_cookie("session").value)
    b.set_cookie("session", second.get_cookie("session").value)
    with other.app_context():
        _logout_token(a)
        _logout_token(b)
    token = _logout_token(b)
    assert b.post("/logout", data={"csrf_token": token}).status_code == 302


# -- Session protection: each worker remembers the browsers' fingerprints
# (quizapp/auth/protection.py); they must stay Flask-Login's own.

@pytest.mark.parametrize("headers", [
    {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"},
    {"User-Agent": "Zoë's browser ✓"},
    {},
    {"User-Agent": "curl/8", "X-Forwarded-For": "203.0.113.7, 10.0.0.1"},
], ids=["browser", "unicode", "no-agent", "forwarded"])
def test_browser_fingerprint_is_flask_logins(app, headers):
    from flask_login.utils import _create_identifier

    from quizapp.auth.protection import browser_identifier

    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.4"}):
        assert browser_identifier() == _create_identifier()
        assert browser_identifier() == _create_identifier()  # remembered, still the same


def test_strong_session_protection_ends_a_session_taken_to_another_browser(make_app):
    app = make_app(SESSION_PROTECTION="strong")
    client = _logged_in_client(app, "strong@example.org")
    assert client.get("/study/").status_code == 200  # same browser: still logged in
    client.environ_base["HTTP_USER_AGENT"] = "Another browser/1.0"
    assert _sent_to_login(client)


def test_vary_cookie_joins_a_vary_the_view_set(make_app):
    app = make_app()

    @app.get("/varies")
    def varies():
        from flask import session

        session.get("anything")
        return "ok", 200, {"Vary": "Accept-Encoding"}

    client = _logged_in_client(app, "varies@example.org")  # a session with nothing to write
    for _ in range(2):  # the first request ends the welcome message: a new cookie
        response = client.get("/varies")
    assert "Set-Cookie" not in response.headers
    assert response.headers.get_all("Vary") == ["Accept-Encoding, Cookie"]


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


def _settings_post(client, token, **options) -> int:
    """A form post that keeps the student logged in: 400 when the CSRF check refuses it."""
    status = client.post("/study/settings", data={"csrf_token": token}, **options).status_code
    return 400 if status == 400 else 200


def _signed_by_another_worker(make_app, client, monkeypatch) -> str:
    """The client's session token as another worker (same keys) signs it, a few seconds on,
    so it differs from the one this worker handed out."""
    import time

    other = make_app(reset_limits=False, WTF_CSRF_ENABLED=True)
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", client.get_cookie("session").value)
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    return _logout_token(elsewhere)


def test_a_csrf_token_is_verified_once_per_worker_then_compared(make_app, monkeypatch):
    import flask_wtf.csrf as wtf_csrf

    calls = []
    real = wtf_csrf.validate_csrf
    monkeypatch.setattr(wtf_csrf, "validate_csrf",
                        lambda data, *a, **k: (calls.append(data), real(data, *a, **k))[1])
    app = make_app(WTF_CSRF_ENABLED=True)
    client = _logged_in_client(app, "compared@example.org")
    signed_elsewhere = _signed_by_another_worker(make_app, client, monkeypatch)
    assert signed_elsewhere != _logout_token(client)
    calls.clear()
    assert [_settings_post(client, signed_elsewhere) for _ in range(3)] == [200] * 3
    assert len(calls) == 1  # verified the first time, recognised after
    assert [_settings_post(client, _logout_token(client)) for _ in range(2)] == [200] * 2
    assert len(calls) == 1  # handed out by this worker: known from the start
    assert _settings_post(client, signed_elsewhere[:-2] + "xx") == 400
    assert len(calls) == 2  # anything else is verified


def test_a_token_near_a_known_one_is_still_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = _logged_in_client(app, "near@example.org")
    token = _logout_token(client)
    assert _settings_post(client, token) == 200
    spot = len(token) - 3
    forged = token[:spot] + ("A" if token[spot] != "A" else "B") + token[spot + 1:]
    assert _settings_post(client, forged) == 400
    assert _settings_post(client, forged) == 400  # a refused token is not remembered either
    assert _settings_post(client, "") == 400


def test_a_token_written_with_stray_characters_is_not_remembered(make_app, monkeypatch):
    """itsdangerous accepts a valid token followed by characters outside base64 (so does
    Flask-WTF); such a token is verified each time, never kept, so a post padded with a
    megabyte of them cannot make a worker hold a megabyte."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = _logged_in_client(app, "padded@example.org")
    padded = _signed_by_another_worker(make_app, client, monkeypatch) + "!" * 4000
    verified = app.extensions["csrf_tokens"].verified
    before = len(verified)
    assert _settings_post(client, padded) == 200
    assert len(verified) == before


def test_a_known_csrf_token_still_needs_the_referrer_over_https(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = _logged_in_client(app, "referrer@example.org")
    token = _logout_token(client)
    assert _settings_post(client, token) == 200
    https = {"base_url": "https://localhost"}
    assert _settings_post(client, token, **https) == 400
    assert _settings_post(client, token, headers={"Referer": "https://elsewhere.example/"},
                          **https) == 400
    assert _settings_post(client, token, headers={"Referer": "https://localhost/study/"},
                          **https) == 200


@pytest.mark.parametrize("keys", [("csrf-one", "csrf-two"), ("", None)],
                         ids=["new-key", "empty-key-then-the-app-key"])
def test_a_csrf_token_from_before_a_key_change_is_refused(make_app, keys):
    first, then = keys  # Flask-WTF signs with an empty key too; None: the app's own key
    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_SECRET_KEY=first)
    client = _logged_in_client(app, "old-key@example.org")
    token = _logout_token(client)
    assert _settings_post(client, token) == 200
    app.config["WTF_CSRF_SECRET_KEY"] = app.secret_key if then is None else then
    assert _settings_post(client, token) == 400


def test_with_a_time_limit_a_token_verified_before_still_expires(make_app, monkeypatch):
    import time

    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=60)
    client = _logged_in_client(app, "expiring-token@example.org")
    token = _logout_token(client)
    assert _settings_post(client, token) == 200
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert _settings_post(client, token) == 400
