"""Banks in the formats teachers already have: each reader accepts what the format's own
documentation writes and names what it refuses by line; each writer's output reads back to
the same bank (for everything that format can hold); the Anki deck opens in Anki's own
library."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks import BankErrors
from quizapp.banks.exporter import yaml_text
from quizapp.banks.files import load_bank_file, load_paths
from quizapp.banks.formats import anki, gift, moodle_xml

CORPUS = Path(__file__).resolve().parents[1] / "formats"
TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "banks" / "template.csv"


def bank(name: str, data: bytes | None = None):
    data = data if data is not None else (CORPUS / name).read_bytes()
    return load_bank_file(data, name).model_dump(mode="json", exclude_none=True)


def problems(name: str, data: bytes | None = None) -> list[str]:
    with pytest.raises(BankErrors) as caught:
        bank(name, data)
    return [str(e) for e in caught.value.errors]


def test_every_gift_construct_moodle_documents_is_read():
    doc = bank("accepted.gift")
    by_id = {q["id"]: q for q in doc["questions"]}
    assert doc["id"] == "accepted" and len(doc["questions"]) == 10
    capital = by_id["capital"]
    assert capital["type"] == "single_choice" and capital["answer"] == "Baku"
    assert capital["choices"][1] == {"text": "Ganja", "feedback": "A city, but not the capital."}
    assert capital["explanation"] == "Baku has been the capital since 1920."
    assert capital["tags"] == ["category:geography"]
    assert by_id["sea"]["answer"] is True and by_id["desert"]["answer"] is False
    assert by_id["countries"]["type"] == "multiple_choice"
    assert by_id["countries"]["answers"] == ["Pakistan", "Azerbaijan"]
    assert by_id["cpec"]["answers"] == ["CPEC", "China-Pakistan Economic Corridor"]
    assert by_id["capitals"]["pairs"][2] == {"left": "Ankara", "right": "Türkiye"}
    missing = [q for q in doc["questions"] if q["id"] in ("q7", "q8")]
    assert missing[0]["prompt"] == "The Caspian is ___ between Europe and Asia."
    assert missing[1]["text"] == "The Southern Gas Corridor carries [[gas|natural gas]] to Europe."
    assert by_id["escapes"]["prompt"] == "Which sign is written = in GIFT?"
    assert by_id["energy"]["tags"] == ["theme:energy"]  # a tag this app wrote comes back


def test_what_gift_allows_and_a_bank_cannot_hold_is_named_by_line():
    found = problems("rejected.gift")
    assert [line.split(":")[1] for line in found] == ["4", "6", "8", "10"]
    assert "numerical question" in found[0] and "essay" in found[1]
    assert "description" in found[2] and "no answer is marked right" in found[3]


def test_anki_plain_text_notes_with_their_header_lines():
    doc = bank("anki-notes.txt")
    first = doc["questions"][0]
    assert first["type"] == "flashcard" and first["front"] == "Baku"
    assert first["back"] == "The capital of Azerbaijan\non the Caspian"  # HTML made plain
    assert first["tags"] == ["unit:geography", "capitals"]


def test_a_quizlet_export_with_commas_becomes_flashcards():
    doc = bank("quizlet.csv")
    assert [(q["front"], q["back"]) for q in doc["questions"]] == [
        ("Caspian", "The largest inland body of water"), ("SGC", "Southern Gas Corridor")]


def test_the_spreadsheet_template_holds_every_type():
    doc = bank("template.csv", TEMPLATE.read_bytes())
    assert [q["type"] for q in doc["questions"]] == [
        "single_choice", "multiple_choice", "true_false", "short_answer", "cloze", "matching",
        "ordering", "flashcard"]


def test_a_bad_spreadsheet_row_is_named_by_its_line():
    data = TEMPLATE.read_bytes().replace(b"true,It does.", b"maybe,It does.")
    assert any(p.startswith("template.csv:4:1: question 3.answer") for p in
               problems("template.csv", data))


def test_aiken_questions_and_an_answer_that_names_no_choice():
    text = "Capital of Pakistan?\nA. Karachi\nB. Islamabad\nANSWER: B\n\nSea?\nA. Caspian\n" \
           "ANSWER: C\n"
    with pytest.raises(BankErrors) as caught:
        bank("quiz.txt", text.encode())
    assert str(caught.value.errors[0]).startswith("quiz.txt:6:1: ANSWER: C names no choice")
    good = bank("quiz.txt", text.split("\n\n")[0].encode())
    assert good["questions"][0]["answer"] == "Islamabad"


def test_moodle_xml_with_a_doctype_is_refused_before_parsing():
    found = problems("bomb.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaa">]><quiz/>')
    assert "DOCTYPE" in found[0]


def test_a_file_of_no_known_kind_says_what_can_be_read():
    found = problems("notes.docx", b"PK...")
    assert "cannot read this kind of file" in found[0] and "Moodle GIFT" in found[0]


def test_a_folder_without_bank_files_is_a_problem_not_ok(tmp_path):
    with pytest.raises(BankErrors, match="no bank files here"):
        load_paths([tmp_path], None)


# -- Round trips: bank -> format -> bank keeps what the format can hold --------------------

WORDS = st.text(alphabet=string.ascii_letters + " ,.?'-éşə", min_size=1, max_size=30).map(
    str.strip).filter(lambda t: any(c.isalnum() for c in t) and not t.startswith(("-", "'"))
                      and "  " not in t)


def _distinct(n_min: int, n_max: int):
    return st.lists(WORDS, min_size=n_min, max_size=n_max, unique_by=str.lower)


@st.composite
def questions(draw, kinds: tuple[str, ...]):
    kind = draw(st.sampled_from(kinds))
    q = {"type": kind}
    if kind in ("single_choice", "multiple_choice"):
        choices = draw(_distinct(2, 5))
        q |= {"prompt": draw(WORDS), "choices": choices}
        if kind == "single_choice":
            q["answer"] = draw(st.sampled_from(choices))
        else:
            picked = draw(st.lists(st.sampled_from(choices), min_size=1,
                                   max_size=len(choices) - 1, unique=True))
            q["answers"] = [c for c in choices if c in picked]  # as the formats list them
    elif kind == "true_false":
        q |= {"prompt": draw(WORDS), "answer": draw(st.booleans())}
    elif kind == "short_answer":
        q |= {"prompt": draw(WORDS), "answers": draw(_distinct(1, 3))}
    elif kind == "matching":
        lefts, rights = draw(_distinct(2, 4)), draw(_distinct(4, 4))
        q |= {"prompt": draw(WORDS), "pairs": [{"left": left, "right": right}
                                               for left, right in zip(lefts, rights, strict=False)]}
    elif kind == "ordering":
        q |= {"prompt": draw(WORDS), "items": draw(_distinct(2, 5))}
    if draw(st.booleans()):
        q["explanation"] = draw(WORDS)
    return q


@st.composite
def banks(draw, kinds):
    qs = draw(st.lists(questions(kinds), min_size=1, max_size=6))
    tag = draw(st.sampled_from(["theme:energy", "unit:water"]))
    for n, q in enumerate(qs):
        q["id"] = f"q{n}"
        q["tags"] = [tag]
    return {"id": "roundtrip", "title": "roundtrip", "questions": qs}


def _same_questions(doc: dict, name: str, text: str) -> None:
    back = bank(name, text.encode())
    expected = load_bank_file(yaml_text(doc).encode(), "x.yaml").model_dump(
        mode="json", exclude_none=True)
    assert back["questions"] == expected["questions"]


GIFT_KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer", "matching")
XML_KINDS = GIFT_KINDS + ("ordering",)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(banks(GIFT_KINDS))
def test_gift_round_trip_keeps_every_field_gift_can_hold(doc):
    text, left_out = gift.write(doc)
    assert left_out == []
    _same_questions(doc, "roundtrip.gift", text)


@FAST
@given(banks(XML_KINDS))
def test_moodle_xml_round_trip_keeps_every_field(doc):
    text, _ = moodle_xml.write(doc)
    _same_questions(doc, "roundtrip.xml", text)


@FAST
@given(banks(XML_KINDS + ("flashcard",)).filter(
    lambda d: all(q["type"] != "flashcard" or "front" in q for q in d["questions"])))
def test_yaml_round_trip_keeps_everything(doc):
    _same_questions(doc, "roundtrip.yaml", yaml_text(doc))


def test_what_gift_cannot_hold_is_left_out_and_named():
    doc = bank("template.csv", TEMPLATE.read_bytes())
    text, left_out = gift.write(doc)
    assert left_out == ["or-example", "fc-example"]
    assert "// Left out, as GIFT has no form for them: or-example, fc-example" in text


# -- The Anki deck, opened with Anki's own library ----------------------------------------

def test_the_anki_deck_imports_into_anki_and_a_new_export_updates_it(tmp_path):
    collection_module = pytest.importorskip("anki.collection")
    doc = bank("geography.csv", TEMPLATE.read_bytes())
    collection = collection_module.Collection(str(tmp_path / "collection.anki2"))

    def import_deck(data: bytes, name: str):
        path = tmp_path / name
        path.write_bytes(data)
        return collection.import_anki_package(collection_module.ImportAnkiPackageRequest(
            package_path=str(path),
            options=collection_module.ImportAnkiPackageOptions(update_notes=0)))

    try:
        first = import_deck(anki.write(doc, timestamp=1_800_000_000), "first.apkg")
        assert len(first.log.new) == 8 and collection.note_count() == 8
        assert collection.card_count() == 8  # the cloze has one gap: one card
        assert "geography" in [d.name for d in collection.decks.all_names_and_ids()]
        cloze = collection.get_note(collection.find_notes('"note:Cloze*"')[0])
        assert cloze.fields[0].startswith("The {{c1::Caspian}}")
        assert set(collection.tags.all()) == {"unit:geography"}
        doc["questions"][0]["prompt"] = "Which city is Azerbaijan's capital?"
        again = import_deck(anki.write(doc, timestamp=1_800_000_100), "again.apkg")
        assert len(again.log.new) == 0 and len(again.log.updated) == 8
        assert collection.note_count() == 8
        assert collection.find_notes('"Which city is Azerbaijan*"')
    finally:
        collection.close()
