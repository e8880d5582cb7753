"""Friendly error pages: a user never sees a stack trace."""

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Not found"), _l("There is no page at this address.")),
    405: (_l("Not allowed"), _l("This page does not accept that kind of request.")),
    413: (_l("Too large"), _l("That upload is larger than this site accepts.")),
    429: (_l("Too many attempts"),
          _l("Too many attempts in a short time. Wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened on our side. Nothing "
                                         "you did caused it; please try again in a moment.")),
}
UNKNOWN_HOST = (_l("Unknown address"), _l("This site is not served at this address. Check the "
                                          "link you followed, or ask whoever sent it for the "
                                          "site's address."))
FORM_EXPIRED = _l("This form has expired or was not sent from this site. Reload the page and "
                  "submit it again.")


def _start_afresh() -> None:
    """The failure may have been the database's: its transaction is unusable now, and the
    layout needs the user. Roll back; if even that fails (the connection is gone), drop the
    session and its connection."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - whatever the driver raised, the page must still render
        db.session.remove()


def _texts(*texts) -> tuple[str, ...]:
    """The page's words in the reader's language. That language may be their account's
    setting, read from the database: if that fails too, the words are English."""
    try:
        return tuple(str(text) for text in texts)
    except SQLAlchemyError:
        _start_afresh()
        with force_locale("en"):
            return tuple(str(text) for text in texts)


def _render(code: int, detail=None):
    """`detail`: a message (or a lazily translated one) in place of the code's own."""
    if code >= 500:
        _start_afresh()
    title, message = MESSAGES.get(code, MESSAGES[500])
    title, message = _texts(title, detail or message)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, message=message), code
    if request_ctx.url_adapter is None:  # a Host not in TRUSTED_HOSTS, whatever was asked
        # (its stylesheet would be refused too)
        return _plain(400, *_texts(*UNKNOWN_HOST), root=None)
    try:
        return render_template("error.html", code=code, title=title, message=message,
                               home_url=url_for("core.home")), code
    except SQLAlchemyError:
        if code < 500:
            raise
        # The database is down: the page without the layout, and without the context
        # processors (the logged-in user), which need it.
        return _plain(code, title, message, root=url_for("core.home"))


def _plain(code: int, title: str, message: str, root: str | None):
    """The error page alone: no layout, no context processors; links from the site's root,
    if there is one to link to."""
    page = current_app.jinja_env.get_template("error_plain.html")
    return page.render(code=code, title=title, message=message, home_url=root,
                       stylesheet_url=root and root + "static/style.css"), code


def _said(error) -> str | None:
    """A message the app gave with abort(code, message); Werkzeug's own defaults are not
    shown (the page has a friendlier one)."""
    description = getattr(error, "description", None)
    default = getattr(type(error), "description", None)
    return description if isinstance(description, str) and description != default else None


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code, _said(e)))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, FORM_EXPIRED)
