"""Classes: joining, removing, assignment windows, the dashboard, CSV, and who may see what."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.classes import dashboard, service
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Enrolment,
    Question,
    QuizAnswer,
    QuizAttempt,
    Role,
    SchoolClass,
)
from tests.conftest import PASSWORD
from tests.helpers import import_banks

E = {"explanation": "E.", "source": {"paragraphs": [1]}, "tags": ["theme:energy"]}
BANK = {"id": "three", "title": "Three", "questions": [
    {"id": f"q{i}", "type": "true_false", "prompt": f"Statement {i}", "answer": True, **E}
    for i in (1, 2, 3)]}
NOW = datetime.now(UTC)


@pytest.fixture
def setup(users):
    return class_with_quiz(users)


def class_with_quiz(users):
    """A teacher's class with a three-question quiz assignment."""
    import_banks(BANK)
    teacher = users.create("teacher@example.org", Role.TEACHER, name="Teacher")
    school_class = service.create_class(db.session, teacher, "Exchange 2026")
    quiz = Assignment(school_class=school_class, kind="quiz", title="Quiz one", banks=["three"],
                      size=3, due_at=NOW + timedelta(days=7), attempts_allowed=2)
    db.session.add(quiz)
    db.session.commit()
    return teacher, school_class, quiz


def join(client, code):
    return client.post("/join", data={"code": code}, follow_redirects=True)


def test_student_joins_by_code_and_by_link(client, users, setup):
    _, school_class, _ = setup
    users.login_as(Role.STUDENT, email="a@example.org")
    page = join(client, school_class.join_code.lower()).get_data(as_text=True)
    assert "You joined Exchange 2026." in page
    users.login_as(Role.STUDENT, email="b@example.org")
    link = client.get(f"/join/{school_class.join_code}").get_data(as_text=True)
    assert "You are about to join <strong>Exchange 2026</strong>" in link
    join(client, school_class.join_code)
    join(client, school_class.join_code)  # twice: still one enrolment
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 2


def test_wrong_code_and_closed_joining_are_explained(client, users, setup):
    teacher, school_class, _ = setup
    users.login_as(Role.STUDENT)
    assert "No class has that code" in join(client, "NOPE1234").get_data(as_text=True)
    school_class.joining_open = False
    db.session.commit()
    page = join(client, school_class.join_code).get_data(as_text=True)
    assert "is not taking new students" in page
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_teacher_closes_joining_and_removes_a_student(client, users, setup):
    teacher, school_class, _ = setup
    student = users.login_as(Role.STUDENT)
    join(client, school_class.join_code)
    client.post("/logout")
    users.login("teacher@example.org")
    client.post(f"/teach/classes/{school_class.id}/joining", data={"open": "0"})
    assert db.session.get(SchoolClass, school_class.id).joining_open is False
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert student.email in page
    client.post(f"/teach/classes/{school_class.id}/students/{student.id}/remove")
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_assignment_windows_and_attempts(client, users, setup):
    _, school_class, quiz = setup
    student = users.login_as(Role.STUDENT)
    join(client, school_class.join_code)
    early = Assignment(school_class=school_class, kind="quiz", title="Later", banks=["three"],
                       size=3, opens_at=NOW + timedelta(days=1), due_at=NOW + timedelta(days=2))
    past = Assignment(school_class=school_class, kind="quiz", title="Past", banks=["three"],
                      size=3, due_at=NOW - timedelta(days=1))
    db.session.add_all([early, past])
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Quiz one" in home and "Opens" in home
    for assignment, message in ((early, "This quiz opens on"), (past, "past its due date")):
        page = client.post(f"/assignments/{assignment.id}/start", follow_redirects=True)
        assert message in page.get_data(as_text=True)
    for _ in range(2):
        started = client.post(f"/assignments/{quiz.id}/start")
        attempt_id = int(re.search(r"/quiz/(\d+)/1", started.headers["Location"]).group(1))
        assert client.post(f"/assignments/{quiz.id}/start").headers["Location"] == \
            started.headers["Location"]  # an open attempt is resumed, not doubled
        client.post(f"/quiz/{attempt_id}/submit")
    third = client.post(f"/assignments/{quiz.id}/start", follow_redirects=True)
    assert "used all your attempts" in third.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.user_id == student.id)) == 2


