"""Students: join a class by code or link; see and start assignments."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Assignment, SchoolClass
from ..quiz.forms import EmptyForm
from ..quiz.views import resume
from ..templating import said
from . import service
from .forms import JoinForm

bp = Blueprint("student_classes", __name__)


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        try:
            school_class = service.join_class(db.session, current_user, form.code.data)
        except service.ClassError as exc:
            db.session.rollback()
            form.code.errors.append(said(exc))
        else:
            audit.here("class_joined", target=f"class {school_class.name} (#{school_class.id})")
            db.session.commit()
            flash(_("You joined %(name)s.", name=school_class.name), "success")
            return redirect(url_for("core.home"))
    return render_template("classes/join.html", form=form, school_class=None)


@bp.route("/join/<code>", methods=["GET"])
@login_required
def join_link(code: str):
    """A join link shows what it joins; joining itself is a POST (with the code)."""
    school_class = db.session.scalar(select(SchoolClass).where(
        SchoolClass.join_code == service.normalise_code(code)))
    form = JoinForm(formdata=None, data={"code": code})
    if school_class is None:
        form.code.errors = [_("No class has that code. Check it with your teacher.")]
    return render_template("classes/join.html", form=form, school_class=school_class)


@bp.route("/assignments/<int:assignment_id>/start", methods=["POST"])
@login_required
def start(assignment_id: int):
    assignment = db.get_or_404(Assignment, assignment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = service.start_assignment_quiz(db.session, assignment, current_user,
                                                datetime.now(UTC))
    except service.ClassError as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("core.home"))
    db.session.commit()
    return resume(attempt)
