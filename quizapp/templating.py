"""Template globals and filters."""

from datetime import datetime

from flask import Flask


def _date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
