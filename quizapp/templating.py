"""Template globals and filters."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user
from sqlalchemy import select

from .banks.schema import GAP
from .extensions import db
from .grading import correct_response
from .labels import tag_label

TYPE_LABELS = {
    "flashcard": "Flashcard", "single_choice": "Single choice",
    "multiple_choice": "Multiple choice", "true_false": "True or false",
    "short_answer": "Short answer", "cloze": "Fill in the gaps", "matching": "Matching",
    "ordering": "Ordering",
}


def viewer_zone() -> str:
    """The time zone of whoever reads the page: their setting, or UTC for a visitor."""
    return current_user.timezone if current_user and current_user.is_authenticated else "UTC"


def local(value: datetime | None, fmt: str = "%d %b %Y, %H:%M", tz: str | None = None,
          named: bool = True) -> str:
    """A stored (UTC) time as the reader's local time, with the zone named."""
    if value is None:
        return ""
    zone = tz or viewer_zone()
    text = value.astimezone(ZoneInfo(zone)).strftime(fmt)
    return f"{text} ({zone.replace('_', ' ')})" if named else text


def _date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return local(value, fmt, named=False)


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


def item_text(question) -> str:
    """A question as a teacher recognises it in a list: a cloze item by its text, its gaps
    blank (every cloze item's prompt is the same "Fill in the gaps.")."""
    if question.type == "cloze":
        return GAP.sub("___", question.content["text"])
    return question.prompt


def sources_of(values) -> list[dict]:
    """The distinct, non-empty bank sources among `values` (for a page's footer note)."""
    found = []
    for value in values:
        if value and value not in found:
            found.append(value)
    return found


def took(start: datetime, end: datetime) -> str:
    """'4 min 12 s', '1 h 3 min': how long something took."""
    seconds = max(0, round((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def scope_title(scope) -> str:
    from .models import Bank

    if scope.kind == "set":
        return scope.title
    if scope.kind == "bank":
        title = db.session.scalar(select(Bank.title).where(Bank.slug == scope.value))
        return title or scope.value
    if scope.kind == "tag":
        return tag_label(scope.value)
    return "Everything"


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["cloze_answer"] = _cloze_answer
    app.jinja_env.globals.update(type_label=TYPE_LABELS.get, until=until,
                                 correct=correct_response, took=took, item_text=item_text,
                                 sources_of=sources_of,
                                 percent=percent, scope_title=scope_title, tag_label=tag_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