def test_a_student_outside_the_class_cannot_start_its_quiz(client, users, setup):
    _, _, quiz = setup
    users.login_as(Role.STUDENT)
    page = client.post(f"/assignments/{quiz.id}/start", follow_redirects=True)
    assert "not yours" in page.get_data(as_text=True)


def test_teacher_creates_assignments_with_clear_errors(client, users, setup):
    _, school_class, _ = setup
    users.login("teacher@example.org")
    url = f"/teach/classes/{school_class.id}/assignments/new"
    bad = client.post(url, data={"kind": "quiz", "title": "T", "due_at": "2026-01-02T10:00",
                                 "opens_at": "2026-01-03T10:00", "size": "5",
                                 "feedback": "end"}).get_data(as_text=True)
    assert "Pick at least one bank or topic." in bad
    assert "The due date must come after the opening date." in bad
    ok = client.post(url, data={"kind": "study", "title": "Learn energy",
                                "tags": ["theme:energy"], "due_at": "2030-01-02T10:00",
                                "feedback": "end", "time_adjustable": "y"})
    assert ok.status_code == 302
    goal = db.session.scalar(select(Assignment).where(Assignment.title == "Learn energy"))
    assert goal.kind == "study" and goal.tags == ["theme:energy"]
    assert goal.due_at == datetime(2030, 1, 2, 10, tzinfo=UTC)


def add_attempt(student, quiz, scores, started):
    ids = [db.session.scalar(select(Question.id).where(Question.key == f"q{i}"))
           for i in (1, 2, 3)]
    attempt = QuizAttempt(user_id=student.id, assignment_id=quiz.id, title="Quiz one",
                          settings={}, seed=1, question_ids=ids, started_at=started,
                          submitted_at=started, score=float(sum(scores)), max_score=3)
    db.session.add(attempt)
    db.session.flush()
    for position, (qid, score) in enumerate(zip(ids, scores, strict=True)):
        db.session.add(QuizAnswer(attempt_id=attempt.id, question_id=qid, position=position,
                                  response={"answer": bool(score)}, score=float(score)))


def test_dashboard_item_analysis_matches_the_hand_computed_example(users, setup):
    _, school_class, quiz = setup
    grid = {"s1": (1, 1, 1), "s2": (1, 0, 1), "s3": (0, 1, 0), "s4": (0, 0, 1)}
    for name, scores in grid.items():
        student = users.create(f"{name}@example.org", name=name)
        db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
        add_attempt(student, quiz, scores, NOW - timedelta(hours=2))
        if name == "s1":  # a later attempt: not a first attempt, must not count
            add_attempt(student, quiz, (0, 0, 0), NOW - timedelta(hours=1))
    db.session.commit()
    rows = {r.question.key: r.stats for r in dashboard.item_analysis(db.session, school_class)}
    assert rows["q1"].attempts == 4
    assert rows["q1"].facility == pytest.approx(0.5)
    assert rows["q1"].discrimination == pytest.approx(0.57735, abs=1e-4)
    assert rows["q2"].discrimination == pytest.approx(-0.30151, abs=1e-4)
    # Four students say too little to flag anything (MIN_ATTEMPTS is 5).
    assert not rows["q2"].flags and not rows["q2"].enough
    assert rows["q3"].facility == pytest.approx(0.75)
    assert rows["q3"].discrimination == pytest.approx(0.0, abs=1e-9)
    students = {r.user.name: r for r in dashboard.student_rows(db.session, school_class, NOW)}
    assert students["s1"].assignments[quiz.id] == "100%"  # best of two attempts
    assert students["s3"].best[quiz.id] == pytest.approx(1 / 3)


