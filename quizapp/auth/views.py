from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_url, login_user, logout_user

from ..database import read_only
from ..extensions import db, limiter, login_manager
from ..models import User
from ..urls import local_path
from . import known_users, service
from .forms import ChangePasswordForm, LoginForm, RegisterForm

bp = Blueprint("auth", __name__)

BAD_LOGIN = "That email and password do not match an account."
PLEASE_LOG_IN = "Please log in to see that page."
PASSWORD_CHANGED = ("Your password was changed, so this browser was logged out. Please log in "
                    "with the new password.")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user, unless the session was signed in before the password last
    changed (see User.get_id): then nobody, and Flask-Login asks for a login."""
    parsed = known_users.parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, signed_in_under = parsed
    user = known_users.of(current_app).load(user_id)
    if user is not None and (user.session_version or 0) != signed_in_under:
        setattr(g, known_users.OUTDATED, True)
        return None
    return user


@login_manager.unauthorized_handler
def ask_to_log_in():
    """Flask-Login's own answer to a page that needs a login (a message, then the login page
    with the page to come back to), saying why when a password change ended the session."""
    outdated = g.pop(known_users.OUTDATED, False)
    flash(PASSWORD_CHANGED if outdated else PLEASE_LOG_IN, "info")
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """Rate-limit key for the account being tried, whatever address it comes from."""
    return "login-account:" + service.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    # A successful login redirects; everything else counts against the limit.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@read_only
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(local_path(request.args.get("next"), url_for("core.home")))
        form.password.errors.append(BAD_LOGIN)
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        new = service.NewAccount(email=form.email.data, name=form.name.data,
                                 password=form.password.data, timezone=form.timezone.data)
        try:
            user = service.create_account(new, current_app.config["PASSWORD_HASH_METHOD"])
        except service.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)
            flash("Your account is ready. Welcome!", "success")
            return redirect(url_for("core.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    known_users.forget_stamp()
    flash("You have logged out.", "info")
    return redirect(url_for("core.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = known_users.fresh(current_user, lock=True)
        if not user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user.set_password(form.password.data, current_app.config["PASSWORD_HASH_METHOD"])
            db.session.commit()
            login_user(user)  # this browser stays signed in, under the new session version
            flash("Your password has been changed. Any other browser signed in to your "
                  "account has been logged out.", "success")
            return redirect(url_for("core.home"))
    return render_template("auth/password.html", form=form)
