"""Forms of live sessions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..quiz.forms import CheckboxList
from .service import MAX_QUESTIONS

COUNTDOWNS = [SelectChoice("", _l("None: I close each question")),
              SelectChoice("10", _l("10 seconds")), SelectChoice("20", _l("20 seconds")),
              SelectChoice("30", _l("30 seconds")), SelectChoice("60", _l("1 minute"))]


class NewLiveForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)],
                        default=_l("Live quiz"))
    banks = CheckboxList(_l("Banks"), choices=[], validate_choice=True)
    tags = CheckboxList(_l("Topics"), choices=[], validate_choice=True)
    size = IntegerField(_l("Number of questions"), default=10, validators=[
        NumberRange(1, MAX_QUESTIONS, _l("Choose between 1 and %(max)d questions.",
                                         max=MAX_QUESTIONS))])
    seconds = SelectField(_l("Countdown per question"), choices=COUNTDOWNS, default="20")
    school_class = SelectField(_l("For"), choices=[], default="")
    guests = BooleanField(_l("Let guests join with a nickname (their answers are not kept)"))
    leaderboard = SelectField(_l("Leaderboard"), default="named", choices=[
        SelectChoice("named", _l("With nicknames")),
        SelectChoice("anonymous", _l("Anonymous: only each player sees their place")),
        SelectChoice("off", _l("Off"))])
    submit = SubmitField(_l("Open the session"))

    def validate_banks(self, field):
        if not field.data and not self.tags.data:
            raise ValidationError(_l("Pick at least one bank or topic."))


class JoinForm(FlaskForm):
    code = StringField(_l("Session code"), validators=[DataRequired(), Length(max=16)])
    nickname = StringField(_l("Nickname"), validators=[Length(max=40)],
                           description=_l("Shown on the screen; guests only."))
    submit = SubmitField(_l("Join"))
