"""Pydantic's validation errors, said the way a teacher editing YAML needs to hear them."""

from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any

from ..problems import N_, Words
from .schema import QUESTION_TYPES

_FIELDS = {
    "id", "type", "title", "language", "description", "source", "questions", "prompt",
    "explanation", "tags", "difficulty", "front", "back", "choices", "answer", "answers",
    "text", "feedback", "pairs", "left", "right", "items", "paragraphs", "author", "publisher",
    "date", "url",
}


def _quote_hint(value: Any) -> Words | None:
    if isinstance(value, bool):
        return Words(N_("expected text, but YAML read this as %(value)s: unquoted yes, no, on, "
                        "off, true and false become true/false; put the text in quotes, "
                        'e.g. "No"'), value=str(value).lower())
    if isinstance(value, int | float):
        return Words(N_("expected text, but YAML read this as the number %(value)s; put it in "
                        "quotes"), value=value)
    if value is None:
        return Words(N_("expected text, but the value is empty"))
    return None


def located(where: str, what: Words | str) -> Words | str:
    """`where: what`, translated as a whole where a page shows it."""
    return Words(N_("%(where)s: %(what)s"), where=where, what=what) if where else what


def describe(err: dict, where: str) -> Words | str:
    """One line: `where: what is wrong and how to mend it` (English when printed; translated
    where a page shows it)."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    message = None
    if kind in ("string_type", "model_type", "dict_type", "model_attributes_type"):
        message = _quote_hint(value)
    if message is None:
        message = _specific(kind, err, value, ctx)
    return located(where, message)


# The schema's own checks (schema.py raises them by kind, with their values): their words.
SCHEMA_MESSAGES = {
    "duplicate": N_("%(what)s '%(value)s' appears twice"),
    "not_a_choice": N_("'%(answer)s' is not one of the choices"),
    "empty_answer": N_("'%(answer)s' has no letters or digits to compare"),
    "no_gaps": N_("the text has no gaps: mark each as [[answer]]"),
    "empty_gap": N_("a gap has an empty answer: write [[answer|other]]"),
    "translation_empty_gap": N_("a gap of translation '%(code)s' has an empty answer"),
    "translation_duplicate": N_("translation '%(code)s': choice '%(value)s' appears twice"),
    "translation_field": N_("translation '%(code)s' has '%(field)s', which a %(qtype)s "
                            "question does not have"),
    "translation_length": N_("translation '%(code)s' must translate each of the %(field)s in "
                             "the same order: it has %(theirs)s, the question %(ours)s"),
    "translation_gaps": N_("translation '%(code)s' must have as many gaps as the text: it has "
                           "%(theirs)s, the text %(ours)s"),
    "translation_language": N_("question '%(id)s' has a translation into '%(code)s', the "
                               "bank's own language"),
}


WHAT = {"choice": N_("choice"), "answer": N_("answer"), "left item": N_("left item"),
        "right item": N_("right item"), "item": N_("item")}


def _specific(kind: str, err: dict, value: Any, ctx: dict) -> Words | str:
    field = err["loc"][-1] if err["loc"] else ""
    if kind in SCHEMA_MESSAGES and set(ctx) >= set(_names(SCHEMA_MESSAGES[kind])):
        values = dict(ctx)
        if "what" in values:
            values["what"] = Words(WHAT.get(values["what"], values["what"]))
        return Words(SCHEMA_MESSAGES[kind], **values)
    if kind == "missing":
        return Words(N_("missing field '%(field)s'"), field=field)
    if kind == "extra_forbidden":
        # A bank's fields are short words: a long key is no typo of one (and difflib's work
        # grows with the square of its length).
        close = get_close_matches(str(field), _FIELDS, n=1) if len(str(field)) <= 40 else []
        shown = str(field) if len(str(field)) <= 60 else str(field)[:57] + "..."
        if close:
            return Words(N_("unknown field '%(field)s' (did you mean '%(close)s'?)"),
                         field=shown, close=close[0])
        return Words(N_("unknown field '%(field)s'"), field=shown)
    types = ", ".join(QUESTION_TYPES)
    if kind == "union_tag_invalid":
        return Words(N_("'%(tag)s' is not a question type; use one of: %(types)s"),
                     tag=ctx.get("tag"), types=types)
    if kind == "union_tag_not_found":
        return Words(N_("missing field 'type' (one of: %(types)s)"), types=types)
    if kind == "string_pattern_mismatch":
        if field == "language":
            return Words(N_("'%(value)s' is not a language code such as en or az"), value=value)
        if isinstance(field, int) or field == "tags":
            return Words(N_("'%(value)s' is not a tag: use kind:value in lower case, e.g. "
                            "theme:energy"), value=value)
        return Words(N_("'%(value)s' is not a valid id: use lower-case letters, digits and "
                        "'-'"), value=value)
    if kind == "too_short" and isinstance(value, list | str):
        return Words(N_("needs at least %(count)s item(s)"), count=ctx.get("min_length")) \
            if isinstance(value, list) else Words(N_("must not be empty"))
    if kind == "string_too_short":
        return Words(N_("must not be empty")) if ctx.get("min_length") == 1 else \
            Words(N_("must be at least %(count)s characters"), count=ctx.get("min_length"))
    if kind == "string_too_long":
        return Words(N_("is too long: at most %(count)s characters"),
                     count=ctx.get("max_length"))
    if kind == "bool_type":
        return Words(N_("expected true or false, not '%(value)s'"), value=value)
    return err["msg"]


def _names(template: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", template)
