"""Live sessions: a teacher paces a quiz; students and guests answer on their phones; every
answer counts once; the results land in quiz history, study cards, the class's dashboard and
a CSV; the event stream resumes at the current question."""

from __future__ import annotations

import csv
import io
import queue
import re
import threading
import time

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    LiveAnswer,
    LivePlayer,
    LiveSession,
    Question,
    QuizAttempt,
    ReviewLog,
    Role,
)
from tests.helpers import import_banks
from tests.web.test_races import _as, _same_browser, at_once

BANK = {"id": "live", "title": "Live", "questions": [
    {"id": "tf", "type": "true_false", "prompt": "Baku is on the Caspian.", "answer": True,
     "explanation": "It is.", "source": {"paragraphs": [3]}},
    {"id": "sa", "type": "short_answer", "prompt": "Capital of Azerbaijan?",
     "answers": ["Baku"], "explanation": "Baku."},
    {"id": "sc", "type": "single_choice", "prompt": "Capital of Pakistan?",
     "choices": ["Karachi", "Islamabad", "Lahore"], "answer": "Islamabad"},
    {"id": "card", "type": "flashcard", "front": "Left out", "back": "of live play"},
]}


@pytest.fixture
def world(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        import_banks(BANK)
        db.session.remove()
    teacher = _as(app, "teacher@example.org", Role.TEACHER)
    return app, teacher


def _start(teacher, **extra) -> str:
    data = {"title": "Warm-up", "banks": ["live"], "size": "3", "seconds": "",
            "school_class": "", "leaderboard": "named", "guests": "y"} | extra
    made = teacher.post("/live/new", data=data)
    assert made.status_code == 302, made.get_data(as_text=True)
    return re.search(r"/live/(\w+)/host", made.headers["Location"]).group(1)


def _join(client, code: str, nickname: str = "") -> None:
    joined = client.post("/live/", data={"code": code.lower(), "nickname": nickname})
    assert joined.status_code == 302, joined.get_data(as_text=True)


def _live(app, code: str) -> LiveSession:
    with app.app_context():
        return db.session.scalar(select(LiveSession).where(LiveSession.code == code))


def _answer(client, app, code: str, right: bool):
    live = _live(app, code)
    page = client.get(f"/live/{code}").get_data(as_text=True)
    with app.app_context():
        question = db.session.get(Question, live.question_ids[live.current])
    data = {"position": str(live.current)}
    if question.type == "true_false":
        data["answer"] = "true" if right else "false"
    elif question.type == "short_answer":
        data["text"] = "baku" if right else "Ganja"
    else:
        wanted = "Islamabad" if right else "Lahore"
        data["choice"] = re.search(r'value="(\d+)"[^>]*> <span>' + wanted, page).group(1)
    return client.post(f"/live/{code}/answer", data=data, follow_redirects=True)


def test_a_session_from_the_lobby_to_the_results(world):
    app, teacher = world
    code = _start(teacher)
    lobby = teacher.get(f"/live/{code}/host").get_data(as_text=True)
    assert code in lobby and "<svg" in lobby  # the code and its QR code, for the projector
    student = _as(app, "amina@example.org")
    _join(student, code)
    guest = app.test_client()
    _join(guest, code, "Aygün")
    assert "Aygün" in teacher.get(f"/live/{code}/host").get_data(as_text=True)
    with app.app_context():
        live = db.session.scalar(select(LiveSession))
        asked = db.session.scalars(select(Question.type).where(
            Question.id.in_(live.question_ids))).all()
    assert sorted(asked) == ["short_answer", "single_choice", "true_false"]  # no flashcard

    for n in range(3):
        teacher.post(f"/live/{code}/next")
        assert "Send answer" in student.get(f"/live/{code}").get_data(as_text=True)
        _answer(student, app, code, right=True)
        _answer(guest, app, code, right=(n == 0))
        teacher.post(f"/live/{code}/close")  # the answers and the right one on the screen
        shown = teacher.get(f"/live/{code}/host").get_data(as_text=True)
        counts = [int(c) for c in re.findall(r'live-bar-count">(\d+)<', shown)]
        assert "Leaderboard" in shown and sum(counts) == 2  # both answers, in the bars
        mine = student.get(f"/live/{code}").get_data(as_text=True)
        assert "✓ Right" in mine and "Your place: 1 of 2" in mine
    teacher.post(f"/live/{code}/next")  # after the last question: the end
    final = teacher.get(f"/live/{code}/host").get_data(as_text=True)
    assert "Final standings" in final

    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.submitted_at is not None and attempt.score == 3.0
        assert attempt.title == "Live: Warm-up"
        reviews = db.session.scalar(select(func.count()).select_from(ReviewLog).where(
            ReviewLog.source == "quiz"))
        assert reviews == 3  # the quiz rule: each answer reviews the student's card
        # The guest's answers went with the session; the student's stay.
        assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 1
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 3
    rows = list(csv.reader(io.StringIO(teacher.get(
        f"/live/{code}/results.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["player", "signed_in", "points"] and rows[1][0] == "amina"
    assert rows[1][3:] == ["1.0", "1.0", "1.0"]
    assert "has ended" in guest.get(f"/live/{code}").get_data(as_text=True) or \
        guest.get(f"/live/{code}").status_code == 302


def test_an_answer_counts_once_and_not_after_its_question_closes(world):
    app, teacher = world
    code = _start(teacher)
    student = _as(app, "amina@example.org")
    _join(student, code)
    teacher.post(f"/live/{code}/next")
    codes = at_once([lambda: _answer(_same_browser(app, student), app, code,
                                     right=True).status_code for _ in range(8)])
    assert all(c == 200 for c in codes), codes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 1
    teacher.post(f"/live/{code}/close")
    teacher.post(f"/live/{code}/next")
    teacher.post(f"/live/{code}/close")  # the second question closes unanswered
    late = student.post(f"/live/{code}/answer", data={"position": "1", "text": "Baku",
                                                      "answer": "true"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Too late: that question has closed." in late
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 1


def test_next_sent_twice_opens_one_question_not_two(world):
    """A double click (no JavaScript), a retry after a lost response, or a second screen
    that had not caught up must not skip a question: the move names the state it was made
    from."""
    app, teacher = world
    code = _start(teacher)
    seq = _live(app, code).seq
    for _ in range(2):
        teacher.post(f"/live/{code}/next", data={"seq": str(seq)})
    assert _live(app, code).current == 0 and _live(app, code).status == "open"
    stale = teacher.post(f"/live/{code}/close", data={"seq": str(seq)},
                         follow_redirects=True).get_data(as_text=True)
    assert "already moved on" in stale and _live(app, code).status == "open"
    page = teacher.get(f"/live/{code}/host").get_data(as_text=True)
    shown = int(re.search(r'name="seq" value="(\d+)"', page).group(1))
    teacher.post(f"/live/{code}/close", data={"seq": str(shown)})
    assert _live(app, code).status == "closed"


def test_a_class_session_lands_on_the_class_dashboard_and_keeps_others_out(world):
    app, teacher = world
    teacher.post("/teach/classes/", data={"name": "Exchange 2026"})
    with app.app_context():
        from quizapp.models import SchoolClass
        school_class = db.session.scalar(select(SchoolClass))
        join_code = school_class.join_code
    student = _as(app, "amina@example.org")
    student.post("/join", data={"code": join_code})
    code = _start(teacher, school_class=str(school_class.id), guests="")
    outsider = _as(app, "other@example.org")
    refused = outsider.post("/live/", data={"code": code}).get_data(as_text=True)
    assert "This session is for a class you are not in." in refused
    refused = app.test_client().post("/live/", data={"code": code, "nickname": "Guest"})
    assert "This session is for signed-in students" in refused.get_data(as_text=True)
    _join(student, code)
    teacher.post(f"/live/{code}/next")
    _answer(student, app, code, right=True)
    teacher.post(f"/live/{code}/end")
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assert assignment.title == "Live: Warm-up" and assignment.class_id == school_class.id
        assert db.session.scalar(select(QuizAttempt.assignment_id)) == assignment.id
    dashboard = teacher.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert "Live: Warm-up" in dashboard


class Stream:
    """A browser's EventSource, read in its own thread (as a server thread would serve it):
    the parsed events arrive in a queue."""

    def __init__(self, client, code: str, last: str | None = None):
        self.events: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(client, code, last),
                                       daemon=True)
        self.thread.start()

    def _read(self, client, code: str, last: str | None):
        # The request and its stream in one thread, as a server serves them.
        headers = {"Last-Event-ID": last} if last else {}
        response = client.get(f"/live/{code}/events", headers=headers, buffered=False)
        assert response.mimetype == "text/event-stream"
        buffer = ""
        for chunk in response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                lines = block.splitlines()
                if not any(line.startswith("event:") for line in lines):
                    continue
                fields = dict(line.split(": ", 1) for line in lines
                              if not line.startswith(("data:", ":")))
                data = "\n".join(line[6:] for line in lines if line.startswith("data:"))
                self.events.put(fields | {"data": data})
        self.events.put(None)

    def next(self, event: str = "state") -> dict:
        while True:
            found = self.events.get(timeout=10)
            assert found is not None, "the stream ended"
            if found["event"] == event:
                return found

    def until(self, text: str) -> dict:
        """The first state event (from now, in order) that shows `text`."""
        while text not in (found := self.next())["data"]:
            pass
        return found

    def ended(self) -> bool:
        self.thread.join(20)
        return not self.thread.is_alive()


def test_the_stream_follows_the_teacher_and_resumes_at_the_current_question(world):
    app, teacher = world
    code = _start(teacher)
    student = _as(app, "amina@example.org")
    _join(student, code)
    stream = Stream(student, code)
    first = stream.next()
    assert "first question comes" in first["data"]
    teacher.post(f"/live/{code}/next")  # heard by the open stream
    moved = stream.next()
    assert int(moved["id"]) > int(first["id"]) and "Send answer" in moved["data"]
    # The host's screen hears each answer as a count.
    host = Stream(teacher, code)
    assert "0</span> / 1" in host.next()["data"]
    _answer(student, app, code, right=True)
    assert host.next("count")["data"] == "1"
    # The phone drops and comes back: it says what it saw last, and gets the current question.
    teacher.post(f"/live/{code}/close")
    again = Stream(_same_browser(app, student), code, last=moved["id"])
    resumed = again.next()
    assert int(resumed["id"]) > int(moved["id"]) and "Right answer" in resumed["data"]
    # A latecomer starts at the current question.
    late = _as(app, "late@example.org")
    _join(late, code)
    latecomer = Stream(late, code)
    assert "Right answer" in latecomer.next()["data"]
    assert app.test_client().get(f"/live/{code}/events").status_code == 403
    teacher.post(f"/live/{code}/end")  # every stream says so, and closes
    for each in (stream, host, again, latecomer):
        each.until("The session has ended")
    assert all(each.ended() for each in (stream, host, again, latecomer))


def test_streams_opened_together_end_apart_and_come_back_at_once(world):
    """A room's streams all open at once (or reopen after a worker restart). Were they to end
    together too, their reconnects would land as one burst just as the teacher moves on, and
    some phones would see the question seconds late. Each stream's lifetime is drawn, and its
    planned end asks for a quick return; a cut still waits the longer first retry."""
    app, teacher = world
    app.config["LIVE_STREAM_SECONDS"] = 1.0
    code = _start(teacher)
    student = _as(app, "amina@example.org")
    _join(student, code)
    lived: list[float] = []
    texts: list[str] = []

    def follow():
        response = _same_browser(app, student).get(f"/live/{code}/events", buffered=False)
        chunks = (c.decode() if isinstance(c, bytes) else c for c in response.response)
        text = next(chunks)  # the stream is open
        opened = time.monotonic()
        text += "".join(chunks)
        lived.append(time.monotonic() - opened)
        texts.append(text)

    readers = [threading.Thread(target=follow) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(10)
    assert len(texts) == 8
    for text in texts:
        first = re.match(r"retry: (\d+)\n\n", text)
        assert first and 1000 <= int(first.group(1)) <= 2500  # after a cut
        assert text.endswith("retry: 250\n\n")  # a planned end: back at once
    assert max(lived) - min(lived) > 0.1  # not one burst


def test_the_teacher_takes_a_player_out_and_their_phone_says_so(world):
    """A nickname the room should not see: the teacher takes the player out, with their
    answers. The projector lists one fewer, the phone says why it stopped, and the player's
    answers and points are gone."""
    app, teacher = world
    code = _start(teacher)
    student = _as(app, "amina@example.org")
    _join(student, code)
    rude = app.test_client()
    _join(rude, code, "Rude name")
    with app.app_context():
        rude_id = db.session.scalar(select(LivePlayer.id).where(
            LivePlayer.nickname == "Rude name"))
    lobby = teacher.get(f"/live/{code}/host").get_data(as_text=True)
    assert "Take Rude name out of the session" in lobby  # the ×, named for screen readers
    teacher.post(f"/live/{code}/next")
    _answer(rude, app, code, right=True)
    phone = Stream(_same_browser(app, rude), code)
    host = Stream(teacher, code)
    phone.next()
    host.next()
    other = _as(app, "other@example.org", Role.TEACHER)
    assert other.post(f"/live/{code}/players/{rude_id}/remove").status_code == 403

    taken = teacher.post(f"/live/{code}/players/{rude_id}/remove", follow_redirects=True)
    assert "Rude name is no longer in the session." in taken.get_data(as_text=True)
    assert "taken you out of this session" in phone.next()["data"]
    assert phone.ended()  # and it stops listening
    assert "Rude name" not in host.next()["data"]  # the teacher's screen lists one fewer
    assert rude.get(f"/live/{code}").status_code == 302  # back to joining
    late = rude.post(f"/live/{code}/answer", data={"position": "0", "answer": "true"})
    assert late.status_code == 403
    again = teacher.post(f"/live/{code}/players/{rude_id}/remove", follow_redirects=True)
    assert "That player has already left the session." in again.get_data(as_text=True)

    _answer(student, app, code, right=True)
    teacher.post(f"/live/{code}/close")
    shown = teacher.get(f"/live/{code}/host").get_data(as_text=True)
    assert "Rude name" not in shown
    assert sum(int(c) for c in re.findall(r'live-bar-count">(\d+)<', shown)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer).where(
            LiveAnswer.player_id == rude_id)) == 0
        student_id = db.session.scalar(select(LivePlayer.id))
    teacher.post(f"/live/{code}/end")
    ended = teacher.post(f"/live/{code}/players/{student_id}/remove", follow_redirects=True)
    assert "This live session has ended." in ended.get_data(as_text=True)


def test_a_phone_reopened_after_answering_still_shows_its_answer_sent(world):
    """The worker reads a question's state once for every phone when it opens; a phone that
    answered and then reloads (or whose stream was cut) must not get the question back."""
    app, teacher = world
    code = _start(teacher)
    student = _as(app, "amina@example.org")
    _join(student, code)
    teacher.post(f"/live/{code}/next")
    first = Stream(_same_browser(app, student), code)
    assert "Send answer" in first.next()["data"]  # the worker has read the open question
    _answer(student, app, code, right=True)
    reloaded = Stream(_same_browser(app, student), code)  # a page load: no Last-Event-ID
    assert "Answer sent" in reloaded.next()["data"]
    resumed = Stream(_same_browser(app, student), code, last="0")  # back from a cut
    assert "Answer sent" in resumed.next()["data"]
    teacher.post(f"/live/{code}/end")  # every stream closes
    assert all(each.ended() for each in (first, reloaded, resumed))


def test_bad_input_gets_a_clear_message(world):
    app, teacher = world
    assert "No live session has this code" in app.test_client().post(
        "/live/", data={"code": "NOPE12", "nickname": "x"}).get_data(as_text=True)
    code = _start(teacher)
    guest = app.test_client()
    page = guest.post("/live/", data={"code": code, "nickname": "  "}).get_data(as_text=True)
    assert "Choose a nickname" in page
    _join(guest, code, "Aygün")
    other = app.test_client()
    _join(other, code, "Aygün")
    with app.app_context():
        names = set(db.session.scalars(select(LivePlayer.nickname)))
    assert names == {"Aygün", "Aygün (2)"}
    teacher.post(f"/live/{code}/next")
    bad = guest.post(f"/live/{code}/answer", data={"position": "99"})
    assert bad.status_code == 400
    empty = guest.post(f"/live/{code}/answer", data={"position": "0"}, follow_redirects=True)
    assert "Choose an answer first." in empty.get_data(as_text=True)
    assert app.test_client().get("/live/NOPE12").status_code == 404
    assert _as(app, "s@example.org").get(f"/live/{code}/host").status_code == 403
    no_questions = teacher.post("/live/new", data={
        "title": "x", "banks": [], "tags": [], "size": "3", "seconds": "", "school_class": "",
        "leaderboard": "named"})
    assert no_questions.status_code == 422
