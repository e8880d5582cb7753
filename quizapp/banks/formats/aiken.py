"""The Aiken format (Moodle imports it too): single-choice questions in plain text.

    What has Azerbaijan positioned itself as, according to the article?
    A. A regional energy hub
    B. A maritime power
    ANSWER: A

Questions are separated by blank lines; choices are lettered `A.` or `A)`.
"""

from __future__ import annotations

import re

from ...problems import N_, Words
from ..errors import BankError
from . import Parsed, bank_from_name, unique_ids

_CHOICE = re.compile(r"^([A-Z])[.)]\s+(.+)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$", re.IGNORECASE)


def looks_like(text: str) -> bool:
    return any(_ANSWER.match(line.strip()) for line in text.splitlines())


def read(text: str, path: str) -> Parsed:
    document = bank_from_name(path) | {"questions": []}
    parsed = Parsed(document)
    prompt, choices, start = [], {}, None
    for number, raw in enumerate(text.splitlines() + [""], start=1):
        line = raw.strip()
        if not line:
            continue
        if start is None:
            start = number
        choice, answer = _CHOICE.match(line), _ANSWER.match(line)
        if answer:
            _add(parsed, path, start, prompt, choices, answer.group(1).upper())
            prompt, choices, start = [], {}, None
        elif choice and (choices or prompt):
            choices[choice.group(1)] = choice.group(2).strip()
        elif choices:
            parsed.problems.append(BankError(path, number, 1, Words(N_(
                "expected another choice (B. ...) or the ANSWER: line"))))
        else:
            prompt.append(line)
    if prompt or choices:
        parsed.problems.append(BankError(path, start or 1, 1, Words(N_(
            "the last question has no ANSWER: line"))))
    unique_ids(document["questions"])
    return parsed


def _add(parsed: Parsed, path: str, line: int, prompt: list, choices: dict,
         letter: str) -> None:
    if letter not in choices:
        parsed.problems.append(BankError(path, line, 1, Words(N_(
            "ANSWER: %(letter)s names no choice of this question (%(choices)s)"), letter=letter,
            choices=", ".join(choices) or "-")))
        return
    parsed.lines[len(parsed.document["questions"])] = line
    parsed.document["questions"].append({
        "type": "single_choice", "prompt": " ".join(prompt), "choices": list(choices.values()),
        "answer": choices[letter]})
