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


def _float_env(name: str, default: float, limit: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"QUIZAPP_{name} must be a number, not {raw!r}") from exc
    if not 0 <= value <= limit:  # also refuses nan and inf
        raise ConfigError(f"QUIZAPP_{name} must be between 0 and {limit:g}, not {raw!r}")
    return value


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
    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'quizapp.sqlite3'}")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A database server's pooled connection is tested before use once it has been idle
        # this long (see database.py); SQLite files are never tested.
        "DB_PING_AFTER_IDLE_SECONDS": 10.0,
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "5 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PASSWORD_HASH_METHOD": "scrypt",
        # How long a worker may reuse a logged-in user's row (auth/known_users.py); 0: never.
        "USER_CACHE_SECONDS": _float_env("USER_CACHE_SECONDS", 10.0, limit=3600),
        "UPLOAD_MAX_BYTES": _int_env("UPLOAD_MAX_BYTES", 2 * 1024 * 1024),
        "CLI_IMPORT_MAX_BYTES": _int_env("CLI_IMPORT_MAX_BYTES", 20 * 1024 * 1024),
        "QUESTIONS_DIR": _env("QUESTIONS_DIR", str(BUNDLED_QUESTIONS)),
        "WTF_CSRF_TIME_LIMIT": None,
        # Every request body is capped; bank uploads raise it for their own route.
        "MAX_CONTENT_LENGTH": _int_env("MAX_REQUEST_BYTES", 1024 * 1024),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
        "PROXY_HOPS": _int_env("PROXY_HOPS", 0),
        # The host names the app answers to; any other Host header gets a 400, so links the
        # app writes out in full (class join links, certificates) always name one of these.
        "TRUSTED_HOSTS": _list_env("TRUSTED_HOSTS"),
    }
