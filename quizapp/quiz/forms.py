from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..labels import tag_label, topic_order
from ..models import Bank, Question, QuestionTag
from .service import MAX_QUESTIONS


def _minutes(count: int) -> str:
    return ngettext("%(num)d minute", "%(num)d minutes", count)


TIME_LIMITS = [SelectChoice("", _l("No time limit"))] + [
    SelectChoice(str(m), LazyString(_minutes, m)) for m in (5, 10, 15, 20, 30, 45, 60)]


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewQuizForm(FlaskForm):
    banks = CheckboxList(_l("Banks"), choices=[], validate_choice=True)
    tags = CheckboxList(_l("Topics"), choices=[], validate_choice=True)
    size = IntegerField(_l("Number of questions"), default=10, validators=[
        NumberRange(1, MAX_QUESTIONS, _l("Choose between 1 and %(max)d questions.",
                                         max=MAX_QUESTIONS))])
    feedback = RadioField(_l("Feedback"), default="end", choices=[
        SelectChoice("end", _l("At the end: change answers until you submit")),
        SelectChoice("each", _l("After each question: see right or wrong straight away"))])
    time_limit = SelectField(_l("Time limit"), choices=TIME_LIMITS, default="",
                             description=_l("You can add time or turn the limit off during the "
                                            "quiz."))
    submit = SubmitField(_l("Start quiz"))

    def validate_banks(self, field):
        if not field.data and not self.tags.data:
            raise ValidationError(_("Pick at least one bank or topic."))


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: for buttons that change state."""


def fill_scope_choices(form, banks: list[str] | None = None) -> None:
    """The banks and topic tags a quiz or assignment can draw from: any bank, or only
    `banks` (an assignment: the bundled ones and the teacher's own)."""
    live = select(Question.bank_id).where(Question.retired.is_(False))
    if banks is not None:
        live = live.where(Question.bank_id.in_(select(Bank.id).where(Bank.slug.in_(banks))))
    form.banks.choices = [SelectChoice(slug, title) for slug, title in db.session.execute(
        select(Bank.slug, Bank.title).where(Bank.id.in_(live)).order_by(Bank.id))]
    tags = db.session.scalars(select(QuestionTag.tag).distinct()
                              .join(Question, Question.id == QuestionTag.question_id)
                              .where(Question.id.in_(select(Question.id).where(
                                  Question.bank_id.in_(live))))
                              .order_by(QuestionTag.tag))
    form.tags.choices = [SelectChoice(t, tag_label(t)) for t in sorted(tags, key=topic_order)]
