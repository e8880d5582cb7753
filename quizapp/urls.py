"""Addresses: the id converter of the routes, and redirect targets kept on this site."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # the largest value of a database INTEGER


class RowId(IntegerConverter):
    """`<int:...>` in this app's routes: a row id. A number no row can have matches no route
    (a 404) instead of reaching the database, which would refuse it."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


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
