"""A student who forgot the password gets back in through the teacher, with progress intact;
another takes their data away and leaves."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.classes.service import create_class
from quizapp.extensions import db
from quizapp.models import CardState, Enrolment, User
from tests.e2e.conftest import register
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import flashcards, import_banks

pytestmark = pytest.mark.e2e


def _student_in_a_class(app, page, url, email: str, name: str) -> None:
    with app.app_context():
        import_banks(flashcards("terms", 3))
        teacher = db.session.scalar(select(User).where(User.email == "teacher@example.org"))
        school_class = create_class(db.session, teacher, "Exchange 2026")
        db.session.commit()
        code = school_class.join_code
    register(page, url, name, email, "first password")
    page.goto(url + f"/join/{code}")
    page.get_by_role("button", name="Join class").click()
    expect(page.get_by_role("status").first).to_contain_text("You joined Exchange 2026")


def test_a_forgotten_password_is_reset_through_the_teacher(browser, live_server, live_app):
    make_teacher(live_app)
    student = browser.new_context().new_page()
    _student_in_a_class(live_app, student, live_server.url, "amina@example.org", "Amina")
    student.goto(live_server.url + "/study/")
    student.get_by_role("link", name="Everything").click()
    student.get_by_role("button", name="Show answer").click()
    student.get_by_role("button", name="Good").click()
    expect(student.get_by_text("Show answer")).to_be_visible()
    student.get_by_role("button", name="Log out").click()

    # The password is forgotten: the login page says where to turn.
    student.get_by_role("link", name="Log in").first.click()
    student.get_by_role("link", name="Forgot your password?").click()
    expect(student.get_by_text("Ask your teacher")).to_be_visible()

    teacher = browser.new_context().new_page()
    log_in(teacher, live_server.url, "teacher@example.org", "teacher password")
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    teacher.get_by_role("link", name="Exchange 2026").click()
    teacher.get_by_role("button", name="Reset link for Amina").click()
    expect(teacher.get_by_role("heading", name="Reset link for Amina")).to_be_visible()
    link = teacher.get_by_label("One-time link").input_value()

    student.goto(link)
    student.get_by_label("New password", exact=True).fill("second password")
    student.get_by_label("Repeat the new password").fill("second password")
    student.get_by_role("button", name="Set the new password").click()
    expect(student.get_by_role("status").first).to_contain_text("Your new password is set")
    student.goto(live_server.url + "/study/")
    expect(student.get_by_role("link", name="Everything").locator("..")).to_contain_text(
        "of 3")
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CardState)) == 1
    student.goto(link)  # the link worked once
    expect(student.get_by_role("alert")).to_contain_text("already been used")
    student.context.close()
    teacher.context.close()


def test_a_student_downloads_their_data_and_leaves(page, live_server, live_app):
    make_teacher(live_app)
    _student_in_a_class(live_app, page, live_server.url, "bilal@example.org", "Bilal")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bilal").click()
    expect(page.get_by_role("heading", name="Signed-in browsers")).to_be_visible()
    expect(page.get_by_text("This browser")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == "bilal@example.org"
    assert data["classes"][0]["class"] == "Exchange 2026"

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill("first password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
    page.get_by_label("Your password").fill("first password")
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status").first).to_contain_text("have been deleted")
    with live_app.app_context():
        assert db.session.scalar(select(User).where(User.email == "bilal@example.org")) is None
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
