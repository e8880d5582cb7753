"""Finding and loading several bank files at once, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

from .errors import BankError, BankErrors
from .loader import load_bank, load_bank_bytes
from .schema import BankFile

NOT_BANKS = {"orientation.yaml"}  # other YAML that lives beside the banks


def bank_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given; for a folder, its *.yaml and *.yml files (sorted), banks only."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix in (".yaml", ".yml") and p.name not in NOT_BANKS)
        else:
            found.append(path)
    return found


def _duplicate_banks(banks: list[tuple[str, BankFile]]) -> list[BankError]:
    first: dict[str, str] = {}
    errors = []
    for path, bank in banks:
        if bank.id in first:
            errors.append(BankError(path, 1, 1, f"bank id '{bank.id}' is also used by "
                                                f"{first[bank.id]}; bank ids must be unique"))
        first.setdefault(bank.id, path)
    return errors


def load_many(sources: list[tuple[str, bytes | Path]], max_bytes: int | None) -> list[BankFile]:
    """Load every file; BankErrors with the problems of all of them if any has one."""
    loaded: list[tuple[str, BankFile]] = []
    errors: list[BankError] = []
    for name, source in sources:
        try:
            if isinstance(source, Path):
                bank = load_bank(source, max_bytes)
            else:
                bank = load_bank_bytes(source, name, max_bytes)
        except BankErrors as exc:
            errors += exc.errors
        except FileNotFoundError:
            errors.append(BankError(name, 0, 0, "no such file"))
        else:
            loaded.append((name, bank))
    errors += _duplicate_banks(loaded)
    if errors:
        raise BankErrors(errors)
    return [bank for _, bank in loaded]


def load_paths(paths: list[str | Path], max_bytes: int | None) -> list[BankFile]:
    return load_many([(str(p), p) for p in bank_paths(paths)], max_bytes)
