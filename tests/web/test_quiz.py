"""Quizzes: start, resume, submit once, time limits, results, and the quiz-to-study rule."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import CardState, Question, QuizAttempt, ReviewLog, Role
from quizapp.quiz import service
from quizapp.scheduling import CardStatus
from quizapp.study import service as study
from tests.helpers import import_banks

BANK = {"id": "mix", "title": "Mix", "questions": [
    {"id": "tf", "type": "true_false", "prompt": "Sky is blue?", "answer": True,
     "explanation": "It is.", "source": {"paragraphs": [1]}, "tags": ["theme:a"]},
    {"id": "sa", "type": "short_answer", "prompt": "Capital of Azerbaijan?",
     "answers": ["Baku"], "explanation": "Baku.", "source": {"paragraphs": [2]},
     "tags": ["theme:b"]},
    {"id": "sc", "type": "single_choice", "prompt": "Pick B", "choices": ["A", "B", "C"],
     "answer": "B", "explanation": "B.", "source": {"paragraphs": [3]}, "tags": ["theme:a"]},
]}


@pytest.fixture
def student(users):
    import_banks(BANK)
    return users.login_as(Role.STUDENT)


def start(client, **extra):
    data = {"banks": ["mix"], "size": "3", "feedback": "end", "time_limit": ""} | extra
    response = client.post("/quiz/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/quiz/(\d+)/1", response.headers["Location"]).group(1))


def attempt_of(attempt_id) -> QuizAttempt:
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def number_of(attempt, key):
    qid = db.session.scalar(select(Question.id).where(Question.key == key))
    return attempt.question_ids.index(qid) + 1


def value_of(client, attempt_id, number, text) -> str:
    """The value the question's page gives the choice reading `text`."""
    page = client.get(f"/quiz/{attempt_id}/{number}").get_data(as_text=True)
    return re.search(r'value="(\d+)"[^>]*> <span>' + re.escape(text) + "<", page).group(1)


def answer(client, attempt_id, number, **fields):
    return client.post(f"/quiz/{attempt_id}/{number}", data={"go": "next", **fields})


def test_start_needs_a_bank_or_topic(client, student):
    page = client.post("/quiz/new", data={"size": "3", "feedback": "end"}).get_data(
        as_text=True)
    assert "Pick at least one bank or topic." in page
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_same_quiz_on_reload_and_resume_after_closing_the_tab(client, student):
    attempt_id = start(client)
    attempt = attempt_of(attempt_id)
    client.get("/")  # the login messages
    first = client.get(f"/quiz/{attempt_id}/1").get_data(as_text=True)
    assert client.get(f"/quiz/{attempt_id}/1").get_data(as_text=True) == first
    answer(client, attempt_id, number_of(attempt, "sa"), text="baku")
    # "Closing the tab": a fresh visit lists the attempt as unfinished and keeps the answer.
    index = client.get("/quiz/").get_data(as_text=True)
    assert "Resume: Mix" in index and "1 of 3 answered" in index
    page = client.get(f"/quiz/{attempt_id}/{number_of(attempt, 'sa')}").get_data(as_text=True)
    assert 'value="baku"' in page


def test_submit_grades_and_a_second_submit_does_not_count_twice(client, student):
    attempt_id = start(client)
    attempt = attempt_of(attempt_id)
    answer(client, attempt_id, number_of(attempt, "tf"), answer="true")
    answer(client, attempt_id, number_of(attempt, "sa"), text="Lahore")
    first = client.post(f"/quiz/{attempt_id}/submit")
    second = client.post(f"/quiz/{attempt_id}/submit")
    assert first.status_code == second.status_code == 302
    attempt = attempt_of(attempt_id)
    assert attempt.score == 1.0 and attempt.max_score == 3
    results = client.get(f"/quiz/{attempt_id}/results").get_data(as_text=True)
    assert "1.0 / 3" in results and "Baku" in results and "paragraph 2" in results
    reviews = db.session.scalar(select(func.count()).select_from(ReviewLog))
    assert reviews == 3  # one per question, not six
    late = answer(client, attempt_id, 1, answer="false", follow_redirects=True)
    assert late.status_code == 302
    assert attempt_of(attempt_id).score == 1.0


