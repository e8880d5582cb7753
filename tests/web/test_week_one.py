"""A class's first week: the seams between features that new users hit, each kept fixed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.classes import service as classes
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Enrolment,
    Question,
    QuizAnswer,
    QuizAttempt,
    Role,
    User,
)
from tests.conftest import PASSWORD
from tests.helpers import flashcards, import_banks

E = {"explanation": "Because.", "source": {"paragraphs": [1]}}
MIX = {"id": "mix", "title": "Mixed bag", "questions": [
    {"id": f"tf{i}", "type": "true_false", "prompt": f"Statement {i}", "answer": True, **E,
     "tags": ["theme:one"]} for i in range(3)] + [
    {"id": f"sc{i}", "type": "single_choice", "prompt": f"Pick {i}", "answer": "Right",
     "choices": ["Right", "Wrong", "Other"], **E, "tags": ["unit:water"]} for i in range(3)] + [
    {"id": "sa", "type": "short_answer", "prompt": "Say water", "answers": ["water"], **E},
    {"id": "or", "type": "ordering", "prompt": "Order them", "items": ["A", "B", "C"], **E},
    {"id": "cl", "type": "cloze", "text": "Rain falls as [[water]].", **E}]}


@pytest.fixture
def world(users):
    import_banks(MIX, flashcards("cards", 4, tags=("theme:one",)))
    teacher = users.create("teacher@example.org", Role.TEACHER, name="Ms Teacher")
    teacher.timezone = "Asia/Baku"
    school_class = classes.create_class(db.session, teacher, "Week one")
    db.session.commit()
    return teacher, school_class


def _quiz(client, banks=("mix",), size=9, feedback="end") -> int:
    answer = client.post("/quiz/new", data={"banks": list(banks), "size": str(size),
                                             "feedback": feedback, "time_limit": ""})
    return int(re.search(r"/quiz/(\d+)/", answer.headers["Location"]).group(1))


def _page_values(html: str) -> dict[str, str]:
    """Choice text -> the value the page gives it."""
    return {text: value for value, text in re.findall(
        r'value="(\d+)"[^>]*> <span>([^<]+)<', html)}


def _number_of(attempt_id: int, key: str) -> int:
    attempt = db.session.get(QuizAttempt, attempt_id)
    qid = db.session.scalar(select(Question.id).where(Question.key == key))
    return attempt.question_ids.index(qid) + 1


# -- Students lose what they did ---------------------------------------------------------------

def test_the_results_page_keeps_every_answer_on_show(client, users, world):
    users.login_as(Role.STUDENT)
    attempt_id = _quiz(client)
    for key in ("tf0", "tf1", "tf2"):
        client.post(f"/quiz/{attempt_id}/{_number_of(attempt_id, key)}",
                    data={"answer": "true", "go": "next"})
    for key in ("sc0", "sc1"):
        number = _number_of(attempt_id, key)
        values = _page_values(client.get(f"/quiz/{attempt_id}/{number}").get_data(as_text=True))
        client.post(f"/quiz/{attempt_id}/{number}", data={"choice": values["Wrong"],
                                                          "go": "next"})
    client.post(f"/quiz/{attempt_id}/submit")
    page = client.get(f"/quiz/{attempt_id}/results").get_data(as_text=True)
    checked = re.findall(r'<input type="radio" name="([^"]+)" value="[^"]*"[^>]* checked', page)
    assert len(checked) == 5 and len(set(checked)) == 5  # each question keeps its own answer
    assert page.count("✗ your answer") == 2 and page.count("✓ right answer") >= 2


def test_enter_in_a_text_box_saves_and_goes_on(client, users, world):
    users.login_as(Role.STUDENT)
    attempt_id = _quiz(client)
    number = _number_of(attempt_id, "sa")
    page = client.get(f"/quiz/{attempt_id}/{number}").get_data(as_text=True)
    form = page.split('id="answer-form"')[1]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="go"' in first_button and 'value="next"' in first_button


def test_resume_opens_the_first_unanswered_question(client, users, world):
    users.login_as(Role.STUDENT)
    attempt_id = _quiz(client)
    answered = {_number_of(attempt_id, key) for key in ("tf0", "tf1")}
    for number in answered:
        client.post(f"/quiz/{attempt_id}/{number}", data={"answer": "true", "go": "next"})
    first_open = min(set(range(1, 10)) - answered)
    resumed = client.get(f"/quiz/{attempt_id}/resume")
    assert resumed.headers["Location"].endswith(f"/quiz/{attempt_id}/{first_open}")
    page = client.get(f"/quiz/{attempt_id}/{first_open}").get_data(as_text=True)
    assert page.count('class="answered"') == 2 and page.count("✓</span>") >= 2


def test_an_ordering_answer_with_a_position_twice_is_refused_with_a_message(client, users,
                                                                            world):
    users.login_as(Role.STUDENT)
    attempt_id = _quiz(client)
    number = _number_of(attempt_id, "or")
    answer = client.post(f"/quiz/{attempt_id}/{number}",
                         data={"rank-0": "1", "rank-1": "1", "rank-2": "2", "go": "next"},
                         follow_redirects=True)
    assert "Give each item a different position, from 1 to 3." in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 0


def test_a_wrong_choice_in_study_is_marked_and_so_is_the_right_one(client, users, world):
    import_banks({"id": "one", "title": "One", "questions": [MIX["questions"][3]]})
    users.login_as(Role.STUDENT)
    card = client.get("/study/session?scope=bank:one").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', card).group(1)
    page = client.post("/study/answer", data={
        "token": token, "scope": "bank:one", "choice": _page_values(card)["Other"]}
    ).get_data(as_text=True)
    assert "✗ your answer" in page and "✓ right answer" in page
    assert page.index("Other") < page.index("✗ your answer")  # in place, beside the choice
    assert ">Right answer<" not in page  # marked in place, so not said again below


def test_a_short_answer_in_study_says_your_answer_once_and_the_right_one(client, users,
                                                                        world):
    import_banks({"id": "one", "title": "One", "questions": [MIX["questions"][6]]})
    users.login_as(Role.STUDENT)
    card = client.get("/study/session?scope=bank:one").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', card).group(1)
    page = client.post("/study/answer", data={"token": token, "scope": "bank:one",
                                              "text": "wine"}).get_data(as_text=True)
    assert page.count("Your answer") == 1 and 'value="wine"' in page
    right = page.split(">Right answer<")[1]
    assert "water" in right.split("</div>")[0]


# -- Joining and assignments ---------------------------------------------------------------------

def test_a_join_link_brings_a_new_student_into_the_class(client, world):
    _, school_class = world
    link = f"/join/{school_class.join_code}"
    sent = client.get(link)
    assert sent.status_code == 302 and "next=%2Fjoin%2F" in sent.headers["Location"]
    login = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "to join <strong>Week one</strong>" in login
    # The header's "Sign up" keeps the join too: a newcomer may press it rather than the link.
    assert login.count(f'href="/register?next=/join/{school_class.join_code}"') == 2
    register = re.search(r'href="(/register\?next=[^"]+)"', login).group(1).replace("&amp;", "&")
    answer = client.post(register, data={"name": "New One", "email": "new@example.org",
                                         "password": PASSWORD, "confirm": PASSWORD})
    home = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You joined Week one." in home
    new = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert db.session.scalar(select(Enrolment.id).where(
        Enrolment.class_id == school_class.id, Enrolment.user_id == new.id)) is not None


def test_a_join_link_works_through_the_login_page_too(client, users, world):
    _, school_class = world
    users.create("known@example.org")
    answer = client.post(f"/login?next=/join/{school_class.join_code}",
                         data={"email": "known@example.org", "password": PASSWORD})
    assert "You joined Week one." in client.get(answer.headers["Location"]).get_data(
        as_text=True)


def _study_goal(school_class, **fields) -> Assignment:
    assignment = Assignment(school_class=school_class, kind="study", title="Learn the cards",
                            banks=["cards"], due_at=datetime.now(UTC) + timedelta(days=3),
                            **fields)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def test_a_study_goal_is_not_held_back_by_the_daily_new_card_limit(client, users, world):
    _, school_class = world
    goal = _study_goal(school_class)
    student = users.login_as(Role.STUDENT)
    student.new_cards_per_day = 0
    db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    db.session.commit()
    assert "Nothing due right now" in client.get("/study/session?scope=all").get_data(
        as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert f"/study/session?scope=assignment:{goal.id}" in home
    page = client.get(f"/study/session?scope=assignment:{goal.id}").get_data(as_text=True)
    assert "Front " in page and "not held back by your daily limit" in page


def test_a_study_link_to_what_is_not_yours_is_a_404_not_everything(client, users, world):
    _, school_class = world
    goal = _study_goal(school_class)
    users.login_as(Role.STUDENT)  # not in the class
    assert client.get(f"/study/session?scope=assignment:{goal.id}").status_code == 404
    assert client.get("/study/session?scope=nonsense:x").status_code == 404


def test_due_counts_agree_on_home_study_and_progress(client, users, world):
    from quizapp.models import CardState

    student = users.login_as(Role.STUDENT)
    ids = db.session.scalars(select(Question.id).limit(5)).all()
    now = datetime.now(UTC)
    for n, qid in enumerate(ids):
        db.session.add(CardState(user_id=student.id, question_id=qid, state=2, stability=3,
                                 difficulty=5, due=now - timedelta(days=1) if n < 3 else
                                 now + timedelta(hours=2), last_review=now, reps=2))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    study = client.get("/study/").get_data(as_text=True)
    progress = client.get("/progress").get_data(as_text=True)
    assert "<strong>3</strong> cards due now" in home
    assert re.search(r"Everything</a>\s*<span class=\"counts\">\s*<span[^>]*>3 due", study)
    assert re.search(r"Due now</h2>\s*<p class=\"big\">3</p>", progress)


# -- Time zones ------------------------------------------------------------------------------------

def test_assignment_dates_are_entered_and_shown_in_each_persons_zone(client, users, world):
    teacher, school_class = world
    db.session.commit()
    client.post("/login", data={"email": "teacher@example.org", "password": PASSWORD})
    form = client.get(f"/teach/classes/{school_class.id}/assignments/new").get_data(as_text=True)
    assert "In your time zone (Asia/Baku)" in form
    client.post(f"/teach/classes/{school_class.id}/assignments/new", data={
        "kind": "study", "title": "By Friday", "banks": "cards", "feedback": "end",
        "due_at": "2030-01-04T10:00"})
    stored = db.session.scalar(select(Assignment).where(Assignment.title == "By Friday"))
    assert stored.due_at == datetime(2030, 1, 4, 6, 0, tzinfo=UTC)  # Baku is UTC+4
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert "04 Jan 2030, 10:00 (Asia/Baku)" in page
    client.post("/logout")
    student = users.create("karachi@example.org")
    student.timezone = "Asia/Karachi"
    db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    db.session.commit()
    users.login("karachi@example.org")
    assert "04 Jan 2030, 11:00 (Asia/Karachi)" in client.get("/").get_data(as_text=True)


# -- Teachers need signal and control -----------------------------------------------------------

def _enrolled_student(users, school_class, email="pupil@example.org") -> User:
    student = users.create(email, name="Pupil One")
    db.session.add(Enrolment(class_id=school_class.id, user_id=student.id))
    db.session.commit()
    return student


def test_a_teacher_reviews_one_students_attempt(client, users, world):
    _, school_class = world
    quiz = Assignment(school_class=school_class, kind="quiz", title="Check", banks=["mix"],
                      size=3, due_at=datetime.now(UTC) + timedelta(days=2))
    db.session.add(quiz)
    db.session.commit()
    _enrolled_student(users, school_class)
    users.login("pupil@example.org")
    started = client.post(f"/assignments/{quiz.id}/start")
    attempt_id = int(re.search(r"/quiz/(\d+)/", started.headers["Location"]).group(1))
    client.post(f"/quiz/{attempt_id}/1", data={"answer": "true", "text": "water",
                                               "go": "next"})
    client.post(f"/quiz/{attempt_id}/submit")
    client.post("/logout")
    users.login("teacher@example.org")
    dashboard = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    link = f"/teach/classes/{school_class.id}/assignments/{quiz.id}/students/"
    assert link in dashboard
    student_id = re.search(re.escape(link) + r"(\d+)", dashboard).group(1)
    review = client.get(link + student_id).get_data(as_text=True)
    assert "Pupil One: Check" in review and "question by question" in review
    assert "Time taken" in review and "Right answer" in review


def test_a_teacher_edits_and_deletes_an_assignment(client, users, world):
    _, school_class = world
    goal = _study_goal(school_class)
    users.login("teacher@example.org")
    edit = f"/teach/classes/{school_class.id}/assignments/{goal.id}/edit"
    assert "Learn the cards" in client.get(edit).get_data(as_text=True)
    client.post(edit, data={"kind": "study", "title": "Learn them all", "banks": "cards",
                            "feedback": "end", "due_at": "2030-02-01T09:00"})
    assert db.session.get(Assignment, goal.id).title == "Learn them all"
    delete = f"/teach/classes/{school_class.id}/assignments/{goal.id}/delete"
    asked = client.get(delete).get_data(as_text=True)
    assert "Delete the assignment “Learn them all”?" in asked
    assert db.session.get(Assignment, goal.id) is not None  # asking deletes nothing
    client.post(delete)
    db.session.expire_all()
    assert db.session.get(Assignment, goal.id) is None


def test_removing_a_student_asks_first(client, users, world):
    _, school_class = world
    student = _enrolled_student(users, school_class)
    users.login("teacher@example.org")
    path = f"/teach/classes/{school_class.id}/students/{student.id}/remove"
    assert "Remove Pupil One from Week one?" in client.get(path).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
    client.post(path)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_the_mastery_grid_tells_not_started_from_nothing_learned(client, users, world):
    from quizapp.models import CardState

    _, school_class = world
    db.session.add(Assignment(school_class=school_class, kind="study", title="All",
                              banks=["mix", "cards"], due_at=datetime.now(UTC)))
    started = _enrolled_student(users, school_class)
    _enrolled_student(users, school_class, "idle@example.org")
    qid = db.session.scalar(select(Question.id).where(Question.key == "tf0"))
    db.session.add(CardState(user_id=started.id, question_id=qid, state=1, due=datetime.now(UTC),
                             reps=1))
    db.session.commit()
    users.login("teacher@example.org")
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    grid = page.split('class="grid"')[1]
    assert 'level-0">0%' in grid  # started theme:one, nothing learned yet
    assert "not started" in grid
    assert "Unit: Water" in grid  # a teacher's own kind of tag is a topic too


def test_item_analysis_names_cloze_items_by_their_text_and_csv_keeps_numbers(client, users,
                                                                             world):
    from quizapp.classes.stats import MIN_ATTEMPTS

    _, school_class = world
    quiz = Assignment(school_class=school_class, kind="quiz", title="Gaps", banks=["mix"],
                      size=9, due_at=datetime.now(UTC) + timedelta(days=1))
    db.session.add(quiz)
    db.session.commit()
    cloze = db.session.scalar(select(Question).where(Question.key == "cl"))
    other = db.session.scalar(select(Question).where(Question.key == "sa"))
    for n in range(MIN_ATTEMPTS + 1):
        student = _enrolled_student(users, school_class, f"s{n}@example.org")
        attempt = QuizAttempt(user_id=student.id, assignment_id=quiz.id, title="Gaps",
                              settings={}, seed=1, question_ids=[cloze.id, other.id],
                              started_at=datetime.now(UTC), submitted_at=datetime.now(UTC),
                              max_score=2, score=float(n % 2) + float(n > 2))
        db.session.add(attempt)
        db.session.flush()
        db.session.add_all([
            QuizAnswer(attempt_id=attempt.id, question_id=cloze.id, position=0,
                       score=float(n % 2)),
            QuizAnswer(attempt_id=attempt.id, question_id=other.id, position=1,
                       score=float(n > 2))])
    db.session.commit()
    users.login("teacher@example.org")
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert "Rain falls as ___." in page and "Fill in the gaps." not in page.split("items-h")[1]
    rows = list(csv.reader(io.StringIO(client.get(
        f"/teach/classes/{school_class.id}/items.csv").data.decode())))
    numbers = [cell for row in rows[1:] for cell in row[4:6] if cell]
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", cell) for cell in numbers)


def test_draws_on_names_banks_by_title(client, users, world):
    _, school_class = world
    _study_goal(school_class)
    users.login("teacher@example.org")
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert "<td>Cards</td>" in page or ">Cards<" in page


# -- Teachers' own banks, and the site around them ------------------------------------------------

def test_any_kind_of_tag_is_a_topic_grouped_by_kind(client, users, world):
    users.login_as(Role.STUDENT)
    study = client.get("/study/").get_data(as_text=True)
    assert study.index(">Themes<") < study.index(">Unit<")
    assert "scope=tag:unit:water" in study
    quiz = client.get("/quiz/new").get_data(as_text=True)
    assert 'value="unit:water"' in quiz


def test_the_site_name_comes_from_configuration_and_the_source_note_from_the_bank(make_app):
    app = make_app(SITE_NAME="Water Cycle Academy")
    client = app.test_client()
    with app.app_context():
        import_banks(flashcards("plain", 1))
        import_banks({"id": "sourced", "title": "Sourced", "source": {
            "author": "A. Writer", "publisher": "The Paper"}, "questions": [
            {"id": "c", "type": "flashcard", "front": "F", "back": "B"}]})
    home = client.get("/").get_data(as_text=True)
    assert "Water Cycle Academy" in home and "AzerNews" not in home
    assert 'class="source-note"' not in home  # no bank's questions on this page
    from tests.conftest import Users

    with app.app_context():
        Users(app, client).create("s@example.org")
    Users(app, client).login("s@example.org")
    plain = client.get("/study/session?scope=bank:plain").get_data(as_text=True)
    assert 'class="source-note"' not in plain
    sourced = client.get("/study/session?scope=bank:sourced").get_data(as_text=True)
    assert "by A. Writer (The Paper)" in sourced.split('class="source-note"')[1]


def test_home_greets_once_and_no_field_says_autocomplete_none(client, users, world):
    users.create("ayla@example.org", name="Ayla")
    answer = users.login("ayla@example.org")
    home = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert home.count("Ayla") == 2  # the greeting and the account menu
    assert "Welcome" not in home
    for path in ("/account/password", "/study/settings", "/join"):
        assert 'autocomplete="None"' not in client.get(path).get_data(as_text=True)
    client.post("/logout")
    for path in ("/login", "/register"):
        assert 'autocomplete="None"' not in client.get(path).get_data(as_text=True)
