"""A student studies flashcards and graded questions in Chromium with the keyboard, with
JavaScript (one request per flashcard, two per graded question, Space reveals with none) and
without it (a page per step, as before); the review log holds each rating once, in order."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question, ReviewLog
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import flashcards, import_banks

pytestmark = pytest.mark.e2e


def _deck(app) -> None:
    with app.app_context():
        deck = flashcards("deck", 3)
        deck["questions"].append({
            "id": "tf", "type": "true_false", "prompt": "The article proposes direct air links.",
            "answer": True, "explanation": "Paragraph 16 proposes them.",
            "source": {"paragraphs": [16]}, "tags": ["project:air-links"]})
        deck["questions"].append({
            "id": "sa", "type": "short_answer", "prompt": "Which corridor is CPEC?",
            "answers": ["China-Pakistan Economic Corridor"], "explanation": "Paragraph 6.",
            "source": {"paragraphs": [6]}, "tags": ["project:cpec"]})
        import_banks(deck)


def _review_log(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        return db.session.execute(
            select(Question.key, ReviewLog.rating, ReviewLog.source)
            .join(Question, Question.id == ReviewLog.question_id)
            .order_by(ReviewLog.id)).all()


class Requests:
    """The requests a page sends, to the app only (no static files)."""

    def __init__(self, page, base: str):
        self.sent: list[str] = []
        page.on("request", lambda r: self.sent.append(f"{r.method} {r.url[len(base):]}")
                if r.url.startswith(base) and "/static/" not in r.url else None)

    def take(self) -> list[str]:
        taken, self.sent = self.sent, []
        return [line.split("?")[0] for line in taken]


EXPECTED = [("c0", 3, "study"), ("c1", 1, "study"), ("c2", 3, "study"), ("tf", 3, "study"),
            ("sa", 4, "study")]


def test_with_javascript_a_flashcard_is_one_request(page, live_server, live_app):
    _deck(live_app)
    email, password = make_teacher(live_app, email="keys@example.org")
    log_in(page, live_server.url, email, password)
    page.goto(live_server.url + "/study/session?scope=bank:deck")
    page.wait_for_load_state()
    requests = Requests(page, live_server.url)

    for n, key in enumerate("313"):  # flashcards: Space reveals, a number rates
        expect(page.get_by_role("heading", name=f"Front {n}")).to_be_visible()
        page.keyboard.press("Space")
        expect(page.get_by_role("status").filter(has_text=f"Back {n}")).to_be_visible()
        expect(page.get_by_role("button", name="Good")).to_be_focused()
        assert requests.take() == []  # the back was in the page already
        page.keyboard.press(key)
        expect(page.get_by_role("heading", name=f"Front {n}")).not_to_be_visible()
        assert requests.take() == ["POST /study/rate"]  # the response is the next card
        assert page.url.endswith("/study/session?scope=bank:deck")

    heading = page.get_by_role("heading", name="The article proposes direct air links.")
    expect(heading).to_be_visible()
    expect(page.get_by_label("True")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_text("✓ Right")).to_be_visible()
    expect(page.get_by_role("button", name="Good")).to_be_focused()  # the suggestion
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Which corridor is CPEC?")).to_be_visible()
    assert requests.take() == ["POST /study/answer", "POST /study/rate"]

    expect(page.get_by_label("Your answer")).to_be_focused()
    page.keyboard.type("china pakistan economic corridor")
    page.keyboard.press("Enter")
    expect(page.get_by_text("✓ Right")).to_be_visible()
    page.keyboard.press("4")
    # The flashcard rated Again is in its learning step, shown again first.
    expect(page.get_by_role("heading", name="Front 1")).to_be_visible()
    assert requests.take() == ["POST /study/answer", "POST /study/rate"]
    assert _review_log(live_app) == EXPECTED

    # A reload shows the same next card afresh; the back button leaves the session.
    page.reload()
    expect(page.get_by_role("heading", name="Front 1")).to_be_visible()
    assert _review_log(live_app) == EXPECTED


def test_without_javascript_every_step_is_a_page(browser, live_server, live_app):
    _deck(live_app)
    email, password = make_teacher(live_app, email="plain@example.org")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, email, password)
    page.goto(live_server.url + "/study/session?scope=bank:deck")
    requests = Requests(page, live_server.url)

    for n, rating in enumerate(["Good", "Again", "Good"]):
        expect(page.get_by_role("heading", name=f"Front {n}")).to_be_visible()
        expect(page.get_by_text(f"Back {n}")).to_be_hidden()  # in the page, not shown
        page.get_by_role("button", name="Show answer").click()
        expect(page.get_by_role("status").filter(has_text=f"Back {n}")).to_be_visible()
        page.get_by_role("button", name=rating).click()
        expect(page.get_by_role("heading", name=f"Front {n}")).not_to_be_visible()
        assert requests.take() == ["POST /study/answer", "POST /study/rate",
                                   "GET /study/session"]

    page.get_by_label("True").check()
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("✓ Right")).to_be_visible()
    page.get_by_role("button", name="Good").click()
    page.get_by_label("Your answer").fill("China-Pakistan Economic Corridor")
    page.get_by_role("button", name="Check").click()
    # The same rating form sent twice (a double click, a resent form) counts once.
    form = {name: page.locator(f'form[data-study="rate"] input[name="{name}"]').input_value()
            for name in ("csrf_token", "token", "scope")}
    page.get_by_role("button", name="Easy").click()
    expect(page.get_by_role("heading", name="Front 1")).to_be_visible()
    again = page.request.post(live_server.url + "/study/rate", form=form | {"rating": "4"})
    assert "That card was already rated" in again.text()
    assert _review_log(live_app) == EXPECTED
    context.close()
