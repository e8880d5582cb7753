"""The study loop: pick a scope, see a card, answer, rate. Works without JavaScript."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import IntegrityError

from .. import grading, presenting, scheduling, scopes
from ..extensions import db
from ..i18n import present
from ..models import Question
from ..templating import said
from . import overview, service, targets, tokens
from .forms import StudySettingsForm

bp = Blueprint("study", __name__, url_prefix="/study")
ALREADY_RATED = _l("That card was already rated, so the second rating was ignored.")


def _now() -> datetime:
    return datetime.now(UTC)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


@bp.route("/")
@login_required
def choose():
    now = _now()
    return render_template("study/choose.html",
                           scopes=overview.scope_choices(db.session, current_user, now))


# With JavaScript (static/app.js) the study loop swaps one part of the page: the answer and
# the rating are sent with this header, and the response is the page's "study" block alone,
# rendered from the same templates (jinja2-fragments). Without it, every step is a whole page
# and a rating redirects to the next card, as before.
FRAGMENT_HEADER = "X-Study-Fragment"


def _render(template: str, **context):
    if request.headers.get(FRAGMENT_HEADER):
        return render_block(template, "study", **context)
    return render_template(template, **context)


def _next_card_page(scope: service.Scope, ahead: bool = False, notice: str | None = None,
                    learner: service.Learner | None = None):
    """The queue's next card for this scope (or the "nothing due" page), with a new
    presentation token; a flashcard carries its back and rating buttons for JavaScript to
    show in place."""
    user, now = current_user, _now()
    state = service.queue_state(db.session, user, scope, now)
    if ahead:
        found = service.study_ahead_card(db.session, user, scope)
    else:
        found = service.next_card(db.session, user, scope, now, state)
    if found is None:
        return _render("study/done.html", scope=scope, notice=notice, state=state, now=now,
                       next_due=service.next_due_at(db.session, user, scope))
    shown = tokens.new_presentation(user.id, found.question.id, found.card, now,
                                    state.has_targets)
    previews = None
    if found.question.type == "flashcard":
        previews = service.preview_ratings(db.session, learner or service.learner_of(user),
                                           shown)
    return _render("study/card.html", scope=scope, item=found, counts=state.counts,
                   notice=notice, token=tokens.encode(shown, _secret()), previews=previews,
                   suggested=scheduling.Rating.GOOD, describe=scheduling.describe_interval,
                   shown=present(found.question.content, found.question.prompt, shown.seed,
                                 found.question.bank_language))


def _scope(text: str | None) -> service.Scope:
    """The scope a link or form names, or a 404: never "everything" in its place."""
    scope = scopes.resolve(db.session, current_user, text, _now())
    if scope is None:
        abort(404)
    return scope


@bp.route("/session")
@login_required
def session():
    scope = _scope(request.args.get("scope"))
    return _next_card_page(scope, ahead=request.args.get("ahead") == "1")


def _presentation() -> tokens.Presentation:
    presentation = tokens.decode(request.form.get("token", ""), _secret())
    if presentation is None or presentation.user_id != current_user.id:
        abort(400)
    return presentation


@bp.route("/answer", methods=["POST"])
@login_required
def answer():
    """Reveal a flashcard, or grade an objective answer; nothing is stored until the rating."""
    presentation = _presentation()
    question = db.get_or_404(Question, presentation.question_id)
    scope = _scope(request.form.get("scope"))
    content = question.content
    shown = present(content, question.prompt, presentation.seed, question.bank.language)
    try:
        response = presenting.response_from_form(shown, content, request.form.getlist)
    except presenting.UnclearAnswer as exc:  # the same card comes back, with the message
        if request.headers.get(FRAGMENT_HEADER):
            return _next_card_page(scope, notice=said(exc))
        flash(said(exc), "error")
        return redirect(url_for("study.session", scope=str(scope)))
    result = None if content["type"] == "flashcard" else grading.grade(content, response)
    suggested = scheduling.Rating.GOOD if result is None else \
        scheduling.suggested_rating(result.score)
    previews = service.preview_ratings(db.session, service.learner_of(current_user),
                                       presentation)
    return _render(
        "study/answer.html", scope=scope, question=question, response=response, result=result,
        shown=shown, correct=grading.correct_response(shown.content), token=request.form["token"],
        suggested=suggested, previews=previews, describe=scheduling.describe_interval)


@bp.route("/rate", methods=["POST"])
@login_required
def rate():
    presentation = _presentation()
    scope = _scope(request.form.get("scope"))
    try:
        rating = scheduling.Rating(int(request.form.get("rating", "")))
    except ValueError:
        abort(400)
    learner = service.learner_of(current_user)  # its reads serve the next card's buttons too
    try:
        result = service.apply_rating(db.session, learner, presentation, rating, _now())
        db.session.commit()
    except IntegrityError:  # the same presentation rated at the same moment elsewhere
        db.session.rollback()
        result = service.RatingResult(applied=False)
    notice = None if result.applied else str(ALREADY_RATED)
    if request.headers.get(FRAGMENT_HEADER):
        return _next_card_page(scope, notice=notice, learner=learner)
    if notice:
        flash(notice, "info")
    return redirect(url_for("study.session", scope=str(scope)))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = StudySettingsForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        current_user.desired_retention = float(form.desired_retention.data)
        current_user.learning_steps = " ".join(form.learning_steps.data.split())
        db.session.commit()
        flash(_("Your study settings are saved."), "success")
        return redirect(url_for("study.settings"))
    return render_template("study/settings.html", form=form,
                           options=targets.retention_options(db.session, current_user, _now()))
