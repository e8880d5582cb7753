"""Pydantic's validation errors, said the way a teacher editing YAML needs to hear them."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from .schema import QUESTION_TYPES

_FIELDS = {
    "id", "type", "title", "language", "description", "source", "questions", "prompt",
    "explanation", "tags", "difficulty", "front", "back", "choices", "answer", "answers",
    "text", "feedback", "pairs", "left", "right", "items", "paragraphs", "author", "publisher",
    "date", "url",
}


def _quote_hint(value: Any) -> str | None:
    if isinstance(value, bool):
        return (f"expected text, but YAML read this as {str(value).lower()}: unquoted yes, no, "
                "on, off, true and false become true/false; put the text in quotes, "
                'e.g. "No"')
    if isinstance(value, int | float):
        return f"expected text, but YAML read this as the number {value}; put it in quotes"
    if value is None:
        return "expected text, but the value is empty"
    return None


def describe(err: dict, where: str) -> str:
    """One line: `where: what is wrong and how to mend it`."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    message = None
    if kind in ("string_type", "model_type", "dict_type", "model_attributes_type"):
        message = _quote_hint(value)
    if message is None:
        message = _specific(kind, err, value, ctx)
    return f"{where}: {message}" if where else message


def _specific(kind: str, err: dict, value: Any, ctx: dict) -> str:
    field = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return f"missing field '{field}'"
    if kind == "extra_forbidden":
        # A bank's fields are short words: a long key is no typo of one (and difflib's work
        # grows with the square of its length).
        close = get_close_matches(str(field), _FIELDS, n=1) if len(str(field)) <= 40 else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = str(field) if len(str(field)) <= 60 else str(field)[:57] + "..."
        return f"unknown field '{shown}'{hint}"
    if kind == "union_tag_invalid":
        return f"'{ctx.get('tag')}' is not a question type; use one of: {', '.join(QUESTION_TYPES)}"
    if kind == "union_tag_not_found":
        return f"missing field 'type' (one of: {', '.join(QUESTION_TYPES)})"
    if kind == "string_pattern_mismatch":
        if field == "language":
            return f"'{value}' is not a language code such as en or az"
        if isinstance(field, int) or field == "tags":
            return f"'{value}' is not a tag: use kind:value in lower case, e.g. theme:energy"
        return f"'{value}' is not a valid id: use lower-case letters, digits and '-'"
    if kind == "too_short" and isinstance(value, list | str):
        return f"needs at least {ctx.get('min_length')} item(s)" if isinstance(value, list) \
            else "must not be empty"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else \
            f"must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "bool_type":
        return f"expected true or false, not '{value}'"
    return err["msg"]
