"""axe-core (axe-playwright-python ships it; no CDN) on every page of the app, as each role
would see it, in English and in Urdu (right to left): no serious or critical violation of
the WCAG 2.2 A/AA rules. The list of pages is checked against the app's routes, so a new page
without an axe check fails here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from quizapp.account.service import issue_reset
from quizapp.auth.service import NewAccount, create_account
from quizapp.banks.orientation import load_path_bytes
from quizapp.classes.service import create_class
from quizapp.extensions import db
from quizapp.live import service as live
from quizapp.models import (
    Assignment,
    Certificate,
    ClassPath,
    Enrolment,
    OrientationPath,
    Role,
    StudyTarget,
)
from quizapp.orientation.service import import_path
from quizapp.quiz import service as quizzes
from tests.e2e.test_week_one import BANK, PATH
from tests.helpers import import_banks

pytestmark = pytest.mark.e2e

PASSWORD = "a long password"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Each HTML page (by endpoint): who sees it, and its path in the seeded world below.
PAGES = {
    "core.home": [(None, "/"), ("student", "/")],
    "auth.login": [(None, "/login")],
    "auth.register": [(None, "/register")],
    "account.forgot": [(None, "/forgot")],
    "account.reset": [(None, "/reset/{reset}")],
    "core.bank_format": [(None, "/help/banks")],
    "orientation.certificate": [(None, "/certificates/{certificate}")],
    "student_classes.join_link": [("student", "/join/{code}")],
    "student_classes.join": [("student", "/join")],
    "study.choose": [("student", "/study/")],
    "study.session": [("student", "/study/session")],
    "study.settings": [("student", "/study/settings")],
    "plan.show": [("student", "/study/plan/")],
    "progress.show": [("student", "/progress")],
    "quiz.index": [("student", "/quiz/")],
    "quiz.new": [("student", "/quiz/new")],
    "quiz.take": [("student", "/quiz/{open_attempt}/1")],
    "quiz.confirm": [("student", "/quiz/{open_attempt}/submit")],
    "quiz.results": [("student", "/quiz/{attempt}/results")],
    "orientation.index": [("student", "/orientation")],
    "orientation.path": [("student", "/orientation/trip")],
    "orientation.module": [("student", "/orientation/trip/both")],
    "account.index": [("student", "/account")],
    "account.delete": [("student", "/account/delete")],
    "auth.change_password": [("student", "/account/password")],
    "classes.index": [("teacher", "/teach/classes/")],
    "classes.show": [("teacher", "/teach/classes/{class_id}")],
    "classes.new_assignment": [("teacher", "/teach/classes/{class_id}/assignments/new")],
    "classes.edit_assignment": [
        ("teacher", "/teach/classes/{class_id}/assignments/{assignment}/edit")],
    "classes.delete_assignment": [
        ("teacher", "/teach/classes/{class_id}/assignments/{assignment}/delete")],
    "classes.remove": [("teacher", "/teach/classes/{class_id}/students/{student}/remove")],
    "classes.student_attempts": [
        ("teacher", "/teach/classes/{class_id}/assignments/{assignment}/students/{student}")],
    "orientation.cohort": [("teacher", "/teach/classes/{class_id}/orientation/trip")],
    "teach.banks": [("teacher", "/teach/banks")],
    "editor.new_bank": [("teacher", "/teach/banks/new")],
    "editor.bank": [("teacher", "/teach/banks/week/edit")],
    "editor.question": [("admin", "/teach/banks/week/questions/sc"),
                        ("admin", "/teach/banks/week/questions/new/matching")],
    "admin.users": [("admin", "/admin/users")],
    "admin.user": [("admin", "/admin/users/{student}")],
    "admin.audit_log": [("admin", "/admin/audit")],
    "live.new": [("teacher", "/live/new")],
    "live.host": [("teacher", "/live/{lobby}/host"), ("teacher", "/live/{live}/host")],
    "live.join": [(None, "/live/"), ("student", "/live/?code={live}")],
    "live.play": [("student", "/live/{live}")],
}
# Routes that answer GET with something other than a page (files, data, redirects).
NOT_PAGES = {"static", "core.healthz", "core.schema", "core.deck", "teach.export",
             "teach.export_gift", "teach.export_moodle", "teach.starter",
             "teach.spreadsheet_template", "classes.results_csv", "classes.items_csv",
             "orientation.cohort_csv", "quiz.resume_attempt", "live.events", "live.results"}


def test_every_page_of_the_app_has_an_axe_check(live_app):
    gets = {rule.endpoint for rule in live_app.url_map.iter_rules() if "GET" in rule.methods}
    assert gets - NOT_PAGES - set(PAGES) == set(), "pages without an axe check"
    assert set(PAGES) - gets == set(), "checks of pages that no longer exist"


def _world(app) -> dict:
    """One of everything a page can show: a class with a student, a quiz assignment and an
    attempt at it, an open attempt, an orientation path and a certificate, a reset link."""
    with app.app_context():
        people = {}
        for role in Role:
            people[role.value] = create_account(NewAccount(
                email=f"{role.value}@example.org", name=f"{role.value.title()} Person",
                password=PASSWORD, role=role), "pbkdf2:sha256:1000")
        db.session.flush()
        import_banks(BANK)
        now = datetime.now(UTC)
        import_path(db.session, load_path_bytes(PATH, "p.yaml"), now)
        school_class = create_class(db.session, people["teacher"], "Exchange 2026")
        assignment = Assignment(school_class=school_class, kind="quiz", title="First quiz",
                                banks=["week"], size=3, due_at=now + timedelta(days=3))
        db.session.add(assignment)
        db.session.flush()
        student = people["student"]
        db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
        spec = quizzes.QuizSpec(title="First quiz", banks=["week"], size=3)
        done = quizzes.start_attempt(db.session, student, spec, now)
        done.assignment_id = assignment.id
        quizzes.submit(db.session, done, student, now)
        open_attempt = quizzes.start_attempt(db.session, student, spec, now)
        path = db.session.scalar(select(OrientationPath))
        db.session.add(Certificate(public_id="c" * 24, user_id=student.id, path_id=path.id,
                                   name=student.name, path_title=path.title, issued_at=now,
                                   modules=[{"title": "Both themes", "score": 1.0,
                                             "passed_at": now.isoformat()}]))
        reset = issue_reset(db.session, people["admin"], None, now)
        spec = live.LiveSpec(title="Warm-up", banks=["week"], tags=[], size=3, seconds=None,
                             guests=True, leaderboard="named", class_id=school_class.id)
        lobby = live.create(db.session, people["teacher"], spec, now)
        live.join(db.session, lobby, student, "", now)
        running = live.create(db.session, people["teacher"], spec, now)
        live.join(db.session, running, student, "", now)
        live.advance(db.session, running, now)
        db.session.add(ClassPath(class_id=school_class.id, path_id=path.id))
        db.session.add_all([  # a departure day for the cohort, a target of the student's
            StudyTarget(class_id=school_class.id, scope="path:trip",
                        day=(now + timedelta(days=30)).date(), recall=0.9),
            StudyTarget(user_id=student.id, scope="bank:week",
                        day=(now + timedelta(days=10)).date())])
        db.session.commit()
        return {"class_id": school_class.id, "code": school_class.join_code,
                "assignment": assignment.id, "student": student.id, "attempt": done.id,
                "open_attempt": open_attempt.id, "certificate": "c" * 24, "reset": reset,
                "lobby": lobby.code, "live": running.code}


def _log_in(page, url: str, role: str) -> None:
    page.goto(url + "/login")  # by the fields' ids: the labels are in the page's language
    page.locator("#email").fill(f"{role}@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form input[type=submit]").click()
    page.wait_for_url(url + "/")


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("ur", 390)])
def test_no_serious_axe_violation_on_any_page(browser, live_server, live_app, language, width):
    world = _world(live_app)
    axe = Axe()
    problems = []
    for role in (None, "student", "teacher", "admin"):
        context = browser.new_context(extra_http_headers={"Accept-Language": language},
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        if role:
            _log_in(page, live_server.url, role)
        for endpoint, visits in PAGES.items():
            for who, path in visits:
                if who != role:
                    continue
                response = page.goto(live_server.url + path.format(**world))
                assert response.ok, (endpoint, path, response.status)  # the page, not an error
                assert page.locator("html").get_attribute("lang") == language, (endpoint, path)
                result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
                for violation in result.response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        problems.append(f"{endpoint} {path} ({role or 'visitor'}): "
                                        f"{violation['id']}: {violation['help']} — "
                                        f"{violation['nodes'][0]['html'][:160]}")
        context.close()
    assert problems == []
