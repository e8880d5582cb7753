from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..quiz.forms import TIME_LIMITS, CheckboxList
from ..quiz.service import MAX_QUESTIONS


class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Create class"))


class JoinForm(FlaskForm):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Eight letters and digits, from your teacher."))
    submit = SubmitField(_l("Join class"))


def to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A date and time as the teacher typed it, in their zone, as the instant it names."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if value else None


def from_utc(value: datetime | None, zone: str) -> datetime | None:
    """A stored instant as the teacher's zone shows it, for the form to fill in."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


class AssignmentForm(FlaskForm):
    kind = RadioField(_l("Kind of work"), default="quiz", choices=[
        SelectChoice("quiz", _l("Quiz: a graded quiz on the banks or topics")),
        SelectChoice("study", _l("Study goal: review every card in them at least once"))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    banks = CheckboxList(_l("Banks"), choices=[], validate_choice=True)
    tags = CheckboxList(_l("Topics"), choices=[], validate_choice=True)
    size = IntegerField(_l("Questions per attempt"), default=10, validators=[
        Optional(), NumberRange(1, MAX_QUESTIONS, _l("Choose between 1 and %(max)d.",
                                                     max=MAX_QUESTIONS))])
    feedback = RadioField(_l("Feedback"), default="end", choices=[
        SelectChoice("end", _l("At the end")),
        SelectChoice("each", _l("After each question"))])
    time_limit = SelectField(_l("Time limit"), default="", choices=TIME_LIMITS)
    time_adjustable = BooleanField(_l("Students may add time or turn the limit off"),
                                   default=True,
                                   description=_l("Leave on unless timing is essential (WCAG "
                                                  "2.2.1)."))
    attempts_allowed = IntegerField(_l("Attempts allowed"), validators=[
        Optional(), NumberRange(1, 20, _l("Choose between 1 and 20, or leave empty for any."))],
        description=_l("Leave empty for unlimited attempts."))
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()],
                                  description=_l("Leave empty to open now."))
    due_at = DateTimeLocalField(_l("Due"), validators=[DataRequired(
        message=_l("Give a due date and time."))])
    submit = SubmitField(_l("Create assignment"))

    def validate_banks(self, field):
        if not field.data and not self.tags.data:
            raise ValidationError(_("Pick at least one bank or topic."))

    def validate_due_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_("The due date must come after the opening date."))

    def in_zone(self, zone: str) -> None:
        """Dates are typed, and shown, in the teacher's time zone."""
        named = zone.replace("_", " ")
        self.opens_at.description = _("In your time zone (%(zone)s). Leave empty to open now.",
                                      zone=named)
        self.due_at.description = _("In your time zone (%(zone)s).", zone=named)
