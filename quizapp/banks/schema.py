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
    model_validator,
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
            raise _error("duplicate", "{what} '{value}' appears twice", what=what, value=value)
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


class Pair(Strict):
    left: Text
    right: Text


class Translation(Strict):
    """A question's texts in another language. Lists match the question's own item by item
    (the same choice, pair or item in the same place), so answers and grading carry over;
    a field left out is shown in the bank's language."""

    prompt: Text | None = None
    front: Text | None = None
    back: Text | None = None
    text: Text | None = Field(None, description="A cloze text, with the same number of gaps.")
    choices: list[ChoiceItem] | None = None
    answers: list[Text] | None = Field(
        None, description="short_answer only: the answers accepted in this language.")
    pairs: list[Pair] | None = None
    items: list[Text] | None = None
    explanation: Text | None = None


# The fields a translation may carry for each type, beyond prompt and explanation.
TRANSLATABLE = {
    "flashcard": ("front", "back", "explanation"),
    "single_choice": ("prompt", "choices", "explanation"),
    "multiple_choice": ("prompt", "choices", "explanation"),
    "true_false": ("prompt", "explanation"),
    "short_answer": ("prompt", "answers", "explanation"),
    "cloze": ("prompt", "text", "explanation"),
    "matching": ("prompt", "pairs", "explanation"),
    "ordering": ("prompt", "items", "explanation"),
}


class QuestionBase(Strict):
    id: Slug
    source: SourceRef = Field(default_factory=SourceRef)
    tags: list[Tag] = Field(default_factory=list)
    difficulty: Literal["easy", "medium", "hard"] | None = None
    waive: dict[LintRule, Text] | None = Field(
        None, description="Item-writing warnings (banks check --lint) this question waives, "
                          "each with the reason.")
    translations: dict[LanguageCode, Translation] | None = Field(
        None, description="The question in other languages, by language code (az, ur...).")

    @model_validator(mode="after")
    def _translations_fit(self):
        for code, translation in (self.translations or {}).items():
            _check_translation(self, code, translation)
        return self


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


def _check_translation(question: QuestionBase, code: str, translation: Translation) -> None:
    """A translation carries only the question's own fields, with as many entries."""
    allowed = TRANSLATABLE[question.type]
    for name in translation.model_fields_set:
        if getattr(translation, name) is not None and name not in allowed:
            raise _error("translation_field", "translation '{code}' has '{field}', which a "
                         "{qtype} question does not have", code=code, field=name,
                         qtype=question.type)
    for name in ("choices", "pairs", "items"):
        theirs, ours = getattr(translation, name), getattr(question, name, None)
        if theirs is not None and ours is not None and len(theirs) != len(ours):
            raise _error("translation_length", "translation '{code}' must translate each of "
                         "the {field} in the same order: it has {theirs}, the question {ours}",
                         code=code, theirs=len(theirs), ours=len(ours), field=name)
    if translation.choices is not None:
        texts = [c.text for c in translation.choices]
        for text in texts:
            if texts.count(text) > 1:
                raise _error("translation_duplicate", "translation '{code}': choice '{value}' "
                             "appears twice", code=code, value=text)
    if translation.text is not None:
        theirs, ours = cloze_gaps(translation.text), cloze_gaps(question.text)
        if len(theirs) != len(ours):
            raise _error("translation_gaps", "translation '{code}' must have as many gaps as "
                         "the text: it has {theirs}, the text {ours}", code=code,
                         theirs=len(theirs), ours=len(ours))
        if any(not alt for gap in theirs for alt in gap):
            raise _error("translation_empty_gap",
                         "a gap of translation '{code}' has an empty answer", code=code)
    for answer in translation.answers or []:
        if not normalise_answer(answer):
            raise _error("empty_answer", "'{answer}' has no letters or digits to compare",
                         answer=answer)


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

    @model_validator(mode="after")
    def _no_translation_into_itself(self):
        for question in self.questions:
            if self.language in (question.translations or {}):
                raise _error("translation_language", "question '{id}' has a translation into "
                             "'{code}', the bank's own language", id=question.id,
                             code=self.language)
        return self

    def titled_by_file_name(self, value: bool | None = None) -> bool:
        if value is not None:
            self._titled_by_file_name = value
        return self._titled_by_file_name


def json_schema() -> dict:
    schema = BankFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Question bank"
    return schema
