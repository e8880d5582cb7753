"""Admin: see accounts and change their roles."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import admin_required
from ..extensions import db
from ..models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@admin_required
def users():
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows, roles=list(Role))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        flash("Choose student, teacher or admin.", "error")
        return redirect(url_for("admin.users"))
    if user.id == current_user.id and role != Role.ADMIN:
        flash("You cannot remove your own admin role; ask another admin.", "error")
        return redirect(url_for("admin.users"))
    user.role = role.value
    db.session.commit()
    flash(f"{user.email} is now a {role.value}.", "success")
    return redirect(url_for("admin.users"))
