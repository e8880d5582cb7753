from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, NumberRange, StopValidation, ValidationError

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
