"""Settings, read from QUIZAPP_* environment variables with safe defaults.

The README has the table of every variable; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BUNDLED_QUESTIONS = Path(__file__).resolve().parent.parent / "questions"


class ConfigError(RuntimeError):
    """The app cannot start with these settings; the message says what to set."""


def _redis_of(url: str) -> str:
    return url if url.startswith(("redis://", "rediss://")) else ""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"QUIZAPP_{name}")
    return value if value not in (None, "") else default


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"QUIZAPP_{name} must be a whole number, not {raw!r}") from exc


def _list_env(name: str) -> list[str] | None:
    raw = _env(name)
    if raw is None:
        return None
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"QUIZAPP_{name} must list at least one name, not {raw!r}")
    return items


def _dev_secret_key(instance_path: Path) -> str:
    """In development, make a random key once and keep it in instance/ so sessions survive."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = _env("ENV", "development")
    production = env == "production"
    secret_key = _env("SECRET_KEY")
    if secret_key is None:
        if production:
            raise ConfigError(
                "QUIZAPP_SECRET_KEY is not set. In production the app will not start without "
                "a secret key: set QUIZAPP_SECRET_KEY to a long random string "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            )
        secret_key = _dev_secret_key(instance)
    session_days = _int_env("SESSION_DAYS", 14)
    if not 1 <= session_days <= 366:
        raise ConfigError(f"QUIZAPP_SESSION_DAYS must be between 1 and 366, not {session_days}")
    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'quizapp.sqlite3'}")
    mail_server = _env("MAIL_SERVER")
    trusted_hosts = _list_env("TRUSTED_HOSTS")
    if mail_server and not trusted_hosts:
        raise ConfigError(
            "QUIZAPP_MAIL_SERVER is set but QUIZAPP_TRUSTED_HOSTS is not. Emailed reset links "
            "name the site's host, so set QUIZAPP_TRUSTED_HOSTS to the host names the app "
            "answers to (a forged Host header must never reach an email).")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
        # Live sessions' events between workers: Redis pub/sub, by default the Redis that
        # holds the rate limits; none (one process) hands them over in memory.
        "LIVE_REDIS_URL": _env("LIVE_REDIS_URL", _redis_of(_env("RATELIMIT_STORAGE_URL", ""))),
        # How often an idle event stream re-reads the session anyway (and keeps proxies
        # from closing it), in seconds.
        "LIVE_BEAT_SECONDS": float(_env("LIVE_BEAT_SECONDS", "15")),
        # A stream ends after half to all of this (drawn for each) and the browser reconnects
        # at once, resuming where it was (Last-Event-ID). Keep it under gunicorn's
        # --graceful-timeout (30 s by default), so that a worker being replaced is not kept
        # alive by open streams.
        "LIVE_STREAM_SECONDS": float(_env("LIVE_STREAM_SECONDS", "25")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "5 per minute"),
        "LOGIN_ADDRESS_RATE_LIMIT": _env("LOGIN_ADDRESS_RATE_LIMIT", "60 per minute"),
        "LOGIN_ACCOUNT_RATE_LIMIT": _env("LOGIN_ACCOUNT_RATE_LIMIT", "50 per hour"),
        "REGISTER_RATE_LIMIT": _env("REGISTER_RATE_LIMIT", "60 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # A login lasts this many days at most; logging out ends it at once, everywhere.
        "SESSION_DAYS": session_days,
        "SITE_NAME": _env("SITE_NAME", "Partnership Study"),
        "PASSWORD_HASH_METHOD": "scrypt",
        "UPLOAD_MAX_BYTES": _int_env("UPLOAD_MAX_BYTES", 2 * 1024 * 1024),
        "CLI_IMPORT_MAX_BYTES": _int_env("CLI_IMPORT_MAX_BYTES", 20 * 1024 * 1024),
        "QUESTIONS_DIR": _env("QUESTIONS_DIR", str(BUNDLED_QUESTIONS)),
        # A form's CSRF token is good for a school day; an older page asks to be reloaded.
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Every request body is capped; bank uploads raise it for their own route.
        "MAX_CONTENT_LENGTH": _int_env("MAX_REQUEST_BYTES", 1024 * 1024),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
        "PROXY_HOPS": _int_env("PROXY_HOPS", 0),
        # The host names the app answers to; any other Host header gets a 400, so links the
        # app writes out in full (class join links, certificates) always name one of these.
        "TRUSTED_HOSTS": trusted_hosts,
        # Email (Flask-Mail), for "Forgot password": off unless a server is named.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int_env("MAIL_PORT", 587),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "true").lower() in ("1", "true", "yes"),
        "MAIL_USE_SSL": _env("MAIL_USE_SSL", "false").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_FROM", "no-reply@localhost"),
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail's default would not send under TESTING
        "FORGOT_RATE_LIMIT": _env("FORGOT_RATE_LIMIT", "5 per hour"),
        # Audit-log entries older than this are dropped by `flask setup` / `flask audit prune`.
        "AUDIT_KEEP_DAYS": _int_env("AUDIT_KEEP_DAYS", 365),
    }
