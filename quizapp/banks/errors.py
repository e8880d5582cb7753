"""Problems a teacher can cause in a bank file, each with a place to look."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Words


@dataclass(frozen=True)
class BankError:
    path: str
    line: int  # 1-based; 0 when the problem is the file as a whole
    col: int  # 1-based
    message: Words | str  # English when printed; a page says it in the reader's language

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def __lt__(self, other: BankError) -> bool:
        return _key(self) < _key(other)


def _key(e: BankError) -> tuple:
    return (e.path, e.line, e.col, str(e.message))


class BankErrors(Exception):
    """Raised with every problem found in one or more files."""

    def __init__(self, errors: list[BankError]):
        # In file order; a file's "... and N more" line after its listed problems.
        self.errors = sorted(errors, key=lambda e: (e.path, str(e.message).startswith(
            "... and "), e.line, e.col, str(e.message)))
        super().__init__("\n".join(str(e) for e in self.errors))

    def report(self) -> str:
        """Every problem on its own line, then the count: what the CLI prints."""
        return f"{self}\n{len(self.errors)} problem(s) found; nothing was written."
