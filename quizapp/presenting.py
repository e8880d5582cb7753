"""How a question is shown and how a submitted form becomes a response. Pure.

Shuffles come from a seed (per study presentation or per quiz attempt), so a reload shows the
same order. Form field names are the same in study and quizzes.

What a page sends back never names the key: a choice, a matching partner or an ordering item
is sent as its position in the order shown (shuffled per attempt), and mapped back to the
bank's own order here, on the server.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .banks.schema import GAP, cloze_gaps
from .problems import N_, Problem

GetList = Callable[[str], list[str]]


@dataclass(frozen=True)
class Option:
    index: int  # position in the bank file: what responses store, never sent to the page
    text: str
    feedback: str | None = None


@dataclass(frozen=True)
class ClozePart:
    text: str
    gap: int | None = None  # gap number, or None for plain text


@dataclass
class Shown:
    """Everything a template needs to render one question."""

    type: str
    prompt: str
    options: list[Option] = field(default_factory=list)  # choices, right items or ordering items
    lefts: list[str] = field(default_factory=list)  # matching
    cloze: list[ClozePart] = field(default_factory=list)
    back: str | None = None  # flashcard
    explanation: str | None = None
    content: dict = field(default_factory=dict)  # as shown: for the right answer, in words
    language: str | None = None  # the language of the question's texts, when known


def translated(content: dict, language: str) -> bool:
    return language in (content.get("translations") or {})


def localized(content: dict, language: str | None) -> dict:
    """The question as a reader of `language` sees it: its translation's texts in place of
    the bank's, field by field, each choice, pair and item in its own place (so responses,
    which name positions, mean the same in every language). Without a translation, the
    content as it is."""
    translation = (content.get("translations") or {}).get(language) if language else None
    if not translation:
        return content
    shown = {k: v for k, v in content.items() if k != "translations"} | translation
    if "choices" in translation:  # a choice's feedback left untranslated is still shown
        shown["choices"] = [mine | theirs for mine, theirs in
                            zip(content["choices"], translation["choices"], strict=True)]
    if content["type"] in ("single_choice", "multiple_choice") and "choices" in translation:
        texts = {c["text"]: i for i, c in enumerate(content["choices"])}
        theirs = [c["text"] for c in translation["choices"]]
        if content["type"] == "single_choice":
            shown["answer"] = theirs[texts[content["answer"]]]
        else:
            shown["answers"] = [theirs[texts[a]] for a in content["answers"]]
    return shown


def _shuffled(items: list, rng: random.Random) -> list:
    items = list(items)
    rng.shuffle(items)
    return items


def _cloze_parts(text: str) -> list[ClozePart]:
    parts, last, number = [], 0, 0
    for match in GAP.finditer(text):
        parts.append(ClozePart(text[last:match.start()]))
        parts.append(ClozePart("", gap=number))
        number += 1
        last = match.end()
    parts.append(ClozePart(text[last:]))
    return [p for p in parts if p.gap is not None or p.text]


def show(content: dict, prompt: str, seed: int) -> Shown:
    rng = random.Random(seed)
    kind = content["type"]
    shown = Shown(type=kind, prompt=prompt, explanation=content.get("explanation"),
                  content=content)
    if kind in ("single_choice", "multiple_choice"):
        options = [Option(i, c["text"], c.get("feedback"))
                   for i, c in enumerate(content["choices"])]
        shown.options = _shuffled(options, rng)
    elif kind == "matching":
        shown.lefts = [p["left"] for p in content["pairs"]]
        shown.options = _shuffled([Option(i, p["right"]) for i, p in enumerate(content["pairs"])],
                                  rng)
    elif kind == "ordering":
        items = [Option(i, text) for i, text in enumerate(content["items"])]
        shuffled = _shuffled(items, rng)
        if [o.index for o in shuffled] == list(range(len(items))):
            shuffled = shuffled[1:] + shuffled[:1]  # never show the answer as the puzzle
        shown.options = shuffled
    elif kind == "cloze":
        shown.cloze = _cloze_parts(content["text"])
    elif kind == "flashcard":
        shown.back = content["back"]
    return shown


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def response_from_form(shown: Shown, content: dict, getlist: GetList) -> dict | None:
    """The student's response from the submitted fields, in the bank's order; None when
    nothing was answered. Fields carry positions in the order shown (see the module's note)."""
    kind = content["type"]

    def first(name: str) -> str | None:
        values = getlist(name)
        return values[0] if values else None

    def bank_index(position: str | None) -> int | None:
        at = _int(position)
        return shown.options[at].index if at is not None and 0 <= at < len(shown.options) \
            else None

    if kind == "single_choice":
        choice = bank_index(first("choice"))
        return None if choice is None else {"choice": choice}
    if kind == "multiple_choice":
        ticked = {bank_index(value) for value in getlist("choice")}
        return {"choices": sorted(c for c in ticked if c is not None)}
    if kind == "true_false":
        value = first("answer")
        return None if value not in ("true", "false") else {"answer": value == "true"}
    if kind == "short_answer":
        text = (first("text") or "").strip()
        return {"text": text[:500]} if text else None
    if kind == "cloze":
        count = len(cloze_gaps(content["text"]))
        gaps = [(first(f"gap-{n}") or "").strip()[:200] for n in range(count)]
        return {"gaps": gaps} if any(gaps) else None
    if kind == "matching":
        matches = [bank_index(first(f"match-{n}")) for n in range(len(content["pairs"]))]
        return {"matches": matches} if any(m is not None for m in matches) else None
    if kind == "ordering":
        return _ordering_response(shown, first)
    if kind == "flashcard":
        value = first("knew")
        return None if value not in ("yes", "no") else {"knew": value == "yes"}
    return None


class UnclearAnswer(Problem):
    """An answer that cannot be graded as sent (two items given one position); the message
    says what to do."""


def _ordering_response(shown: Shown, first: Callable[[str], str | None]) -> dict | None:
    """Field rank-N holds the position the student gave the Nth item shown."""
    count = len(shown.options)
    ranks = {n: _int(first(f"rank-{n}")) for n in range(count)}
    if all(r is None for r in ranks.values()):
        return None
    given = [r for r in ranks.values() if r is not None]
    if len(set(given)) != len(given) or any(not 1 <= r <= count for r in given):
        raise UnclearAnswer(N_("Give each item a different position, from 1 to %(count)s."),
                            count=count)
    # Items sorted by the position the student chose; unranked items keep their order, last.
    order = sorted(range(count), key=lambda n: (ranks[n] is None, ranks[n] or 0, n))
    return {"order": [shown.options[n].index for n in order]}
