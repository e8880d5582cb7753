"""Banks in the formats teachers already have, read into and written from the bank format.

Every reader returns a `Parsed`: the bank as the YAML format would hold it, where each
question came from in the file, and the problems the reader itself found (a construct the
format allows and we do not). The same validation as a YAML bank then runs over it, so a
teacher gets FILE:LINE messages whatever the format, and nothing is written on any error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from ...problems import Words
from ..errors import BankError, BankErrors
from ..schema import QUESTION_TYPES

READABLE = "YAML (.yaml), CSV or TSV (Quizlet, Anki, the spreadsheet template), Moodle GIFT " \
           "(.gift), Aiken (.txt) or Moodle XML (.xml)"


@dataclass
class Parsed:
    """A bank read from another format, before validation."""

    document: dict
    lines: dict[int, int] = field(default_factory=dict)  # question index -> line in the file
    problems: list[BankError] = field(default_factory=list)

    def place(self, loc: tuple) -> tuple[int, int, str]:
        """Where a validation error's location is: its question's line."""
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            rest = [part for part in loc[2:] if part not in QUESTION_TYPES]  # union tags
            shown = f"question {loc[1] + 1}" + "".join(f".{part}" for part in rest)
            return self.lines.get(loc[1], 1), 1, shown
        return 1, 1, ".".join(str(part) for part in loc)


def slug(text: str, fallback: str = "bank", limit: int = 64) -> str:
    """'Energy & Trade (2025)' -> 'energy-trade-2025': ids made from names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    made = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:limit].strip("-")
    return made or fallback


def bank_from_name(path: str) -> dict:
    """The id and title of a bank that a format without them (CSV, GIFT, Aiken) came in."""
    stem = PurePath(path.replace("\\", "/")).stem
    return {"id": slug(stem), "title": stem.replace("_", " ").replace("-", " ").strip() or
            "Imported bank"}


def unique_ids(questions: list[dict], prefix: str = "q") -> None:
    """Give every question a unique id, keeping those it has (GIFT titles, say)."""
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        base = question.get("id") or f"{prefix}{number}"
        qid, n = base, 2
        while qid in seen:
            qid, n = f"{base}-{n}", n + 1
        question["id"] = qid
        seen.add(qid)


def refuse(path: str, line: int, message: Words) -> BankErrors:
    return BankErrors([BankError(path, line, 1, message)])
