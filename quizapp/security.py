"""Security headers on every response, so nothing inline creeps in; signed-cookie sessions
and CSRF tokens, checked and signed no more often than they need to be."""

import hmac
import re
import threading
import time

from flask import Flask, Request, Response, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, ValidationError, same_origin, validate_csrf
from itsdangerous import BadData, BadSignature
from itsdangerous.encoding import base64_decode, base64_encode

# Per worker: session cookies already verified, and CSRF tokens already signed. Only what
# this app signed gets in; at the bound the oldest entry makes way (about 1 KB each).
REMEMBERED = 10_000
LONGEST_REMEMBERED_COOKIE = 4096  # what browsers keep; longer ones are verified every time
CSRF_FIELD = "csrf_token"
# The form of a CSRF token as Flask-WTF signs it: payload, time and signature, base64url. A
# token written any other way (itsdangerous also accepts stray characters after a valid
# one, a megabyte of them if the post allows) is verified every time, never remembered.
_SIGNED_TOKEN = re.compile(r"[\w-]{1,128}\.[\w-]{1,16}\.[\w-]{1,64}", re.ASCII)

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


class _Remembered:
    """A bounded map, oldest out, safe to fill from several threads (gthread workers)."""

    def __init__(self) -> None:
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key):
        return self._entries.get(key)

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key, value) -> None:
        with self._lock:
            if len(self._entries) >= REMEMBERED:
                self._entries.pop(next(iter(self._entries)), None)
            self._entries[key] = value


def _canonical(cookie: str) -> bool:
    """Whether a verified cookie is in the one form this app writes. itsdangerous also
    accepts the same signature written other ways (stray characters, unused low bits), and
    each would take an entry of its own."""
    if len(cookie) > LONGEST_REMEMBERED_COOKIE:
        return False
    signature = cookie.rpartition(".")[2]
    try:
        return base64_encode(base64_decode(signature)).decode() == signature
    except BadData:
        return False


