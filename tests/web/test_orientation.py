"""The orientation path: validation, unlocking in order, completion, certificates, cohorts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.banks.errors import BankErrors
from quizapp.banks.orientation import load_path_bytes
from quizapp.extensions import db
from quizapp.models import (
    Certificate,
    ClassPath,
    Enrolment,
    OrientationPath,
    Question,
    QuizAttempt,
    Role,
)
from quizapp.orientation import service
from quizapp.quiz import service as quizzes
from tests.helpers import import_banks

E = {"explanation": "E.", "source": {"paragraphs": [1]}}
BANK = {"id": "basics", "title": "Basics", "questions": [
    {"id": f"q{i}", "type": "true_false", "prompt": f"Statement {i}", "answer": True, **E,
     "tags": ["theme:one" if i < 3 else "theme:two"]} for i in range(6)]}
PATH = b"""\
id: trip
title: Trip orientation
modules:
  - id: first
    title: First steps
    briefing: [Read this first.]
    source: {paragraphs: [1]}
    tags: [theme:one]
    check: {questions: 3, pass_mark: 0.6}
  - id: second
    title: Second steps
    briefing: [Then this.]
    tags: [theme:two]
    check: {questions: 3}
"""
NOW = datetime(2026, 7, 1, 9, tzinfo=UTC)


@pytest.fixture
def path(app):
    import_banks(BANK)
    document = load_path_bytes(PATH, "orientation.yaml",
                               check=service.reference_problems(db.session))
    imported = service.import_path(db.session, document, NOW)
    db.session.commit()
    return imported


def errors_of(data: bytes, session=None) -> list[str]:
    check = service.reference_problems(session) if session is not None else None
    with pytest.raises(BankErrors) as caught:
        load_path_bytes(data, "orientation.yaml", check=check)
    return [str(e) for e in caught.value.errors]


def test_path_validation_errors_have_lines(app):
    import_banks(BANK)
    bad = PATH.replace(b"pass_mark: 0.6", b"pass_mark: 2").replace(
        b"    tags: [theme:two]\n", b"")
    found = errors_of(bad)
    assert any(":9:38: modules[0].check.pass_mark" in e for e in found), found
    assert any("modules[1]" in e and "at least one bank or tag" in e for e in found), found
    unknown = errors_of(PATH.replace(b"[theme:two]", b"[theme:nope]"), db.session)
    assert unknown == ["orientation.yaml:13:12: modules[1].tags[0]: no question has tag "
                       "'theme:nope'"]
    assert db.session.scalar(select(func.count()).select_from(OrientationPath)) == 0
    duplicate = errors_of(PATH.replace(b"id: second", b"id: first"))
    assert any("duplicate id 'first'" in e for e in duplicate)


def test_cli_import_writes_nothing_on_error(app, tmp_path):
    import_banks(BANK)
    bad = tmp_path / "orientation.yaml"
    bad.write_bytes(PATH.replace(b"[theme:two]", b"[theme:nope]"))
    result = app.test_cli_runner().invoke(args=["orientation", "import", str(bad)])
    assert result.exit_code == 1 and "no question has tag 'theme:nope'" in result.output
    assert db.session.scalar(select(func.count()).select_from(OrientationPath)) == 0
    good = tmp_path / "good.yaml"
    good.write_bytes(PATH)
    ok = app.test_cli_runner().invoke(args=["orientation", "import", str(good)])
    assert ok.exit_code == 0 and "orientation trip: 2 modules" in ok.output


def take_check(student, path, module_key, right: int, now=NOW):
    attempt = service.start_check(db.session, path, student, module_key, now)
    questions = {q.id: q for q in db.session.scalars(
        select(quizzes.Question).where(quizzes.Question.id.in_(attempt.question_ids)))}
    for n, qid in enumerate(attempt.question_ids):
        quizzes.save_answer(db.session, attempt, questions[qid], {"answer": n < right}, now)
    quizzes.submit(db.session, attempt, student, now)
    db.session.commit()
    return attempt


def test_modules_unlock_in_order_and_complete(users, path):
    student = users.create("p@example.org", name="Participant")
    states = [m.state for m in service.progress_for(db.session, path, student)]
    assert states == ["open", "locked"]
    with pytest.raises(service.PathError, match="previous module"):
        service.start_check(db.session, path, student, "second", NOW)
    take_check(student, path, "first", right=1)  # 33%: below the 60% pass mark
    assert [m.state for m in service.progress_for(db.session, path, student)] == [
        "open", "locked"]
    take_check(student, path, "first", right=2, now=NOW + timedelta(hours=1))  # 67%: passed
    rows = service.progress_for(db.session, path, student)
    assert [m.state for m in rows] == ["passed", "open"]
    assert rows[0].passing_score == pytest.approx(2 / 3)
    assert service.issue_certificate(db.session, path, student) is None
    take_check(student, path, "second", right=3, now=NOW + timedelta(days=1))
    certificate = service.issue_certificate(db.session, path, student)
    db.session.commit()
    assert certificate is not None and len(certificate.public_id) >= 32
    assert [m["score"] for m in certificate.modules] == [67, 100]
    assert certificate.issued_at == NOW + timedelta(days=1)
    again = service.issue_certificate(db.session, path, student)
    assert again.id == certificate.id


def test_mastery_cards_stay_in_study(users, path):
    student = users.create("p@example.org")
    attempt = take_check(student, path, "first", right=3)
    from quizapp.models import CardState

    cards = db.session.scalars(select(CardState).where(CardState.user_id == student.id)).all()
    assert {c.question_id for c in cards} == set(attempt.question_ids)


def test_certificate_page_is_public_and_a_wrong_id_shows_nothing(client, users, path):
    student = users.create("p@example.org", name="Leyla Aliyeva")
    take_check(student, path, "first", right=3)
    take_check(student, path, "second", right=3)
    certificate = service.issue_certificate(db.session, path, student)
    db.session.commit()
    page = client.get(f"/certificates/{certificate.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Leyla Aliyeva" in text and "Trip orientation" in text and "100%" in text
    assert "p@example.org" not in text  # only what the certificate says
    last = "y" if certificate.public_id.endswith("x") else "x"  # a token may end in x
    wrong = client.get(f"/certificates/{certificate.public_id[:-1]}{last}")
    assert wrong.status_code == 404 and "Leyla" not in wrong.get_data(as_text=True)


def test_participant_pages(client, users, path):
    users.login_as(Role.STUDENT)
    page = client.get("/orientation/trip").get_data(as_text=True)
    assert "0 of 2" in page and "Locked: pass module 1 first" in page
    module = client.get("/orientation/trip/first").get_data(as_text=True)
    assert "Read this first." in module and "3 cards go with this module" in module
    locked = client.post("/orientation/trip/second/check", follow_redirects=True)
    assert "previous module" in locked.get_data(as_text=True)
    started = client.post("/orientation/trip/first/check")
    assert re.search(r"/quiz/\d+/1", started.headers["Location"])
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.module_key == "first" and attempt.max_score == 3


def test_cohort_readiness(client, users, path):
    teacher = users.create("coord@example.org", Role.TEACHER)
    from quizapp.classes.service import create_class

    school_class = create_class(db.session, teacher, "Cohort")
    done = users.create("done@example.org", name="Done")
    slow = users.create("slow@example.org", name="Slow")
    idle = users.create("idle@example.org", name="Idle")
    for s in (done, slow, idle):
        db.session.add(Enrolment(class_id=school_class.id, user_id=s.id))
    db.session.commit()
    now = datetime.now(UTC)
    take_check(done, path, "first", right=3, now=now)
    take_check(done, path, "second", right=3, now=now)
    take_check(slow, path, "first", right=1, now=now - timedelta(days=10))
    users.login("coord@example.org")
    assert client.get(f"/teach/classes/{school_class.id}/orientation/trip").status_code == 404
    client.post(f"/teach/classes/{school_class.id}/orientation", data={"path": "trip"})
    assert db.session.scalar(select(func.count()).select_from(ClassPath)) == 1
    view = service.cohort_readiness(db.session, path, [done, slow, idle], now)
    status = {r.user.name: r.status for r in view.students}
    assert status == {"Done": "finished", "Slow": "behind", "Idle": "not started"}
    assert view.averages[0] == pytest.approx((1.0 + 1 / 3) / 2)
    page = client.get(f"/teach/classes/{school_class.id}/orientation/trip").get_data(
        as_text=True)
    assert "finished (2/2)" in page and "not started (0/2)" in page
    csv_text = client.get(f"/teach/classes/{school_class.id}/orientation/trip.csv").data.decode()
    assert csv_text.splitlines()[0] == "student,email,status,modules passed,First steps," \
                                       "Second steps"
    assert "Done,done@example.org,finished,2/2,100 passed,100 passed" in csv_text
    users.login_as(Role.TEACHER)
    assert client.get(f"/teach/classes/{school_class.id}/orientation/trip").status_code == 403
    users.login_as(Role.STUDENT)
    assert client.get(f"/teach/classes/{school_class.id}/orientation/trip").status_code == 403


def test_bundled_orientation_path_loads(app):
    from pathlib import Path

    from quizapp.banks.orientation import load_path

    document = load_path(Path(__file__).resolve().parents[2] / "questions" / "orientation.yaml")
    assert [m.id for m in document.modules] == [
        "foundations", "diplomacy", "energy", "connectivity", "culture", "road-ahead"]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_teachers_bank_cannot_fill_an_orientation_check(users, path):
    """A module drawing on a topic takes questions only from the bundled banks."""
    from quizapp.models import Bank

    teacher = users.create("t@example.org", Role.TEACHER)
    import_banks({"id": "trivia", "title": "Trivia", "questions": [
        {"id": f"t{i}", "type": "true_false", "prompt": f"Trivial {i}", "answer": True, **E,
         "tags": ["theme:one"]} for i in range(200)]})
    db.session.scalar(select(Bank).where(Bank.slug == "trivia")).owner_id = teacher.id
    db.session.commit()
    student = users.create("p@example.org")
    attempt = service.start_check(db.session, path, student, "first", NOW)
    prompts = db.session.scalars(select(Question.prompt).where(
        Question.id.in_(attempt.question_ids))).all()
    assert prompts and all(p.startswith("Statement") for p in prompts)


MIXED = {"id": "mixed", "title": "Mixed", "questions": [
    {"id": f"m{i}", "type": "true_false", "prompt": f"Claim {i}", "answer": True,
     "explanation": "E.", "source": {"paragraphs": [1 if i < 3 else 9]}, "tags": ["theme:mix"]}
    for i in range(8)]}
BRIEFED = b"""\
id: briefed
title: Briefed
modules:
  - id: only
    title: Only paragraph 1
    briefing: [About paragraph 1.]
    source: {paragraphs: [1]}
    tags: [theme:mix]
    check: {questions: %d}
"""


def test_a_modules_check_asks_only_about_its_briefings_paragraphs(app, users):
    import_banks(MIXED)
    document = load_path_bytes(BRIEFED % 3, "o.yaml",
                               check=service.reference_problems(db.session))
    imported = service.import_path(db.session, document, NOW)
    student = users.create("p@example.org")
    attempt = service.start_check(db.session, imported, student, "only", NOW)
    keys = set(db.session.scalars(select(Question.key).where(
        Question.id.in_(attempt.question_ids))))
    assert keys == {"m0", "m1", "m2"}  # the three citing paragraph 1, none of paragraph 9


def test_a_check_larger_than_its_paragraphs_allow_is_refused(app):
    import_banks(MIXED)
    found = errors_of(BRIEFED % 5, db.session)
    assert any("the check asks 5 questions, but only 3 graded questions" in e for e in found)
