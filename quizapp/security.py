"""Security headers on every response, so nothing inline creeps in; private pages kept out of
caches; and a bound on what a session cookie can pile up."""

from flask import Flask, Response, abort, current_app, g, request, session
from flask_babel import gettext as _

MAX_FLASHES = 5  # messages waiting in a session; older (and repeated) ones make way

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("login_session") is not None:  # a signed-in user's page (auth.views.load_user)
        # A page for one user, never to be kept by a shared computer's browser or a proxy.
        response.headers["Cache-Control"] = "no-store"
    return response


def _bound_flashes(response: Response) -> Response:
    """Flash messages live in the session cookie until a page shows them. A client that never
    follows the redirects (a script) could pile thousands up; keep the last few, once each."""
    if not session.modified or "_flashes" not in session:
        return response
    pending = session["_flashes"]
    kept = list(dict.fromkeys(tuple(item) for item in pending))[-MAX_FLASHES:]
    if len(kept) != len(pending):
        session["_flashes"] = kept
    return response


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def _refuse_nul_bytes() -> None:
    """No address, query or form of this site needs a NUL character, and PostgreSQL can
    neither store nor compare one: refuse it plainly instead of failing deeper down."""
    files = [f.filename for _, f in request.files.items(multi=True)]
    if "\x00" in request.path or _has_nul(v for _, v in request.args.items(multi=True)) \
            or _has_nul(v for _, v in request.form.items(multi=True)) or _has_nul(files):
        abort(400, _("The request held a character this site does not accept (a NUL byte). "
                     "Remove it and try again."))


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)
    app.after_request(_add_headers)
    app.after_request(_bound_flashes)
