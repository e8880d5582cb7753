"""Scheduling toward a date: a student's or a class's target day caps the intervals of the
cards it covers; days off move reviews; a backlog is spread; readiness is forecast for the
student and, on departure day, for the coordinator's cohort."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp import scheduling
from quizapp.banks.importer import apply_import
from quizapp.banks.orientation import load_path_bytes
from quizapp.banks.schema import BankFile
from quizapp.extensions import db
from quizapp.models import CardState, Enrolment, Question, Role, SchoolClass, StudyTarget, User
from quizapp.orientation import service as orientation
from quizapp.study import targets
from tests.helpers import import_banks
from tests.web.test_orientation import BANK, PATH
from tests.web.test_races import _as


@pytest.fixture
def world(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        import_banks(BANK)
        document = load_path_bytes(PATH, "orientation.yaml",
                                   check=orientation.reference_problems(db.session))
        orientation.import_path(db.session, document, datetime.now(UTC))
        db.session.commit()
    return app


def _seasoned(app, email: str, key: str) -> None:
    """A card three Goods old (stability about 11 days), due now: rated Good today it would
    come back in about 46 days."""
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        question = db.session.scalar(select(Question).where(Question.key == key))
        db.session.add(CardState(user_id=user.id, question_id=question.id, state=2, step=None,
                                 stability=10.97, difficulty=2.1, due=now,
                                 last_review=now - timedelta(days=11), reps=3, lapses=0))
        db.session.commit()


def _review(client, app, key: str, bank: str = "basics") -> int:
    """Study the card of `key` (due now) and rate it Good: the days until it is due again."""
    page = client.get(f"/study/session?scope=bank:{bank}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    with app.app_context():
        shown = db.session.scalar(select(Question.prompt).where(Question.key == key))
    assert shown in page
    answer = client.post("/study/answer", data={"token": token, "scope": f"bank:{bank}",
                                                "answer": "true"}).get_data(as_text=True)
    good = re.search(r'value="3"[^>]*>.*?rating-interval">([^<]+)<', answer, re.S).group(1)
    client.post("/study/rate", data={"token": token, "rating": "3", "scope": f"bank:{bank}"})
    with app.app_context():
        card = db.session.scalar(select(CardState).join(Question).where(Question.key == key))
        interval = card.due - card.last_review
    assert good.strip() == scheduling.describe_interval(interval)  # the button was right
    return round(interval.total_seconds() / 86400)


def test_a_target_for_a_module_caps_its_cards_intervals_and_no_others(world):
    app = world
    student = _as(app, "amina@example.org")
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    page = student.get("/study/plan/").get_data(as_text=True)
    assert "Trip orientation: First steps" in page  # a module is a scope to choose
    set_ = student.post("/study/plan/targets", data={
        "target-scope": "module:trip/first", "target-day": day.isoformat(),
        "target-recall": "97"}, follow_redirects=True).get_data(as_text=True)
    assert "Your target is set" in set_ and "Trip orientation: First steps" in set_

    _seasoned(app, "amina@example.org", "q0")  # in the module (tag theme:one)
    capped = _review(student, app, "q0")
    assert capped <= 19  # a review falls before the day, not 46 days on
    _seasoned(app, "amina@example.org", "q4")  # outside it (theme:two)
    assert _review(student, app, "q4") >= 40

    # The forecast: recall on the day, now and at this pace.
    page = student.get("/study/plan/").get_data(as_text=True)
    assert "if you stopped now" in page and "Cards started" in page
    assert re.search(r"1 of 3", page)  # one of the module's three cards studied


def test_bad_targets_and_days_off_get_clear_messages(world):
    app = world
    student = _as(app, "amina@example.org")
    today = datetime.now(UTC).date()
    cases = [
        ({"target-scope": "module:trip/nowhere", "target-day": (today + timedelta(days=9))
          .isoformat()}, "Not a valid choice"),
        ({"target-scope": "bank:basics", "target-day": today.isoformat()},
         "Choose a day after today."),
        ({"target-scope": "bank:basics", "target-day": "31/12/2027"}, "Not a valid date"),
        ({"target-scope": "bank:basics", "target-day": (today + timedelta(days=9)).isoformat(),
          "target-recall": "50"}, "Choose between 70 and 99."),
        ({"target-scope": "bank:basics", "target-day": "9999-12-31"},
         "within the next year"),
    ]
    for data, message in cases:
        answer = student.post("/study/plan/targets", data=data)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True), message
    week = {f"off-{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    off = student.post("/study/plan/days-off", data=week | {"off-free_dates": "2027-02-30"})
    assert off.status_code == 400
    assert "“2027-02-30” is not a date" in off.get_data(as_text=True)
    all_free = {f"off-{d}": "free" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert "at least one day" in student.post("/study/plan/days-off",
                                               data=all_free).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(StudyTarget)) is None
        assert db.session.scalar(select(User.days_off)) is None


def test_free_days_move_reviews_and_keep_new_ones_off(world):
    app = world
    student = _as(app, "amina@example.org")
    now = datetime.now(UTC)
    free_day = scheduling.study_day(now, "UTC") + timedelta(days=12)
    with app.app_context():
        user = db.session.scalar(select(User))
        questions = db.session.scalars(select(Question).order_by(Question.id)).all()
        for question in questions[:3]:  # three reviews on the day about to be made free
            db.session.add(CardState(
                user_id=user.id, question_id=question.id, state=2, step=None, stability=20.0,
                difficulty=5.0, due=scheduling.day_start(free_day, "UTC") + timedelta(hours=9),
                last_review=now - timedelta(days=8), reps=3, lapses=0))
        db.session.commit()
    week = {f"off-{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    saved = student.post("/study/plan/days-off", data=week | {
        "off-free_dates": free_day.isoformat(), "off-sat": "light"}, follow_redirects=True)
    assert "3 reviews moved off your free days" in saved.get_data(as_text=True)
    with app.app_context():
        days = {scheduling.study_day(d, "UTC") for d in db.session.scalars(
            select(CardState.due))}
        assert free_day not in days and len(days) == 1  # all three moved, the same way
        assert db.session.scalar(select(User.days_off))["light_weekdays"] == [5]
    page = student.get("/study/plan/").get_data(as_text=True)
    assert free_day.isoformat() in page  # the form shows what is saved


def test_a_backlog_after_a_break_is_spread_most_forgotten_first(world, monkeypatch):
    app = world
    student = _as(app, "amina@example.org")
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.scalar(select(User))
        for n, question in enumerate(db.session.scalars(select(Question).order_by(Question.id))):
            db.session.add(CardState(
                user_id=user.id, question_id=question.id, state=2, step=None,
                stability=2.0 + n * 10, difficulty=5.0, due=now - timedelta(days=14),
                last_review=now - timedelta(days=20), reps=3, lapses=0))
        db.session.commit()
    assert "Catch up" not in student.get("/study/plan/").get_data(as_text=True)  # too few
    monkeypatch.setattr(targets, "CATCH_UP_FROM", 5)
    assert "6 reviews are overdue" in student.get("/study/plan/").get_data(as_text=True)
    spread = student.post("/study/plan/catch-up", data={"catch-days": "3"},
                          follow_redirects=True).get_data(as_text=True)
    assert "6 overdue reviews are spread over the next 3 days" in spread
    with app.app_context():
        rows = db.session.execute(select(CardState.stability, CardState.due)
                                  .order_by(CardState.stability)).all()
    today = scheduling.study_day(now, "UTC")
    days = [(scheduling.study_day(due, "UTC") - today).days for _s, due in rows]
    assert days == [0, 0, 1, 1, 2, 2]  # the weakest (lowest stability) today
    assert "Study" in student.get("/study/session?scope=all").get_data(as_text=True)


def test_a_coordinator_sets_departure_day_and_sees_the_cohort_readiness(world):
    app = world
    teacher = _as(app, "coordinator@example.org", Role.TEACHER)
    teacher.post("/teach/classes/", data={"name": "Exchange 2027"})
    students = [_as(app, f"s{n}@example.org") for n in range(2)]
    with app.app_context():
        cohort = db.session.scalar(select(SchoolClass))
        for user in db.session.scalars(select(User).where(User.role == "student")):
            db.session.add(Enrolment(class_id=cohort.id, user_id=user.id))
        db.session.commit()
        class_id = cohort.id
    teacher.post(f"/teach/classes/{class_id}/orientation", data={"path": "trip"})
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    before = teacher.get(f"/teach/classes/{class_id}/orientation/trip").get_data(as_text=True)
    assert "Set departure day" in before and "at risk" not in before
    bad = teacher.post(f"/teach/classes/{class_id}/orientation/trip/departure",
                       data={"day": "not a day"})
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)
    done = teacher.post(f"/teach/classes/{class_id}/orientation/trip/departure",
                        data={"day": day.isoformat(), "recall": "90"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "The departure day is set" in text
    assert "0 of 2 students are predicted" in text and "2 are at risk" in text
    csv = teacher.get(f"/teach/classes/{class_id}/orientation/trip.csv").get_data(as_text=True)
    assert f"predicted recall on {day.isoformat()} (%)" in csv.splitlines()[0]
    # The class's target reaches each student: on their page, and on their schedule.
    page = students[0].get("/study/plan/").get_data(as_text=True)
    assert "set for Exchange 2027" in page and "Trip orientation" in page
    assert "Remove target" not in page  # the class's target is the teacher's to change


def test_a_teachers_class_target_caps_its_students_intervals(world):
    app = world
    teacher = _as(app, "teacher@example.org", Role.TEACHER)
    teacher.post("/teach/classes/", data={"name": "Exam group"})
    student = _as(app, "amina@example.org")
    with app.app_context():
        group = db.session.scalar(select(SchoolClass))
        amina = db.session.scalar(select(User).where(User.email == "amina@example.org"))
        db.session.add(Enrolment(class_id=group.id, user_id=amina.id))
        db.session.commit()
        class_id = group.id
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    page = teacher.get(f"/teach/classes/{class_id}").get_data(as_text=True)
    assert "Target days" in page and "Basics" in page
    other = _as(app, "other@example.org", Role.TEACHER)
    assert other.post(f"/teach/classes/{class_id}/targets", data={
        "target-scope": "bank:basics", "target-day": day.isoformat()}).status_code == 403
    bad = teacher.post(f"/teach/classes/{class_id}/targets", data={
        "target-scope": "bank:basics", "target-day": "yesterday"})
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)
    done = teacher.post(f"/teach/classes/{class_id}/targets", data={
        "target-scope": "bank:basics", "target-day": day.isoformat(), "target-recall": "97"},
        follow_redirects=True).get_data(as_text=True)
    assert "The target day is set for the class." in done
    assert "0 of 1 students predicted to reach it" in done

    _seasoned(app, "amina@example.org", "q4")
    assert _review(student, app, "q4") <= 19  # the class's target holds the student's card
    assert "set for Exam group" in student.get("/study/plan/").get_data(as_text=True)
    with app.app_context():
        target_id = db.session.scalar(select(StudyTarget.id))
    assert student.post(f"/study/plan/targets/{target_id}/remove").status_code == 302
    with app.app_context():  # a student cannot remove their class's target
        assert db.session.scalar(select(StudyTarget.id)) == target_id
    teacher.post(f"/teach/classes/{class_id}/targets/{target_id}/remove")
    with app.app_context():
        assert db.session.scalar(select(StudyTarget.id)) is None


def test_a_class_target_on_a_topic_takes_no_other_teachers_bank(world):
    """A class's topic counts the bundled banks and its own teacher's, as assignments do: a
    bank another teacher tags with the topic does not enter the class's target."""
    app = world
    teacher = _as(app, "teacher@example.org", Role.TEACHER)
    teacher.post("/teach/classes/", data={"name": "Exam group"})
    student = _as(app, "amina@example.org")
    _as(app, "other@example.org", Role.TEACHER)
    with app.app_context():
        group = db.session.scalar(select(SchoolClass))
        amina = db.session.scalar(select(User).where(User.email == "amina@example.org"))
        db.session.add(Enrolment(class_id=group.id, user_id=amina.id))
        for email, bank in (("teacher@example.org", "mine"), ("other@example.org", "stray")):
            owner = db.session.scalar(select(User).where(User.email == email))
            apply_import(db.session, [BankFile.model_validate({
                "id": bank, "title": bank.title(), "questions": [
                    {"id": f"{bank}1", "type": "true_false", "prompt": f"{bank} statement",
                     "answer": True, "tags": ["theme:two"]}]})], datetime.now(UTC),
                owner_id=owner.id)
        db.session.commit()
        class_id = group.id
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    done = teacher.post(f"/teach/classes/{class_id}/targets", data={
        "target-scope": "tag:theme:two", "target-day": day.isoformat(), "target-recall": "97"},
        follow_redirects=True)
    assert "The target day is set for the class." in done.get_data(as_text=True)
    for key in ("q4", "mine1", "stray1"):
        _seasoned(app, "amina@example.org", key)
    assert _review(student, app, "q4") <= 19  # bundled: in the class's topic
    assert _review(student, app, "mine1", bank="mine") <= 19  # the class's teacher's own
    assert _review(student, app, "stray1", bank="stray") >= 40  # another teacher's: not
    with app.app_context():
        target = db.session.scalar(select(StudyTarget))
        covered = targets.class_scope_ids(db.session, target)
        keys = set(db.session.scalars(select(Question.key).where(Question.id.in_(covered))))
    assert keys == {"q3", "q4", "q5", "mine1"}
    # The plan's "Study these cards" studies the same questions, not the tag in every bank.
    plan = student.get("/study/plan/").get_data(as_text=True)
    assert f"/study/session?scope=target:{target.id}" in plan
    assert ">Theme: Two</h3>" in plan  # the topic by its name, as everywhere else
    for _ in range(6):
        page = student.get(f"/study/session?scope=target:{target.id}").get_data(as_text=True)
        assert "stray statement" not in page
        if "Statement" not in page and "mine statement" not in page:
            break
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        student.post("/study/answer", data={"token": token, "scope": f"target:{target.id}",
                                            "answer": "true"})
        student.post("/study/rate", data={"token": token, "rating": "4",
                                          "scope": f"target:{target.id}"})
    outsider = _as(app, "outsider@example.org")
    assert outsider.get(f"/study/session?scope=target:{target.id}").status_code == 404


