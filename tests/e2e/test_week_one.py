"""A class's first week in Chromium, one journey per role, each crossing features the way a
week does: a new student, the teacher, an orientation participant."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp import selection
from quizapp.banks.orientation import load_path_bytes
from quizapp.classes.service import create_class
from quizapp.extensions import db
from quizapp.models import Assignment, Enrolment, QuizAttempt, SchoolClass, User
from quizapp.orientation.service import import_path
from quizapp.quiz import service as quizzes
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import import_banks

pytestmark = pytest.mark.e2e

E = {"explanation": "Because.", "source": {"paragraphs": [2]}}
BANK = {"id": "week", "title": "Week one", "questions": [
    {"id": "sa", "type": "short_answer", "prompt": "Which city is the capital of Azerbaijan?",
     "answers": ["Baku"], **E, "tags": ["theme:one"]},
    {"id": "tf", "type": "true_false", "prompt": "The article praises cooperation.",
     "answer": True, **E, "tags": ["theme:one"]},
    {"id": "sc", "type": "single_choice", "prompt": "Which sea does Baku lie on?",
     "choices": ["The Caspian", "The Black Sea", "The Baltic"], "answer": "The Caspian", **E,
     "tags": ["theme:two"]}]}


def _class_with_quiz(app) -> tuple[str, int]:
    with app.app_context():
        import_banks(BANK)
        teacher = db.session.scalar(select(User).where(User.email == "teacher@example.org"))
        school_class = create_class(db.session, teacher, "Exchange week")
        db.session.add(Assignment(school_class=school_class, kind="quiz", title="First quiz",
                                  banks=["week"], size=3, feedback="end",
                                  due_at=datetime.now(UTC) + timedelta(days=3)))
        db.session.commit()
        return school_class.join_code, school_class.id


def test_a_new_student_joins_by_link_takes_a_quiz_and_sees_every_answer(page, live_server,
                                                                        live_app):
    make_teacher(live_app)
    code, _ = _class_with_quiz(live_app)
    url = live_server.url
    page.goto(f"{url}/join/{code}")  # logged out: the login page says what the link joins
    expect(page.get_by_text("to join Exchange week")).to_be_visible()
    page.get_by_role("link", name="Create a student account").click()
    page.get_by_label("Your name").fill("Nigar")
    page.get_by_label("Email").fill("nigar@example.org")
    page.get_by_label("Password", exact=True).fill("nigar password")
    page.get_by_label("Repeat the password").fill("nigar password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("You joined Exchange week.")).to_be_visible()

    page.get_by_role("button", name="Start First quiz").click()
    numbers = {}
    with live_app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        for key, qid in zip(("sa", "tf", "sc"), selection.candidate_ids(db.session, ["week"], []),
                            strict=True):
            numbers[key] = attempt.question_ids.index(qid) + 1
    # The short answer: typed, then Enter, which saves and goes on (it went back before).
    page.goto(f"{url}/quiz/{attempt.id}/{numbers['sa']}")
    page.get_by_label("Your answer").fill("Baku")
    page.get_by_label("Your answer").press("Enter")
    if numbers["sa"] < 3:
        expect(page.get_by_text(f"Question {numbers['sa'] + 1} of 3")).to_be_visible()
    else:  # the last question: on to the submit page
        expect(page.get_by_role("heading", name="Submit your quiz?")).to_be_visible()
    page.goto(f"{url}/quiz/{attempt.id}/{numbers['sc']}")
    page.get_by_label("The Black Sea").check()
    page.get_by_role("button", name=re.compile("Save and")).click()
    page.goto(url + "/")  # leaves for the home page, then resumes

    page.get_by_role("button", name="Resume First quiz").click()
    expect(page.get_by_text(f"Question {numbers['tf']} of 3")).to_be_visible()
    page.get_by_label("True").check()
    page.get_by_role("button", name=re.compile("Save and")).click()
    page.goto(f"{url}/quiz/{attempt.id}/submit")
    page.get_by_role("button", name="Submit quiz").click()
    expect(page.get_by_role("heading", name=re.compile("Your score"))).to_be_visible()
    # Every chosen answer is still on show, the wrong one marked in place.
    expect(page.locator('input[type=text][value="Baku"]')).to_have_count(1)
    expect(page.locator("input[type=radio]:checked")).to_have_count(2)
    expect(page.get_by_text("✗ your answer")).to_be_visible()
    expect(page.get_by_text("✓ right answer")).to_be_visible()


def test_a_teacher_sets_work_in_their_zone_reviews_an_attempt_and_tidies_up(page, live_server,
                                                                            live_app):
    email, password = make_teacher(live_app)
    _, class_id = _class_with_quiz(live_app)
    with live_app.app_context():
        teacher = db.session.scalar(select(User).where(User.email == email))
        teacher.timezone = "Asia/Karachi"
        from quizapp.auth.service import NewAccount, create_account
        student = create_account(NewAccount("pupil@example.org", "Pupil", "pupil password"),
                                 "pbkdf2:sha256:1000")
        db.session.flush()
        db.session.add(Enrolment(class_id=class_id, user_id=student.id))
        quiz = db.session.scalar(select(Assignment))
        attempt = quizzes.start_attempt(db.session, student, quizzes.QuizSpec(
            title=quiz.title, banks=["week"], size=3, objective_only=True),
            datetime.now(UTC) - timedelta(minutes=6))
        attempt.assignment_id = quiz.id
        quizzes.submit(db.session, attempt, student, datetime.now(UTC))
        db.session.commit()
    url = live_server.url
    log_in(page, url, email, password)
    page.goto(f"{url}/teach/classes/{class_id}")

    page.get_by_role("link", name="New assignment").click()
    page.get_by_label("Study goal").check()
    page.get_by_label("Title").fill("Learn week one")
    page.get_by_label("Week one").check()
    expect(page.get_by_text("In your time zone (Asia/Karachi)").first).to_be_visible()
    page.get_by_label("Due").fill("2030-03-01T17:00")
    page.get_by_role("button", name="Create assignment").click()
    expect(page.get_by_text("01 Mar 2030, 17:00 (Asia/Karachi)")).to_be_visible()
    with live_app.app_context():
        goal = db.session.scalar(select(Assignment).where(Assignment.title == "Learn week one"))
        assert goal.due_at == datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

    page.get_by_role("link", name=re.compile("Pupil's attempts at First quiz")).click()
    expect(page.get_by_role("heading", name="Pupil: First quiz")).to_be_visible()
    expect(page.get_by_text(re.compile(r"6 min \d+ s"))).to_be_visible()
    expect(page.get_by_text("Right answer").first).to_be_visible()
    page.get_by_role("link", name="Exchange week").click()

    page.get_by_role("link", name="Edit Learn week one").click()
    page.get_by_label("Title").fill("Learn all of week one")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Assignment “Learn all of week one” saved.")).to_be_visible()
    page.get_by_role("link", name="Delete Learn all of week one").click()
    page.get_by_role("button", name="Delete the assignment").click()
    expect(page.get_by_text("Assignment “Learn all of week one” deleted.")).to_be_visible()

    page.get_by_role("link", name="Remove Pupil").click()
    expect(page.get_by_role("heading", name="Remove Pupil from Exchange week?")).to_be_visible()
    page.get_by_role("button", name="Remove Pupil").click()
    expect(page.get_by_text("Pupil was removed from the class.")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalar(select(Enrolment)) is None
        assert db.session.get(SchoolClass, class_id) is not None


PATH = b"""\
id: trip
title: Trip orientation
modules:
  - id: both
    title: Both themes
    briefing: [Read this first.]
    tags: [theme:one, theme:two]
    check: {questions: 2}
