from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
    name = StringField("Class name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Create class")


class JoinForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=20)],
                       description="Eight letters and digits, from your teacher.")
    submit = SubmitField("Join class")


def to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A date and time as the teacher typed it, in their zone, as the instant it names."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if value else None


def from_utc(value: datetime | None, zone: str) -> datetime | None:
    """A stored instant as the teacher's zone shows it, for the form to fill in."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


class AssignmentForm(FlaskForm):
    kind = RadioField("Kind of work", default="quiz", choices=[
        SelectChoice("quiz", "Quiz: a graded quiz on the banks or topics"),
        SelectChoice("study", "Study goal: review every card in them at least once")])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    banks = CheckboxList("Banks", choices=[], validate_choice=True)
    tags = CheckboxList("Topics", choices=[], validate_choice=True)
    size = IntegerField("Questions per attempt", default=10, validators=[
        Optional(), NumberRange(1, MAX_QUESTIONS, f"Choose between 1 and {MAX_QUESTIONS}.")])
    feedback = RadioField("Feedback", default="end", choices=[
        SelectChoice("end", "At the end"), SelectChoice("each", "After each question")])
    time_limit = SelectField("Time limit", default="", choices=TIME_LIMITS)
    time_adjustable = BooleanField("Students may add time or turn the limit off", default=True,
                                   description="Leave on unless timing is essential (WCAG "
                                               "2.2.1).")
    attempts_allowed = IntegerField("Attempts allowed", validators=[
        Optional(), NumberRange(1, 20, "Choose between 1 and 20, or leave empty for any.")],
        description="Leave empty for unlimited attempts.")
    opens_at = DateTimeLocalField("Opens", validators=[Optional()],
                                  description="Leave empty to open now.")
    due_at = DateTimeLocalField("Due", validators=[DataRequired(
        message="Give a due date and time.")])
    submit = SubmitField("Create assignment")

    def validate_banks(self, field):
        if not field.data and not self.tags.data:
            raise ValidationError("Pick at least one bank or topic.")

    def validate_due_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("The due date must come after the opening date.")

    def in_zone(self, zone: str) -> None:
        """Dates are typed, and shown, in the teacher's time zone."""
        named = zone.replace("_", " ")
        self.opens_at.description = f"In your time zone ({named}). Leave empty to open now."
        self.due_at.description = f"In your time zone ({named})."
