"""Template globals and filters."""

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from .banks.schema import GAP
from .extensions import db

TYPE_LABELS = {
    "flashcard": "Flashcard", "single_choice": "Single choice",
    "multiple_choice": "Multiple choice", "true_false": "True or false",
    "short_answer": "Short answer", "cloze": "Fill in the gaps", "matching": "Matching",
    "ordering": "Ordering",
}


def _date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def _cloze_answer(text: str) -> str:
    """The cloze sentence with each gap filled by its first accepted answer."""
    return GAP.sub(lambda m: m.group(1).split("|")[0].strip(), text)


def until(when: datetime, now: datetime) -> str:
    """'3 h', '12 min', '2 days': how long from now."""
    seconds = max(0, (when - now).total_seconds())
    if seconds < 90:
        return "a minute"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 86400 * 1.5:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def scope_title(scope) -> str:
    from .models import Bank

    if scope.kind == "bank":
        title = db.session.scalar(select(Bank.title).where(Bank.slug == scope.value))
        return title or scope.value
    if scope.kind == "tag":
        kind, _, name = scope.value.partition(":")
        return f"{kind.capitalize()}: {name.replace('-', ' ')}"
    return "Everything"


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["cloze_answer"] = _cloze_answer
    app.jinja_env.globals.update(type_label=TYPE_LABELS.get, until=until,
                                 scope_title=scope_title)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
