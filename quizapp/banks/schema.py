"""The bank format, defined once. questions/schema.json is generated from BankFile."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

Slug = Annotated[
    StrictStr,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=1, max_length=64),
    Field(description="Lower-case letters, digits and '-'."),
]
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Tag = Annotated[
    StrictStr,
    StringConstraints(pattern=r"^[a-z0-9-]+(:[a-z0-9-]+)?$", max_length=80),
    Field(description="A kind:value slug such as theme:energy, project:cpec, position:kashmir."),
]
LanguageCode = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")]
GAP = re.compile(r"\[\[(.+?)\]\]")
QUESTION_TYPES = (
    "flashcard", "single_choice", "multiple_choice", "true_false",
    "short_answer", "cloze", "matching", "ordering",
)


def normalise_answer(text: str) -> str:
    """How typed answers are compared: case, surrounding space, punctuation, diacritics ignored.

    Apostrophes vanish ("Pakistan's" = "Pakistans"); other punctuation separates words
    ("China-Pakistan" = "China Pakistan").
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch) or ch in "'’":
            continue
        kept.append(" " if unicodedata.category(ch)[0] in "PS" else ch)
    return " ".join("".join(kept).split())


def cloze_gaps(text: str) -> list[list[str]]:
    """The accepted answers of each [[gap|alternative]] in a cloze text, in order."""
    return [[alt.strip() for alt in m.group(1).split("|")] for m in GAP.finditer(text)]


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx)


def _distinct(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise _error("duplicate", f"{what} '{{value}}' appears twice", value=value)
        seen.add(value)
    return values


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    paragraphs: list[PositiveInt] = Field(default_factory=list,
                                          description="Paragraph numbers of the source.")


class BankSource(Strict):
    author: Text | None = None
    publisher: Text | None = None
    title: Text | None = None
    url: Text | None = None
    date: dt.date | None = None


def _choice_from_text(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Choice(Strict):
    text: Text
    feedback: Text | None = Field(None, description="Shown when this choice is picked.")


ChoiceItem = Annotated[
    Choice, BeforeValidator(_choice_from_text, json_schema_input_type=str | Choice)
]


LintRule = Literal["all-none-of-the-above", "absolute-cue", "key-stands-out", "a-an-mismatch",
                   "negative-stem", "answer-in-prompt", "near-duplicate", "stock-distractor",
                   "single-common-key"]


class QuestionBase(Strict):
    id: Slug
    source: SourceRef = Field(default_factory=SourceRef)
    tags: list[Tag] = Field(default_factory=list)
    difficulty: Literal["easy", "medium", "hard"] | None = None
    waive: dict[LintRule, Text] | None = Field(
        None, description="Item-writing warnings (banks check --lint) this question waives, "
                          "each with the reason.")


class Flashcard(QuestionBase):
    type: Literal["flashcard"]
    front: Text
    back: Text
    explanation: Text | None = None


class _ChoiceQuestion(QuestionBase):
    prompt: Text
    choices: list[ChoiceItem] = Field(min_length=2, max_length=12)
    explanation: Text | None = Field(None, description="Why the answer is right.")

    @field_validator("choices")
    @classmethod
    def _choices_distinct(cls, choices: list[Choice]) -> list[Choice]:
        _distinct([c.text for c in choices], "choice")
        return choices

    @property
    def choice_texts(self) -> list[str]:
        return [c.text for c in self.choices]


class SingleChoice(_ChoiceQuestion):
    type: Literal["single_choice"]
    answer: Text

    @field_validator("answer")
    @classmethod
    def _answer_is_a_choice(cls, answer: str, info) -> str:
        choices = info.data.get("choices")
        if choices is not None and answer not in [c.text for c in choices]:
            raise _error("not_a_choice", "'{answer}' is not one of the choices", answer=answer)
        return answer


class MultipleChoice(_ChoiceQuestion):
    type: Literal["multiple_choice"]
    answers: list[Text] = Field(min_length=1)

    @field_validator("answers")
    @classmethod
    def _answers_are_choices(cls, answers: list[str], info) -> list[str]:
        _distinct(answers, "answer")
        choices = info.data.get("choices")
        texts = [c.text for c in choices] if choices is not None else None
        for answer in answers:
            if texts is not None and answer not in texts:
                raise _error("not_a_choice", "'{answer}' is not one of the choices",
                             answer=answer)
        return answers


class TrueFalse(QuestionBase):
    type: Literal["true_false"]
    prompt: Text
    answer: StrictBool
    explanation: Text | None = Field(None, description="Why the answer is right.")


class ShortAnswer(QuestionBase):
    type: Literal["short_answer"]
    prompt: Text
    answers: list[Text] = Field(min_length=1, description="Every accepted answer.")
    explanation: Text | None = Field(None, description="Why the answer is right.")

    @field_validator("answers")
    @classmethod
    def _answers_comparable(cls, answers: list[str]) -> list[str]:
        for answer in answers:
            if not normalise_answer(answer):
                raise _error("empty_answer", "'{answer}' has no letters or digits to compare",
                             answer=answer)
        return answers


class Cloze(QuestionBase):
    type: Literal["cloze"]
    prompt: Text | None = None
    text: Text = Field(description="Mark each gap as [[answer|other accepted answer]].")
    explanation: Text | None = Field(None, description="Why the answer is right.")

    @field_validator("text")
    @classmethod
    def _has_gaps(cls, text: str) -> str:
        gaps = cloze_gaps(text)
        if not gaps:
            raise _error("no_gaps", "the text has no gaps: mark each as [[answer]]")
        if any(not alt for gap in gaps for alt in gap):
            raise _error("empty_gap", "a gap has an empty answer: write [[answer|other]]")
        return text


class Pair(Strict):
    left: Text
    right: Text


class Matching(QuestionBase):
    type: Literal["matching"]
    prompt: Text
    pairs: list[Pair] = Field(min_length=2, max_length=12)
    explanation: Text | None = Field(None, description="Why the answer is right.")

    @field_validator("pairs")
    @classmethod
    def _pairs_distinct(cls, pairs: list[Pair]) -> list[Pair]:
        _distinct([p.left for p in pairs], "left item")
        _distinct([p.right for p in pairs], "right item")
        return pairs


class Ordering(QuestionBase):
    type: Literal["ordering"]
    prompt: Text
    items: list[Text] = Field(min_length=2, max_length=12,
                              description="The items in their right order.")
    explanation: Text | None = Field(None, description="Why the answer is right.")

    @field_validator("items")
    @classmethod
    def _items_distinct(cls, items: list[str]) -> list[str]:
        return _distinct(items, "item")


Question = Annotated[
    Flashcard | SingleChoice | MultipleChoice | TrueFalse | ShortAnswer | Cloze | Matching
    | Ordering,
    Field(discriminator="type"),
]


class BankFile(Strict):
    """One question bank: one YAML file."""

    id: Slug
    title: Text
    language: LanguageCode = "en"
    description: Text | None = None
    source: BankSource | None = None
    questions: list[Question] = Field(min_length=1)
    # True when the file could not name the bank (GIFT, CSV, Aiken...) and its title was
    # made from the file's name: a re-import then keeps the bank's own title and details.
    _titled_by_file_name: bool = PrivateAttr(default=False)

    def titled_by_file_name(self, value: bool | None = None) -> bool:
        if value is not None:
            self._titled_by_file_name = value
        return self._titled_by_file_name


def json_schema() -> dict:
    schema = BankFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Question bank"
    return schema
