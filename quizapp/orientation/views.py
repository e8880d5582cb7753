"""Participants walk the path; anyone can verify a certificate; coordinators see readiness."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.access import teacher_required
from ..classes import service as classes
from ..csvfile import csv_response
from ..extensions import db
from ..models import Certificate, ClassPath, OrientationPath, SchoolClass, User
from ..quiz.forms import EmptyForm
from ..quiz.service import QuizError
from ..quiz.views import resume
from ..study import targets
from ..study.forms import DepartureForm
from ..study.plan_views import saved_target
from ..templating import said
from . import service

bp = Blueprint("orientation", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _path(slug: str) -> OrientationPath:
    return db.first_or_404(select(OrientationPath).where(OrientationPath.slug == slug))


@bp.route("/orientation")
@login_required
def index():
    paths = service.paths(db.session)
    if len(paths) == 1:
        return redirect(url_for("orientation.path", slug=paths[0].slug))
    return render_template("orientation/index.html", paths=paths)


@bp.route("/orientation/<slug>")
@login_required
def path(slug: str):
    orientation = _path(slug)
    modules = service.progress_for(db.session, orientation, current_user)
    certificate = service.certificate_of(db.session, orientation, current_user)
    return render_template("orientation/path.html", path=orientation, modules=modules,
                           certificate=certificate,
                           sources=service.sources(db.session, orientation.modules))


@bp.route("/orientation/<slug>/certificate", methods=["POST"])
@login_required
def issue(slug: str):
    """For a path completed before certificates were issued on the passing submit."""
    orientation = _path(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    certificate = service.issue_certificate(db.session, orientation, current_user)
    db.session.commit()
    if certificate is None:
        flash(_("Pass every module's mastery check first."), "error")
        return redirect(url_for("orientation.path", slug=slug))
    return redirect(url_for("orientation.certificate", public_id=certificate.public_id))


@bp.route("/orientation/<slug>/<module_key>")
@login_required
def module(slug: str, module_key: str):
    orientation = _path(slug)
    rows = {r.module["id"]: r for r in service.progress_for(db.session, orientation,
                                                            current_user)}
    row = rows.get(module_key) or abort(404)
    return render_template("orientation/module.html", path=orientation, row=row,
                           form=EmptyForm(), scope=service.module_scope(orientation, row.module),
                           count=service.module_question_count(db.session, row.module),
                           sources=service.sources(db.session, [row.module]))


@bp.route("/orientation/<slug>/<module_key>/check", methods=["POST"])
@login_required
def start_check(slug: str, module_key: str):
    orientation = _path(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = service.start_check(db.session, orientation, current_user, module_key, _now())
    except (service.PathError, QuizError) as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("orientation.path", slug=slug))
    db.session.commit()
    return resume(attempt)


@bp.route("/certificates/<public_id>")
def certificate(public_id: str):
    """Public: shows only what the certificate says; an unknown id shows nothing."""
    found = db.session.scalar(select(Certificate).where(Certificate.public_id == public_id))
    if found is None:
        abort(404)
    holder = db.session.get(User, found.user_id)
    return render_template("orientation/certificate.html", c=found,
                           holder_zone=holder.timezone if holder else "UTC")


# -- Coordinators ----------------------------------------------------------------------------

def _managed_class(class_id: int) -> SchoolClass:
    school_class = db.get_or_404(SchoolClass, class_id)
    if not classes.can_manage(current_user, school_class):
        abort(403)
    return school_class


@bp.route("/teach/classes/<int:class_id>/orientation", methods=["POST"])
@teacher_required
def enrol(class_id: int):
    school_class = _managed_class(class_id)
    form = EmptyForm()
    orientation = db.session.scalar(select(OrientationPath).where(
        OrientationPath.slug == request.form.get("path", "")))
    if not form.validate_on_submit() or orientation is None:
        flash(_("Choose an orientation path."), "error")
        return redirect(url_for("classes.show", class_id=class_id))
    exists = db.session.scalar(select(ClassPath.id).where(
        ClassPath.class_id == class_id, ClassPath.path_id == orientation.id))
    if exists is None:
        db.session.add(ClassPath(class_id=class_id, path_id=orientation.id))
        db.session.commit()
    flash(_("%(name)s is enrolled in “%(path)s”.", name=school_class.name,
            path=orientation.title), "success")
    return redirect(url_for("orientation.cohort", class_id=class_id, slug=orientation.slug))


def _cohort(class_id: int, slug: str):
    school_class = _managed_class(class_id)
    orientation = _path(slug)
    enrolled = db.session.scalar(select(ClassPath.id).where(
        ClassPath.class_id == class_id, ClassPath.path_id == orientation.id))
    if enrolled is None:
        abort(404)
    students = classes.students_of(db.session, school_class)
    departure = targets.class_target(db.session, class_id, f"path:{slug}")
    return school_class, service.cohort_readiness(db.session, orientation, students, _now(),
                                                  departure)


@bp.route("/teach/classes/<int:class_id>/orientation/<slug>")
@teacher_required
def cohort(class_id: int, slug: str):
    school_class, view = _cohort(class_id, slug)
    form = DepartureForm(obj=view.departure)
    if view.departure is not None and view.departure.recall and request.method == "GET":
        form.recall.data = round(view.departure.recall * 100)
    return render_template("orientation/cohort.html", c=school_class, view=view, form=form)


@bp.route("/teach/classes/<int:class_id>/orientation/<slug>/departure", methods=["POST"])
@teacher_required
def departure(class_id: int, slug: str):
    """Set the cohort's departure day: every enrolled student's reviews of the path's cards
    are placed so that they still recall them on that day."""
    school_class = _managed_class(class_id)
    if db.session.scalar(select(ClassPath.id).where(
            ClassPath.class_id == class_id, ClassPath.path_id == _path(slug).id)) is None:
        abort(404)
    form = DepartureForm()
    if saved_target(form, f"path:{slug}", school_class.teacher.timezone, class_id=class_id):
        flash(_("The departure day is set. Each student's reviews of this path now fall so "
                "that they still know it on the day."), "success")
        return redirect(url_for("orientation.cohort", class_id=class_id, slug=slug))
    _class, view = _cohort(class_id, slug)  # the page again, with the form's messages
    return render_template("orientation/cohort.html", c=school_class, view=view,
                           form=form), 400


@bp.route("/teach/classes/<int:class_id>/orientation/<slug>.csv")
@teacher_required
def cohort_csv(class_id: int, slug: str):
    school_class, view = _cohort(class_id, slug)
    titles = [m["title"] for m in view.path.modules]
    rows = []
    for row in view.students:
        scores = ["" if m.best is None else f"{m.best * 100:.0f}" + (" passed" if m.state ==
                                                                      "passed" else "")
                  for m in row.modules]
        ready = [] if view.departure is None else [
            f"{row.forecast.projected * 100:.0f}", "yes" if row.at_risk else "no"]
        rows.append([row.user.name, row.user.email, row.status, f"{row.passed}/{len(titles)}",
                     *ready, *scores])
    ready_header = [] if view.departure is None else [
        f"predicted recall on {view.departure.day.isoformat()} (%)", "at risk"]
    return csv_response(f"readiness-{class_id}-{slug}.csv",
                        ["student", "email", "status", "modules passed", *ready_header,
                         *titles], rows)
