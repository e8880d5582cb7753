"""Read a bank file safely and validate it, reporting every problem with its line and column.

libyaml composes the node tree (fast, in C); this module builds plain values from it itself so
that it can refuse what PyYAML would accept silently: duplicate keys, tags such as
!!python/object, alias bombs, merge keys, and non-text where text is meant.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..problems import N_, Words
from .errors import BankError, BankErrors
from .messages import describe, located
from .schema import BankFile

MAX_DEPTH = 32
MAX_LISTED = 100  # problems listed per file; past that, how many more there were
STANDARD = "tag:yaml.org,2002:"
ALLOWED_SCALARS = {f"{STANDARD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
SEQ, MAP, STR = f"{STANDARD}seq", f"{STANDARD}map", f"{STANDARD}str"
_scalar_constructor = yaml.constructor.SafeConstructor()


class _Refused(Exception):
    def __init__(self, node: yaml.Node | None, message: str):
        self.node, self.message = node, message


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, with bounded work."""

    def __init__(self, budget: int):
        self.budget = budget
        self.errors: list[tuple[yaml.Node, str]] = []

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Refused(node, "the file expands to too many values (aliases repeated over "
                                 "and over?); write the content out instead")
        if depth > MAX_DEPTH:
            raise _Refused(node, f"nesting is deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, SEQ)
            return [self.build(item, depth + 1) for item in node.value]
        return self._scalar(node)

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise _Refused(node, f"YAML tags such as {_short_tag(node.tag)} are not allowed "
                                 "in a bank; remove the tag")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == STR:
            return node.value
        if node.tag == f"{STANDARD}merge":
            raise _Refused(node, "merge keys (<<) are not supported; write the fields out")
        if node.tag not in ALLOWED_SCALARS:
            self._check_tag(node, STR)
        return _scalar_constructor.construct_object(node)

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        self._check_tag(node, MAP)
        result: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str | int | bool | None):
                raise _Refused(key_node, "a key must be a plain word")
            if key in result:
                self.errors.append((key_node, f"duplicate key '{key}' (the first is on line "
                                              f"{first_line[key]}); keep only one"))
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, depth + 1)
        return result


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(STANDARD):] if tag.startswith(STANDARD) else tag


def _at(path: str, node: yaml.Node | None, message: Words | str) -> BankError:
    if node is None:
        return BankError(path, 0, 0, message)
    return BankError(path, node.start_mark.line + 1, node.start_mark.column + 1, message)


