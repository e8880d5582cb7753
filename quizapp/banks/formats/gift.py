"""Moodle's GIFT format, read and written.

Read: single and multiple choice (with feedback and %weights%), true/false, short answer,
matching, the "missing word" form (text on both sides of the braces), `::title::` as the
question's id, `####` general feedback as its explanation, `$CATEGORY:` as a tag. What GIFT
allows and a bank cannot hold (numerical answers, essays, descriptions) is reported by line,
never dropped silently.

Written: every type GIFT can hold. A cloze of one gap is written as a missing word; a cloze
of several gaps, an ordering question and a flashcard have no GIFT form and are left out,
each named in a comment at the top of the file.
"""

from __future__ import annotations

import re

from ...problems import N_, Words
from ..errors import BankError
from . import Parsed, bank_from_name, slug, unique_ids

SPECIAL = "~=#{}:"
_ESCAPED = {f"\\{c}": f"\x00{ord(c)}\x00" for c in SPECIAL} | {"\\n": "\n"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]\s*", re.IGNORECASE)


# -- Reading ------------------------------------------------------------------------------------

def _hide_escapes(text: str) -> str:
    for escaped, token in _ESCAPED.items():
        text = text.replace(escaped, token)
    return text


def _unhide(text: str) -> str:
    for c in SPECIAL:
        text = text.replace(f"\x00{ord(c)}\x00", c)
    return re.sub(r"<[^>]+>", "", text).strip()


def _blocks(text: str):
    """(first line, lines) of each question, and `$CATEGORY:` lines, in order."""
    block, start = [], 0
    for number, line in enumerate(text.splitlines() + [""], start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)


def read(text: str, path: str) -> Parsed:
    document = bank_from_name(path) | {"questions": []}
    parsed = Parsed(document)
    category = None
    for line, block in _blocks(_hide_escapes(text)):
        while block and block[0].strip().upper().startswith("$CATEGORY:"):
            category = _category_tag(block.pop(0).split(":", 1)[1])
            line += 1
        joined = "\n".join(block).strip()
        if not joined:
            continue
        question = _question(joined, line, path, parsed.problems)
        if question is None:
            continue
        if category:
            question.setdefault("tags", []).append(category)
        parsed.lines[len(document["questions"])] = line
        document["questions"].append(question)
    unique_ids(document["questions"])
    return parsed


def _category_tag(path: str) -> str:
    last = path.strip().rstrip("/").rsplit("/", 1)[-1].strip()
    if re.fullmatch(r"[a-z0-9-]+:[a-z0-9-]+", last):
        return last  # a tag written out by this app
    return f"category:{slug(last, 'default')}"


def _question(text: str, line: int, path: str, problems: list[BankError]) -> dict | None:
    def problem(message: Words) -> None:
        problems.append(BankError(path, line, 1, message))

    title = None
    match = re.match(r"^::(.*?)::\s*", text, re.DOTALL)
    if match:
        title, text = match.group(1).strip(), text[match.end():]
    text = _FORMAT.sub("", text)
    opening, closing = text.find("{"), text.rfind("}")
    if opening < 0 or closing < opening:
        problem(Words(N_("no answer in braces { }: a description or a question without answers "
                "cannot be imported")))
        return None
    before, inside, after = text[:opening].strip(), text[opening + 1:closing], \
        text[closing + 1:].strip()
    inside, explanation = (inside.split("####", 1) + [""])[:2]
    question = _answers(inside.strip(), before, after, problem)
    if question is None:
        return None
    if title:
        question["id"] = slug(_unhide(title), "q")
    if explanation.strip():
        question["explanation"] = _unhide(explanation)
    return question


def _prompt(before: str, after: str) -> str:
    """The question's text: a missing word shows its place as ___."""
    return _unhide(f"{before} ___ {after}" if after else before)


def _answers(inside: str, before: str, after: str, problem) -> dict | None:
    if not inside:
        problem(Words(N_("an essay question (empty braces) cannot be imported: it has no answer to "
                "check")))
        return None
    if inside.startswith("#"):
        problem(Words(N_("a numerical question ({#...}) cannot be imported; write it as a short "
                "answer instead")))
        return None
    truth = inside.split("#", 1)[0].strip().upper()
    if truth in ("T", "TRUE", "F", "FALSE"):
        return {"type": "true_false", "prompt": _prompt(before, after),
                "answer": truth.startswith("T")}
    options = [(m.group(1), m.group(2)) for m in re.finditer(r"([=~])([^=~]*)", inside)]
    if not options:
        problem(Words(N_("the braces hold no answers: write each as =right or ~wrong")))
        return None
    if all(mark == "=" and "->" in body for mark, body in options):
        pairs = [dict(zip(("left", "right"), (_unhide(p) for p in body.split("->", 1)),
                          strict=True)) for _, body in options]
        return {"type": "matching", "prompt": _prompt(before, after), "pairs": pairs}
    if all(mark == "=" for mark, _ in options):
        answers = [_unhide(body.split("#", 1)[0]) for _, body in options]
        if after:  # a missing word: the sentence itself is the question
            gap = "|".join(answers)
            return {"type": "cloze", "text": _unhide(f"{before} [[{gap}]] {after}")}
        return {"type": "short_answer", "prompt": _prompt(before, after), "answers": answers}
    return _choices(options, before, after, problem)


