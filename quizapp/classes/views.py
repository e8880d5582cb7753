"""Teachers' class pages: roster, join code, assignments, dashboard and CSV exports."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit, scheduling
from ..auth.access import teacher_required
from ..csvfile import csv_response
from ..extensions import db
from ..i18n import present
from ..models import Assignment, Bank, ClassPath, Enrolment, OrientationPath, SchoolClass, User
from ..quiz import service as quizzes
from ..quiz.forms import EmptyForm, fill_scope_choices
from ..selection import shared_banks
from ..study import targets
from ..study.forms import ClassTargetForm, fill_target_scopes
from ..study.plan_views import saved_target
from ..templating import item_text, local
from . import dashboard, service
from .forms import AssignmentForm, ClassForm, from_utc, to_utc
from .stats import MIN_ATTEMPTS

bp = Blueprint("classes", __name__, url_prefix="/teach/classes")


def _now() -> datetime:
    return datetime.now(UTC)


def _managed(class_id: int) -> SchoolClass:
    school_class = db.get_or_404(SchoolClass, class_id)
    if not service.can_manage(current_user, school_class):
        abort(403)
    return school_class


def _member(class_id: int, user_id: int) -> User:
    """A student of the class, or a 404."""
    student = db.session.scalar(select(User).join(Enrolment, Enrolment.user_id == User.id)
                                .where(Enrolment.class_id == class_id, User.id == user_id))
    if student is None:
        abort(404)
    return student


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
        flash(_("Class “%(name)s” created. Share its join code: %(code)s.",
                name=school_class.name, code=school_class.join_code), "success")
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
    return _show(school_class, now, topics, students, grid)


def _show(school_class: SchoolClass, now: datetime, topics, students, grid,
          target_form: ClassTargetForm | None = None, status: int = 200):
    if target_form is None:
        target_form = ClassTargetForm(prefix="target")
        fill_target_scopes(target_form, targets.scope_choices(db.session))
    enrolled = service.students_of(db.session, school_class)
    today = scheduling.study_day(now, school_class.teacher.timezone)
    return render_template(
        "classes/show.html", c=school_class, now=now, form=EmptyForm(), students=students,
        target_form=target_form, class_targets=[
            targets.class_readiness(db.session, t, enrolled, now)
            for t in targets.class_targets(db.session, school_class.id, today)],
        topics=topics, mastery=dashboard.mastery_rows(students, topics, grid),
        items=dashboard.item_analysis(db.session, school_class),
        all_paths=db.session.scalars(select(OrientationPath).order_by(OrientationPath.title)).all(),
        bank_titles=dict(db.session.execute(select(Bank.slug, Bank.title)).all()),
        min_attempts=MIN_ATTEMPTS,
        class_paths=db.session.scalars(select(OrientationPath).join(
            ClassPath, ClassPath.path_id == OrientationPath.id)
            .where(ClassPath.class_id == school_class.id)).all(),
        join_url=url_for("student_classes.join_link", code=school_class.join_code,
                         _external=True)), status


@bp.route("/<int:class_id>/targets", methods=["POST"])
@teacher_required
def set_target(class_id: int):
    """A target day for the class (an exam): every enrolled student's reviews of its cards
    are placed so that they still know them on the day."""
    school_class = _managed(class_id)
    form = ClassTargetForm(prefix="target")
    fill_target_scopes(form, targets.scope_choices(db.session))
    if saved_target(form, form.scope.data, school_class.teacher.timezone, class_id=class_id):
        flash(_("The target day is set for the class."), "success")
        return redirect(url_for("classes.show", class_id=class_id) + "#targets-h")
    now = _now()
    topics = dashboard.class_topics(db.session, school_class)
    students = dashboard.student_rows(db.session, school_class, now)
    return _show(school_class, now, topics, students,
                 dashboard.mastery_grid(db.session, school_class, topics), form, 400)


@bp.route("/<int:class_id>/targets/<int:target_id>/remove", methods=["POST"])
@teacher_required
def remove_target(class_id: int, target_id: int):
    _managed(class_id)
    _checked_post()
    if targets.remove_target(db.session, target_id, class_id=class_id):
        db.session.commit()
        flash(_("The target is removed."), "success")
    return redirect(url_for("classes.show", class_id=class_id) + "#targets-h")


@bp.route("/<int:class_id>/joining", methods=["POST"])
@teacher_required
def joining(class_id: int):
    school_class = _managed(class_id)
    _checked_post()
    school_class.joining_open = request.form.get("open") == "1"
    db.session.commit()
    flash(_("Joining is open.") if school_class.joining_open else
          _("Joining is closed: the code no longer lets anyone in."), "success")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.route("/<int:class_id>/students/<int:user_id>/remove", methods=["GET", "POST"])
@teacher_required
def remove(class_id: int, user_id: int):
    """Asks first (GET), then removes (POST)."""
    school_class = _managed(class_id)
    student = _member(class_id, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        service.remove_student(db.session, school_class, user_id)
        audit.here("class_removed", target_user=student,
                   detail={"class": school_class.name, "class_id": school_class.id})
        db.session.commit()
        flash(_("%(name)s was removed from the class. Their own study history is kept.",
                name=student.name), "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/confirm.html", c=school_class, form=form,
                           title=_("Remove %(name)s from %(class_name)s?", name=student.name,
                                   class_name=school_class.name),
                           consequence=_("They leave the class's dashboard and assignments. "
                                         "Their own cards and quiz results are kept, and they "
                                         "can join again with the class's code."),
                           action=_("Remove %(name)s", name=student.name))


def _assignment_form(school_class: SchoolClass, assignment: Assignment | None = None):
    zone = current_user.timezone
    form = AssignmentForm(obj=assignment)
    if assignment is not None and not form.is_submitted():
        form.opens_at.data = from_utc(assignment.opens_at, zone)
        form.due_at.data = from_utc(assignment.due_at, zone)
        form.time_limit.data = str(assignment.time_limit_minutes or "")
    form.in_zone(zone)
    fill_scope_choices(form, shared_banks(db.session, school_class.teacher_id))
    return form


def _fill(assignment: Assignment, form: AssignmentForm) -> None:
    """The form's values onto the assignment; dates from the teacher's zone to UTC."""
    zone, quiz = current_user.timezone, form.kind.data == "quiz"
    assignment.kind, assignment.title = form.kind.data, form.title.data.strip()
    assignment.banks, assignment.tags = form.banks.data, form.tags.data
    assignment.size = form.size.data if quiz else None
    assignment.feedback, assignment.attempts_allowed = form.feedback.data, \
        form.attempts_allowed.data
    assignment.time_limit_minutes = int(form.time_limit.data) if quiz and form.time_limit.data \
        else None
    assignment.time_adjustable = form.time_adjustable.data
    assignment.opens_at, assignment.due_at = to_utc(form.opens_at.data, zone), \
        to_utc(form.due_at.data, zone)


@bp.route("/<int:class_id>/assignments/new", methods=["GET", "POST"])
@teacher_required
def new_assignment(class_id: int):
    school_class = _managed(class_id)
    form = _assignment_form(school_class)
    if form.validate_on_submit():
        assignment = Assignment(class_id=school_class.id)
        _fill(assignment, form)
        db.session.add(assignment)
        db.session.commit()
        flash(_("Assignment “%(title)s” created.", title=assignment.title), "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/assignment_new.html", c=school_class, form=form,
                           assignment=None)


def _managed_assignment(class_id: int, assignment_id: int) -> tuple[SchoolClass, Assignment]:
    school_class = _managed(class_id)
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.class_id != school_class.id:
        abort(404)
    return school_class, assignment


@bp.route("/<int:class_id>/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_assignment(class_id: int, assignment_id: int):
    school_class, assignment = _managed_assignment(class_id, assignment_id)
    form = _assignment_form(school_class, assignment)
    if form.validate_on_submit():
        _fill(assignment, form)
        db.session.commit()
        flash(_("Assignment “%(title)s” saved.", title=assignment.title), "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/assignment_new.html", c=school_class, form=form,
                           assignment=assignment)


@bp.route("/<int:class_id>/assignments/<int:assignment_id>/delete", methods=["GET", "POST"])
@teacher_required
def delete_assignment(class_id: int, assignment_id: int):
    """Asks first (GET), then deletes (POST). Students' attempts stay in their own history."""
    school_class, assignment = _managed_assignment(class_id, assignment_id)
    form = EmptyForm()
    if form.validate_on_submit():
        title = assignment.title
        db.session.delete(assignment)
        db.session.commit()
        flash(_("Assignment “%(title)s” deleted.", title=title), "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/confirm.html", c=school_class, form=form,
                           title=_("Delete the assignment “%(title)s”?", title=assignment.title),
                           consequence=_("It leaves the class's page and its column leaves the "
                                         "dashboard and the CSV. Students keep their own study "
                                         "history and quiz results."),
                           action=_("Delete the assignment"))


