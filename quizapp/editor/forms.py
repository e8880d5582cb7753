"""The editor's forms: a bank's details, and one form for a question of any of the eight
types (the page shows the fields its type uses). A question's rules are the bank format's,
checked by the same schema as a YAML file, and its messages appear beside the fields."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..banks.schema import QUESTION_TYPES
from ..templating import said

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and '-'."))
ROWS = 6  # choice and pair rows shown; "More rows" adds three


class BankForm(FlaskForm):
    slug = StringField(_l("Bank id"), validators=[DataRequired(), Length(max=64), SLUG],
                       description=_l("Lower-case letters, digits and '-', e.g. water-cycle. It "
                                      "cannot change later."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)],
                                description=_l("One or two sentences students see."))
    language = StringField(_l("Language"), default="en", validators=[
        DataRequired(), Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$",
                               message=_l("A language code such as en, az or ur."))])
    submit = SubmitField(_l("Create the bank"))


class DetailsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    version = HiddenField()
    submit = SubmitField(_l("Save details"))


class ChoiceRow(Form):
    text = StringField(_l("Choice"), validators=[Length(max=4000)])
    feedback = StringField(_l("Feedback when picked (optional)"), validators=[Length(max=4000)])
    right = BooleanField(lazy_pgettext("the right choice", "Right"))


class PairRow(Form):
    left = StringField(lazy_pgettext("a pair's side", "Left"), validators=[Length(max=4000)])
    right = StringField(lazy_pgettext("a pair's side", "Right"), validators=[Length(max=4000)])


def _s(text: str | None) -> str:
    return (text or "").strip()


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(FlaskForm):
    key = StringField(_l("Question id"), validators=[Optional(), Length(max=64), SLUG],
                      description=_l("Students' progress is kept under it. Leave empty to make "
                                     "one from the question."))
    prompt = TextAreaField(_l("Question"), validators=[Length(max=4000)])
    front = TextAreaField(_l("Front"), validators=[Length(max=4000)])
    back = TextAreaField(_l("Back"), validators=[Length(max=4000)])
    text = TextAreaField(_l("Text with gaps"), validators=[Length(max=4000)], description=_l(
        "Mark each gap with double brackets and every answer it accepts: "
        "The [[Caspian|Caspian Sea]] is a lake."))
    choices = FieldList(FormField(ChoiceRow), min_entries=ROWS, max_entries=12)
    truth = RadioField(_l("The statement is"), choices=[SelectChoice("true", _l("True")),
                                                        SelectChoice("false", _l("False"))],
                       validators=[Optional()])
    answers = TextAreaField(_l("Accepted answers"), validators=[Length(max=4000)],
                            description=_l("One a line. Case, spaces, punctuation and accents "
                                           "are ignored when checking."))
    pairs = FieldList(FormField(PairRow), min_entries=ROWS, max_entries=12)
    items = TextAreaField(_l("Items, in the right order"), validators=[Length(max=4000)],
                          description=_l("One a line; students see them shuffled."))
    explanation = TextAreaField(_l("Explanation"), validators=[Length(max=4000)],
                                description=_l("Why the answer is right, shown after "
                                               "answering."))
    paragraphs = StringField(_l("Source paragraphs"), validators=[
        Optional(), Regexp(r"^[\d,\s]*$", message=_l("Numbers only, e.g. 5, 6."))],
        description=_l("Paragraph numbers of the source, e.g. 5, 6."))
    tags = StringField(_l("Topics"), validators=[Length(max=400)],
                       description=_l("kind:value tags separated by spaces, e.g. unit:water "
                                      "theme:energy."))
    difficulty = SelectField(_l("Difficulty"), default="", choices=[
        SelectChoice("", _l("Not set")), SelectChoice("easy", _l("Easy")),
        SelectChoice("medium", _l("Medium")), SelectChoice("hard", _l("Hard"))])
    version = HiddenField()
    # Which button was pressed (save, preview, rows): sent by the buttons themselves, so it
    # is not a hidden field that hidden_tag() would render ahead of them.
    action = StringField()

    def to_question(self, kind: str) -> dict:
        """The question as the bank format holds it (not yet checked)."""
        q: dict = {"type": kind}
        if kind == "flashcard":
            q |= {"front": _s(self.front.data), "back": _s(self.back.data)}
        elif kind == "cloze":
            q["text"] = _s(self.text.data)
        else:
            q["prompt"] = _s(self.prompt.data)
        rows = [r for r in self.choices.data if _s(r["text"])]
        if kind in ("single_choice", "multiple_choice"):
            q["choices"] = [{"text": _s(r["text"]), "feedback": _s(r["feedback"])}
                            if _s(r["feedback"]) else _s(r["text"]) for r in rows]
            right = [_s(r["text"]) for r in rows if r["right"]]
            if kind == "single_choice":
                q["answer"] = right[0] if len(right) == 1 else ""
            else:
                q["answers"] = right
        elif kind == "true_false":
            q["answer"] = {"true": True, "false": False}.get(self.truth.data, "")
        elif kind == "short_answer":
            q["answers"] = _lines(self.answers.data)
        elif kind == "matching":
            q["pairs"] = [{"left": _s(p["left"]), "right": _s(p["right"])}
                          for p in self.pairs.data if _s(p["left"]) or _s(p["right"])]
        elif kind == "ordering":
            q["items"] = _lines(self.items.data)
        if _s(self.explanation.data):
            q["explanation"] = _s(self.explanation.data)
        numbers = [int(n) for n in re.findall(r"\d+", self.paragraphs.data or "")]
        if numbers:
            q["source"] = {"paragraphs": numbers}
        tags = (self.tags.data or "").split()
        if tags:
            q["tags"] = tags
        if self.difficulty.data:
            q["difficulty"] = self.difficulty.data
        return q

    def fill(self, question: dict) -> None:
        """Show a stored question in the form."""
        kind = question["type"]
        self.key.data = question.get("id")
        self.prompt.data = question.get("prompt", "")
        self.front.data, self.back.data = question.get("front", ""), question.get("back", "")
        self.text.data = question.get("text", "")
        right = [question["answer"]] if kind == "single_choice" else question.get("answers", [])
        choices = [c if isinstance(c, dict) else {"text": c} for c in question.get("choices", [])]
        _rows(self.choices, [{"text": c["text"], "feedback": c.get("feedback", ""),
                              "right": c["text"] in right} for c in choices])
        _rows(self.pairs, question.get("pairs", []))
        if kind == "true_false":
            self.truth.data = "true" if question["answer"] else "false"
        self.answers.data = "\n".join(question.get("answers", [])) if kind == "short_answer" \
            else ""
        self.items.data = "\n".join(question.get("items", []))
        self.explanation.data = question.get("explanation", "")
        self.paragraphs.data = ", ".join(map(str, question.get("source", {}).get(
            "paragraphs", [])))
        self.tags.data = " ".join(question.get("tags", []))
        self.difficulty.data = question.get("difficulty") or ""

    def more_rows(self) -> None:
        for field in (self.choices, self.pairs):
            for _ in range(3):
                if len(field.entries) < field.max_entries:
                    field.append_entry()

    def show_problems(self, kind: str, problems: list[tuple[tuple, str]]) -> None:
        """Each problem beside the field it concerns."""
        for loc, message in problems:
            message = said(message)
            field = _field_for(self, kind, loc)
            field.errors = [*list(field.errors), message]


def _rows(field: FieldList, data: list[dict]) -> None:
    """Fill a list of rows (choices, pairs), keeping at least ROWS of them."""
    while len(field.entries) < max(len(data), ROWS):
        field.append_entry()
    for entry, row in zip(field.entries, data + [{}] * len(field.entries), strict=False):
        for sub in entry.form:
            sub.data = row.get(sub.short_name, False if isinstance(sub, BooleanField) else "")


_FIELDS = {"prompt": "prompt", "front": "front", "back": "back", "text": "text",
           "choices": "choices", "pairs": "pairs", "items": "items",
           "explanation": "explanation", "tags": "tags", "source": "paragraphs",
           "difficulty": "difficulty", "id": "key"}


def _field_for(form: QuestionForm, kind: str, loc: tuple):
    name = str(loc[0]) if loc else ""
    if name == "answer":
        return form.truth if kind == "true_false" else form.choices
    if name == "answers":
        return form.answers if kind == "short_answer" else form.choices
    return getattr(form, _FIELDS.get(name, "prompt"))


TYPE_NAMES = {
    "flashcard": _l("Flashcard"), "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"), "true_false": _l("True false"),
    "short_answer": _l("Short answer"), "cloze": _l("Cloze"), "matching": _l("Matching"),
    "ordering": _l("Ordering"),
}
TYPES = [(kind, TYPE_NAMES.get(kind, kind.replace("_", " ").capitalize()))
         for kind in QUESTION_TYPES]
