"""A participant switches the interface to Urdu (right to left) or Azerbaijani, studies five
cards and takes a quiz, and every button, heading and label on the way is in that language.
The words are taken from the catalogs, so the journey follows the translations as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from quizapp.auth.service import NewAccount, create_account
from quizapp.extensions import db
from tests.helpers import import_banks

pytestmark = pytest.mark.e2e

CATALOGS = Path(__file__).resolve().parents[2] / "quizapp" / "translations"
PASSWORD = "a long password"
BANK = {"id": "words", "title": "Words", "questions": [
    *({"id": f"w{n}", "type": "flashcard", "front": f"Term {n}", "back": f"Meaning {n}",
       "tags": ["theme:words"]} for n in range(6)),
    {"id": "tf", "type": "true_false", "prompt": "Baku lies on the Caspian.", "answer": True,
     "tags": ["theme:words"]},
    {"id": "sc", "type": "single_choice", "prompt": "Capital of Pakistan?",
     "choices": ["Islamabad", "Lahore"], "answer": "Islamabad", "tags": ["theme:words"]}]}


def _catalog(language: str):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)

    def tr(msgid: str) -> str:
        found = catalog.get(msgid)
        assert found is not None and found.string, f"{msgid!r} is not in the {language} catalog"
        return found.string
    return tr, {str(m.id) for m in catalog if m.id and m.string and m.string != m.id}


def _no_english(page, english: set[str]) -> None:
    """No button, link, heading or label on the page is an English interface string."""
    shown = page.locator("main button, main a, main h1, main h2, main label, nav a, "
                         "nav button").all_inner_texts()
    left = [text.strip() for text in shown if text.strip() in english]
    assert left == [], f"untranslated on {page.url}: {left}"


@pytest.mark.parametrize(("language", "direction"), [("ur", "rtl"), ("az", "ltr")])
def test_study_and_a_quiz_in_another_language(page, live_server, live_app, language,
                                              direction):
    tr, english = _catalog(language)
    with live_app.app_context():
        import_banks(BANK)
        create_account(NewAccount(email="zara@example.org", name="Zara", password=PASSWORD),
                       "pbkdf2:sha256:1000")
        db.session.commit()
    url = live_server.url
    page.goto(url + "/login")
    page.get_by_label("Language").select_option(language)
    page.get_by_role("button", name="Change").click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)
    page.get_by_label(tr("Email")).fill("zara@example.org")
    page.get_by_label(tr("Password")).fill(PASSWORD)
    page.get_by_role("button", name=tr("Log in")).click()
    _no_english(page, english)

    # Five cards, by the buttons in the language.
    page.get_by_role("navigation", name=tr("Main")).get_by_role(
        "link", name=tr("Study"), exact=True).click()
    _no_english(page, english)
    page.get_by_role("link", name="Words", exact=True).first.click()
    for _ in range(5):
        page.get_by_role("button", name=tr("Show answer")).click()
        _no_english(page, english)
        page.get_by_role("button", name=tr("Good")).click()
    expect(page.get_by_role("button", name=tr("Show answer"))).to_be_visible()
    _no_english(page, english)

    # A quiz on the bank, answered and submitted.
    page.get_by_role("navigation", name=tr("Main")).get_by_role(
        "link", name=tr("Quizzes")).click()
    _no_english(page, english)
    page.goto(url + "/quiz/new")
    _no_english(page, english)
    page.get_by_role("checkbox", name="Words", exact=True).check()
    page.get_by_role("button", name=tr("Start quiz")).click()
    for _ in range(8):
        _no_english(page, english)
        if page.get_by_role("button", name=tr("Submit quiz")).count():
            break
        for option in (tr("Yes, I knew it"), tr("True"), "Islamabad"):
            if page.get_by_label(option, exact=True).count():
                page.get_by_label(option, exact=True).check()
        page.locator("form button:not(.default-submit):not(.secondary)").last.click()
    page.get_by_role("button", name=tr("Submit quiz")).click()
    expect(html).to_have_attribute("dir", direction)
    _no_english(page, english)
