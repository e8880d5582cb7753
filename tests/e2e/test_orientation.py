"""A participant walks through the first module; the coordinator sees the cohort."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from quizapp.banks.orientation import load_path_bytes
from quizapp.classes.service import create_class
from quizapp.extensions import db
from quizapp.models import Enrolment, User
from quizapp.orientation.service import import_path
from tests.e2e.conftest import register
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import import_banks
from tests.web.test_orientation import BANK, PATH

pytestmark = pytest.mark.e2e


def test_participant_passes_module_one_and_coordinator_sees_it(browser, live_server, live_app):
    with live_app.app_context():
        import_banks(BANK)
        import_path(db.session, load_path_bytes(PATH, "orientation.yaml"), datetime.now(UTC))
        db.session.commit()
    url = live_server.url
    participant = browser.new_context().new_page()
    register(participant, url, "Kamran", "kamran@example.org", "kamran password")

    participant.get_by_role("link", name="Orientation").click()
    expect(participant.get_by_text("Locked: pass module 1 first")).to_be_visible()
    participant.get_by_role("link", name="Start First steps").click()
    expect(participant.get_by_text("Read this first.")).to_be_visible()
    participant.get_by_role("button", name="Take the mastery check").click()
    for number in range(1, 4):
        expect(participant.get_by_text(f"Question {number} of 3")).to_be_visible()
        participant.get_by_label("True").check()
        participant.get_by_role("button", name=re.compile("Save and (next|finish)")).click()
    participant.get_by_role("button", name="Submit quiz").click()
    expect(participant.get_by_text("You passed this mastery check.")).to_be_visible()
    participant.get_by_role("link", name="Back to the orientation path").click()
    expect(participant.get_by_text("Passed with 100%")).to_be_visible()
    expect(participant.get_by_role("link", name="Start Second steps")).to_be_visible()

    email, password = make_teacher(live_app, email="coordinator@example.org")
    with live_app.app_context():
        from sqlalchemy import select

        coordinator = db.session.scalar(select(User).where(User.email == email))
        kamran = db.session.scalar(select(User).where(User.email == "kamran@example.org"))
        school_class = create_class(db.session, coordinator, "Summer cohort")
        db.session.add(Enrolment(class_id=school_class.id, user_id=kamran.id))
        db.session.commit()
        class_id = school_class.id
    teacher = browser.new_context().new_page()
    log_in(teacher, url, email, password)
    teacher.goto(f"{url}/teach/classes/{class_id}")
    teacher.get_by_label("Enrol this class in").select_option(label="Trip orientation")
    teacher.get_by_role("button", name="Enrol").click()
    expect(teacher.get_by_role("heading", name="Readiness: Trip orientation")).to_be_visible()
    row = teacher.get_by_role("row", name=re.compile("Kamran"))
    expect(row).to_contain_text("on track (1/2)")
    expect(row).to_contain_text("✓ 100%")