@bp.route("/<int:class_id>/assignments/<int:assignment_id>/students/<int:user_id>")
@teacher_required
def student_attempts(class_id: int, assignment_id: int, user_id: int):
    """One student's attempts at a quiz assignment: each with its time and score, and the
    chosen one question by question (Moodle's "review attempt")."""
    school_class, assignment = _managed_assignment(class_id, assignment_id)
    student = _member(class_id, user_id)
    attempts = quizzes.attempts_at(db.session, assignment.id, student.id)
    shown = next((a for a in attempts if str(a.id) == request.args.get("attempt")),
                 next((a for a in reversed(attempts) if a.submitted_at), None))
    rows = quizzes.answer_rows(db.session, shown, present) if shown and shown.submitted_at else []
    return render_template("classes/attempts.html", c=school_class, a=assignment,
                           student=student, attempts=attempts, shown=shown, rows=rows)


def _pct(value: float | None) -> float | str:
    return "" if value is None else round(value * 100, 1)


@bp.route("/<int:class_id>/results.csv")
@teacher_required
def results_csv(class_id: int):
    school_class = _managed(class_id)
    zone = current_user.timezone
    rows = []
    for student in dashboard.student_rows(db.session, school_class, _now()):
        for a in school_class.assignments:
            rows.append([student.user.name, student.user.email, a.title, a.kind,
                         local(a.due_at, "%Y-%m-%d %H:%M", tz=zone, named=False),
                         str(student.assignments[a.id]),
                         _pct(student.best.get(a.id)) if a.kind == "quiz" else ""])
    return csv_response(f"class-{class_id}-results.csv",
                ["student", "email", "assignment", "kind", f"due ({zone})", "status",
                 "best score %"], rows)


@bp.route("/<int:class_id>/items.csv")
@teacher_required
def items_csv(class_id: int):
    school_class = _managed(class_id)
    rows = [[r.bank_title, r.question.key, item_text(r.question), r.stats.attempts,
             "" if r.stats.facility is None else round(r.stats.facility, 3),
             "" if r.stats.discrimination is None else round(r.stats.discrimination, 3),
             "; ".join(map(str, r.stats.flags))]
            for r in dashboard.item_analysis(db.session, school_class)]
    return csv_response(f"class-{class_id}-items.csv",
                ["bank", "question id", "question", "first attempts", "facility",
                 "discrimination", "flags"], rows)
