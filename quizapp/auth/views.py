import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_url, login_user, logout_user

from .. import audit
from ..classes import service as classes
from ..extensions import db, limiter, login_manager
from ..models import User
from ..templating import said
from ..urls import local_path
from . import service, sessions
from .forms import EMAIL_PATTERN, ChangePasswordForm, LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools know
    """Mark a message for translation where it is defined; it is translated (with _) where
    it is shown. The constant stays plain English for the code and tests that compare it."""
    return message


BAD_LOGIN = N_("That email and password do not match an account.")
PLEASE_LOG_IN = N_("Please log in to see that page.")
SESSION_ENDED = {
    "password": N_("Your password was changed, so this browser was logged out. Please log in "
                   "with the new password."),
    "expired": N_("Your login has expired. Please log in again."),
    "ended": N_("This browser was logged out from your account page or by an admin. Please "
                "log in again."),
}
DEACTIVATED = N_("This account is deactivated. Ask an admin if you need it again.")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EMAIL = re.compile(EMAIL_PATTERN)


def _now() -> datetime:
    return datetime.now(UTC)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of the login session the cookie names, read afresh on every request, while
    that session is live; otherwise nobody (see auth/sessions.py)."""
    found = sessions.look_up(db.session, token, _now())
    if found.user is None or not found.user.active:
        g.session_ended = found.ended or "ended"
        return None
    g.login_session = found.row
    if request.method in WRITES:
        sessions.touch(found.row, _now())
    return found.user


def current_login_session():
    """This browser's login session row (after Flask-Login has loaded the user)."""
    return g.get("login_session") if current_user.is_authenticated else None


@login_manager.unauthorized_handler
def ask_to_log_in():
    """A page that needs a login: say so (and why, when this browser's session ended), then
    the login page with the page to come back to."""
    flash(_(SESSION_ENDED.get(g.get("session_ended"), PLEASE_LOG_IN)), "info")
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _fresh_csrf_token() -> None:
    """A new CSRF token for the new login state (Flask-WTF makes one when a form needs it)."""
    cookie.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


JOIN_LINK = re.compile(r"/join/([A-Za-z0-9-]{1,20})")


def _onward(user: User):
    """Where a new login goes: the page it came from, and when that was a class's join link,
    into the class at once (the login or registration is the student's "yes")."""
    target = local_path(request.args.get("next"), url_for("core.home"))
    link = JOIN_LINK.fullmatch(target)
    if link is None:
        return redirect(target)
    try:
        school_class = classes.join_class(db.session, user, link.group(1))
    except classes.ClassError as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("student_classes.join"))
    audit.here("class_joined", target=f"class {school_class.name} (#{school_class.id})")
    db.session.commit()
    flash(_("You joined %(name)s.", name=school_class.name), "success")
    return redirect(url_for("core.home"))


def sign_in(user: User) -> None:
    """Start a login session for this browser and commit it."""
    days = current_app.config["SESSION_DAYS"]
    g.login_session = sessions.start(db.session, user, request.user_agent.string, _now(),
                                     timedelta(days=days))
    db.session.commit()
    _fresh_csrf_token()
    login_user(user)


def _login_email() -> str:
    """The email tried, as part of a rate-limit key: a real email or one fixed word, so a key
    is never longer than an email can be."""
    email = service.normalise_email(request.form.get("email", ""))
    return email if len(email) <= 254 and EMAIL.fullmatch(email) else "-"


def _from_address_for_account() -> str:
    return f"login:{get_remote_address()}:{_login_email()}"


def _for_account() -> str:
    return f"login-account:{_login_email()}"


def _failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects


# Tries are counted as they arrive, before the password is checked, so a burst sent at once
# cannot slip past: per address and account, and per address over all accounts. A slower
# limit per account whatever the address (failures only) is the backstop against guessing
# from many addresses; a stranger can only reach it, not the owner's own address's limit.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               key_func=_from_address_for_account)
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"],
               key_func=_for_account, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None and not user.active:
            form.password.errors.append(_(DEACTIVATED))
            audit.here("login_failed", actor=user, detail={"why": "deactivated"})
            db.session.commit()
        elif user is not None:
            audit.here("login", actor=user)
            sign_in(user)
            return _onward(user)
        else:
            form.password.errors.append(_(BAD_LOGIN))
            audit.here("login_failed", actor_email=_login_email())
            db.session.commit()
    return render_template("auth/login.html", form=form, joining=_joining())


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        new = service.NewAccount(email=form.email.data, name=form.name.data,
                                 password=form.password.data, timezone=form.timezone.data)
        try:
            user = service.create_account(new, current_app.config["PASSWORD_HASH_METHOD"])
            db.session.flush()
        except service.AccountError as exc:
            form.email.errors.append(said(exc))
        else:
            sign_in(user)
            flash(_("Your account is ready."), "success")
            return _onward(user)
    return render_template("auth/register.html", form=form, joining=_joining())


def _joining():
    """The class a join link that sent the visitor here would join (to say so), or None."""
    link = JOIN_LINK.fullmatch(local_path(request.args.get("next"), ""))
    return classes.class_by_code(db.session, link.group(1)) if link else None


@bp.route("/logout", methods=["POST"])
def logout():
    row = current_login_session()
    if row is not None:
        sessions.end(db.session, row, _now(), "logout")
        db.session.commit()
    logout_user()
    g.pop("login_session", None)
    _fresh_csrf_token()
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed = service.change_password(db.session, current_user, form.current.data,
                                          form.password.data,
                                          current_app.config["PASSWORD_HASH_METHOD"])
        if not changed:
            form.current.errors.append(_("That is not your current password."))
        else:
            sessions.end_others(db.session, current_user.id, current_login_session(), _now(),
                                "password")
            audit.here("password_changed", target_user=current_user)
            db.session.commit()
            flash(_("Your password has been changed. Any other browser signed in to your "
                    "account has been logged out."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/password.html", form=form)
