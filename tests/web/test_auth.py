"""Accounts as a user meets them: sign up, log in, log out, change the password."""

from quizapp.auth.views import BAD_LOGIN
from quizapp.extensions import db
from quizapp.models import Role, User
from tests.conftest import PASSWORD


def register(client, email="new@example.org", password=PASSWORD, confirm=None, name="Ayla"):
    return client.post("/register", data={
        "name": name, "email": email, "password": password,
        "confirm": confirm if confirm is not None else password, "timezone": "Asia/Baku",
    })


def test_student_registers_and_lands_logged_in(client):
    response = register(client)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Hello, Ayla" in home and home.count("Ayla") == 2  # the greeting and the menu
    user = db.session.scalar(User.by_email("new@example.org"))
    assert user.role == Role.STUDENT
    assert user.timezone == "Asia/Baku"
    assert user.password_hash.startswith("pbkdf2:") and PASSWORD not in user.password_hash


def test_registration_problems_are_explained(client, users):
    users.create("taken@example.org")
    page = register(client, email="taken@example.org").get_data(as_text=True)
    assert "already exists" in page
    page = register(client, email="not-an-email").get_data(as_text=True)
    assert "Enter an email address" in page
    page = register(client, password="short", confirm="short").get_data(as_text=True)
    assert "Use at least 8 characters." in page and "aria-invalid" in page
    page = register(client, confirm="something else").get_data(as_text=True)
    assert "The passwords do not match." in page
    assert db.session.query(User).count() == 1


def test_a_class_signs_up_together_from_one_address(make_app):
    """A school's students reach the app from one address: a class of 30 can sign up in the
    same lesson, typos included. Beyond the limit, a clear page and no account."""
    app = make_app()
    client = app.test_client()
    register(client, email="typo", name="Typo")  # a mistake counts too
    for n in range(30):
        signed_up = register(client, email=f"student{n}@school.example")
        assert signed_up.status_code == 302
        client.post("/logout")
    with app.app_context():
        assert db.session.query(User).count() == 30
    small_app = make_app(REGISTER_RATE_LIMIT="2 per hour")
    small = small_app.test_client()
    for n in range(2):
        register(small, email=f"early{n}@school.example")
        small.post("/logout")
    refused = register(small, email="late@school.example")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    with small_app.app_context():
        assert db.session.scalar(User.by_email("late@school.example")) is None


def test_email_is_case_insensitive(client, users):
    users.create("Mixed.Case@Example.org")
    assert users.login("mixed.case@example.ORG ").status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_message(client, users):
    users.create("known@example.org")
    wrong_password = users.login("known@example.org", "wrong password!")
    unknown_email = users.login("nobody@example.org", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 200
    for response in (wrong_password, unknown_email):
        assert BAD_LOGIN in response.get_data(as_text=True)


def test_logout_ends_the_session(client, users):
    users.login_as(Role.STUDENT)
    assert client.get("/account/password").status_code == 200
    client.post("/logout")
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_redirects_only_to_local_pages(client, users):
    users.create("s@example.org")
    ok = client.post("/login?next=/account/password",
                     data={"email": "s@example.org", "password": PASSWORD})
    assert ok.headers["Location"] == "/account/password"
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/",
                       data={"email": "s@example.org", "password": PASSWORD})
    assert evil.headers["Location"] == "/"


def test_password_change(client, users):
    users.login_as(Role.STUDENT, email="p@example.org")
    bad = client.post("/account/password", data={
        "current": "not it", "password": "a brand new one", "confirm": "a brand new one"})
    assert "not your current password" in bad.get_data(as_text=True)
    ok = client.post("/account/password", data={
        "current": PASSWORD, "password": "a brand new one", "confirm": "a brand new one"})
    assert ok.status_code == 302
    client.post("/logout")
    assert users.login("p@example.org", PASSWORD).status_code == 200
    assert users.login("p@example.org", "a brand new one").status_code == 302
