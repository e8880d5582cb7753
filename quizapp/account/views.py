"""A user's own account (signed-in browsers, their data, leaving) and getting back in with a
one-time link: issued by a teacher or an admin, or emailed from "Forgot password"."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from flask_mail import Message
from sqlalchemy import select

from .. import audit
from ..auth import service as auth_service
from ..auth import sessions
from ..auth.access import teacher_required
from ..auth.views import EMAIL, current_login_session, sign_in
from ..extensions import APP, db, limiter, mail
from ..models import Enrolment, LoginSession, SchoolClass, User
from ..quiz.forms import EmptyForm
from ..templating import said
from . import service
from .forms import DeleteForm, ForgotForm, ResetForm

bp = Blueprint("account", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _device(user_agent: str) -> str:
    browser, system = service.device(user_agent)
    if not browser:
        return _("Unknown browser")
    return _("%(browser)s on %(system)s", browser=browser, system=system) if system \
        else browser


@bp.route("/account")
@login_required
def index():
    now = _now()
    rows = service.live_sessions(db.session, current_user, now)
    here = current_login_session()
    return render_template("account/index.html", form=EmptyForm(), now=now,
                           browsers=[(row, _device(row.user_agent),
                                      here is not None and row.id == here.id) for row in rows])


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    here = current_login_session()
    sessions.end(db.session, row, _now(), "ended")
    audit.here("sessions_ended", target_user=current_user,
               detail={"browser": " on ".join(filter(None, service.device(row.user_agent)))})
    db.session.commit()
    if here is not None and row.id == here.id:
        logout_user()
        flash(_("You have logged out."), "info")
        return redirect(url_for("core.home"))
    flash(_("That browser has been logged out."), "success")
    return redirect(url_for("account.index"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_others():
    if not EmptyForm().validate_on_submit():
        abort(400)
    ended = sessions.end_others(db.session, current_user.id, current_login_session(), _now(),
                                "ended")
    audit.here("sessions_ended", target_user=current_user, detail={"count": ended})
    db.session.commit()
    flash(ngettext("Logged out everywhere else (%(num)d browser).",
                   "Logged out everywhere else (%(num)d browsers).", ended), "success")
    return redirect(url_for("account.index"))


@bp.route("/account/data", methods=["POST"])
@login_required
def data():
    if not EmptyForm().validate_on_submit():
        abort(400)
    body = json.dumps(service.export(db.session, current_user), indent=2, ensure_ascii=False)
    audit.here("data_exported", target_user=current_user)
    db.session.commit()
    stamp = _now().strftime("%Y-%m-%d")
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="my-data-{stamp}.json"'})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteForm()
    blocker = service.what_blocks_deletion(db.session, current_user)
    if form.validate_on_submit() and blocker is None:
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            user = db.session.get(User, current_user.id)
            audit.here("account_deleted", target_user=user)
            try:
                service.delete_account(db.session, user)
            except service.AccountRuleError as exc:  # changed meanwhile (a hand-over, say)
                db.session.rollback()
                return render_template("account/delete.html", form=form, blocker=said(exc))
            db.session.commit()
            logout_user()
            flash(_("Your account and everything in it have been deleted."), "info")
            return redirect(url_for("core.home"))
    return render_template("account/delete.html", form=form,
                           blocker=said(blocker) if blocker else None)


# -- Reset links -----------------------------------------------------------------------------

def _link_page(user: User, back: str):
    """Issue a link for `user` and show it, once, to the teacher or admin who asked."""
    token = service.issue_reset(db.session, user, current_user, _now())
    audit.here("reset_issued", target_user=user)
    db.session.commit()
    return render_template("account/reset_link.html", user=user,
                           link=url_for("account.reset", token=token, _external=True),
                           back=back)


@bp.route("/teach/classes/<int:class_id>/students/<int:user_id>/reset-link", methods=["POST"])
@teacher_required
def class_reset_link(class_id: int, user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    school_class = db.get_or_404(SchoolClass, class_id)
    user = db.session.scalar(select(User).join(Enrolment, Enrolment.user_id == User.id).where(
        Enrolment.class_id == class_id, User.id == user_id))
    if user is None:
        abort(404)
    if school_class.teacher_id != current_user.id and not current_user.is_admin or \
            not service.may_issue_reset(db.session, current_user, user):
        abort(403)
    return _link_page(user, url_for("classes.show", class_id=class_id))


@bp.route("/admin/users/<int:user_id>/reset-link", methods=["POST"])
@login_required
def admin_reset_link(user_id: int):
    if not current_user.is_admin:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _link_page(db.get_or_404(User, user_id), url_for("admin.user", user_id=user_id))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    found = service.look_up_reset(db.session, token, _now())
    if found.user is None:
        return render_template("account/reset.html", problem=said(found.problem)), 410 \
            if found.reset is not None else 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = service.use_reset(db.session, token, form.password.data,
                                     current_app.config["PASSWORD_HASH_METHOD"], _now())
        except service.AccountRuleError as exc:  # spent meanwhile, by a request sent at once
            db.session.rollback()
            return render_template("account/reset.html", problem=said(exc)), 410
        audit.here("password_reset", actor=user, target_user=user)
        if current_user.is_authenticated:  # someone else's login in this browser ends
            if (row := current_login_session()) is not None:
                sessions.end(db.session, row, _now(), "logout")
            logout_user()
        sign_in(user)  # commits
        flash(_("Your new password is set, and you are logged in. Any other browser signed "
                "in to your account has been logged out."), "success")
        return redirect(url_for("core.home"))
    return render_template("account/reset.html", form=form, user=found.user)


def _forgot_key() -> str:
    email = auth_service.normalise_email(request.form.get("email", ""))
    return f"forgot:{email if len(email) <= 254 and EMAIL.fullmatch(email) else '-'}"


def _send(app, message: Message) -> None:
    with app.app_context():
        try:
            mail.send(message)
        except OSError:  # the server is down: the user asks again; the log says why
            app.logger.exception("could not send a password reset email")


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FORGOT_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["FORGOT_RATE_LIMIT"], methods=["POST"],
               key_func=_forgot_key)
def forgot():
    """With an email server: a link to the address, if it has an account (the page says the
    same either way, and the email leaves after the response, so timing does not tell)."""
    enabled = bool(current_app.config.get("MAIL_SERVER"))
    form = ForgotForm()
    if enabled and form.validate_on_submit():
        user = auth_service.find_user(form.email.data)
        if user is not None and user.active:
            token = service.issue_reset(db.session, user, None, _now())
            audit.here("reset_sent", actor_email=user.email, target_user=user)
            db.session.commit()
            message = Message(
                subject=_("Set a new password for %(site)s",
                          site=current_app.config["SITE_NAME"]),
                recipients=[user.email],
                body=render_template("account/reset_email.txt", user=user,
                                     link=url_for("account.reset", token=token,
                                                  _external=True)))
            threading.Thread(target=_send, daemon=True, args=(
                current_app.extensions[APP], message)).start()
        return render_template("account/forgot.html", sent=True, enabled=True)
    return render_template("account/forgot.html", form=form, enabled=enabled)