def test_dashboard_puts_each_quiz_result_in_its_own_column(users, setup):
    _, school_class, quiz = setup
    second = Assignment(school_class=school_class, kind="quiz", title="Quiz two",
                        banks=["three"], size=3, due_at=NOW + timedelta(days=7))
    db.session.add(second)
    ada, ben = users.create("ada@example.org", name="Ada"), users.create("ben@example.org",
                                                                         name="Ben")
    db.session.add_all([Enrolment(class_id=school_class.id, user_id=ada.id),
                        Enrolment(class_id=school_class.id, user_id=ben.id)])
    db.session.flush()
    add_attempt(ada, quiz, (1, 1, 1), NOW)
    add_attempt(ben, second, (0, 1, 0), NOW)
    db.session.commit()
    rows = {r.user.name: r for r in dashboard.student_rows(db.session, school_class, NOW)}
    assert [rows["Ada"].assignments[a.id] for a in (quiz, second)] == ["100%", "—"]
    assert [rows["Ben"].assignments[a.id] for a in (quiz, second)] == ["—", "33%"]
    assert rows["Ben"].best == {quiz.id: None, second.id: pytest.approx(1 / 3)}
    assert rows["Ada"].user.email == "ada@example.org"


def test_csv_exports(client, users, setup):
    _, school_class, quiz = setup
    student = users.create("s@example.org", name="Şahin Ünal")
    db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    add_attempt(student, quiz, (1, 0, 1), NOW)
    db.session.commit()
    users.login("teacher@example.org")
    results = client.get(f"/teach/classes/{school_class.id}/results.csv")
    assert results.headers["Content-Type"] == "text/csv; charset=utf-8"  # named once
    rows = list(csv.reader(io.StringIO(results.data.decode("utf-8"))))
    assert rows[0] == ["student", "email", "assignment", "kind", "due (UTC)", "status",
                       "best score %"]
    assert rows[1][:3] == ["Şahin Ünal", "s@example.org", "Quiz one"]
    assert rows[1][5:] == ["67%", "66.7"]
    items = client.get(f"/teach/classes/{school_class.id}/items.csv").data.decode("utf-8")
    item_rows = list(csv.reader(io.StringIO(items)))
    assert item_rows[0][:6] == ["bank", "question id", "question", "first attempts", "facility",
                                "discrimination"]
    assert {r[1] for r in item_rows[1:]} == {"q1", "q2", "q3"}


TEACHER_ROUTES = [
    ("get", "/teach/classes/"), ("get", "/teach/classes/{id}"),
    ("post", "/teach/classes/{id}/joining"), ("get", "/teach/classes/{id}/assignments/new"),
    ("get", "/teach/classes/{id}/assignments/{quiz}/edit"),
    ("get", "/teach/classes/{id}/assignments/{quiz}/delete"),
    ("get", "/teach/classes/{id}/results.csv"), ("get", "/teach/classes/{id}/items.csv"),
    ("get", "/teach/banks"),
]