def test_another_student_cannot_open_my_attempt(client, users, student):
    attempt_id = start(client)
    users.login_as(Role.STUDENT)
    assert client.get(f"/quiz/{attempt_id}/1").status_code == 404
    assert client.get(f"/quiz/{attempt_id}/results").status_code == 404
    assert client.post(f"/quiz/{attempt_id}/submit").status_code == 404


def test_after_each_feedback_locks_the_checked_answer(client, student):
    attempt_id = start(client, feedback="each")
    attempt = attempt_of(attempt_id)
    n = number_of(attempt, "sc")
    client.post(f"/quiz/{attempt_id}/{n}", data={
        "go": "check", "choice": value_of(client, attempt_id, n, "B")})
    page = client.get(f"/quiz/{attempt_id}/{n}").get_data(as_text=True)
    assert "✓ Right" in page and "B." in page
    client.post(f"/quiz/{attempt_id}/{n}", data={"go": "check", "choice": "0"})
    saved = [a for a in attempt_of(attempt_id).answers if a.position == n - 1][0]
    assert saved.response == {"choice": 1} and saved.score == 1.0  # B, in the bank's order


def test_time_limit_extend_and_turn_off(client, student):
    attempt_id = start(client, time_limit="10")
    deadline = attempt_of(attempt_id).deadline
    page = client.get(f"/quiz/{attempt_id}/1").get_data(as_text=True)
    assert "Time left" in page and "Add 10 minutes" in page
    client.post(f"/quiz/{attempt_id}/time", data={"action": "more", "back": "//evil.example"})
    assert attempt_of(attempt_id).deadline == deadline + timedelta(minutes=10)
    client.post(f"/quiz/{attempt_id}/time", data={"action": "off"})
    assert attempt_of(attempt_id).deadline is None


def test_when_time_runs_out_the_answers_so_far_are_submitted(client, student):
    attempt_id = start(client, time_limit="5")
    attempt = attempt_of(attempt_id)
    answer(client, attempt_id, number_of(attempt, "sa"), text="Baku")
    attempt.deadline = datetime.now(UTC) - timedelta(minutes=2)
    db.session.commit()
    page = client.get(f"/quiz/{attempt_id}/1", follow_redirects=True).get_data(as_text=True)
    assert "Time is up" in page and "Back to the questions" not in page
    assert attempt_of(attempt_id).submitted_at is None  # a GET never writes
    late = client.post(f"/quiz/{attempt_id}/1", data={"text": "Ganja", "go": "next"})
    assert late.headers["Location"].endswith(f"/quiz/{attempt_id}/results")
    attempt = attempt_of(attempt_id)  # submitted as it stood when time ran out
    assert attempt.submitted_at is not None and attempt.score == 1.0
    assert [a.response for a in attempt.answers if a.response] == [{"text": "Baku"}]


def test_the_page_sends_the_last_answer_as_time_runs_out(client, student):
    attempt_id = start(client, time_limit="5")
    attempt = attempt_of(attempt_id)
    attempt.deadline = datetime.now(UTC) - timedelta(seconds=2)  # within the grace period
    db.session.commit()
    n = number_of(attempt, "tf")
    response = client.post(f"/quiz/{attempt_id}/{n}", data={
        "answer": "true", "finish": "1", "timeout": "1"})
    assert "/results" in response.headers["Location"]
    assert attempt_of(attempt_id).score == 1.0


