from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from .service import MIN_PASSWORD_LENGTH, find_user

PASSWORD_RULE = f"Use at least {MIN_PASSWORD_LENGTH} characters."
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def new_password(label: str) -> PasswordField:
    return PasswordField(label, description=PASSWORD_RULE, validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200, message=PASSWORD_RULE)])


def repeat(label: str) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log in")


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[
        DataRequired(), Length(max=254),
        Regexp(EMAIL_PATTERN, message="Enter an email address such as name@example.org.")])
    password = new_password("Password")
    confirm = repeat("Repeat the password")
    timezone = HiddenField()
    submit = SubmitField("Create account")

    def validate_email(self, field):
        if find_user(field.data) is not None:
            raise ValidationError("An account with this email already exists. Log in instead?")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = new_password("New password")
    confirm = repeat("Repeat the new password")
    submit = SubmitField("Change password")
