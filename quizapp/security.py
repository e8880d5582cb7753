"""Security headers on every response, so nothing inline creeps in; signed-cookie sessions
and CSRF tokens, checked and signed no more often than they need to be."""

import time

from flask import Flask, Request, Response, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

# Per worker: session cookies already verified, and CSRF tokens already signed. Only what
# this app signed gets in; at the bound the oldest entry makes way (about 1 KB each).
REMEMBERED = 10_000
CSRF_FIELD = "csrf_token"

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


_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000")


def _add_headers(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass, not one per header
    wanted = _HEADERS + ((_HSTS,) if current_app.config.get("SESSION_COOKIE_SECURE") else ())
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def _remember(memory: dict, key, value) -> None:
    if len(memory) >= REMEMBERED:
        memory.pop(next(iter(memory)), None)  # the oldest in
    memory[key] = value


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the same cookies, checks and expiry, at less
    cost: the signing serializer is built once per set of keys instead of twice a request
    (it is stateless), and a cookie is verified once per worker. A browser sends the same
    cookie until its session changes, and verifying it (two HMACs, base64, zlib) was about
    4% of a study request; a cookie seen before, byte for byte, has the same signature, so
    it only needs its age checked again."""

    _built: tuple | None = None

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built = self._built
        if built is None or built[0] != keys:
            built = self._built = (keys, super().get_signing_serializer(app), {})
        return built[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = self._built[2]
        known = verified.get(cookie)
        if known is None:
            try:
                data, signed_at = serializer.loads(cookie, max_age=max_age,
                                                   return_timestamp=True)
            except BadSignature:  # forged, garbled or expired: a new, empty session
                return self.session_class()
            known = (serializer.serializer.dumps(data), int(signed_at.timestamp()))
            _remember(verified, cookie, known)
        elif not 0 <= int(time.time()) - known[1] <= max_age:  # as itsdangerous checks it
            return self.session_class()
        return self.session_class(serializer.serializer.loads(known[0]))


class CsrfTokens:
    """Flask-WTF signs the session's CSRF token afresh on every page that shows a form (the
    layout's logout button is one): about 2% of a study card page. With no time limit on
    tokens (WTF_CSRF_TIME_LIMIT unset), a signed token stays valid for as long as its
    session's token, so each worker keeps the signed form it made and hands it out again.
    Flask-WTF still signs, checks and stores everything itself."""

    def __init__(self) -> None:
        self.signed: dict[str, str] = {}

    def before_render(self) -> dict:
        raw = session.get(CSRF_FIELD)
        if raw is not None and CSRF_FIELD not in g and self._reusable():
            signed = self.signed.get(raw)
            if signed is not None:
                setattr(g, CSRF_FIELD, signed)
        return {}

    def after_request(self, response: Response) -> Response:
        signed = g.get(CSRF_FIELD)
        raw = session.get(CSRF_FIELD) if signed is not None else None
        if raw is not None and raw not in self.signed and self._reusable():
            _remember(self.signed, raw, signed)
        return response

    @staticmethod
    def _reusable() -> bool:
        config = current_app.config
        return config.get("WTF_CSRF_TIME_LIMIT", 3600) is None and \
            config.get("WTF_CSRF_FIELD_NAME", CSRF_FIELD) == CSRF_FIELD


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    app.after_request(_add_headers)
    tokens = CsrfTokens()
    app.context_processor(tokens.before_render)
    app.after_request(tokens.after_request)
