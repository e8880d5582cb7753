"""Moodle XML, written and read back.

Written: choice questions (`multichoice`), true/false, short answer, matching, cloze (Moodle's
`cloze` type, each gap a SHORTANSWER) and ordering (Moodle's ordering question type), with
feedback, the explanation as general feedback, and tags. Flashcards have no Moodle form and
are left out, named in a comment. Read: the same types, so an export comes back unchanged.
A file that declares a DOCTYPE or entities is refused before it is parsed: a question file
never needs one, and entity expansion is how an XML file is made to explode.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from ...problems import N_, Words
from ..errors import BankError
from . import Parsed, bank_from_name, refuse, slug, unique_ids

# -- Writing ------------------------------------------------------------------------------------

def _text(parent: ET.Element, tag: str, value: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "text").text = value
    return element


def write(document: dict) -> tuple[str, list[str]]:
    quiz = ET.Element("quiz")
    left_out = []
    for q in document["questions"]:
        element = _question(q)
        if element is None:
            left_out.append(q["id"])
            continue
        quiz.append(element)
    ET.indent(quiz)
    note = ""
    if left_out:
        note = f"<!-- Left out, as Moodle has no form for them: {', '.join(left_out)} -->\n"
    body = ET.tostring(quiz, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{note}{body}\n', left_out


def _question(q: dict) -> ET.Element | None:
    kind = {"single_choice": "multichoice", "multiple_choice": "multichoice",
            "true_false": "truefalse", "short_answer": "shortanswer", "matching": "matching",
            "cloze": "cloze", "ordering": "ordering"}.get(q["type"])
    if kind is None:
        return None
    element = ET.Element("question", {"type": kind})
    _text(element, "name", q["id"])
    prompt = _cloze_text(q["text"]) if kind == "cloze" else q["prompt"]
    _text(element, "questiontext", html.escape(prompt), format="html")
    if q.get("explanation"):
        _text(element, "generalfeedback", html.escape(q["explanation"]), format="html")
    _answers(element, q)
    if q.get("tags"):
        tags = ET.SubElement(element, "tags")
        for tag in q["tags"]:
            _text(tags, "tag", tag)
    return element


def _cloze_text(text: str) -> str:
    number = 0

    def gap(match: re.Match) -> str:
        nonlocal number
        number += 1
        answers = "~".join("=" + a.strip().replace("}", "\\}").replace("~", "\\~")
                           for a in match.group(1).split("|"))
        return f"{{1:SHORTANSWER:{answers}}}"

    return re.sub(r"\[\[(.+?)\]\]", gap, text)


def _answers(element: ET.Element, q: dict) -> None:
    kind = q["type"]
    if kind in ("single_choice", "multiple_choice"):
        ET.SubElement(element, "single").text = "true" if kind == "single_choice" else "false"
        ET.SubElement(element, "shuffleanswers").text = "1"
        right = [q["answer"]] if kind == "single_choice" else q["answers"]
        wrong = len(q["choices"]) - len(right)
        for choice in q["choices"]:
            text, feedback = (choice, None) if isinstance(choice, str) else (
                choice["text"], choice.get("feedback"))
            fraction = 100 / len(right) if text in right else \
                (0 if kind == "single_choice" else -100 / max(wrong, 1))
            answer = _text(element, "answer", html.escape(text), fraction=_number(fraction),
                           format="html")
            if feedback:
                _text(answer, "feedback", html.escape(feedback), format="html")
    elif kind == "true_false":
        for value in ("true", "false"):
            right = (value == "true") == q["answer"]
            _text(element, "answer", value, fraction="100" if right else "0")
    elif kind == "short_answer":
        for answer in q["answers"]:
            _text(element, "answer", answer, fraction="100")
    elif kind == "matching":
        for pair in q["pairs"]:
            sub = _text(element, "subquestion", html.escape(pair["left"]), format="html")
            _text(sub, "answer", pair["right"])
    elif kind == "ordering":
        for position, item in enumerate(q["items"], start=1):
            _text(element, "answer", html.escape(item), fraction=str(position), format="html")


def _number(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


# -- Reading ------------------------------------------------------------------------------------

def _plain(element: ET.Element | None, child: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(child)
    raw = (found.text if found is not None else element.text) or ""
    return html.unescape(re.sub(r"<[^>]+>", "", raw)).strip()


def read(text: str, path: str) -> Parsed:
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise refuse(path, 1, Words(N_(
            "the XML declares a DOCTYPE or entities, which a question file never needs; export "
            "it again from Moodle")))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise refuse(path, line, Words(N_("the XML is not well formed: %(problem)s"),
                                         problem=str(exc))) from None
    document = bank_from_name(path) | {"questions": []}
    parsed = Parsed(document)
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question\b", text)]
    for element, line in zip(root.iter("question"), lines, strict=False):
        kind = element.get("type", "")
        if kind == "category":
            continue
        question = _read_question(kind, element)
        if question is None:
            parsed.problems.append(BankError(path, line, 1, Words(N_(
                "a Moodle question of type '%(kind)s' cannot be imported"), kind=kind)))
            continue
        parsed.lines[len(document["questions"])] = line
        name = _plain(element.find("name"))
        if name:
            question["id"] = slug(name, "q")
        explanation = _plain(element.find("generalfeedback"))
        if explanation:
            question["explanation"] = explanation
        tags = [_plain(tag) for tag in element.iter("tag")]
        if tags:
            question["tags"] = [t for t in tags if t]
        document["questions"].append(question)
    unique_ids(document["questions"])
    return parsed


def _read_question(kind: str, element: ET.Element) -> dict | None:
    prompt = _plain(element.find("questiontext"))
    answers = element.findall("answer")
    if kind == "multichoice":
        choices, right = [], []
        for answer in answers:
            text = _plain(answer)
            feedback = _plain(answer.find("feedback"))
            choices.append({"text": text, "feedback": feedback} if feedback else text)
            if float(answer.get("fraction", "0")) > 0:
                right.append(text)
        if (element.findtext("single") or "true").strip().lower() in ("true", "1"):
            return {"type": "single_choice", "prompt": prompt, "choices": choices,
                    "answer": right[0] if right else ""}
        return {"type": "multiple_choice", "prompt": prompt, "choices": choices,
                "answers": right}
    if kind == "truefalse":
        right = next((_plain(a) for a in answers if float(a.get("fraction", "0")) > 0), "")
        return {"type": "true_false", "prompt": prompt, "answer": right.lower() == "true"}
    if kind == "shortanswer":
        return {"type": "short_answer", "prompt": prompt,
                "answers": [_plain(a) for a in answers if float(a.get("fraction", "0")) > 0]}
    if kind == "matching":
        return {"type": "matching", "prompt": prompt, "pairs": [
            {"left": _plain(sub), "right": _plain(sub.find("answer"))}
            for sub in element.findall("subquestion")]}
    if kind == "ordering":
        ordered = sorted(answers, key=lambda a: float(a.get("fraction", "0")))
        return {"type": "ordering", "prompt": prompt, "items": [_plain(a) for a in ordered]}
    if kind == "cloze":
        return {"type": "cloze", "text": _from_cloze(prompt)}
    return None


def _from_cloze(text: str) -> str:
    def gap(match: re.Match) -> str:
        answers = [a.lstrip("=").replace("\\}", "}").replace("\\~", "~")
                   for a in re.split(r"(?<!\\)~", match.group(1))]
        return "[[" + "|".join(a.split("#", 1)[0].strip() for a in answers) + "]]"

    return re.sub(r"\{\d*:SHORTANSWER:(.+?)(?<!\\)\}", gap, text)