# Values a session can hold that cannot change in place. A logged-in session holds only these
# (user id, fingerprint, CSRF token, stamps) unless a flash message waits in it (a list).
_SCALARS = frozenset({str, int, float, bool, type(None)})


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the same cookies, checks and expiry, at less
    cost: the signing serializer is built once per set of keys instead of twice a request
    (it is stateless), and a cookie is verified once per worker. A browser sends the same
    cookie until its session changes, and verifying it (two HMACs, base64, zlib) was about
    4% of a study request; a cookie seen before, byte for byte, has the same signature, so
    it only needs its age checked again. Changing the keys starts a new memory."""

    _built: tuple | None = None

    def _signing(self, app: Flask) -> tuple:
        """(keys, serializer, verified cookies) for the app's current keys."""
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built = self._built
        if built is None or built[0] != keys:
            built = self._built = (keys, super().get_signing_serializer(app), _Remembered())
        return built

    def get_signing_serializer(self, app: Flask):
        return self._signing(app)[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        _keys, serializer, verified = self._signing(app)  # one read: keys and memory agree
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = verified.get(cookie)
        if known is None:
            try:
                data, signed_at = serializer.loads(cookie, max_age=max_age,
                                                   return_timestamp=True)
            except BadSignature:  # forged, garbled or expired: a new, empty session
                return self.session_class()
            flat = data if all(type(v) in _SCALARS for v in data.values()) else None
            known = (serializer.serializer.dumps(data), int(signed_at.timestamp()), flat)
            if _canonical(cookie):
                verified.put(cookie, known)
        elif not 0 <= int(time.time()) - known[1] <= max_age:  # as itsdangerous checks it
            return self.session_class()
        if known[2] is not None:  # nothing in it can change in place: a copy of the dict will do
            return self.session_class(known[2])
        return self.session_class(serializer.serializer.loads(known[0]))

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Flask's, except that a session with nothing to write only gets its `Vary: Cookie`,
        without Flask reading seven cookie settings and parsing the Vary header to add it
        (about 1% of a study request)."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                _vary_on_cookie(response)
            return
        super().save_session(app, session, response)


def _vary_on_cookie(response: Response) -> None:
    if "Vary" in response.headers:
        response.vary.add("Cookie")  # merged into what is there, once
    else:
        response.headers["Vary"] = "Cookie"


class CsrfTokens:
    """Flask-WTF signs the session's CSRF token afresh each time a page calls csrf_token()
    (the layout's logout button does, on every page): about 2% of a study card page. With no
    time limit on tokens (WTF_CSRF_TIME_LIMIT unset), a signed token stays valid for as long
    as its session's token, so each worker keeps the signed form it made, checked once with
    Flask-WTF's own validation, and hands it out again. Forms built with FlaskForm still get
    theirs signed as they are built. Flask-WTF signs, checks and stores everything itself."""

    def __init__(self) -> None:
        self.signed = _Remembered()  # (key, session's token) -> the signed token handed out
        self.verified = _Remembered()  # (key, session's token) -> a signed token sent back

    def known(self, sent) -> bool:
        """Whether `sent` is, byte for byte, the signed token this worker handed out or
        already verified for this session's token under the current key."""
        raw = session.get(CSRF_FIELD)
        if not sent or not isinstance(sent, str) or raw is None or not self._reusable():
            return False
        key = (self._secret(), raw)
        return any(good is not None and hmac.compare_digest(good.encode(), sent.encode())
                   for good in (self.signed.get(key), self.verified.get(key)))

    def verified_now(self, sent: str) -> None:
        """After Flask-WTF's own check accepted `sent` for this session."""
        raw = session.get(CSRF_FIELD)
        if raw is not None and self._reusable() and _SIGNED_TOKEN.fullmatch(sent):
            self.verified.put((self._secret(), raw), sent)

    def before_render(self) -> dict:
        if not has_request_context() or CSRF_FIELD in g or not self._reusable():
            return {}
        raw = session.get(CSRF_FIELD)
        signed = self.signed.get((self._secret(), raw)) if raw is not None else None
        if signed is not None:
            setattr(g, CSRF_FIELD, signed)
        return {}

    def after_request(self, response: Response) -> Response:
        signed = g.get(CSRF_FIELD)
        if signed is None or not self._reusable():
            return response
        key = (self._secret(), session.get(CSRF_FIELD))
        if key[1] is not None and key not in self.signed:
            try:
                validate_csrf(signed)  # this session's token, signed with today's key
            except ValidationError:
                return response
            self.signed.put(key, signed)
        return response

    @staticmethod
    def _secret() -> str:
        # Flask-WTF's own reading: an empty key is a key, the app's is only the default.
        return current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)

    @staticmethod
    def _reusable() -> bool:
        config = current_app.config
        return config.get("WTF_CSRF_TIME_LIMIT", 3600) is None and \
            config.get("WTF_CSRF_FIELD_NAME", CSRF_FIELD) == CSRF_FIELD


class CsrfCheck(CSRFProtect):
    """Flask-WTF's CSRF protection, with the same checks and errors, except that a token
    this worker already knows for the session (see CsrfTokens.known) is compared instead of
    verified again: verifying builds a serializer and unsigns, about 3% of a study rating.
    Tokens with a time limit are verified every time; the HTTPS referrer check always runs."""

    def protect(self, apply_exemptions=False):
        tokens = current_app.extensions.get("csrf_tokens")
        if tokens is None or not self._applies(apply_exemptions):
            return super().protect(apply_exemptions)
        sent = self._get_csrf_token()
        if not tokens.known(sent):
            super().protect(apply_exemptions)  # raises CSRFError unless it is good
            tokens.verified_now(sent)
            return None
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:  # as Flask-WTF
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # as Flask-WTF marks a checked request
        return None

    def _applies(self, apply_exemptions: bool) -> bool:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return False
        return request.method in current_app.config["WTF_CSRF_METHODS"]


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    app.after_request(_add_headers)
    tokens = app.extensions["csrf_tokens"] = CsrfTokens()
    app.context_processor(tokens.before_render)
    app.after_request(tokens.after_request)
