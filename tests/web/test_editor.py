"""Teachers write banks in the browser, bring files from other tools, and take banks away in
the formats those tools read; the editor follows a re-import's rules."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import func, select

from quizapp.banks.files import load_bank_file
from quizapp.banks.importer import plan_import
from quizapp.extensions import db
from quizapp.models import Bank, CardState, Question, Role
from tests.helpers import flashcards, import_banks

FORMS = {  # one question of each type, as the editor's form sends it
    "flashcard": {"key": "fc", "front": "Caspian Sea", "back": "The largest lake"},
    "single_choice": {"key": "sc", "prompt": "Capital of Azerbaijan?",
                      "choices-0-text": "Baku", "choices-0-right": "y",
                      "choices-0-feedback": "Yes.", "choices-1-text": "Ganja",
                      "explanation": "Baku is the capital."},
    "multiple_choice": {"key": "mc", "prompt": "Which are countries?",
                        "choices-0-text": "Pakistan", "choices-0-right": "y",
                        "choices-1-text": "Azerbaijan", "choices-1-right": "y",
                        "choices-2-text": "The Caspian"},
    "true_false": {"key": "tf", "prompt": "Baku is on the Caspian.", "truth": "true"},
    "short_answer": {"key": "sa", "prompt": "Capital of Pakistan?",
                     "answers": "Islamabad\nIslamabad city"},
    "cloze": {"key": "cl", "text": "The [[Caspian|Caspian Sea]] is a lake."},
    "matching": {"key": "ma", "prompt": "Match the capitals",
                 "pairs-0-left": "Baku", "pairs-0-right": "Azerbaijan",
                 "pairs-1-left": "Islamabad", "pairs-1-right": "Pakistan"},
    "ordering": {"key": "or", "prompt": "West to east", "items": "Ankara\nBaku\nIslamabad",
                 "tags": "unit:geography", "paragraphs": "3, 4"},
}


@pytest.fixture
def teacher(client, users):
    user = users.login_as(Role.TEACHER)
    client.post("/teach/banks/new", data={"slug": "geo", "title": "Geography",
                                          "language": "en"})
    return user


def _version() -> int:
    return db.session.scalar(select(Bank.version).where(Bank.slug == "geo"))


def _add(client, kind: str, **extra):
    return client.post(f"/teach/banks/geo/questions/new/{kind}",
                       data=FORMS[kind] | {"version": _version(), "action": "save"} | extra)


def test_a_bank_of_every_type_written_in_the_browser_round_trips(client, teacher):
    for kind in FORMS:
        assert _add(client, kind).status_code == 302, kind
    page = client.get("/teach/banks/geo/edit").get_data(as_text=True)
    assert "Questions (8)" in page and "The ___ is a lake." in page
    exported = client.get("/teach/banks/geo.yaml").get_data(as_text=True)
    assert exported.startswith("# yaml-language-server: $schema=http://localhost/schema.json")
    bank = load_bank_file(exported.encode(), "geo.yaml")
    changes = plan_import(db.session, [bank])[0]
    assert (changes.added, changes.changed, changes.unchanged) == (0, 0, 8)
    ordering = next(q for q in yaml.safe_load(exported)["questions"] if q["id"] == "or")
    assert ordering["tags"] == ["unit:geography"] and ordering["source"] == {
        "paragraphs": [3, 4]}


def test_problems_are_shown_beside_their_fields_and_nothing_is_saved(client, teacher):
    answer = _add(client, "single_choice", **{"choices-0-right": ""})
    assert answer.status_code == 422
    assert "mark exactly one choice as right" in answer.get_data(as_text=True)
    empty = _add(client, "short_answer", answers="")
    assert "needs at least 1 item(s)" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_preview_shows_the_question_as_students_will_and_saves_nothing(client, teacher):
    page = client.post("/teach/banks/geo/questions/new/single_choice",
                       data=FORMS["single_choice"] | {"action": "preview",
                                                      "version": _version()})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="preview-choice"' in html and "Baku" in html
    fragment = client.post("/teach/banks/geo/questions/new/cloze", data=FORMS["cloze"],
                           headers={"X-Preview": "1"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="preview-gap-0"' in fragment
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_editing_keeps_students_progress_and_retiring_keeps_history(client, teacher, users):
    _add(client, "single_choice")
    _add(client, "true_false")
    question = db.session.scalar(select(Question).where(Question.key == "sc"))
    student = users.create("s@example.org")
    db.session.add(CardState(user_id=student.id, question_id=question.id, state=2,
                             due=datetime.now(UTC), reps=3))
    db.session.commit()
    edited = client.post("/teach/banks/geo/questions/sc", data=FORMS["single_choice"] | {
        "prompt": "Which city is the capital of Azerbaijan?", "version": _version(),
        "action": "save"})
    assert edited.status_code == 302
    db.session.expire_all()
    same = db.session.scalar(select(Question).where(Question.key == "sc"))
    assert same.id == question.id and same.prompt.startswith("Which city")
    assert db.session.scalar(select(CardState.reps).where(CardState.question_id == same.id)) == 3
    client.post("/teach/banks/geo/questions/sc/retire", data={"version": _version()})
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired
    assert db.session.scalar(select(func.count()).select_from(CardState)) == 1
    client.post("/teach/banks/geo/questions/sc/restore", data={"version": _version()})
    db.session.expire_all()
    assert not db.session.get(Question, question.id).retired
    # The last live question cannot go: a bank needs one.
    client.post("/teach/banks/geo/questions/sc/retire", data={"version": _version()})
    last = client.post("/teach/banks/geo/questions/tf/retire", data={"version": _version()},
                       follow_redirects=True)
    assert "A bank needs at least one live question" in last.get_data(as_text=True)


def test_reordering_moves_a_question(client, teacher):
    for kind in ("flashcard", "true_false", "cloze"):
        _add(client, kind)
    client.post("/teach/banks/geo/questions/cl/up", data={"version": _version()})
    keys = db.session.scalars(select(Question.key).where(Question.retired.is_(False))
                              .order_by(Question.position)).all()
    assert keys == ["fc", "cl", "tf"]


def test_two_editors_cannot_overwrite_each_other(client, teacher):
    _add(client, "true_false")
    seen = _version()
    first = client.post("/teach/banks/geo/questions/tf", data=FORMS["true_false"] | {
        "prompt": "First edit.", "version": seen, "action": "save"})
    assert first.status_code == 302
    second = client.post("/teach/banks/geo/questions/tf", data=FORMS["true_false"] | {
        "prompt": "Second edit.", "version": seen, "action": "save"})
    assert second.status_code == 409
    assert "changed elsewhere" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Question.prompt).where(Question.key == "tf")) == "First edit."


def test_only_the_owner_or_an_admin_edits_and_an_admin_hands_a_bank_over(client, teacher,
                                                                         users):
    _add(client, "true_false")
    users.login_as(Role.TEACHER, email="other@example.org")
    refused = client.get("/teach/banks/geo/questions/tf")
    assert refused.status_code == 403 and "ask" in refused.get_data(as_text=True).lower()
    import_banks(flashcards("bundled", 1))
    bundled = client.get("/teach/banks/bundled/edit").get_data(as_text=True)
    assert "Belongs to the site" in bundled and "ask an admin to hand it to you" in bundled
    users.login_as(Role.ADMIN)
    client.post("/teach/banks/bundled/owner", data={"email": "other@example.org"})
    users.login("other@example.org")
    assert client.get("/teach/banks/bundled/questions/c0").status_code == 200


# -- Files from other tools, and exports for them -------------------------------------------------

def _upload(client, name: str, content: bytes):
    return client.post("/teach/banks/upload", content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(content), name)]})


def test_a_quizlet_export_and_a_gift_file_are_previewed_then_imported(client, users):
    users.login_as(Role.TEACHER)
    quizlet = "CPEC\tChina–Pakistan Economic Corridor\nSGC\tSouthern Gas Corridor\n".encode()
    page = _upload(client, "energy-terms.txt", quizlet).get_data(as_text=True)
    assert "Ready to import" in page and "<code>card1</code> CPEC" in page
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    client.post(f"/teach/banks/upload/{token}/confirm")
    gift = b"::capital::Capital of Azerbaijan? {=Baku ~Ganja}\n\n::sea::On the Caspian. {T}\n"
    page = _upload(client, "geo.gift", gift).get_data(as_text=True)
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    client.post(f"/teach/banks/upload/{token}/confirm")
    assert set(db.session.scalars(select(Bank.slug))) == {"energy-terms", "geo"}
    bad = _upload(client, "geo2.gift", b"::n::How many? {#5}\n")
    assert bad.status_code == 422 and "numerical question" in bad.get_data(as_text=True)


def test_every_export_downloads(client, users):
    import_banks({"id": "geo", "title": "Geo", "questions": [
        {"id": "tf", "type": "true_false", "prompt": "On the Caspian.", "answer": True},
        {"id": "fc", "type": "flashcard", "front": "F", "back": "B"}]})
    users.login_as(Role.TEACHER)
    gift = client.get("/teach/banks/geo.gift")
    assert gift.status_code == 200 and "::tf::On the Caspian. {T}" in gift.get_data(as_text=True)
    assert "Left out, as GIFT has no form for them: fc" in gift.get_data(as_text=True)
    assert b'<question type="truefalse">' in client.get("/teach/banks/geo.moodle.xml").data
    assert client.get("/teach/banks/starter.yaml").data.startswith(
        b"# yaml-language-server: $schema=http://localhost/schema.json")
    assert b"type,id,prompt,choices" in client.get("/teach/banks/template.csv").data
    users.login_as(Role.STUDENT)  # a student may take a deck of a bank they study
    assert 'href="/decks/geo.apkg"' in client.get("/study/").get_data(as_text=True)
    deck = client.get("/decks/geo.apkg")
    assert deck.status_code == 200 and deck.data[:2] == b"PK"
    assert client.get("/teach/banks/geo.gift").status_code == 403


def test_the_format_is_served_as_a_page_and_a_schema(client):
    page = client.get("/help/banks").get_data(as_text=True)
    article = page[page.index("<article"):page.index("</article>")]
    assert "<h2>Other formats</h2>" in article and "Moodle GIFT" in article
    assert "<script" not in article  # the README's HTML is not passed through
    schema = client.get("/schema.json").get_json()
    assert schema["title"] == "Question bank" and "questions" in schema["properties"]


def test_a_gift_round_trip_keeps_the_banks_title_and_every_students_card(client, users):
    users.login_as(Role.TEACHER)
    client.post("/teach/banks/new", data={"slug": "geo", "title": "Around the Caspian",
                                          "language": "en"})
    for kind in ("single_choice", "true_false", "short_answer"):
        _add(client, kind)
    ids = dict(db.session.execute(select(Question.key, Question.id)).all())
    gift = client.get("/teach/banks/geo.gift").data  # to Moodle and back, unchanged
    page = _upload(client, "geo.gift", gift).get_data(as_text=True)
    assert "Around the Caspian" in page
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    client.post(f"/teach/banks/upload/{token}/confirm")
    db.session.expire_all()
    assert db.session.scalar(select(Bank.title).where(Bank.slug == "geo")) == \
        "Around the Caspian"
    assert dict(db.session.execute(select(Question.key, Question.id)
                                   .where(Question.retired.is_(False))).all()) == ids