"""


def test_a_participant_studies_exactly_one_modules_cards_and_counts_agree(page, live_server,
                                                                         live_app):
    with live_app.app_context():
        import_banks(BANK, {"id": "other", "title": "Other", "questions": [
            {"id": f"o{n}", "type": "flashcard", "front": f"Unrelated {n}", "back": "x",
             "tags": ["theme:three"]} for n in range(5)]})
        import_path(db.session, load_path_bytes(PATH, "p.yaml"), datetime.now(UTC))
        db.session.commit()
    url = live_server.url
    from tests.e2e.conftest import register

    register(page, url, "Kamran", "kamran@example.org", "kamran password")
    page.goto(url + "/orientation/trip/both")
    expect(page.get_by_text("3 cards go with this module")).to_be_visible()
    page.get_by_role("link", name="Study this module").click()
    expect(page.get_by_text("Both themes", exact=False).first).to_be_visible()
    seen = []
    for _ in range(3):
        prompt = page.locator("#prompt").inner_text()
        seen.append(prompt)
        assert "Unrelated" not in prompt
        if page.get_by_role("button", name="Show answer").count():
            page.keyboard.press("Space")
        else:
            page.get_by_role("button", name="Check").click()
        page.get_by_role("button", name="Again").click()
        expect(page.locator("#prompt")).not_to_have_text(prompt)
    # Three cards in learning, due within minutes: Home, Study and Progress say the same.
    page.goto(url + "/")
    home = re.search(r"(\d+) cards? due now", page.locator("main").inner_text()).group(1)
    page.goto(url + "/study/")
    study = re.search(r"Everything\s+(\d+) due", page.locator("main").inner_text()).group(1)
    page.goto(url + "/progress")
    progress = page.locator(".stat .big").first.inner_text()
    assert home == study == progress
