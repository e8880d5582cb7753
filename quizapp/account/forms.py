from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..auth.forms import new_password, repeat


class ResetForm(FlaskForm):
    password = new_password("New password")
    confirm = repeat("Repeat the new password")
    submit = SubmitField("Set the new password")


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Email me a link")


class DeleteForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired()])
    understood = BooleanField("I understand that this cannot be undone.",
                              validators=[DataRequired("Tick the box to confirm.")])
    submit = SubmitField("Delete my account")
