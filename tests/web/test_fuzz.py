"""Every route and every form field, sent hostile values as each role, on both databases: the
answer is a page a person can read (a 4xx, a form with its messages, a redirect), never a 5xx.

The routes come from the app's own URL map, so a new route is fuzzed without a change here;
the form fields from the forms the app's pages show.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.routing import Rule

from quizapp.extensions import db
from quizapp.models import Role
from tests.conftest import PASSWORD
from tests.helpers import flashcards, import_banks

# Strings a person or a script might send: a NUL byte (PostgreSQL cannot store one), a huge
# value, numbers Python reads but nobody means, bytes that are not UTF-8, a number too large
# for any column.
HOSTILE = ["a\x00b", "x" * 20_000, "NaN", "sNaN", "-Infinity", "1e400", b"\xff\xfe\xfa",
           "9" * 40, "", " "]
PATH_VALUES = {"int": ["99999999999999999999999", "0"],
               "default": ["a\x00b", "x" * 3000, "%ff%fe", "NaN", "..", "bank:x\x00"]}
SKIP_POSTS = {"/logout"}  # it would end the role's session halfway through the walk


class Forms(HTMLParser):
    """The POST forms of a page: action and field names."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self._current: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", [])
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current and \
                attrs.get("name") and attrs.get("type") != "file":
            self._current[1].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _world() -> None:
    """A bank of several types, with a tag of the teacher's own kind, and an orientation
    path of two modules."""
    from tests.web.test_orientation import BANK, PATH

    deck = flashcards("deck", 2, tags=("theme:test", "unit:one"))
    deck["questions"] += [
        {"id": "sc", "type": "single_choice", "prompt": "Pick", "choices": ["A", "B"],
         "answer": "A", "explanation": "A."},
        {"id": "or", "type": "ordering", "prompt": "Order", "items": ["1", "2", "3"],
         "explanation": "So."},
        {"id": "ma", "type": "matching", "prompt": "Match", "explanation": "So.",
         "pairs": [{"left": "a", "right": "1"}, {"left": "b", "right": "2"}]},
        {"id": "cl", "type": "cloze", "text": "The [[bridge]].", "explanation": "So."}]
    import_banks(deck, BANK)
    from quizapp.banks.orientation import load_path_bytes
    from quizapp.orientation.service import import_path

    import_path(db.session, load_path_bytes(PATH, "path.yaml"), _now())
    db.session.commit()


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _client(app, role: Role | None):
    from tests.conftest import Users

    client = app.test_client()
    if role is not None:
        with app.app_context():
            email = f"fuzz-{role.value}@example.org"
            Users(app, client).create(email, role=role)
        assert client.post("/login", data={"email": email, "password": PASSWORD}) \
            .status_code == 302
    return client


def _paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for values in _fillings(rule):
            paths.append(_build(rule, values))
    return paths


# Values that name real things in the world below, so the walk reaches every page's forms.
ORDINARY = {"slug": "trip", "module_key": "first", "public_id": "none", "code": "NOCODE00",
            "token": "none", "filename": "style.css"}


def _fillings(rule: Rule):
    """Values for the rule's parts: all ordinary, then each part hostile in turn."""
    parts = re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
    if not parts:
        yield {}
        return
    ordinary = {name: "1" if kind == "int" else ORDINARY.get(name, "deck")
                for kind, name in parts}
    yield ordinary
    for kind, name in parts:
        for value in PATH_VALUES["int" if kind == "int" else "default"]:
            yield ordinary | {name: value}


def _build(rule: Rule, values: dict) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:>]+:)?{name}>", value.replace("\\", "/"), path)
    return path


def _check(response, what: str) -> None:
    assert response.status_code < 500, f"{what[:160]}: {response.status_code}"


@pytest.mark.parametrize("role", [None, Role.STUDENT, Role.TEACHER, Role.ADMIN],
                         ids=["anonymous", "student", "teacher", "admin"])
def test_no_route_or_field_answers_hostile_input_with_a_5xx(make_app, role):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        _world()
    client = _client(app, role)
    if role is not None:  # an attempt at a quiz and at a mastery check, numbered 1 and 2
        client.post("/quiz/new", data={"banks": "deck", "size": "5", "feedback": "each"})
        client.post("/orientation/trip/first/check")
    if role in (Role.TEACHER, Role.ADMIN):  # a class (1) with a quiz assignment (1)
        client.post("/teach/classes/", data={"name": "Fuzz class"})
        client.post("/teach/classes/1/assignments/new", data={
            "kind": "quiz", "title": "Fuzz quiz", "banks": "deck", "size": "3",
            "feedback": "end", "due_at": "2030-01-01T10:00"})
    pages = []
    for path in _paths(app):
        for query in ("", "?" + urlencode({"scope": "tag:\x00", "next": "x" * 3000,
                                           "ahead": "NaN", "q": b"\xff"})):
            response = client.get(path + query)
            _check(response, f"GET {path}{query[:40]}")
            if response.status_code == 200 and "text/html" in response.content_type:
                pages.append((path, response.get_data(as_text=True)))
            response.close()
    seen = set()
    for path, html in pages:
        parser = Forms()
        parser.feed(html)
        for action, fields in parser.forms:
            target = urlsplit(action).path or path
            fields = fields or ["anything"]  # a form of buttons only still gets a body
            if target in SKIP_POSTS or (target, tuple(fields)) in seen:
                continue
            seen.add((target, tuple(fields)))
            for value in HOSTILE:
                body = urlencode({name: value for name in fields}, doseq=False)
                response = client.post(target, data=body,
                                       content_type="application/x-www-form-urlencoded")
                _check(response, f"POST {target} {fields} = {value[:20]!r}")
                response.close()
