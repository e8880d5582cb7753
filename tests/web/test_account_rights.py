"""Accounts for a real school: reset links, signed-in browsers, the data a user takes away,
leaving, deactivation, handing on a departing teacher's work, and the audit log."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.account import service as accounts
from quizapp.classes import dashboard
from quizapp.extensions import db
from quizapp.models import (
    AuditEvent,
    Bank,
    CardState,
    Certificate,
    Enrolment,
    PasswordReset,
    QuizAttempt,
    Role,
    SchoolClass,
    User,
)
from tests.conftest import PASSWORD
from tests.web.test_classes import add_attempt, class_with_quiz

NOW = datetime.now(UTC)
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def school(users):
    return class_with_quiz(users)


def _enrol(school_class, *students):
    for student in students:
        db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    db.session.commit()


def _link(page: str) -> str:
    return re.search(r'value="(http://localhost/reset/[\w-]+)"', page).group(1)


def _login(client, users, email, password=PASSWORD):
    client.post("/logout")
    return users.login(email, password)


def _browser(make_app, email=None, password=PASSWORD, **headers):
    """Another browser (its own app object, so nothing of this test's context leaks into
    it), logged in as `email`."""
    other = make_app(reset_limits=False).test_client()
    if email:
        answer = other.post("/login", data={"email": email, "password": password},
                            headers=headers)
        assert answer.status_code == 302, answer.get_data(as_text=True)
    return other


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- Reset links ---------------------------------------------------------------------------

def test_a_teacher_issues_a_link_and_the_student_is_back_in(client, users, school, make_app):
    teacher, school_class, _ = school
    student = users.create("amina@example.org", name="Amina")
    _enrol(school_class, student)
    db.session.add(CardState(user_id=student.id, question_id=1, state=2, due=NOW, reps=4))
    db.session.commit()
    phone = _browser(make_app, "amina@example.org")  # a browser left signed in elsewhere
    _login(client, users, "teacher@example.org")
    page = client.post(f"/teach/classes/{school_class.id}/students/{student.id}/reset-link")
    assert page.status_code == 200 and "shown only now" in page.get_data(as_text=True)
    link = _link(page.get_data(as_text=True))
    assert db.session.scalar(select(PasswordReset.token_hash)) not in link  # kept hashed
    client.post("/logout")
    assert "For <strong>amina@example.org</strong>" in client.get(link).get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # logged in as the student
    _browser(make_app, "amina@example.org", NEW_PASSWORD)  # the new password works
    assert db.session.scalar(select(CardState.reps)) == 4  # progress intact
    assert phone.get("/account").status_code == 302  # the other browser is logged out
    # Used once: the same link now says so and changes nothing.
    again = client.post(link, data={"password": "yet another one", "confirm": "yet another one"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "reset_issued", "password_reset"}


def test_an_expired_link_says_so(client, users, school):
    _, school_class, _ = school
    student = users.create("late@example.org")
    token = accounts.issue_reset(db.session, student, None, NOW - timedelta(hours=25))
    db.session.commit()
    page = client.get(f"/reset/{token}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    refused = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    assert _login(client, users, "late@example.org", PASSWORD).status_code == 302  # unchanged
    assert client.get("/reset/not-a-real-token-at-all-123").status_code == 404


def test_a_newer_link_replaces_the_older(client, users):
    student = users.create("s@example.org")
    first = accounts.issue_reset(db.session, student, None, NOW)
    second = accounts.issue_reset(db.session, student, None, NOW)
    db.session.commit()
    assert client.get(f"/reset/{first}").status_code == 410
    assert client.get(f"/reset/{second}").status_code == 200


def test_who_may_issue_a_link(client, users, school):
    teacher, school_class, _ = school
    outsider = users.create("outsider@example.org")
    member_teacher = users.create("colleague@example.org", Role.TEACHER)
    _enrol(school_class, member_teacher)
    _login(client, users, "teacher@example.org")
    # A student not in my classes: 404 through my class; a teacher in my class: 403.
    assert client.post(f"/teach/classes/{school_class.id}/students/{outsider.id}/reset-link"
                       ).status_code == 404
    assert client.post(f"/teach/classes/{school_class.id}/students/{member_teacher.id}"
                       "/reset-link").status_code == 403
    assert client.post(f"/admin/users/{outsider.id}/reset-link").status_code == 403
    other = users.login_as(Role.TEACHER, "other@example.org")
    _enrol(school_class, outsider)  # in a class, but not one of theirs
    assert client.post(f"/teach/classes/{school_class.id}/students/{outsider.id}/reset-link"
                       ).status_code == 403
    assert other.id != teacher.id
    users.login_as(Role.ADMIN)
    assert client.post(f"/admin/users/{outsider.id}/reset-link").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 1


# -- Signed-in browsers ------------------------------------------------------------------

def test_the_account_page_lists_browsers_and_ends_them(client, users, make_app):
    users.create("s@example.org")
    phone = _browser(make_app, "s@example.org", **{
        "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/"
                      "605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"})
    _login(client, users, "s@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert "Mobile Safari on iOS" in page and "This browser" in page
    client.post("/account/sessions/end-others")
    assert phone.get("/account").status_code == 302  # the phone was logged out
    assert client.get("/account").status_code == 200  # this one stays


# -- Data rights -----------------------------------------------------------------------------

def test_a_user_downloads_all_their_data(client, users, school):
    _, school_class, quiz = school
    student = users.create("s@example.org", name="Sam")
    _enrol(school_class, student)
    add_attempt(student, quiz, (1, 0, 1), NOW)
    db.session.add(CardState(user_id=student.id, question_id=1, state=2, due=NOW, reps=3))
    db.session.commit()
    _login(client, users, "s@example.org")
    response = client.post("/account/data")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data')
    data = json.loads(response.data)
    assert data["account"]["email"] == "s@example.org" and "password_hash" not in data["account"]
    assert data["cards"][0]["question"] == "q1" and data["cards"][0]["reps"] == 3
    assert [a["score"] for a in data["quiz_attempts"][0]["answers"]] == [1.0, 0.0, 1.0]
    assert data["quiz_attempts"][0]["answers"][0]["question"] == "three/q1"
    assert data["classes"][0]["class"] == "Exchange 2026"
    assert data["settings"]["new_cards_per_day"] == 20 and data["signed_in_browsers"]


def test_deleting_an_account_removes_its_answers_from_the_statistics(client, users, school):
    _, school_class, quiz = school
    stay = users.create("stay@example.org")
    leave = users.create("leave@example.org")
    _enrol(school_class, stay, leave)
    add_attempt(stay, quiz, (1, 1, 1), NOW)
    add_attempt(leave, quiz, (0, 0, 0), NOW)
    db.session.add(Certificate(public_id="c" * 20, user_id=leave.id, path_id=_path_id(),
                               name="Leave", path_title="Path", issued_at=NOW, modules=[]))
    db.session.commit()
    _login(client, users, "leave@example.org")
    wrong = client.post("/account/delete", data={"password": "nope", "understood": "y"})
    assert "That is not your password." in wrong.get_data(as_text=True)
    unticked = client.post("/account/delete", data={"password": PASSWORD})
    assert "Tick the box" in unticked.get_data(as_text=True)
    gone = client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert gone.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "leave@example.org")) is None
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    rows = dashboard.item_analysis(db.session, school_class)
    assert {r.stats.attempts for r in rows} == {1} and {r.stats.facility for r in rows} == {1.0}
    assert client.get("/certificates/" + "c" * 20).status_code == 404
    assert _events("account_deleted")[0].target == "leave@example.org"


def _path_id() -> int:
    from quizapp.models import OrientationPath

    path = OrientationPath(slug="p", title="Path", modules=[])
    db.session.add(path)
    db.session.flush()
    return path.id


def test_a_teacher_with_classes_is_asked_to_hand_them_over_first(client, users, school):
    teacher, school_class, _ = school
    _login(client, users, "teacher@example.org")
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Ask an admin to hand them to another teacher first" in page
    client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert db.session.get(User, teacher.id) is not None
    db.session.add(Bank(slug="mine", title="Mine", owner_id=teacher.id, created_at=NOW,
                        updated_at=NOW))
    successor = users.create("next@example.org", Role.TEACHER, name="Next")
    db.session.commit()
    users.login_as(Role.ADMIN)
    client.post(f"/admin/users/{teacher.id}/hand-over", data={"to": "next@example.org"})
    db.session.expire_all()
    assert db.session.get(SchoolClass, school_class.id).teacher_id == successor.id
    assert db.session.scalar(select(Bank.owner_id).where(Bank.slug == "mine")) == successor.id
    _login(client, users, "teacher@example.org")
    client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert db.session.get(User, teacher.id) is None
    assert db.session.get(SchoolClass, school_class.id) is not None  # never orphaned


# -- Admins ----------------------------------------------------------------------------------

def test_admins_find_page_deactivate_and_reactivate(client, users, make_app):
    for n in range(120):
        db.session.add(User(email=f"user{n:03}@example.org", name=f"Pupil {n:03}",
                            password_hash="x", role="student"))
    db.session.commit()
    student = users.create("zed@example.org", name="Zed Quinn")
    zed = _browser(make_app, "zed@example.org")
    users.login_as(Role.ADMIN, "admin@example.org")
    first = client.get("/admin/users").get_data(as_text=True)
    # By email, 50 a page: admin@, then user000@ to user048@.
    assert "122 accounts" in first and "Page 1 of 3" in first and "user048@" in first
    assert "user049@" not in first
    assert "user049@" in client.get("/admin/users?page=2").get_data(as_text=True)
    found = client.get("/admin/users?q=quinn").get_data(as_text=True)
    assert "1 account match" in found and "zed@example.org" in found
    assert "0 accounts" in client.get("/admin/users?q=%25").get_data(as_text=True)
    client.post(f"/admin/users/{student.id}/active", data={"active": "0"})
    assert zed.get("/account").status_code == 302  # their sessions ended
    refused = zed.post("/login", data={"email": "zed@example.org", "password": PASSWORD})
    assert "This account is deactivated" in refused.get_data(as_text=True)
    client.post(f"/admin/users/{student.id}/active", data={"active": "1"})
    _browser(make_app, "zed@example.org")  # can log in again
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("deactivated") == 1 and actions.count("reactivated") == 1
    assert "login_failed" in actions


def test_the_audit_log_records_and_filters_and_only_admins_read_it(client, users, school):
    users.create("s@example.org")
    _login(client, users, "s@example.org", "wrong password")
    _login(client, users, "teacher@example.org")
    assert client.get("/admin/audit").status_code == 403
    admin = users.login_as(Role.ADMIN, "admin@example.org")
    teacher = db.session.scalar(select(User).where(User.email == "teacher@example.org"))
    client.post(f"/admin/users/{teacher.id}/role", data={"role": "admin"})
    page = client.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert "s@example.org" in page and "Role changed" not in page.split("<tbody>")[1]
    roles = client.get("/admin/audit?who=teacher@").get_data(as_text=True)
    assert "from: teacher, to: admin" in roles and "127.0.0.1" in roles
    event = _events("role_changed")[0]
    assert (event.actor_id, event.target_user_id) == (admin.id, teacher.id)
    # Kept for a while, then pruned.
    db.session.add(AuditEvent(at=NOW - timedelta(days=400), action="login", actor_email="old"))
    db.session.commit()
    from quizapp import audit
    assert audit.prune(db.session, NOW, 365) == 1


def test_forgot_password_without_email_points_to_a_teacher(client):
    page = client.get("/forgot").get_data(as_text=True)
    assert "Ask your teacher" in page and 'name="email"' not in page
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def test_class_membership_changes_are_in_the_audit_log(client, users, school):
    _, school_class, _ = school
    users.create("s@example.org")
    _login(client, users, "s@example.org")
    client.post("/join", data={"code": school_class.join_code})
    student = db.session.scalar(select(User).where(User.email == "s@example.org"))
    _login(client, users, "teacher@example.org")
    client.post(f"/teach/classes/{school_class.id}/students/{student.id}/remove")
    joined, removed = _events("class_joined")[0], _events("class_removed")[0]
    assert joined.actor_email == "s@example.org" and "Exchange 2026" in joined.target
    assert removed.actor_email == "teacher@example.org" and removed.target == "s@example.org"


# -- What an attacker's review found, kept fixed -----------------------------------------------

def _teacher_link(client, users, school) -> tuple[User, User, str]:
    teacher, school_class, _ = school
    student = users.create("s@example.org", name="S")
    _enrol(school_class, student)
    _login(client, users, "teacher@example.org")
    page = client.post(f"/teach/classes/{school_class.id}/students/{student.id}/reset-link")
    client.post("/logout")
    return teacher, student, _link(page.get_data(as_text=True))


def test_a_link_dies_when_the_account_is_promoted_or_its_maker_leaves(client, users, school):
    teacher, student, link = _teacher_link(client, users, school)
    users.login_as(Role.ADMIN, "boss@example.org")
    client.post(f"/admin/users/{student.id}/role", data={"role": "admin"})
    client.post("/logout")
    refused = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    # A link whose maker is deactivated dies with their rights.
    again = accounts.issue_reset(db.session, db.session.get(User, student.id), teacher, NOW)
    db.session.execute(select(User).where(User.id == student.id)).scalar().role = "student"
    db.session.commit()
    assert client.get(f"/reset/{again}").status_code == 200
    users.login_as(Role.ADMIN, "boss2@example.org")
    client.post(f"/admin/users/{teacher.id}/active", data={"active": "0"})
    client.post("/logout")
    assert client.get(f"/reset/{again}").status_code == 410


def test_a_link_spent_meanwhile_is_refused_under_the_lock(app, users):
    user = users.create("v@example.org")
    token = accounts.issue_reset(db.session, user, None, NOW)
    db.session.commit()
    assert accounts.look_up_reset(db.session, token, NOW).user is not None  # page shown
    with db.engine.begin() as other_request:  # another request spends it and commits
        other_request.execute(PasswordReset.__table__.update().values(used_at=NOW))
    with pytest.raises(accounts.AccountRuleError):
        accounts.use_reset(db.session, token, "second password", "pbkdf2:sha256:1000", NOW)


def test_an_emailed_link_does_not_cancel_the_teachers(client, users, school):
    _, student, link = _teacher_link(client, users, school)
    accounts.issue_reset(db.session, student, None, NOW)  # a stranger's "forgot password"
    db.session.commit()
    assert client.get(link).status_code == 200


def test_joining_through_a_link_at_login_is_audited(client, users, school):
    _, school_class, _ = school
    users.create("j@example.org")
    client.post(f"/login?next=/join/{school_class.join_code}",
                data={"email": "j@example.org", "password": PASSWORD})
    with db.engine.connect() as fresh:  # what was committed, not what the session holds
        assert fresh.execute(select(AuditEvent.id).where(
            AuditEvent.action == "class_joined")).first() is not None


def test_odd_page_numbers_are_page_one(client, users):
    users.login_as(Role.ADMIN)
    for path in ("/admin/users?page=%C2%B2", "/admin/audit?page=%C2%B2",
                 "/admin/users?page=-3", "/admin/audit?page=99999999"):
        assert client.get(path).status_code == 200, path
