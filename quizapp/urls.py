"""Redirect targets taken from a request, kept on this site."""

from urllib.parse import urlsplit


def local_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback` (no open redirects).

    Control characters are refused outright: browsers and Werkzeug drop tabs and newlines,
    so '/\\t/evil.example' would otherwise become '//evil.example'."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return fallback
    return target
