from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..auth.forms import new_password, repeat


class ResetForm(FlaskForm):
    password = new_password(_l("New password"))
    confirm = repeat(_l("Repeat the new password"))
    submit = SubmitField(_l("Set the new password"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Email me a link"))


class DeleteForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    understood = BooleanField(_l("I understand that this cannot be undone."),
                              validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Delete my account"))
