"""A teacher uploads a broken bank, reads the report, then uploads a good one and imports it."""

import pytest
from playwright.sync_api import expect

from quizapp.auth.service import NewAccount, create_account
from quizapp.extensions import db
from quizapp.models import Role
from tests.web.test_bank_import import BANK, CARD

pytestmark = pytest.mark.e2e


def make_teacher(app, email="teacher@example.org", password="teacher password"):
    with app.app_context():
        create_account(NewAccount(email=email, name="Ms Teacher", password=password,
                                  role=Role.TEACHER), "pbkdf2:sha256:1000")
        db.session.commit()
    return email, password


def log_in(page, url, email, password):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_teacher_uploads_rejected_then_good_bank(page, live_server, live_app):
    email, password = make_teacher(live_app)
    log_in(page, live_server.url, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Banks").click()
    expect(page.get_by_role("heading", name="Question banks")).to_be_visible()

    broken = b"id: broken\ntitle: T\nquestions:\n  - id: q\n    type: single_choice\n" \
             b"    prompt: Where?\n    choices: [Lahore, Karachi]\n    answer: Baku\n" \
             b"    explanation: E\n"
    page.get_by_label("Bank files").set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": broken}])
    page.get_by_role("button", name="Check files").click()
    report = page.get_by_role("alert")
    expect(report).to_contain_text("nothing was imported")
    expect(report).to_contain_text("broken.yaml:8:13")
    expect(report).to_contain_text("'Baku' is not one of the choices")

    good = BANK.format(hub_prompt="What is Azerbaijan, per the article?", extra=CARD).encode()
    page.get_by_label("Bank files").set_input_files(
        files=[{"name": "energy.yaml", "mimeType": "application/x-yaml", "buffer": good}])
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible()
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("status").first).to_contain_text("Imported energy: 3 added")
    row = page.get_by_role("row", name="Energy and connectivity")
    expect(row).to_contain_text("3")
