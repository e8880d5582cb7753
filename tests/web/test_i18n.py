"""The interface in English, Azerbaijani and Urdu: every marked string is translated in every
catalog, the language comes from the account, the browser's choice or Accept-Language, and
Urdu pages read right to left."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, User
from tests.conftest import Users
from tests.helpers import import_banks

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "quizapp" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """Every interface string marked in the code and templates, extracted afresh."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "-q", "extract", "-F",
                    CATALOGS / "babel.cfg", "-k", "_l", "-k", "N_", "-k", "lazy_pgettext:1c,2",
                    "-o", pot, "."],
                   cwd=ROOT, check=True)
    with pot.open("rb") as f:
        return [m for m in read_po(f) if m.id]


@pytest.mark.parametrize("language", ["az", "ur"])
def test_every_interface_string_is_translated(marked, language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing, broken = [], []
    for message in marked:
        found = catalog.get(message.id, message.context)
        forms = list(found.string) if found and isinstance(found.string, tuple) else \
            [found.string if found else ""]
        if found is None or found.fuzzy or not all(forms):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        wanted = set(PLACEHOLDER.findall(str(message.id)))
        if any(set(PLACEHOLDER.findall(form)) - wanted for form in forms):
            broken.append(str(message.id))
    assert missing == [], f"{len(missing)} strings untranslated in {language}"
    assert broken == [], f"placeholders changed in {language}"
    assert len(marked) > 300  # the whole interface is marked, not a handful of strings


def test_the_language_follows_the_browser_then_the_choice_then_the_account(make_app):
    # An app whose requests each get their own context, as in production (Flask-Babel keeps
    # the locale for the context).
    app = make_app()
    client = app.test_client()
    page = client.get("/login", headers={"Accept-Language": "ur, en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html
    assert '<html lang="en" dir="ltr">' in client.get("/login").get_data(as_text=True)
    chosen = client.post("/language", data={"lang": "az", "next": "/login?x=1"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login?x=1"
    assert '<html lang="az" dir="ltr">' in client.get(
        "/login", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    # Logged in, the account's choice goes with the user to every browser.
    with app.app_context():
        Users(app, client).create("s@example.org")
    Users(app, client).login("s@example.org")
    client.post("/language", data={"lang": "ur", "next": "/"})
    with app.app_context():
        assert db.session.scalar(select(User.language)) == "ur"
    client.delete_cookie("lang")
    assert 'lang="ur" dir="rtl"' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_or_a_foreign_next_changes_nothing(client):
    answer = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get_cookie("lang") is None


def test_a_teacher_reads_a_bank_s_problems_in_their_language(make_app, monkeypatch):
    app = make_app()
    client = app.test_client()
    with app.app_context():
        Users(app, client).create("t@example.org", role=Role.TEACHER)
    Users(app, client).login("t@example.org")
    client.post("/language", data={"lang": "az", "next": "/"})
    bad = b"id: bad\ntitle: Bad\nquestions:\n  - {id: q, type: single_choice, prompt: P,\n" \
          b"     choices: [A, B], answer: C}\n"
    page = client.post("/teach/banks/upload", data={"files": [(io.BytesIO(bad), "bad.yaml")]},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "bad.yaml:5:31" in page and "&#39;C&#39; variantlardan biri deyil" in page
    # The command line speaks the terminal's language.
    path = Path(app.instance_path) / "bad.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bad)
    monkeypatch.setenv("LANG", "az_AZ.UTF-8")
    out = app.test_cli_runner().invoke(args=["banks", "check", str(path)])
    assert out.exit_code == 1 and "'C' variantlardan biri deyil" in out.output
    assert "1 problem aşkarlandı; heç nə yazılmadı." in out.output
    monkeypatch.setenv("LANG", "C.UTF-8")
    out = app.test_cli_runner().invoke(args=["banks", "check", str(path)])
    assert "'C' is not one of the choices" in out.output and "1 problem found" in out.output


def test_an_english_bank_title_on_an_azerbaijani_page_says_it_is_english(make_app):
    """Titles are upper-cased by the eyebrow's style, and by the element's language rules: an
    English title marked as such keeps its dotless I on an Azerbaijani page ("DIPLOMATIC",
    not "DİPLOMATİC"), and a screen reader speaks it as English."""
    app = make_app()
    client = app.test_client()
    with app.app_context():
        import_banks({"id": "positions", "title": "Diplomatic positions", "questions": [
            {"id": "q", "type": "true_false", "prompt": "Baku is a capital.", "answer": True}]})
        Users(app, client).create("s@example.org")
    Users(app, client).login("s@example.org")
    client.post("/language", data={"lang": "az", "next": "/"})
    card = client.get("/study/session?scope=bank:positions").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', card).group(1)
    answer = client.post("/study/answer", data={"token": token, "scope": "bank:positions",
                                                "answer": "true"}).get_data(as_text=True)
    for page in (card, answer):
        assert '<html lang="az"' in page
        assert page.count('<span lang="en">Diplomatic positions</span>') == 2  # head, card
    client.post("/language", data={"lang": "en", "next": "/"})
    english = client.get("/study/session?scope=bank:positions").get_data(as_text=True)
    assert 'lang="en">Diplomatic' not in english  # the page's own language needs no mark
