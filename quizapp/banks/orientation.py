"""The orientation path format (questions/orientation.yaml), validated like a bank."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from .loader import Check, load_document
from .schema import Slug, SourceRef, Strict, Tag, Text


class MasteryCheck(Strict):
    questions: int = Field(10, ge=1, le=50, description="Questions in the mastery quiz.")
    pass_mark: float = Field(0.8, ge=0.1, le=1.0, description="Share needed to pass (0.8 = 80%).")


class Module(Strict):
    id: Slug
    title: Text
    briefing: list[Text] = Field(min_length=1, description="Paragraphs of the briefing.")
    source: SourceRef = Field(default_factory=SourceRef)
    banks: list[Slug] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    check: MasteryCheck = Field(default_factory=MasteryCheck)

    @model_validator(mode="after")
    def _needs_something(self) -> Module:
        if not self.tags and not self.banks:
            raise ValueError("a module needs at least one bank or tag to draw questions from")
        return self


class OrientationFile(Strict):
    """A guided path of modules, each with a briefing and a mastery check."""

    id: Slug
    title: Text
    description: Text | None = None
    modules: list[Module] = Field(min_length=1)


def load_path_bytes(data: bytes, path: str, max_bytes: int | None = None,
                    check: Check | None = None) -> OrientationFile:
    return load_document(data, path, OrientationFile, "modules", max_bytes, check)


def load_path(path: str | Path, max_bytes: int | None = None,
              check: Check | None = None) -> OrientationFile:
    path = Path(path)
    return load_path_bytes(path.read_bytes(), str(path), max_bytes, check)
