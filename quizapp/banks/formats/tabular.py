"""Banks as rows: Quizlet's and Anki's exports, and the spreadsheet template.

- Quizlet exports "term, definition" rows (tab between them by default); Anki's "Notes in
  Plain Text" may start with `#separator:`, `#html:` and `#tags column:` lines. Both become
  flashcards; a third column (or Anki's tags column) holds tags, separated by spaces.
- The spreadsheet template has a header row: type, id, prompt, choices, answer, explanation,
  tags, paragraphs. Lists inside a cell are separated by `|`; a matching pair is written
  `left -> right`. It writes every question type (questions/README.md shows each).
"""

from __future__ import annotations

import csv
import html
import io
import re

from ...problems import N_, Words
from ..errors import BankError
from . import Parsed, bank_from_name, refuse, slug, unique_ids

TEMPLATE_COLUMNS = ("type", "id", "prompt", "choices", "answer", "explanation", "tags",
                    "paragraphs")
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
_TAG = re.compile(r"[^a-z0-9:-]+")


def _directives(lines: list[str]) -> tuple[dict, int]:
    """Anki's `#key:value` header lines, and how many lines they take."""
    found, count = {}, 0
    for line in lines:
        match = re.fullmatch(r"#([a-z ]+):(.*)", line.strip(), re.IGNORECASE)
        if not match:
            break
        found[match.group(1).strip().lower()] = match.group(2).strip()
        count += 1
    return found, count


def _separator(directives: dict, body: str, path: str) -> str:
    if "separator" in directives:
        given = directives["separator"]
        return SEPARATORS.get(given.lower(), given[:1] or "\t")
    if "\t" in body.split("\n", 1)[0] or path.lower().endswith((".tsv", ".txt")):
        return "\t"
    try:
        return csv.Sniffer().sniff(body[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _plain(text: str, is_html: bool) -> str:
    """A cell's text: Anki's HTML cells lose their markup (a <br> becomes a line break)."""
    if is_html:
        text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.strip()


def _tags(cell: str) -> list[str]:
    """Tags as Anki and spreadsheets write them, made into this format's tags."""
    tags = []
    for raw in re.split(r"[\s,]+", cell.strip()):
        tag = _TAG.sub("-", raw.lower().replace("::", ":")).strip("-:")
        kind, colon, rest = tag.partition(":")
        tag = f"{kind}:{rest.replace(':', '-')}" if colon and rest else kind  # one kind only
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def read(text: str, path: str) -> Parsed:
    lines = text.splitlines()
    directives, skip = _directives(lines)
    body = "\n".join(lines[skip:])
    rows = list(_rows(body, _separator(directives, body, path), skip))
    if not rows:
        raise refuse(path, 1, Words(N_(
            "the file has no rows: put one question (or one term and its definition) on each "
            "line")))
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "type" in header and "prompt" in header:
        return _template(rows, header, path)
    return _cards(rows, directives, path)


def _rows(body: str, separator: str, skip: int):
    reader = csv.reader(io.StringIO(body), delimiter=separator)
    for row in reader:
        if any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#"):
            yield reader.line_num + skip, row


def _cards(rows: list, directives: dict, path: str) -> Parsed:
    """Term and definition rows (Quizlet, Anki): flashcards."""
    is_html = directives.get("html", "").lower() == "true"
    skipped = {int(directives[k]) - 1 for k in ("guid column", "notetype column",
                                                 "deck column") if directives.get(k, "").isdigit()}
    tags_at = int(directives["tags column"]) - 1 if directives.get("tags column", "").isdigit() \
        else None
    document = bank_from_name(path) | {"questions": []}
    parsed = Parsed(document)
    for line, row in rows:
        cells = [c for i, c in enumerate(row) if i not in skipped and i != tags_at]
        if len(cells) < 2:
            parsed.problems.append(BankError(path, line, 1, Words(N_(
                "expected a term and its definition, separated by a tab"))))
            continue
        question = {"type": "flashcard", "front": _plain(cells[0], is_html),
                    "back": _plain(cells[1], is_html)}
        tag_cell = row[tags_at] if tags_at is not None and tags_at < len(row) else \
            (cells[2] if len(cells) > 2 and tags_at is None else "")
        if tag_cell.strip():
            question["tags"] = _tags(tag_cell)
        parsed.lines[len(document["questions"])] = line
        document["questions"].append(question)
    unique_ids(document["questions"], "card")
    return parsed


def _template(rows: list, header: list[str], path: str) -> Parsed:
    """The spreadsheet template: one question of any type a row."""
    unknown = [name for name in header if name and name not in TEMPLATE_COLUMNS]
    document = bank_from_name(path) | {"questions": []}
    parsed = Parsed(document)
    if unknown:
        parsed.problems.append(BankError(path, rows[0][0], 1, Words(N_(
            "unknown column(s) %(unknown)s; the columns are %(columns)s"),
            unknown=", ".join(unknown), columns=", ".join(TEMPLATE_COLUMNS))))
    for line, row in rows[1:]:
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        parsed.lines[len(document["questions"])] = line
        document["questions"].append(_question(cells))
    unique_ids(document["questions"])
    return parsed


def _question(cells: dict) -> dict:
    kind = cells.get("type", "").lower().replace(" ", "_").replace("-", "_")
    question: dict = {"type": kind}
    if cells.get("id"):
        question["id"] = slug(cells["id"], "q")
    prompt, answer, choices = cells.get("prompt", ""), cells.get("answer", ""), \
        _split(cells.get("choices", ""))
    if kind == "flashcard":
        question |= {"front": prompt, "back": answer}
    elif kind == "cloze":
        question["text"] = prompt
    else:
        question["prompt"] = prompt
    if kind in ("single_choice", "multiple_choice"):
        question["choices"] = choices
    if kind == "single_choice":
        question["answer"] = answer
    elif kind == "multiple_choice":
        question["answers"] = _split(answer)
    elif kind == "true_false":
        truth = {"true": True, "yes": True, "false": False, "no": False}
        question["answer"] = truth.get(answer.lower(), answer)
    elif kind == "short_answer":
        question["answers"] = _split(answer)
    elif kind == "matching":
        question["pairs"] = [dict(zip(("left", "right"), map(str.strip, pair.split("->", 1)),
                                      strict=False)) for pair in choices]
    elif kind == "ordering":
        question["items"] = choices
    if cells.get("explanation"):
        question["explanation"] = cells["explanation"]
    if cells.get("tags"):
        question["tags"] = _tags(cells["tags"])
    if cells.get("paragraphs"):
        numbers = [int(n) for n in re.findall(r"\d+", cells["paragraphs"])]
        question["source"] = {"paragraphs": numbers}
    return question
