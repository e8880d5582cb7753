"""A student sets a target day and sees their readiness forecast; a coordinator sets the
cohort's departure day and sees who is predicted to be ready."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.banks.orientation import load_path_bytes
from quizapp.classes.service import create_class
from quizapp.extensions import db
from quizapp.models import CardState, Enrolment, Question, User
from quizapp.orientation.service import import_path
from tests.e2e.conftest import register
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import import_banks
from tests.web.test_orientation import BANK, PATH

pytestmark = pytest.mark.e2e


def _studied(app, email: str, keys: list[str]) -> None:
    """Cards learnt a week ago (stability about 11 days), next due in four days."""
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for key in keys:
            question = db.session.scalar(select(Question).where(Question.key == key))
            db.session.add(CardState(user_id=user.id, question_id=question.id, state=2,
                                     step=None, stability=10.97, difficulty=2.1,
                                     due=now + timedelta(days=4),
                                     last_review=now - timedelta(days=7), reps=3, lapses=0))
        db.session.commit()


def test_a_student_sees_readiness_and_a_coordinator_the_cohort_on_departure_day(
        browser, live_server, live_app):
    with live_app.app_context():
        import_banks(BANK)
        import_path(db.session, load_path_bytes(PATH, "orientation.yaml"), datetime.now(UTC))
        db.session.commit()
    url = live_server.url
    student = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    register(student, url, "Nigar", "nigar@example.org", "nigar password")
    _studied(live_app, "nigar@example.org", ["q0", "q1"])  # two of module one's three

    student.goto(f"{url}/study/")
    student.get_by_role("link", name="Targets and days off").click()
    expect(student.get_by_text("No targets yet.")).to_be_visible()
    exam = (datetime.now(UTC) + timedelta(days=20)).date()
    student.get_by_label("Be ready in").select_option(label="Trip orientation: First steps")
    student.get_by_label("Target day").fill(exam.isoformat())
    student.get_by_label("Recall to reach (%)").fill("95")
    student.get_by_role("button", name="Set target").click()
    expect(student.get_by_text("Your target is set.")).to_be_visible()
    target = student.get_by_role("article", name="Trip orientation: First steps")
    expect(target).to_contain_text("recall wanted: 95%")
    expect(target).to_contain_text("2 of 3")  # cards started
    now_share = target.locator("dd").first.inner_text()
    assert re.fullmatch(r"\d+%", now_share) and 0 < int(now_share[:-1]) < 67  # 2 of 3, fading
    expect(target.get_by_role("img")).to_have_attribute("aria-label", re.compile(r"of 95%"))

    student.get_by_label("Sunday").select_option(label="Free")
    student.get_by_role("button", name="Save days off").click()
    expect(student.get_by_text("Your days off are saved.")).to_be_visible()
    expect(student.get_by_label("Sunday")).to_have_value("free")

    email, password = make_teacher(live_app, email="coordinator@example.org")
    with live_app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == email))
        nigar = db.session.scalar(select(User).where(User.email == "nigar@example.org"))
        school_class = create_class(db.session, coordinator, "Baku 2027")
        db.session.add(Enrolment(class_id=school_class.id, user_id=nigar.id))
        db.session.commit()
        class_id = school_class.id
    teacher = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(teacher, url, email, password)
    teacher.goto(f"{url}/teach/classes/{class_id}")
    teacher.get_by_label("Enrol this class in").select_option(label="Trip orientation")
    teacher.get_by_role("button", name="Enrol").click()
    departure = (datetime.now(UTC) + timedelta(days=30)).date()
    teacher.get_by_label("Departure day", exact=True).fill(departure.isoformat())
    teacher.get_by_label("Recall to reach (%)").fill("90")
    teacher.get_by_role("button", name="Set departure day").click()
    expect(teacher.get_by_text("The departure day is set.")).to_be_visible()
    expect(teacher.get_by_text("0 of 1 students are predicted")).to_be_visible()
    row = teacher.get_by_role("row", name=re.compile("Nigar"))
    expect(row).to_contain_text("at risk")
    expect(row).to_contain_text(re.compile(r"now \d+%"))

    # The departure day reaches the student's page, as their class's target.
    student.reload()
    expect(student.get_by_role("article", name="Trip orientation", exact=True)).to_contain_text(
        "set for Baku 2027")