@pytest.mark.parametrize("method, path", TEACHER_ROUTES)
def test_authorisation_matrix(client, users, setup, method, path):
    _, school_class, quiz = setup
    url = path.format(id=school_class.id, quiz=quiz.id)
    call = getattr(client, method)
    anonymous = call(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    users.login_as(Role.STUDENT)
    assert call(url).status_code == 403
    users.login_as(Role.TEACHER)  # another teacher
    other = call(url)
    own_class_only = "{id}" in path
    assert other.status_code == (403 if own_class_only else 200)
    users.login_as(Role.ADMIN)
    assert call(url).status_code in (200, 302)
    users.login("teacher@example.org")
    assert call(url).status_code in (200, 302)


def test_another_teacher_does_not_see_my_class_in_their_list(client, users, setup):
    users.login_as(Role.TEACHER)
    assert "Exchange 2026" not in client.get("/teach/classes/").get_data(as_text=True)


def test_csv_cells_cannot_run_as_formulas(client, users, setup):
    _, school_class, _ = setup
    student = users.create("f@example.org", name="=HYPERLINK(\"http://x\",\"y\")")
    db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    db.session.commit()
    users.login("teacher@example.org")
    text = client.get(f"/teach/classes/{school_class.id}/results.csv").data.decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_assignment_quizzes_close_at_the_due_date_and_skip_flashcards(client, users, setup):
    _, school_class, quiz = setup
    import_banks({"id": "cards", "title": "Cards", "questions": [
        {"id": "fc", "type": "flashcard", "front": "F", "back": "B", **E}]})
    quiz.banks = ["three", "cards"]
    quiz.time_limit_minutes = None
    db.session.commit()
    student = users.login_as(Role.STUDENT)
    join(client, school_class.join_code)
    started = client.post(f"/assignments/{quiz.id}/start")
    attempt_id = int(re.search(r"/quiz/(\d+)/1", started.headers["Location"]).group(1))
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.deadline == quiz.due_at  # no answers after the due date
    kinds = {db.session.get(Question, qid).type for qid in attempt.question_ids}
    assert kinds == {"true_false"}  # self-graded flashcards are not in graded quizzes
    client.post(f"/quiz/{attempt_id}/time", data={"action": "off"})
    db.session.refresh(attempt)
    assert attempt.deadline == quiz.due_at  # turning the limit off cannot pass the due date
    attempt.deadline = datetime.now(UTC) - timedelta(minutes=5)  # the due date has passed
    db.session.commit()
    late = client.post(f"/quiz/{attempt_id}/1", data={"answer": "true"}, follow_redirects=True)
    assert "submitted" in late.get_data(as_text=True)
    assert db.session.get(QuizAttempt, attempt_id).submitted_at is not None
    assert student.id == attempt.user_id



def test_a_teachers_bank_cannot_slip_into_another_teachers_topic_quiz(client, users, setup):
    """Tags are free to choose, so another teacher's 200 trivial questions tagged like the
    article's topics took over tag-scoped assignments; topics draw only from the bundled
    banks and the assignment's own teacher's."""
    from quizapp.models import Bank
    from quizapp.selection import candidate_ids

    import_banks({"id": "bundled", "title": "Bundled", "questions": [
        {"id": "b1", "type": "true_false", "prompt": "Bundled", "answer": True, **E,
         "tags": ["theme:mutual-respect"]}]})
    intruder = users.create("intruder@example.org", Role.TEACHER)
    teacher, school_class, _ = setup
    import_banks({"id": "trivia", "title": "Trivia", "questions": [
        {"id": f"t{i}", "type": "true_false", "prompt": f"Trivial {i}", "answer": True, **E,
         "tags": ["theme:mutual-respect"]} for i in range(200)]},
                 {"id": "mine", "title": "Mine", "questions": [
        {"id": "m1", "type": "true_false", "prompt": "Mine", "answer": True, **E,
         "tags": ["theme:mutual-respect"]}]})
    banks = {b.slug: b for b in db.session.scalars(select(Bank))}
    banks["trivia"].owner_id, banks["mine"].owner_id = intruder.id, teacher.id
    db.session.add(Assignment(school_class=school_class, kind="quiz", title="Respect",
                              tags=["theme:mutual-respect"], size=5,
                              due_at=NOW + timedelta(days=7)))
    db.session.commit()
    assignment = db.session.scalar(select(Assignment).where(Assignment.title == "Respect"))
    drawn = service.scope_question_ids(db.session, assignment)
    prompts = set(db.session.scalars(select(Question.prompt).where(Question.id.in_(drawn))))
    assert prompts == {"Bundled", "Mine"}
    assert len(candidate_ids(db.session, [], ["theme:mutual-respect"])) == 202  # a student's
    # own quiz may still range over every bank
    client.post("/logout")
    client.post("/login", data={"email": "teacher@example.org", "password": PASSWORD})
    form = client.get(f"/teach/classes/{school_class.id}/assignments/new").get_data(
        as_text=True)
    assert 'value="mine"' in form and 'value="trivia"' not in form
