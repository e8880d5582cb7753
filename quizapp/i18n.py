"""The interface's languages (Flask-Babel): English, Azerbaijani (Latin script) and Urdu,
which reads right to left. Bank content is shown in its own language, or in the reader's
where the bank carries a translation of the question (see presenting.localized).

A reader's language is their account's setting; else the one they picked on this browser
(a cookie); else the best match of the browser's Accept-Language; else English.
"""

from __future__ import annotations

import os

import click
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from . import presenting

LANGUAGES = {"en": "English", "az": "Azərbaycanca", "ur": "اردو"}
RIGHT_TO_LEFT = {"ur"}
COOKIE = "lang"
babel = Babel()


def select_locale() -> str:
    if not has_request_context():
        # A command speaks the terminal's language (LANG); other work outside a request
        # (an email sent after the response, say) English.
        terminal = os.environ.get("LANG", "")[:2]
        in_command = click.get_current_context(silent=True) is not None
        return terminal if in_command and terminal in LANGUAGES else "en"
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    picked = request.cookies.get(COOKIE)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(list(LANGUAGES), default="en")


def language() -> str:
    return str(get_locale() or "en")


def present(content: dict, prompt: str, seed: int, bank_language: str) -> presenting.Shown:
    """A question as this reader sees it: in their language where the bank translates it."""
    reader = language()
    if presenting.translated(content, reader):
        content = presenting.localized(content, reader)
        prompt = content.get("prompt") or content.get("front") or prompt
        texts_language = reader
    else:
        texts_language = bank_language
    if content["type"] == "cloze" and not content.get("prompt"):
        prompt = _("Fill in the gaps.")
    shown = presenting.show(content, prompt, seed)
    shown.language = texts_language
    return shown


def text_lang(code: str | None) -> Markup:
    """A lang attribute for an element holding text in language `code` (a bank's title, say),
    when that is not the page's: read aloud in its own language, and upper-cased by its own
    rules (an English title on an Azerbaijani page keeps its dotless capital I)."""
    if not code or code == language():
        return Markup("")
    return Markup(' lang="%s"') % code


def content_lang(shown: presenting.Shown, prompt: bool = False) -> Markup:
    """ lang and dir attributes for an element holding the question's own texts, when they
    are not in the page's language (so a screen reader speaks them in their own). A cloze
    without a prompt of its own is prompted in the page's language."""
    if prompt and shown.type == "cloze" and not shown.content.get("prompt"):
        return Markup("")
    if not shown.language or shown.language == language():
        return Markup("")
    return Markup(' lang="%s" dir="auto"') % shown.language


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["content_lang"] = content_lang
    app.jinja_env.globals["text_lang"] = text_lang

    @app.context_processor
    def _languages():
        code = language()
        return {"languages": LANGUAGES, "current_language": code,
                "direction": "rtl" if code in RIGHT_TO_LEFT else "ltr"}
