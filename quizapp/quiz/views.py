"""Quizzes: start, answer one question per page, submit once, see results and history."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import grading, presenting
from ..extensions import db
from ..i18n import present
from ..models import OrientationPath, Question, QuizAttempt
from ..orientation import service as orientation
from ..templating import said
from ..urls import local_path
from . import service
from .forms import EmptyForm, NewQuizForm, fill_scope_choices

bp = Blueprint("quiz", __name__, url_prefix="/quiz")


def _now() -> datetime:
    return datetime.now(UTC)


def resume(attempt: QuizAttempt):
    """Back into an attempt where the student left off: the first unanswered question, or the
    submit page when every question has an answer."""
    number = service.first_unanswered(attempt)
    if number is None:
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    return redirect(url_for("quiz.take", attempt_id=attempt.id, number=number))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)  # someone else's attempt does not exist for you
    return attempt


def _submit(attempt: QuizAttempt) -> None:
    """Grade the attempt once and, for a mastery check, issue the path's certificate when
    this was the last module to pass; commit."""
    submitted = service.submit(db.session, attempt, current_user, _now())
    if submitted.first_time and attempt.path_id is not None:
        orientation.issue_certificate(db.session, db.session.get(OrientationPath,
                                                                 attempt.path_id), current_user)
    db.session.commit()


def _submit_for_timeout(attempt: QuizAttempt):
    _submit(attempt)
    flash(_("Time is up. Your answers so far have been submitted."), "info")
    return redirect(url_for("quiz.results", attempt_id=attempt.id))


@bp.route("/")
@login_required
def index():
    attempts = service.history(db.session, current_user)
    return render_template("quiz/index.html", attempts=attempts, now=_now())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = NewQuizForm()
    fill_scope_choices(form)
    if form.validate_on_submit():
        spec = service.QuizSpec(
            title=_title(form), banks=form.banks.data, tags=form.tags.data, size=form.size.data,
            feedback=form.feedback.data,
            time_limit_minutes=int(form.time_limit.data) if form.time_limit.data else None)
        try:
            attempt = service.start_attempt(db.session, current_user, spec, _now())
        except service.QuizError as exc:
            form.banks.errors.append(said(exc))
        else:
            db.session.commit()
            return resume(attempt)
    return render_template("quiz/new.html", form=form)


def _title(form: NewQuizForm) -> str:
    names = [c.label for c in form.banks.choices if c.value in form.banks.data]
    names += [c.label for c in form.tags.choices if c.value in form.tags.data]
    title = ", ".join(names) or _("Quiz")
    return title if len(title) <= 120 else title[:117] + "…"


@bp.route("/<int:attempt_id>/resume")
@login_required
def resume_attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    return resume(attempt)


@bp.route("/<int:attempt_id>/<int:number>", methods=["GET", "POST"])
@login_required
def take(attempt_id: int, number: int):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    if not 1 <= number <= len(attempt.question_ids):
        abort(404)
    question = db.session.get(Question, attempt.question_ids[number - 1])
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        return _save(attempt, question, number)
    if service.time_is_up(attempt, _now()):
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    return _render_question(attempt, question, number)


def _save(attempt: QuizAttempt, question: Question, number: int):
    if service.time_is_up(attempt, _now()):
        return _submit_for_timeout(attempt)
    shown = present(question.content, question.prompt,
                    service.question_seed(attempt, question.id), question.bank.language)
    try:
        response = presenting.response_from_form(shown, question.content, request.form.getlist)
    except presenting.UnclearAnswer as exc:
        flash(said(exc), "error")
        return redirect(url_for("quiz.take", attempt_id=attempt.id, number=number))
    try:
        service.save_answer(db.session, attempt, question, response, _now())
    except service.QuizError as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    db.session.commit()
    if request.form.get("timeout") and service.deadline_passed(attempt, _now()):
        return _submit_for_timeout(attempt)
    if request.form.get("finish"):
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    go = request.form.get("go", "next")
    if attempt.settings.get("feedback") == "each" and go == "check":
        return redirect(url_for("quiz.take", attempt_id=attempt.id, number=number))
    target = number - 1 if go == "previous" else number + 1
    if target > len(attempt.question_ids):
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    return redirect(url_for("quiz.take", attempt_id=attempt.id, number=max(1, target)))


def _render_question(attempt: QuizAttempt, question: Question, number: int):
    answers = service.answers_by_question(attempt)
    answer = answers.get(question.id)
    shown = present(question.content, question.prompt,
                    service.question_seed(attempt, question.id), question.bank.language)
    checked = service.locked(attempt, answer)
    return render_template(
        "quiz/take.html", attempt=attempt, question=question, number=number, shown=shown,
        answer=answer, answers=answers, checked=checked, form=EmptyForm(), now=_now(),
        result=grading.grade(question.content, answer.response) if checked else None)


@bp.route("/<int:attempt_id>/submit", methods=["GET", "POST"])
@login_required
def confirm(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    form = EmptyForm()
    if form.validate_on_submit():
        _submit(attempt)
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    answered = sum(1 for a in attempt.answers if a.response is not None)
    return render_template("quiz/confirm.html", attempt=attempt, answered=answered, form=form,
                           now=_now(), time_up=service.time_is_up(attempt, _now()))


@bp.route("/<int:attempt_id>/time", methods=["POST"])
@login_required
def time(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.extend_time(db.session, attempt, _now(),
                            turn_off=request.form.get("action") == "off")
    except service.QuizError as exc:
        flash(said(exc), "error")
    else:
        db.session.commit()
        flash(_("The time limit is off.") if attempt.deadline is None else
              _("More time added."), "success")
    fallback = url_for("quiz.take", attempt_id=attempt.id, number=1)
    return redirect(local_path(request.form.get("back"), fallback))


@bp.route("/<int:attempt_id>/results")
@login_required
def results(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    pass_mark, path_slug = _module_of(attempt)
    return render_template("quiz/results.html", attempt=attempt,
                           rows=service.answer_rows(db.session, attempt, present),
                           pass_mark=pass_mark, path_slug=path_slug)


def _module_of(attempt: QuizAttempt) -> tuple[float, str | None]:
    """The pass mark and path of an orientation mastery check (else defaults)."""
    if attempt.path_id is None:
        return 1.0, None
    path = db.session.get(OrientationPath, attempt.path_id)
    module = next((m for m in path.modules if m["id"] == attempt.module_key), None)
    return (module["check"]["pass_mark"] if module else 0.8), path.slug
