"""A student studies five cards in Chromium with the keyboard only."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import ReviewLog
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import flashcards, import_banks

pytestmark = pytest.mark.e2e


def test_five_cards_with_the_keyboard_only(page, live_server, live_app):
    with live_app.app_context():
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
    email, password = make_teacher(live_app, email="keys@example.org")
    log_in(page, live_server.url, email, password)
    page.goto(live_server.url + "/study/session?scope=bank:deck")

    # Keys work once the page's deferred script has run: a page can be visible before that
    # on a busy machine, and a key pressed then is lost (a real user would press it again).
    for n in range(3):  # flashcards: Space reveals, 3 rates Good
        expect(page.get_by_role("heading", name=f"Front {n}")).to_be_visible()
        page.wait_for_load_state()
        page.keyboard.press("Space")
        expect(page.get_by_role("status").filter(has_text=f"Back {n}")).to_be_visible()
        page.wait_for_load_state()
        page.keyboard.press("3")
        page.wait_for_url("**/study/session**")

    heading = page.get_by_role("heading", name="The article proposes direct air links.")
    expect(heading).to_be_visible()
    page.wait_for_load_state()
    expect(page.get_by_label("True")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_text("✓ Right")).to_be_visible()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Good")).to_be_focused()  # the suggestion
    page.keyboard.press("Enter")
    page.wait_for_url("**/study/session**")

    expect(page.get_by_role("heading", name="Which corridor is CPEC?")).to_be_visible()
    page.wait_for_load_state()
    expect(page.get_by_label("Your answer")).to_be_focused()
    page.keyboard.type("china pakistan economic corridor")
    page.keyboard.press("Enter")
    expect(page.get_by_text("✓ Right")).to_be_visible()
    page.wait_for_load_state()
    page.keyboard.press("4")
    page.wait_for_url("**/study/session**")
    # The flashcards rated Good are in their 10-minute learning step, shown again when idle.
    expect(page.get_by_role("heading", name="Front 0")).to_be_visible()

    with live_app.app_context():
        ratings = db.session.scalars(select(ReviewLog.rating).order_by(ReviewLog.id)).all()
    assert ratings == [3, 3, 3, 3, 4]
