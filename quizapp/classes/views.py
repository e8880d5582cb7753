"""Teachers' class pages: roster, join code, assignments, dashboard and CSV exports."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import teacher_required
from ..csvfile import csv_response
from ..extensions import db
from ..models import Assignment, ClassPath, OrientationPath, SchoolClass
from ..quiz.forms import EmptyForm, fill_scope_choices
from ..quiz.service import shared_banks
from . import dashboard, service
from .forms import AssignmentForm, ClassForm

bp = Blueprint("classes", __name__, url_prefix="/teach/classes")


def _now() -> datetime:
    return datetime.now(UTC)


def _managed(class_id: int) -> SchoolClass:
    school_class = db.get_or_404(SchoolClass, class_id)
    if not service.can_manage(current_user, school_class):
        abort(403)
    return school_class


def _checked_post() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/", methods=["GET", "POST"])
@teacher_required
def index():
    form = ClassForm()
    if form.validate_on_submit():
        school_class = service.create_class(db.session, current_user, form.name.data)
        db.session.commit()
        flash(f"Class “{school_class.name}” created. Share its join code: "
              f"{school_class.join_code}.", "success")
        return redirect(url_for("classes.show", class_id=school_class.id))
    classes = service.classes_of_teacher(db.session, current_user)
    return render_template("classes/index.html", classes=classes, form=form)


@bp.route("/<int:class_id>")
@teacher_required
def show(class_id: int):
    school_class = _managed(class_id)
    now = _now()
    topics = dashboard.class_topics(db.session, school_class)
    students = dashboard.student_rows(db.session, school_class, now)
    grid = dashboard.mastery_grid(db.session, school_class, topics)
    return render_template(
        "classes/show.html", c=school_class, now=now, form=EmptyForm(), students=students,
        topics=topics, mastery=dashboard.mastery_rows(students, topics, grid),
        items=dashboard.item_analysis(db.session, school_class),
        all_paths=db.session.scalars(select(OrientationPath).order_by(OrientationPath.title)).all(),
        class_paths=db.session.scalars(select(OrientationPath).join(
            ClassPath, ClassPath.path_id == OrientationPath.id)
            .where(ClassPath.class_id == school_class.id)).all(),
        join_url=url_for("student_classes.join_link", code=school_class.join_code,
                         _external=True))


@bp.route("/<int:class_id>/joining", methods=["POST"])
@teacher_required
def joining(class_id: int):
    school_class = _managed(class_id)
    _checked_post()
    school_class.joining_open = request.form.get("open") == "1"
    db.session.commit()
    flash("Joining is open." if school_class.joining_open else
          "Joining is closed: the code no longer lets anyone in.", "success")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.route("/<int:class_id>/students/<int:user_id>/remove", methods=["POST"])
@teacher_required
def remove(class_id: int, user_id: int):
    school_class = _managed(class_id)
    _checked_post()
    service.remove_student(db.session, school_class, user_id)
    db.session.commit()
    flash("The student was removed from the class. Their own study history is kept.", "success")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.route("/<int:class_id>/assignments/new", methods=["GET", "POST"])
@teacher_required
def new_assignment(class_id: int):
    school_class = _managed(class_id)
    form = AssignmentForm()
    fill_scope_choices(form, shared_banks(db.session, school_class.teacher_id))
    if form.validate_on_submit():
        quiz = form.kind.data == "quiz"
        db.session.add(Assignment(
            class_id=school_class.id, kind=form.kind.data, title=form.title.data.strip(),
            banks=form.banks.data, tags=form.tags.data, size=form.size.data if quiz else None,
            feedback=form.feedback.data, attempts_allowed=form.attempts_allowed.data,
            time_limit_minutes=int(form.time_limit.data) if quiz and form.time_limit.data
            else None, time_adjustable=form.time_adjustable.data,
            opens_at=form.opens_utc, due_at=form.due_utc))
        db.session.commit()
        flash(f"Assignment “{form.title.data.strip()}” created.", "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/assignment_new.html", c=school_class, form=form)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@bp.route("/<int:class_id>/results.csv")
@teacher_required
def results_csv(class_id: int):
    school_class = _managed(class_id)
    rows = []
    for student in dashboard.student_rows(db.session, school_class, _now()):
        for a in school_class.assignments:
            rows.append([student.user.name, student.user.email, a.title, a.kind,
                         a.due_at.strftime("%Y-%m-%d %H:%M"), student.assignments[a.id],
                         _pct(student.best.get(a.id)) if a.kind == "quiz" else ""])
    return csv_response(f"class-{class_id}-results.csv",
                ["student", "email", "assignment", "kind", "due (UTC)", "status",
                 "best score %"], rows)


@bp.route("/<int:class_id>/items.csv")
@teacher_required
def items_csv(class_id: int):
    school_class = _managed(class_id)
    rows = [[r.bank_title, r.question.key, r.question.prompt, r.stats.attempts,
             "" if r.stats.facility is None else f"{r.stats.facility:.3f}",
             "" if r.stats.discrimination is None else f"{r.stats.discrimination:.3f}",
             "; ".join(r.stats.flags)]
            for r in dashboard.item_analysis(db.session, school_class)]
    return csv_response(f"class-{class_id}-items.csv",
                ["bank", "question id", "question", "first attempts", "facility",
                 "discrimination", "flags"], rows)