def test_targets_are_capped_and_a_failed_form_keeps_the_saved_days_off(world):
    app = world
    student = _as(app, "amina@example.org")
    today = datetime.now(UTC).date()
    week = {f"off-{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    holiday = (today + timedelta(days=40)).isoformat()
    student.post("/study/plan/days-off", data=week | {"off-free_dates": holiday})
    failed = student.post("/study/plan/targets", data={"target-scope": "bank:basics",
                                                       "target-day": today.isoformat()})
    assert failed.status_code == 400 and holiday in failed.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        for n in range(targets.MAX_TARGETS):
            db.session.add(StudyTarget(user_id=user.id, scope=f"tag:t{n}",
                                       day=today + timedelta(days=5)))
        db.session.commit()
    refused = student.post("/study/plan/targets", data={
        "target-scope": "bank:basics", "target-day": (today + timedelta(days=5)).isoformat()})
    assert refused.status_code == 400
    assert "at most 20 can be set" in refused.get_data(as_text=True)


def test_a_catch_up_never_overwrites_a_card_rated_meanwhile(world):
    app = world
    _as(app, "amina@example.org")
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.scalar(select(User))
        question = db.session.scalar(select(Question))
        card = CardState(user_id=user.id, question_id=question.id, state=2, step=None,
                         stability=5.0, difficulty=5.0, due=now + timedelta(days=9),
                         last_review=now, reps=4, lapses=0)  # just rated in another tab
        db.session.add(card)
        db.session.commit()
        stale = now - timedelta(days=3)  # what the catch-up had read before that rating
        targets._set_dues(db.session, {card.id: (stale, now)})
        db.session.commit()
        assert db.session.get(CardState, card.id).due == now + timedelta(days=9)
