"""A live session in Chromium: the teacher's projector and three phones (one a guest) through
three questions; the projector shows who answered, how, and the leaderboard; a phone that
loses its connection mid-question comes back at the current state."""

from __future__ import annotations

import re
import socket
import threading

import pytest

from quizapp import create_app
from quizapp.auth.service import NewAccount, create_account
from quizapp.extensions import db, limiter
from quizapp.models import Role
from tests.e2e.conftest import CHROMIUM, LiveServer
from tests.helpers import import_banks
from tests.web.test_live import BANK

pytestmark = pytest.mark.e2e
PASSWORD = "a long password"
RIGHT = {"true_false": "True", "short_answer": "Baku", "single_choice": "Islamabad"}
WRONG = {"true_false": "False", "short_answer": "Ganja", "single_choice": "Lahore"}


@pytest.fixture
def server(tmp_path):
    app = create_app({
        "TESTING": False, "SECRET_KEY": "e2e-live",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_STORAGE_URI": "memory://",
        "QUESTIONS_DIR": str(tmp_path), "LIVE_BEAT_SECONDS": 1.0})
    with app.app_context():
        db.create_all()
        import_banks(BANK)
        for who, role in (("teacher", Role.TEACHER), ("amina", Role.STUDENT),
                          ("bilal", Role.STUDENT)):
            create_account(NewAccount(email=f"{who}@example.org", name=who.title(),
                                      password=PASSWORD, role=role), "pbkdf2:sha256:1000")
        db.session.commit()
    limiter.reset()
    with LiveServer(app) as running:
        yield running
    with app.app_context():
        db.engine.dispose()


