"""A bank as an Anki deck (.apkg), written with genanki.

Flashcards are Basic notes; a cloze is a Cloze note; every other question is a Basic note
whose front is the prompt (with its choices, items or left-hand items) and whose back is the
answer and the explanation. Tags are kept. Each note's GUID comes from the bank's id and the
question's id, and the deck's id from the bank's id, so a deck exported again updates the
notes already in a student's collection instead of adding copies.
"""

from __future__ import annotations

import hashlib
import html
import re
import tempfile
from pathlib import Path

import genanki

BASIC, CLOZE = genanki.BASIC_MODEL, genanki.CLOZE_MODEL


def _id(text: str) -> int:
    """A stable 31-bit id for Anki from a text."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:7], 16) + (1 << 30)


def _list(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + f"</{tag}>"


def _texts(choices: list) -> list[str]:
    return [c if isinstance(c, str) else c["text"] for c in choices]


def _sides(q: dict) -> tuple[str, str]:
    """Front and back of a Basic note for a question."""
    kind, e = q["type"], html.escape
    explanation = f"<p>{e(q['explanation'])}</p>" if q.get("explanation") else ""
    if kind == "flashcard":
        return e(q["front"]), e(q["back"]) + explanation
    prompt = f"<p>{e(q['prompt'])}</p>"
    if kind == "single_choice":
        return prompt + _list(_texts(q["choices"])), f"<p><b>{e(q['answer'])}</b></p>" + \
            explanation
    if kind == "multiple_choice":
        return prompt + _list(_texts(q["choices"])), _list(q["answers"]) + explanation
    if kind == "true_false":
        return prompt + "<p>True or false?</p>", \
            f"<p><b>{'True' if q['answer'] else 'False'}</b></p>" + explanation
    if kind == "short_answer":
        return prompt, f"<p><b>{e(q['answers'][0])}</b></p>" + explanation
    if kind == "matching":
        lefts = [p["left"] for p in q["pairs"]]
        return prompt + _list(lefts), _list([f"{p['left']} → {p['right']}" for p in q["pairs"]]) \
            + explanation
    items = sorted(q["items"])  # ordering: the items in a neutral order, the order on the back
    return prompt + _list(items), _list(q["items"], ordered=True) + explanation


def _cloze(text: str) -> str:
    number = 0

    def gap(match: re.Match) -> str:
        nonlocal number
        number += 1
        return f"{{{{c{number}::{html.escape(match.group(1).split('|')[0].strip())}}}}}"

    return re.sub(r"\[\[(.+?)\]\]", gap, html.escape(text, quote=False))


def write(document: dict, timestamp: float | None = None) -> bytes:
    """The bank's live questions as an .apkg file's bytes. Anki updates a note it already
    has when the export is newer: `timestamp` (seconds since the epoch) dates the notes,
    now by default."""
    deck = genanki.Deck(_id(f"deck:{document['id']}"), document["title"])
    for q in document["questions"]:
        guid = genanki.guid_for(document["id"], q["id"])
        tags = [t.replace(" ", "_") for t in q.get("tags", [])]
        if q["type"] == "cloze":
            extra = html.escape(q.get("explanation", ""))
            note = genanki.Note(model=CLOZE, fields=[_cloze(q["text"]), extra], tags=tags,
                                guid=guid)
        else:
            note = genanki.Note(model=BASIC, fields=list(_sides(q)), tags=tags, guid=guid)
        deck.add_note(note)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(path), timestamp=timestamp)
        return path.read_bytes()
