"""Admin: see accounts and change their roles."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import admin_required
from ..database import for_update
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
    # The admins as they are now, held until the commit: two admins changing each other's
    # role at once take turns, and each is checked against what the other left.
    admins = {a.id for a in db.session.scalars(for_update(
        select(User).where(User.role == Role.ADMIN.value)).execution_options(
        populate_existing=True))}
    if current_user.id not in admins:  # demoted meanwhile: and so there is still an admin
        abort(403)
    user.role = role.value
    db.session.commit()
    flash(f"{user.email} is now a {role.value}.", "success")
    return redirect(url_for("admin.users"))
