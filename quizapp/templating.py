"""Template globals and filters."""

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from .banks.schema import GAP
from .extensions import db
from .labels import tag_label

TYPE_LABELS = {
    "flashcard": "Flashcard", "single_choice": "Single choice",
    "multiple_choice": "Multiple choice", "true_false": "True or false",
    "short_answer": "Short answer", "cloze": "Fill in the gaps", "matching": "Matching",
    "ordering": "Ordering",
}


def _date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def _cloze_answer(text: str) -> list[tuple[str, bool]]:
    """The cloze sentence as (text, is_gap) pieces, each gap filled by its first answer."""
    pieces, last = [], 0
    for match in GAP.finditer(text):
        pieces += [(text[last:match.start()], False),
                   (match.group(1).split("|")[0].strip(), True)]
        last = match.end()
    return [p for p in [*pieces, (text[last:], False)] if p[0]]


def percent(share: float | None, places: int = 0) -> str:
    """A share as a percentage: '87%', or '87.5%' with places=1; '—' when there is none."""
    if share is None:
        return "—"
    return f"{round(share * 100)}%" if places == 0 else f"{round(share * 100, places)}%"


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
        return tag_label(scope.value)
    return "Everything"


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["cloze_answer"] = _cloze_answer
    app.jinja_env.globals.update(type_label=TYPE_LABELS.get, until=until,
                                 percent=percent, scope_title=scope_title, tag_label=tag_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