def decode_text(data: bytes, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise BankErrors([BankError(path, line, col, Words(N_(
            "the file is not UTF-8 text; save it as UTF-8 and try again")))]) from None
    return text.removeprefix("\ufeff")


def _tab_errors(text: str, path: str) -> list[BankError]:
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            errors.append(BankError(path, number, indent.index("\t") + 1,
                                    Words(N_("a tab is used for indentation; YAML needs "
                                             "spaces"))))
    return errors


def _compose(text: str, path: str) -> yaml.Node:
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            raise BankErrors([_mark_error(path, exc, Words(N_(
                "one bank per file: this file has more than one YAML document (---)")))]) from None
        raise BankErrors([_mark_error(path, exc)]) from None
    except yaml.MarkedYAMLError as exc:
        raise BankErrors([_mark_error(path, exc)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, say)
        raise BankErrors([_reader_error(text, path, exc)]) from None
    finally:
        loader.dispose()
    if node is None:
        raise BankErrors([BankError(path, 1, 1, Words(N_(
            "the file is empty; a bank needs id, title and questions")))])
    return node


def _reader_error(text: str, path: str, exc: yaml.reader.ReaderError) -> BankError:
    before = text[:exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return BankError(path, line, col, Words(N_(
        "the file holds a character YAML does not allow (%(char)s): remove it, or save the "
        "file again as plain UTF-8 text"), char=ascii(char)))


def _mark_error(path: str, exc: yaml.MarkedYAMLError, message: Words | None = None
                ) -> BankError:
    mark = exc.problem_mark or exc.context_mark
    # libyaml's own words (exc.problem) are English; the app's are translated.
    text = message or Words(N_("YAML syntax error: %(problem)s"), problem=f"{exc.problem}" + (
        f" ({exc.context})" if exc.context else ""))
    if mark is None:
        return BankError(path, 0, 0, text)
    return BankError(path, mark.line + 1, mark.column + 1, text)


def parse_yaml(data: bytes, path: str) -> tuple[Any, yaml.Node, list[BankError]]:
    """Plain values, the node tree (for line numbers) and the problems that do not stop
    validation (duplicate keys); BankErrors for those that do."""
    text = decode_text(data, path)
    if tabs := _tab_errors(text, path):
        raise BankErrors(tabs)
    # The node tree and the values built from it hold no reference cycles for the collector
    # to free, yet their million objects would set off collections that walk the ever larger
    # heap: the time grew faster than the file (0.54 s/MB at 1 MB, 1.10 s/MB at 20 MB).
    collecting = gc.isenabled()
    gc.disable()
    try:
        root = _compose(text, path)
        builder = _Builder(budget=len(text) + 1000)
        value = builder.build(root)
    except _Refused as refusal:
        raise BankErrors([_at(path, refusal.node, refusal.message)]) from None
    finally:
        if collecting:
            gc.enable()
    problems = [_at(path, n, m) for n, m in builder.errors[:MAX_LISTED]]
    return value, root, problems + _more(path, len(builder.errors) - MAX_LISTED)


class _Locator:
    """Finds the node along an error location; each mapping's keys are indexed once, so
    listing errors stays linear in the file's size however many keys a mapping has."""

    def __init__(self, root: yaml.Node):
        self.root = root
        self._keys: dict[int, dict] = {}

    def child(self, node: yaml.MappingNode, key: str) -> yaml.Node | None:
        index = self._keys.get(id(node))
        if index is None:
            index = self._keys[id(node)] = {}
            for key_node, value_node in node.value:
                index.setdefault(key_node.value, value_node)
        return index.get(key)

    def __call__(self, loc: tuple) -> tuple[yaml.Node, str]:
        return _node_at(self.root, loc, self)


Place = Callable[[tuple], tuple[int, int, str]]  # a location -> (line, column, as text)


def yaml_places(root: yaml.Node) -> Place:
    """Where a location of a YAML document is: the line and column of its node."""
    locate = _Locator(root)

    def place(loc: tuple) -> tuple[int, int, str]:
        node, shown = locate(loc)
        return node.start_mark.line + 1, node.start_mark.column + 1, shown

    return place


def _node_at(root: yaml.Node, loc: tuple, locator: _Locator) -> tuple[yaml.Node, str]:
    """The deepest node along a pydantic error location, and that location as text."""
    node, shown = root, ""
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = locator.child(node, part)
            if child is not None:
                shown += f".{part}" if shown else part
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part < len(node.value):
                child = node.value[part]
                shown += f"[{part}]"
        if child is not None:
            node = child
    return node, shown


def _duplicate_ids(data: dict, place: Place, path: str, key: str) -> list[BankError]:
    questions = data.get(key)
    if not isinstance(questions, list):
        return []
    seen: dict[str, int] = {}
    errors = []
    for index, question in enumerate(questions):
        qid = question.get("id") if isinstance(question, dict) else None
        if not isinstance(qid, str) or len(errors) >= MAX_LISTED:
            continue
        if qid in seen:
            line, col, shown = place((key, index, "id"))
            errors.append(BankError(path, line, col, located(shown, Words(N_(
                "duplicate id '%(id)s' (also %(other)s); ids must be unique"), id=qid,
                other=f"{key}[{seen[qid]}]"))))
        else:
            seen[qid] = index
    return errors


def validate(data: Any, place: Place, path: str, errors: list[BankError] | None = None,
             model: type[BaseModel] = BankFile, items: str = "questions"):
    """The document as `model`, or BankErrors with every problem: those given and those found
    here, each where `place` says it is. `items` names the list whose entries need unique
    ids."""
    errors = list(errors or [])
    if not isinstance(data, dict):
        line, col, _ = place(())
        message = N_("the top level must be a mapping with id, title and %(items)s; this file "
                     "holds a list") if isinstance(data, list) else \
            N_("the top level must be a mapping with id, title and %(items)s; this file holds "
               "a single value")
        raise BankErrors([BankError(path, line, col, Words(message, items=items))])
    errors += _duplicate_ids(data, place, path, items)
    try:
        bank = model.model_validate(data)
    except ValidationError as exc:
        found = exc.errors(include_url=False)
        total = len(errors) + len(found)
        for err in found[:max(0, MAX_LISTED - len(errors))]:
            line, col, shown = place(err["loc"])
            errors.append(BankError(path, line, col, describe(err, shown)))
        errors += _more(path, total - MAX_LISTED)
    if errors:
        raise BankErrors(errors)
    return bank


def _more(path: str, unlisted: int) -> list[BankError]:
    if unlisted <= 0:
        return []
    return [BankError(path, 0, 0, Words(N_(
        "... and %(count)s more problem(s) of the same kinds; only the first %(listed)s are "
        "listed. Mend these and check again."), count=unlisted, listed=MAX_LISTED))]


def load_bank_bytes(data: bytes, path: str, max_bytes: int | None = None) -> BankFile:
    """Parse and validate one bank; raises BankErrors listing every problem found."""
    return load_document(data, path, BankFile, "questions", max_bytes)


Check = Callable[[Any], list[tuple[tuple, Words | str]]]


def load_document(data: bytes, path: str, model: type[BaseModel], items: str,
                  max_bytes: int | None = None, check: Check | None = None):
    """Parse and validate a YAML document of this format (a bank, an orientation path).

    `check` looks at the valid document (e.g. against the database) and returns problems as
    (location, message) pairs; they are reported with their line like any other."""
    if max_bytes is not None and len(data) > max_bytes:
        raise BankErrors([too_big(path, len(data), max_bytes)])
    values, root, problems = parse_yaml(data, path)
    place = yaml_places(root)
    document = validate(values, place, path, problems, model, items)
    if check is not None and (found := check(document)):
        errors = []
        for loc, message in found[:MAX_LISTED]:
            line, col, shown = place(loc)
            errors.append(BankError(path, line, col, located(shown, message)))
        raise BankErrors(errors)
    return document


def load_bank(path: str | Path, max_bytes: int | None = None) -> BankFile:
    """Load a bank file, refusing one over max_bytes before reading it."""
    path = Path(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise BankErrors([too_big(str(path), size, max_bytes)])
    return load_bank_bytes(path.read_bytes(), str(path))


def too_big(path: str, size: int, limit: int) -> BankError:
    return BankError(path, 0, 0, Words(N_(
        "the file is %(size)s, over the limit of %(limit)s; split it into smaller banks"),
        size=_size(size), limit=_size(limit)))


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
