"""What requests sent at the same moment must not do, tried with real threads on both
databases: each thread has its own client and app context, as gunicorn's workers would."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from quizapp import grading
from quizapp.extensions import db
from quizapp.models import Question, QuizAnswer, QuizAttempt, Role, User
from tests.conftest import PASSWORD, Users
from tests.helpers import import_banks

SHORT = {"id": "short", "title": "Short", "questions": [
    {"id": f"s{i}", "type": "short_answer", "prompt": f"Say {i}", "answers": [f"w{i}"],
     "explanation": "So.", "tags": ["theme:one"]} for i in range(10)]}


def at_once(calls: list) -> list:
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _as(app, email: str, role: Role = Role.STUDENT):
    client = app.test_client()
    with app.app_context():
        Users(app, client).create(email, role=role)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _same_browser(app, client):
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


@pytest.fixture
def live(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        import_banks(SHORT)
        db.session.remove()
    return app


def test_saves_sent_with_the_submit_change_nothing_after_it(live):
    student = _as(live, "racer@example.org")
    started = student.post("/quiz/new", data={"banks": "short", "size": "10",
                                              "feedback": "end", "time_limit": ""})
    attempt_id = int(started.headers["Location"].split("/")[2])
    saves = [lambda n=n: _same_browser(live, student).post(
        f"/quiz/{attempt_id}/{n % 10 + 1}", data={"text": "w1", "go": "next"}).status_code
        for n in range(19)]
    submit = [lambda: _same_browser(live, student).post(f"/quiz/{attempt_id}/submit").status_code]
    codes = at_once(saves[:10] + submit + saves[10:])
    assert all(code < 500 for code in codes), codes
    with live.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        answers = db.session.scalars(select(QuizAnswer).where(
            QuizAnswer.attempt_id == attempt_id)).all()
        assert attempt.submitted_at is not None
        assert len({a.question_id for a in answers}) == len(answers) == 10
        late = [(a.question_id, a.answered_at, attempt.submitted_at) for a in answers
                if a.answered_at is not None and a.answered_at > attempt.submitted_at]
        assert not late, late
        contents = dict(db.session.execute(select(Question.id, Question.content)).all())
        regraded = sum(grading.grade(contents[a.question_id], a.response).score
                       for a in answers)
        assert attempt.score == pytest.approx(regraded)  # the score is what is stored


def test_twenty_clicks_on_take_the_check_open_one_attempt(make_app):
    from tests.web.test_orientation import BANK, PATH

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        from quizapp.banks.orientation import load_path_bytes
        from quizapp.orientation.service import import_path

        import_banks(BANK)
        import_path(db.session, load_path_bytes(PATH, "p.yaml"), datetime.now(UTC))
        db.session.commit()
    student = _as(app, "eager@example.org")
    codes = at_once([lambda: _same_browser(app, student).post(
        "/orientation/trip/first/check").status_code for _ in range(20)])
    assert all(code < 500 for code in codes), codes
    with app.app_context():
        open_attempts = db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.module_key == "first", QuizAttempt.submitted_at.is_(None)))
    assert open_attempts == 1


def test_a_burst_of_wrong_passwords_is_counted_before_they_are_checked(live):
    with live.app_context():
        Users(live, live.test_client()).create("target@example.org")

    def wrong():
        return live.test_client().post("/login", data={
            "email": "target@example.org", "password": "guess"},
            environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code

    codes = at_once([wrong for _ in range(40)])
    assert codes.count(429) >= 35, codes  # the limit is 5 a minute per address and account
    # The owner, from their own address, is not locked out by the stranger.
    own = live.test_client().post("/login", data={"email": "target@example.org",
                                                  "password": PASSWORD},
                                  environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert own.status_code == 302


def test_two_admins_demoting_each_other_leave_one(live):
    first = _as(live, "first-admin@example.org", Role.ADMIN)
    second = _as(live, "second-admin@example.org", Role.ADMIN)
    with live.app_context():
        ids = {u.email: u.id for u in db.session.scalars(select(User))}
    codes = at_once([
        lambda: first.post(f"/admin/users/{ids['second-admin@example.org']}/role",
                           data={"role": "student"}).status_code,
        lambda: second.post(f"/admin/users/{ids['first-admin@example.org']}/role",
                            data={"role": "student"}).status_code])
    assert all(code < 500 for code in codes), codes
    with live.app_context():
        admins = db.session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin"))
    assert admins == 1


def test_two_admins_leaving_at_once_leave_one_admin(live):
    first, second = _as(live, "a1@example.org", Role.ADMIN), _as(live, "a2@example.org",
                                                                  Role.ADMIN)
    form = {"password": PASSWORD, "understood": "y"}
    codes = at_once([lambda: first.post("/account/delete", data=form).status_code,
                     lambda: second.post("/account/delete", data=form).status_code])
    assert sorted(codes) == [200, 302]  # one goes; the other is told why it cannot
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN.value)) == 1


def test_two_uses_of_one_reset_link_set_one_password(live):
    from quizapp.account import service as accounts

    with live.app_context():
        user = Users(live, live.test_client()).create("r@example.org")
        token = accounts.issue_reset(db.session, user, None, datetime.now(UTC))
        db.session.commit()
    browsers = [live.test_client(), live.test_client()]
    for browser in browsers:
        assert browser.get(f"/reset/{token}").status_code == 200
    codes = at_once([lambda b=b, n=n: b.post(f"/reset/{token}", data={
        "password": f"new password {n}", "confirm": f"new password {n}"}).status_code
        for n, b in enumerate(browsers)])
    assert sorted(codes) == [302, 410]
