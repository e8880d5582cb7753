"""Answer checking for every question type. Pure: no Flask, no database.

A response is a small JSON-able dict (what the student gave); a Grade is a score in [0, 1]
with the per-part results where a question has parts (gaps, pairs).

Rules:
- single_choice, true_false, flashcard (self-graded): 1 or 0.
- multiple_choice: each right tick earns 1/(number of right choices), each wrong tick costs
  1/(number of wrong choices); the total never goes below 0.
- short_answer: right when it matches an accepted answer, ignoring case, surrounding space,
  punctuation and diacritics. The answers of every translation are accepted too, so a
  student answers in the language the question was shown in.
- cloze: the share of gaps filled right (each gap compared like a short answer, with the
  translations' answers for that gap).
- matching: the share of left items matched to their right partner.
- ordering: the share of item pairs whose relative order is right (Kendall's concordance):
  1 for the right order, 0 for the exact reverse, and e.g. 5/6 for one swap of neighbours
  among four items.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from .banks.schema import cloze_gaps, normalise_answer


@dataclass(frozen=True)
class Grade:
    score: float
    parts: tuple[bool, ...] = ()

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


def _choice_texts(content: dict) -> list[str]:
    return [c["text"] for c in content["choices"]]


def _single(content: dict, response: dict) -> Grade:
    right = _choice_texts(content).index(content["answer"])
    return Grade(float(response.get("choice") == right))


def _multiple(content: dict, response: dict) -> Grade:
    texts = _choice_texts(content)
    right = {texts.index(a) for a in content["answers"]}
    wrong = set(range(len(texts))) - right
    ticked = {c for c in response.get("choices", []) if isinstance(c, int)} & set(range(len(texts)))
    earned = len(ticked & right) / len(right)
    lost = len(ticked & wrong) / len(wrong) if wrong else 0.0
    return Grade(max(0.0, earned - lost), tuple(i in right for i in sorted(ticked)))


def _true_false(content: dict, response: dict) -> Grade:
    return Grade(float(response.get("answer") is content["answer"]))


def matches_text(given: object, accepted: list[str]) -> bool:
    if not isinstance(given, str) or not normalise_answer(given):
        return False
    return normalise_answer(given) in {normalise_answer(a) for a in accepted}


def _translations(content: dict) -> list[dict]:
    return list((content.get("translations") or {}).values())


def _short(content: dict, response: dict) -> Grade:
    accepted = content["answers"] + [a for t in _translations(content)
                                     for a in t.get("answers", [])]
    return Grade(float(matches_text(response.get("text"), accepted)))


def _accepted_gaps(content: dict) -> list[list[str]]:
    """Each gap's accepted answers, in the bank's language and in every translation."""
    gaps = cloze_gaps(content["text"])
    for translation in _translations(content):
        if "text" in translation:
            for accepted, theirs in zip(gaps, cloze_gaps(translation["text"]), strict=True):
                accepted.extend(theirs)
    return gaps


def _cloze(content: dict, response: dict) -> Grade:
    gaps = _accepted_gaps(content)
    given = list(response.get("gaps", []))[: len(gaps)]
    given += [""] * (len(gaps) - len(given))
    parts = tuple(matches_text(g, accepted) for g, accepted in zip(given, gaps, strict=True))
    return Grade(sum(parts) / len(parts), parts)


def _matching(content: dict, response: dict) -> Grade:
    count = len(content["pairs"])
    chosen = list(response.get("matches", []))[:count]
    chosen += [None] * (count - len(chosen))
    parts = tuple(c == i for i, c in enumerate(chosen))
    return Grade(sum(parts) / count, parts)


def _ordering(content: dict, response: dict) -> Grade:
    count = len(content["items"])
    order = response.get("order", [])
    if sorted(order) != list(range(count)):
        return Grade(0.0)
    rank = {item: position for position, item in enumerate(order)}
    pairs = list(combinations(range(count), 2))
    concordant = sum(rank[a] < rank[b] for a, b in pairs)
    return Grade(concordant / len(pairs))


def _flashcard(content: dict, response: dict) -> Grade:
    return Grade(float(response.get("knew") is True))


_GRADERS = {
    "single_choice": _single, "multiple_choice": _multiple, "true_false": _true_false,
    "short_answer": _short, "cloze": _cloze, "matching": _matching, "ordering": _ordering,
    "flashcard": _flashcard,
}


def grade(content: dict, response: dict | None) -> Grade:
    """Score a response to a question (content as stored: the bank's fields, with `type`)."""
    if not response:
        return Grade(0.0)
    return _GRADERS[content["type"]](content, response)


def correct_response(content: dict) -> dict:
    """The response that scores 1: used to show the answer and in tests."""
    kind = content["type"]
    if kind == "single_choice":
        return {"choice": _choice_texts(content).index(content["answer"])}
    if kind == "multiple_choice":
        texts = _choice_texts(content)
        return {"choices": sorted(texts.index(a) for a in content["answers"])}
    if kind == "true_false":
        return {"answer": content["answer"]}
    if kind == "short_answer":
        return {"text": content["answers"][0]}
    if kind == "cloze":
        return {"gaps": [gap[0] for gap in cloze_gaps(content["text"])]}
    if kind == "matching":
        return {"matches": list(range(len(content["pairs"])))}
    if kind == "ordering":
        return {"order": list(range(len(content["items"])))}
    return {"knew": True}
