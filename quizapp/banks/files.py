"""Finding and loading several bank files at once, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

from ..problems import N_, Words
from .errors import BankError, BankErrors
from .formats import READABLE, aiken, bank_from_name, gift, moodle_xml, tabular
from .lint import lint
from .loader import decode_text, load_bank_bytes, parse_yaml, too_big, validate, yaml_places
from .schema import BankFile

NOT_BANKS = {"orientation.yaml"}  # other YAML that lives beside the banks
YAML = (".yaml", ".yml")
OTHERS = (".csv", ".tsv", ".txt", ".gift", ".xml")


def bank_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given; for a folder, the bank files in it (sorted), any readable format."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in YAML + OTHERS
                            and p.name not in NOT_BANKS)
        else:
            found.append(path)
    return found


def _reader(name: str, text: str):
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return tabular.read
    if suffix == ".gift":
        return gift.read
    if suffix == ".xml":
        return moodle_xml.read
    if suffix == ".txt":
        if aiken.looks_like(text):
            return aiken.read
        if "{" in text and "}" in text:
            return gift.read
        return tabular.read
    return None


def load_bank_file(data: bytes, name: str, max_bytes: int | None = None) -> BankFile:
    """A bank from a file of any readable format, validated as a YAML bank is; BankErrors
    with every problem (FILE:LINE) otherwise."""
    if Path(name).suffix.lower() in YAML:
        return load_bank_bytes(data, name, max_bytes)
    if max_bytes is not None and len(data) > max_bytes:
        raise BankErrors([too_big(name, len(data), max_bytes)])
    text = decode_text(data, name)
    read = _reader(name, text)
    if read is None:
        raise BankErrors([BankError(name, 0, 0, Words(N_(
            "this app cannot read this kind of file; it reads %(readable)s"),
            readable=READABLE))])
    parsed = read(text, name)
    bank = validate(parsed.document, parsed.place, name, parsed.problems)
    bank.titled_by_file_name(parsed.document.get("title") == bank_from_name(name)["title"])
    return bank


def _duplicate_banks(banks: list[tuple[str, BankFile]]) -> list[BankError]:
    first: dict[str, str] = {}
    errors = []
    for path, bank in banks:
        if bank.id in first:
            errors.append(BankError(path, 1, 1, Words(N_(
                "bank id '%(id)s' is also used by %(other)s; bank ids must be unique"),
                id=bank.id, other=first[bank.id])))
        first.setdefault(bank.id, path)
    return errors


def load_many(sources: list[tuple[str, bytes | Path]], max_bytes: int | None) -> list[BankFile]:
    """Load every file; BankErrors with the problems of all of them if any has one."""
    loaded: list[tuple[str, BankFile]] = []
    errors: list[BankError] = []
    for name, source in sources:
        try:
            if isinstance(source, Path):
                size = source.stat().st_size
                if max_bytes is not None and size > max_bytes:
                    raise BankErrors([too_big(name, size, max_bytes)])
                source = source.read_bytes()
            bank = load_bank_file(source, name, max_bytes)
        except BankErrors as exc:
            errors += exc.errors
        except FileNotFoundError:
            errors.append(BankError(name, 0, 0, Words(N_("no such file"))))
        else:
            loaded.append((name, bank))
    errors += _duplicate_banks(loaded)
    if errors:
        raise BankErrors(errors)
    return [bank for _, bank in loaded]


def load_paths(paths: list[str | Path], max_bytes: int | None) -> list[BankFile]:
    """Every bank in these files and folders; a folder with none is a problem, not "OK"."""
    found = bank_paths(paths)
    if not found:
        raise BankErrors([BankError(str(p), 0, 0, Words(N_(
            "no bank files here; this app reads %(readable)s"), readable=READABLE))
            for p in paths])
    return load_many([(str(p), p) for p in found], max_bytes)


def _placed(data: bytes, name: str):
    """Where each location of a valid bank file sits (its lines), for warnings."""
    if Path(name).suffix.lower() in YAML:
        _, root, _ = parse_yaml(data, name)
        return yaml_places(root)
    text = decode_text(data, name)
    return _reader(name, text)(text, name).place


def lint_sources(sources: list[tuple[str, bytes]], banks: list[BankFile]) -> list[BankError]:
    """Item-writing warnings (banks/lint.py) for loaded banks, each on its file's line, in
    file order: `sources` are the (name, content) the banks were loaded from, in order."""
    found = lint(banks)
    warnings = []
    for (name, data), bank in zip(sources, banks, strict=True):
        if not found[bank.id]:
            continue
        place = _placed(data, name)
        for loc, rule, message in found[bank.id]:
            line, col, shown = place(loc)
            key = bank.questions[loc[1]].id
            warnings.append(BankError(name, line, col, Words(
                N_("%(id)s [%(rule)s]: %(warning)s"), id=key, rule=rule, warning=message)))
    return warnings


def lint_paths(paths: list[str | Path], banks: list[BankFile]) -> list[BankError]:
    """The warnings for banks loaded with `load_paths(paths)`."""
    return lint_sources([(str(p), p.read_bytes()) for p in bank_paths(paths)], banks)
