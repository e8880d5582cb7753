"""Flask-Login's session protection, without hashing the same browser on every request.

Flask-Login fingerprints the browser on every request, a SHA-512 of its address and user
agent, and compares it with the one kept in the session at login: about 1% of a study
request. A browser sends the same two values request after request, so each worker keeps
the fingerprints it has made (bounded). The formula is Flask-Login's own, byte for byte, so
sessions signed in before or elsewhere keep matching; a test holds the two together."""

from functools import lru_cache
from hashlib import sha512

from flask import request


def browser_identifier() -> str:
    """What Flask-Login's `_create_identifier` returns for this request."""
    return _identifier(request.headers.get("X-Forwarded-For", request.remote_addr),
                       request.headers.get("User-Agent"))


@lru_cache(maxsize=1024)
def _identifier(address: str | None, user_agent: str | None) -> str:
    first = None if address is None else address.encode("utf-8").split(b",")[0].strip()
    agent = None if user_agent is None else user_agent.encode("utf-8")
    return sha512(f"{first}|{agent}".encode()).hexdigest()