def test_quiz_to_study_rule(app, student):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    ids = {q.key: q.id for q in db.session.scalars(select(Question))}
    later = now + timedelta(days=9)
    db.session.add(CardState(user_id=student.id, question_id=ids["sc"], state=2, step=None,
                             stability=20.0, difficulty=5.0, due=later,
                             last_review=now - timedelta(days=3), reps=4))
    db.session.commit()
    spec = service.QuizSpec(title="t", banks=["mix"], size=3)
    attempt = service.start_attempt(db.session, student, spec, now, seed=1)
    by_id = {q.id: q for q in db.session.scalars(select(Question))}
    service.save_answer(db.session, attempt, by_id[ids["tf"]], {"answer": True}, now)  # right
    service.save_answer(db.session, attempt, by_id[ids["sa"]], {"text": "Paris"}, now)  # wrong
    service.save_answer(db.session, attempt, by_id[ids["sc"]], {"choice": 1}, now)  # right
    service.submit(db.session, attempt, student, now)
    db.session.commit()
    cards = {c.question_id: c for c in db.session.scalars(select(CardState))}
    # Right and new: counted as Good.
    assert cards[ids["tf"]].reps == 1 and cards[ids["tf"]].due > now
    # Wrong: Again, due again within minutes.
    assert cards[ids["sa"]].state == CardStatus.LEARNING
    assert cards[ids["sa"]].due <= now + timedelta(minutes=10)
    # Right but not yet due: untouched, not pushed further out.
    assert cards[ids["sc"]].due == later and cards[ids["sc"]].reps == 4
    ratings = {log.question_id: log.rating for log in db.session.scalars(select(ReviewLog))}
    assert ratings == {ids["tf"]: 3, ids["sa"]: 1}
    assert {log.source for log in db.session.scalars(select(ReviewLog))} == {"quiz"}
    service.submit(db.session, attempt, student, now)  # again: nothing more
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 2


def test_wrong_answer_on_a_not_yet_due_card_makes_it_due_again(app, student):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    qid = db.session.scalar(select(Question.id).where(Question.key == "sa"))
    db.session.add(CardState(user_id=student.id, question_id=qid, state=2, step=None,
                             stability=20.0, difficulty=5.0, due=now + timedelta(days=9),
                             last_review=now - timedelta(days=3), reps=4))
    db.session.commit()
    service.feed_study(db.session, study.learner_of(student), type("A", (), {"id": 99})(), qid,
                       0.0, now)
    db.session.commit()
    card = db.session.scalar(select(CardState).where(CardState.question_id == qid))
    assert card.state == CardStatus.RELEARNING and card.lapses == 1
    assert card.due <= now + timedelta(minutes=10)


LEAKY = {"id": "leaky", "title": "Leaky", "questions": [
    {"id": f"m{i}", "type": "matching", "prompt": f"Match {i}", "explanation": "So.",
     "pairs": [{"left": f"L{i}{n}", "right": f"R{i}{n}"} for n in range(5)]}
    for i in range(5)] + [
    {"id": f"o{i}", "type": "ordering", "prompt": f"Order {i}", "explanation": "So.",
     "items": [f"I{i}{n}" for n in range(5)]} for i in range(5)] + [
    {"id": f"c{i}", "type": "single_choice", "prompt": f"First is right {i}",
     "choices": ["Right", "W1", "W2", "W3"], "answer": "Right", "explanation": "So."}
    for i in range(5)]}


def test_what_a_quiz_page_sends_does_not_give_the_key_away(client, users):
    """A right partner's value was its pair's index, an ordering field named its item's
    place, and a choice's value its place in the bank (where the key often comes first):
    sending match-n=n, rank-n=n+1 and choice=0 scored everything right without knowing it."""
    import_banks(LEAKY)
    users.login_as(Role.STUDENT)
    attempt_id = start(client, banks=["leaky"], size="15")
    for number in range(1, 16):
        client.post(f"/quiz/{attempt_id}/{number}", data={
            "go": "next", "choice": "0",
            **{f"match-{n}": str(n) for n in range(5)},
            **{f"rank-{n}": str(n + 1) for n in range(5)}})
    client.post(f"/quiz/{attempt_id}/submit")
    attempt = attempt_of(attempt_id)
    # By chance about 4.75 of 15 (a fifth of the matchings, half the pairs of an ordering, a
    # quarter of the choices); the leak gave 15.
    assert attempt.score < 10, attempt.score
    # The page's own values still say what the student chose.
    second = start(client, banks=["leaky"], size="15")
    number = next(n for n in range(1, 16) if "First is right" in client.get(
        f"/quiz/{second}/{n}").get_data(as_text=True))
    answer(client, second, number, choice=value_of(client, second, number, "Right"))
    client.post(f"/quiz/{second}/submit")
    assert attempt_of(second).score == 1
