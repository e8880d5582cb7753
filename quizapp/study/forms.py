import re
from datetime import date
from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ..scheduling import parse_steps

TIMEZONES = sorted(available_timezones())


def finite(_form, field) -> None:
    """NaN and infinity are numbers to Python's Decimal, but to nobody choosing a setting."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_("Enter a number such as 0.90."))


class StudySettingsForm(FlaskForm):
    timezone = SelectField(_l("Time zone"), choices=TIMEZONES, description=_l(
        "Your study day starts at 4 am in this time zone."))
    desired_retention = DecimalField(
        _l("Desired retention"), places=2,
        validators=[DataRequired(), finite,
                    NumberRange(0.80, 0.97, _l("Choose between 0.80 and 0.97."))],
        description=_l("The share of cards you want to remember when they come back "
                       "(0.80–0.97). Higher means more reviews."))
    new_cards_per_day = IntegerField(
        _l("New cards per day"),
        validators=[NumberRange(0, 500, _l("Choose between 0 and 500."))])
    max_reviews_per_day = IntegerField(
        _l("Maximum reviews per day"),
        validators=[NumberRange(1, 5000, _l("Choose between 1 and 5000."))])
    learning_steps = StringField(
        _l("Learning steps"), validators=[DataRequired()],
        description=_l("Waits before a new card graduates, e.g. 1m 10m (s, m, h, d)."))
    submit = SubmitField(_l("Save settings"))

    def validate_learning_steps(self, field):
        try:
            parse_steps(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc).capitalize() + ".") from exc


class TargetForm(FlaskForm):
    scope = SelectField(_l("Be ready in"), validators=[InputRequired()])
    day = DateField(_l("Target day"),
                    validators=[InputRequired(_l("Choose a day, e.g. 2027-03-15."))],
                    description=_l("An exam, a departure day: the day you want to know it."))
    recall = IntegerField(
        _l("Recall to reach (%)"),
        validators=[Optional(), NumberRange(70, 99, _l("Choose between 70 and 99."))],
        description=_l("Leave it empty to use your desired retention."))
    submit = SubmitField(_l("Set target"))


class ClassTargetForm(TargetForm):
    """A teacher's target for a class: an exam day, for every student enrolled."""

    day = DateField(_l("Target day"),
                    validators=[InputRequired(_l("Choose a day, e.g. 2027-03-15."))],
                    description=_l("An exam, a departure day: the day the class should know "
                                   "it."))
    recall = IntegerField(
        _l("Recall to reach (%)"),
        validators=[Optional(), NumberRange(70, 99, _l("Choose between 70 and 99."))],
        description=_l("Leave it empty for each student's desired retention."))


def fill_target_scopes(form: TargetForm, groups: dict[str, list[tuple[str, str]]]) -> None:
    """The scopes a target can be set for, grouped (see targets.scope_choices)."""
    names = {"orientation": _("Orientation"), "banks": _("Banks"), "topics": _("Topics")}
    form.scope.choices = [SelectChoice(value, label, optgroup=names[group])
                          for group, options in groups.items() for value, label in options]


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_KINDS = [SelectChoice("", _l("Normal")), SelectChoice("light", _l("Light")),
             SelectChoice("free", _l("Free"))]
_DATE_SEPARATORS = re.compile(r"[\s,;]+")


def parse_dates(text: str) -> frozenset[date]:
    """'2027-01-01, 2027-01-02' -> the dates. Raises ValueError with a readable message."""
    found = set()
    for part in filter(None, _DATE_SEPARATORS.split(text or "")):
        try:
            found.add(date.fromisoformat(part))
        except ValueError:
            raise ValueError(_("“%(text)s” is not a date: write it as 2027-01-31.",
                               text=part[:40])) from None
    if len(found) > 366:
        raise ValueError(_("List at most 366 dates."))
    return frozenset(found)


class DaysOffForm(FlaskForm):
    mon = SelectField(choices=DAY_KINDS)
    tue = SelectField(choices=DAY_KINDS)
    wed = SelectField(choices=DAY_KINDS)
    thu = SelectField(choices=DAY_KINDS)
    fri = SelectField(choices=DAY_KINDS)
    sat = SelectField(choices=DAY_KINDS)
    sun = SelectField(choices=DAY_KINDS)
    free_dates = TextAreaField(_l("Free dates"), description=_l(
        "No reviews on these days: holidays, travel. Write dates as 2027-01-31, separated "
        "by spaces or new lines."))
    light_dates = TextAreaField(_l("Light dates"), description=_l(
        "Fewer reviews on these days."))
    submit = SubmitField(_l("Save days off"))

    def validate_free_dates(self, field):
        try:
            parse_dates(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    validate_light_dates = validate_free_dates

    def weekday_fields(self):
        return [getattr(self, name) for name in WEEKDAYS]


class CatchUpForm(FlaskForm):
    days = IntegerField(_l("Spread them over (days)"), default=5, validators=[
        InputRequired(), NumberRange(1, 30, _l("Choose between 1 and 30."))])
    submit = SubmitField(_l("Catch up"))


class DepartureForm(FlaskForm):
    """A class's target for an orientation path: its departure day (coordinators)."""

    day = DateField(_l("Departure day"),
                    validators=[InputRequired(_l("Choose a day, e.g. 2027-03-15."))])
    recall = IntegerField(
        _l("Recall to reach (%)"),
        validators=[Optional(), NumberRange(70, 99, _l("Choose between 70 and 99."))],
        description=_l("Leave it empty for each student's desired retention."))
    submit = SubmitField(_l("Set departure day"))
