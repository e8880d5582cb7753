"""Admin: find accounts, change roles, deactivate, hand a departing teacher's classes and
banks on, and read the audit log."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from .. import audit
from ..account import service as accounts
from ..auth.access import admin_required
from ..database import contains, for_update
from ..extensions import db
from ..models import Bank, Role, SchoolClass, User
from ..quiz.forms import EmptyForm
from ..templating import said

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
LONGEST_QUERY = 254
NOW_A = {  # whole sentences, one a role: a role's name alone does not translate well
    Role.STUDENT: _l("%(email)s is now a student."),
    Role.TEACHER: _l("%(email)s is now a teacher."),
    Role.ADMIN: _l("%(email)s is now a admin."),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


@bp.route("/users")
@admin_required
def users():
    """Accounts, by email, 50 a page; `q` finds a part of a name or an email."""
    q = request.args.get("q", "").strip()[:LONGEST_QUERY]
    query = select(User)
    if q:
        pattern = contains(q)
        query = query.where(or_(User.email.like(pattern, escape="\\"),
                                func.lower(User.name).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(), pages)
    rows = db.session.scalars(query.order_by(User.email).limit(PAGE_SIZE)
                              .offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/users.html", users=rows, q=q, page=page, pages=pages,
                           total=total)


@bp.route("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    found = db.get_or_404(User, user_id)
    classes = db.session.scalar(select(func.count()).select_from(SchoolClass)
                                .where(SchoolClass.teacher_id == found.id))
    banks = db.session.scalar(select(func.count()).select_from(Bank)
                              .where(Bank.owner_id == found.id))
    teachers = db.session.scalars(select(User).where(
        User.role.in_([Role.TEACHER.value, Role.ADMIN.value]), User.active.is_(True),
        User.id != found.id).order_by(User.name)).all() if classes or banks else []
    return render_template("admin/user.html", user=found, roles=list(Role), form=EmptyForm(),
                           classes=classes, banks=banks, teachers=teachers,
                           browsers=len(accounts.live_sessions(db.session, found, _now())))


def _checked() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _back(user_id: int):
    return redirect(url_for("admin.user", user_id=user_id))


def _admins_now() -> set[int]:
    """The active admins as they are now, held until the commit: two admins changing each
    other's role at once take turns, and each is checked against what the other left."""
    return {a.id for a in db.session.scalars(for_update(
        select(User).where(User.role == Role.ADMIN.value, User.active.is_(True)))
        .execution_options(populate_existing=True))}


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int):
    _checked()
    found = db.get_or_404(User, user_id)
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        flash(_("Choose student, teacher or admin."), "error")
        return _back(user_id)
    if found.id == current_user.id and role != Role.ADMIN:
        flash(_("You cannot remove your own admin role; ask another admin."), "error")
        return _back(user_id)
    if current_user.id not in _admins_now():  # demoted meanwhile: and so there is still one
        abort(403)
    before = found.role
    found.role = role.value
    if before != role.value:  # a link made under the old role must not outlive it
        accounts.retire_resets(db.session, found.id, _now())
    audit.here("role_changed", target_user=found, detail={"from": before, "to": role.value})
    db.session.commit()
    flash(NOW_A[role] % {"email": found.email}, "success")
    return _back(user_id)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int):
    _checked()
    found = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    if found.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return _back(user_id)
    if current_user.id not in _admins_now():
        abort(403)
    accounts.set_active(db.session, found, active, _now())
    audit.here("reactivated" if active else "deactivated", target_user=found)
    db.session.commit()
    flash(_("%(email)s can log in again.", email=found.email) if active else
          _("%(email)s is deactivated: they cannot log in, and every browser they were signed "
            "in on has been logged out.", email=found.email), "success")
    return _back(user_id)


@bp.route("/users/<int:user_id>/hand-over", methods=["POST"])
@admin_required
def hand_over(user_id: int):
    _checked()
    found = db.get_or_404(User, user_id)
    to = db.session.scalar(select(User).where(User.email == request.form.get("to", "")))
    try:
        if to is None:
            raise accounts.AccountRuleError(_("Choose a teacher to hand them to."))
        classes, banks = accounts.hand_over(db.session, found, to)
    except accounts.AccountRuleError as exc:
        flash(said(exc), "error")
        return _back(user_id)
    audit.here("class_handed_over", target_user=found,
               detail={"to": to.email, "classes": classes, "banks": banks})
    db.session.commit()
    flash(_("%(classes)d class(es) and %(banks)d bank(s) of %(name)s now belong to %(to)s.",
            classes=classes, banks=banks, name=found.name, to=to.name), "success")
    return _back(user_id)


@bp.route("/audit")
@admin_required
def audit_log():
    action = request.args.get("action", "")
    who = request.args.get("who", "").strip()[:LONGEST_QUERY]
    found = audit.search(db.session, action, who, _page_number())
    return render_template("admin/audit.html", found=found, action=action, who=who,
                           actions=audit.ACTIONS)
