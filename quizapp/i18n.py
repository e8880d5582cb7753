"""The interface's languages (Flask-Babel): English, Azerbaijani (Latin script) and Urdu,
which reads right to left. Bank content stays in its own language.

A reader's language is their account's setting; else the one they picked on this browser
(a cookie); else the best match of the browser's Accept-Language; else English.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "az": "Azərbaycanca", "ur": "اردو"}
RIGHT_TO_LEFT = {"ur"}
COOKIE = "lang"
babel = Babel()


def select_locale() -> str:
    if not has_request_context():  # a command, or work outside a request: English
        return "en"
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    picked = request.cookies.get(COOKIE)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(list(LANGUAGES), default="en")


def language() -> str:
    return str(get_locale() or "en")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        code = language()
        return {"languages": LANGUAGES, "current_language": code,
                "direction": "rtl" if code in RIGHT_TO_LEFT else "ltr"}