def _choices(options: list, before: str, after: str, problem) -> dict | None:
    choices, right = [], []
    weighted = any(_WEIGHT.match(body.strip()) for _, body in options)
    for mark, body in options:
        body = body.strip()
        weight = _WEIGHT.match(body)
        if weight:
            body = body[weight.end():]
        text, _, feedback = body.partition("#")
        choice = {"text": _unhide(text)}
        if feedback.strip():
            choice["feedback"] = _unhide(feedback)
        choices.append(choice if "feedback" in choice else choice["text"])
        is_right = mark == "=" or (weight is not None and float(weight.group(1)) > 0)
        if is_right:
            right.append(choice["text"])
    question = {"prompt": _prompt(before, after), "choices": choices}
    if weighted or len(right) != 1:
        if not right:
            problem(Words(N_("no answer is marked right (=, or a positive %weight%)")))
            return None
        return {"type": "multiple_choice", **question, "answers": right}
    return {"type": "single_choice", **question, "answer": right[0]}


# -- Writing ------------------------------------------------------------------------------------

def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for c in SPECIAL:
        text = text.replace(c, f"\\{c}")
    return text.replace("\n", "\\n")


def _choice(choice: dict | str) -> tuple[str, str | None]:
    return (choice, None) if isinstance(choice, str) else (choice["text"],
                                                            choice.get("feedback"))


def _with_feedback(text: str, feedback: str | None) -> str:
    return _escape(text) + (f"#{_escape(feedback)}" if feedback else "")


def write(document: dict) -> tuple[str, list[str]]:
    """The bank as GIFT, and the ids of the questions GIFT cannot hold."""
    out, left_out, category = [], [], None
    for question in document["questions"]:
        body = _body(question)
        if body is None:
            left_out.append(question["id"])
            continue
        tag = (question.get("tags") or [None])[0]
        if tag != category and tag is not None:
            out.append(f"$CATEGORY: {tag}\n")
            category = tag
        out.append(f"::{question['id']}::{body}\n")
    head = [f"// {document['title']} ({document['id']}), written for Moodle's GIFT import"]
    if left_out:
        head.append("// Left out, as GIFT has no form for them: " + ", ".join(left_out))
    return "\n".join(head) + "\n\n" + "\n".join(out), left_out


def _body(q: dict) -> str | None:
    kind = q["type"]
    tail = f" ####{_escape(q['explanation'])}" if q.get("explanation") else ""
    if kind == "true_false":
        return f"{_escape(q['prompt'])} {{{'T' if q['answer'] else 'F'}{tail}}}"
    if kind == "single_choice":
        parts = [("=" if _choice(c)[0] == q["answer"] else "~") + _with_feedback(*_choice(c))
                 for c in q["choices"]]
        return f"{_escape(q['prompt'])} {{{' '.join(parts)}{tail}}}"
    if kind == "multiple_choice":
        texts = [_choice(c)[0] for c in q["choices"]]
        right, wrong = len(q["answers"]), len(texts) - len(q["answers"])
        parts = [f"~%{_percent(100 / right) if t in q['answers'] else _percent(-100 / wrong)}%"
                 + _with_feedback(*_choice(c)) for t, c in zip(texts, q["choices"], strict=True)]
        return f"{_escape(q['prompt'])} {{{' '.join(parts)}{tail}}}"
    if kind == "short_answer":
        return f"{_escape(q['prompt'])} {{{' '.join('=' + _escape(a) for a in q['answers'])}" \
               f"{tail}}}"
    if kind == "matching":
        pairs = " ".join(f"={_escape(p['left'])} -> {_escape(p['right'])}" for p in q["pairs"])
        return f"{_escape(q['prompt'])} {{{pairs}{tail}}}"
    if kind == "cloze":
        gaps = re.findall(r"\[\[(.+?)\]\]", q["text"])
        if len(gaps) != 1:
            return None
        before, after = re.split(r"\[\[.+?\]\]", q["text"], maxsplit=1)
        answers = " ".join("=" + _escape(a.strip()) for a in gaps[0].split("|"))
        return f"{_escape(before.strip())} {{{answers}{tail}}} {_escape(after.strip())}"
    return None  # ordering and flashcards: GIFT has no form for them


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")
