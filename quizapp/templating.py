"""Template globals and filters."""

import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context
from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from .banks.schema import GAP
from .extensions import db
from .grading import correct_response
from .i18n import RIGHT_TO_LEFT, language, text_lang
from .labels import tag_label
from .problems import Problem, Words

TYPE_LABELS = {
    "flashcard": _l("Flashcard"), "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"), "true_false": _l("True or false"),
    "short_answer": _l("Short answer"), "cloze": _l("Fill in the gaps"),
    "matching": _l("Matching"), "ordering": _l("Ordering"),
}

# The strftime directives a template may name, as fields of a CLDR (Babel) date pattern.
CLDR_FIELDS = {"%d": "d", "%e": "d", "%b": "MMM", "%B": "MMMM", "%m": "MM", "%Y": "y",
               "%y": "yy", "%a": "EEE", "%A": "EEEE", "%H": "HH", "%I": "hh", "%M": "mm",
               "%S": "ss", "%p": "a"}
STRFTIME_FIELD = re.compile(r"%.")
NAMED_FIELD = re.compile(r"%[aAbBp]")  # the directives that write words


def type_label(kind: str) -> str | None:
    """'single_choice' -> 'Single choice', in the reader's language."""
    label = TYPE_LABELS.get(kind)
    return None if label is None else str(label)


def viewer_zone() -> str:
    """The time zone of whoever reads the page: their setting, or UTC for a visitor."""
    return current_user.timezone if current_user and current_user.is_authenticated else "UTC"


def _quoted(text: str) -> str:
    """Literal text inside a CLDR pattern: letters quoted, quotes doubled."""
    if not text:
        return ""
    text = text.replace("'", "''")
    return f"'{text}'" if re.search(r"[A-Za-z]", text) else text


@lru_cache(maxsize=64)
def cldr_pattern(fmt: str) -> str | None:
    """A strftime format as the CLDR pattern Babel formats with: "%d %b %Y, %H:%M" ->
    "d MMM y, HH:mm". None when the format has a directive with no equivalent here."""
    parts, last = [], 0
    for match in STRFTIME_FIELD.finditer(fmt):
        field = CLDR_FIELDS.get(match.group())
        if field is None and match.group() != "%%":
            return None
        if field == "d" and "%m" in fmt:  # a date of numbers alone keeps its zeros
            field = "dd"
        literal = fmt[last:match.start()] + ("%" if field is None else "")
        parts += [_quoted(literal), field or ""]
        last = match.end()
    parts.append(_quoted(fmt[last:]))
    return "".join(parts)


def _formatted(moment: datetime, fmt: str) -> str:
    """An aware time as `fmt` says: strftime in English (month names as ever) and for a
    format of numbers alone ("%H:%M", a CSV's "%Y-%m-%d"), which reads the same in every
    language; else Babel's month and day names for the reader's language (a page's reader:
    outside a request, English)."""
    pattern = cldr_pattern(fmt) if NAMED_FIELD.search(fmt) else None
    if pattern is None or not has_request_context() or language().split("_")[0] == "en":
        return moment.strftime(fmt)
    return format_datetime(moment, pattern, rebase=False)


def local(value: datetime | None, fmt: str = "%d %b %Y, %H:%M", tz: str | None = None,
          named: bool = True) -> str:
    """A stored (UTC) time as the reader's local time, with the zone named."""
    if value is None:
        return ""
    zone = tz or viewer_zone()
    text = _formatted(value.astimezone(ZoneInfo(zone)), fmt)
    return f"{text} ({zone.replace('_', ' ')})" if named else text


def _date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return local(value, fmt, named=False)


def _day(value: date, fmt: str = "%a %d %b") -> str:
    """A calendar day (no time, no zone), with day and month names in the reader's
    language."""
    pattern = cldr_pattern(fmt)
    if pattern is None or not has_request_context() or language().split("_")[0] == "en":
        return value.strftime(fmt)
    return format_date(value, pattern)


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
        return _("a minute")
    if seconds < 3600:
        return ngettext("%(num)d min", "%(num)d min", round(seconds / 60))
    if seconds < 86400 * 1.5:
        return ngettext("%(num)d h", "%(num)d h", round(seconds / 3600))
    return ngettext("%(num)d day", "%(num)d days", round(seconds / 86400))


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
        return ngettext("%(num)d s", "%(num)d s", seconds)
    if seconds < 3600:
        return _("%(minutes)d min %(seconds)d s", minutes=seconds // 60, seconds=seconds % 60)
    return _("%(hours)d h %(minutes)d min", hours=seconds // 3600,
             minutes=seconds % 3600 // 60)


def scope_title(scope) -> str:
    from .models import Bank

    if scope.kind == "set":
        return scope.title
    if scope.kind == "bank":
        found = db.session.execute(select(Bank.title, Bank.language)
                                   .where(Bank.slug == scope.value)).first()
        if found is None:
            return scope.value
        lang = text_lang(found.language)
        return Markup("<span%s>%s</span>") % (lang, found.title) if lang else found.title
    if scope.kind == "tag":
        return tag_label(scope.value)
    return _("Everything")


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["day"] = _day
    app.jinja_env.filters["said"] = said
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["cloze_answer"] = _cloze_answer
    app.jinja_env.globals.update(type_label=type_label, until=until,
                                 correct=correct_response, took=took, item_text=item_text,
                                 sources_of=sources_of,
                                 percent=percent, scope_title=scope_title, tag_label=tag_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def said(problem) -> str:
    """A problem raised by the domain, or a phrase it composed, in the reader's language
    (see problems.py); anything else as it is."""
    if isinstance(problem, Problem | Words):
        isolate = language() in RIGHT_TO_LEFT
        return _(problem.template, **{k: _isolated(said(v) if isinstance(v, Words) else v,
                                                   isolate) for k, v in problem.values.items()})
    return str(problem)


def _isolated(value, isolate: bool):
    """A value set into a right-to-left sentence keeps its own direction (an id, a file's
    place, an English choice): Unicode's first-strong isolate around it."""
    return f"\u2068{value}\u2069" if isolate and isinstance(value, str) else value