class Cable:
    """A TCP relay between one phone and the server that can be unplugged: open connections
    are cut and new ones refused until it is plugged in again, as when a phone loses its
    network."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.plugged = True
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.plugged:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def unplug(self):
        self.plugged = False
        for each in self.open:
            try:
                each.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            each.close()
        self.open = []

    def plug(self):
        self.plugged = True

    def close(self):
        self.unplug()
        self.listener.close()


def _device(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _log_in(page, url: str, who: str) -> None:
    page.goto(url + "/login")
    page.locator("#email").fill(f"{who}@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form input[type=submit]").click()
    page.wait_for_url(url + "/")


def _open_session(projector, url: str, countdown: str, title: str | None = None) -> str:
    """The teacher opens a three-question session of the Live bank, guests allowed: its code."""
    _log_in(projector, url, "teacher")
    projector.goto(url + "/live/new")
    if title:
        projector.get_by_label("Title").fill(title)
    projector.get_by_label("Live").check()
    projector.get_by_label("Number of questions").fill("3")
    projector.get_by_label("Countdown per question").select_option(countdown)
    projector.get_by_label("Let guests join").check()
    projector.get_by_role("button", name="Open the session").click()
    return projector.locator(".live-code").inner_text().strip()


def _answer(phone, right: bool) -> None:
    form = phone.locator("form[data-live-answer]")
    form.wait_for()
    kind = "short_answer" if phone.locator("input[name=text]").count() else \
        "single_choice" if phone.locator("input[name=choice]").count() else "true_false"
    wanted = (RIGHT if right else WRONG)[kind]
    if kind == "short_answer":
        phone.get_by_label("Your answer").fill(wanted)
    else:
        phone.locator("label.choice", has_text=re.compile(f"^\\s*{wanted}")).click()
    phone.get_by_role("button", name="Send answer").click()
    phone.get_by_text("Answer sent").wait_for()


def test_a_live_session_on_a_projector_and_three_phones(browser, server, tmp_path):
    assert browser.version and CHROMIUM
    url = server.url
    projector_context, projector = _device(browser, 1920, 1080)
    code = _open_session(projector, url, countdown="", title="Orientation warm-up")
    assert projector.locator(".live-qr svg").count() == 1

    phones = {}
    cable = Cable(int(url.rsplit(":", 1)[1]))  # Bilal's phone reaches the server through it
    for who in ("amina", "bilal", None):
        context, phone = _device(browser, 390, 844)
        base = cable.url if who == "bilal" else url
        if who:
            _log_in(phone, base, who)
        phone.goto(f"{base}/live/?code={code}")
        if who is None:
            phone.get_by_label("Nickname").fill("Guest Aygün")
        phone.get_by_role("button", name="Join").click()
        phone.get_by_text("You are in").wait_for()
        phones[who or "guest"] = (context, phone)
    projector.get_by_text("3 players").wait_for()  # each joiner appears on the projector

    # Who answers right, per question: amina always; bilal on the first; the guest never.
    plan = [{"amina": True, "bilal": True, "guest": False},
            {"amina": True, "bilal": False, "guest": False},
            {"amina": True, "bilal": True, "guest": False}]
    for number, rights in enumerate(plan, start=1):
        projector.locator(".live-controls button").first.click()
        projector.get_by_text(f"Question {number} of 3").wait_for()
        bilal_context, bilal = phones["bilal"]
        if number == 2:
            # Bilal's phone loses its connection before answering; the question is closed
            # while he is away; back online, his phone shows the current state by itself.
            bilal.locator("form[data-live-answer]").wait_for()
            cable.unplug()
            bilal.wait_for_selector("#live.is-reconnecting", state="attached")
        for who, right in rights.items():
            if not (number == 2 and who == "bilal"):
                _answer(phones[who][1], right)
        projector.locator("[data-live-count]").filter(has_text="2" if number == 2 else "3")\
            .wait_for()
        projector.get_by_role("button", name="Show answers").click()
        projector.locator(".live-bars").wait_for()
        counts = [int(c) for c in projector.locator(".live-bar-count").all_inner_texts()]
        assert sum(counts) == (2 if number == 2 else 3)
        right_bar = projector.locator(".live-bars li.is-right .live-bar-count").first
        assert int(right_bar.inner_text()) == sum(rights.values()) - (number == 2 and
                                                                       rights["bilal"])
        if number == 2:
            cable.plug()
            bilal.get_by_text("You gave no answer.").wait_for()  # resumed at the reveal
            assert bilal.locator("#live.is-reconnecting").count() == 0
        phones["amina"][1].get_by_text("✓ Right").wait_for()
        phones["guest"][1].get_by_text("✗ Not right").wait_for()
    standings = projector.locator(".live-standings li").all_inner_texts()
    assert standings[0].startswith("1") and "Amina" in standings[0]
    assert "Guest Aygün" in standings[-1] and standings[-1].rstrip().endswith("0")
    projector.screenshot(path=str(tmp_path / "projector.png"))

    projector.get_by_role("button", name="Finish and show the standings").click()
    projector.get_by_text("Final standings").wait_for()
    for _, phone in phones.values():
        phone.get_by_text("The session has ended").wait_for()
    assert "Your answers are in your quiz history" in phones["amina"][1].content()
    amina = phones["amina"][1]
    amina.goto(url + "/quiz/")
    assert "Live: Orientation warm-up" in amina.content()
    for context, _ in [*phones.values(), (projector_context, None)]:
        context.close()
    cable.close()


def test_a_guest_taken_out_and_a_countdown_run_out_on_the_phones(browser, server):
    """The teacher takes a guest out from the lobby with the × beside the name: the guest's
    phone says so and the projector lists one fewer. When a question's countdown runs out
    with the projector elsewhere, a phone stops taking answers and says time is up."""
    url = server.url
    _, projector = _device(browser, 1920, 1080)
    code = _open_session(projector, url, countdown="10")
    phones = []
    for nickname in ("Rude name", "Aygün"):
        _, phone = _device(browser, 390, 844)
        phone.goto(f"{url}/live/?code={code}")
        phone.get_by_label("Nickname").fill(nickname)
        phone.get_by_role("button", name="Join").click()
        phone.get_by_text("You are in").wait_for()
        phones.append(phone)
    rude, aygun = phones
    projector.get_by_text("2 players").wait_for()
    projector.get_by_role("button", name="Take Rude name out of the session").click()
    rude.get_by_text("Your teacher has taken you out of this session.").wait_for()
    projector.get_by_text("1 player", exact=True).wait_for()
    # The second click of a double click lands on the list as it now stands, on the next ×.
    projector.locator(".live-remove button").first.click()
    projector.wait_for_timeout(1500)
    assert projector.locator(".live-players").inner_text().strip().startswith("Aygün")
    assert aygun.get_by_text("You are in").is_visible()

    projector.get_by_role("button", name="Start: first question").click()
    projector.get_by_text("Question 1 of 3").wait_for()
    projector.goto(url + "/")  # the projector is elsewhere: nobody closes the question
    aygun.locator("form[data-live-answer]").wait_for()
    aygun.get_by_text("Time is up").wait_for(timeout=15_000)
    assert aygun.get_by_role("button", name="Send answer").is_disabled()
