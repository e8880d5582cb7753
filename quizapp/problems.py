"""Problems a user caused and should read about, raised by the domain (no Flask here).

A problem keeps its message as a template marked for translation (`N_`, which pybabel
extracts) and the values that fill it; `str()` is the English, and a view shows it in the
reader's language with `flask_babel.gettext(problem.template, **problem.values)`.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    return message


class Problem(ValueError):
    def __init__(self, template: str, **values) -> None:
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


class Words:
    """A phrase for the reader that the domain composes (a dashboard cell, say): English
    when printed, and translated where a page shows it (the `said` filter)."""

    def __init__(self, template: str, **values) -> None:
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return self.template % self.values if self.values else self.template

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))
