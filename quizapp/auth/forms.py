from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from .service import MIN_PASSWORD_LENGTH, find_user

PASSWORD_RULE = _l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def new_password(label) -> PasswordField:
    return PasswordField(label, description=PASSWORD_RULE, validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200, message=PASSWORD_RULE)])


def repeat(label) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.org."))])
    password = new_password(_l("Password"))
    confirm = repeat(_l("Repeat the password"))
    timezone = HiddenField()
    submit = SubmitField(_l("Create account"))

    def validate_email(self, field):
        if find_user(field.data) is not None:
            raise ValidationError(_("An account with this email already exists. Log in "
                                    "instead?"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = new_password(_l("New password"))
    confirm = repeat(_l("Repeat the new password"))
    submit = SubmitField(_l("Change password"))
