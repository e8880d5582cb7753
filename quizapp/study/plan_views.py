"""A student's plan: target days with their readiness forecast, days off, catching up after
a break."""

from datetime import UTC, datetime

from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import scheduling
from ..extensions import db
from ..quiz.forms import EmptyForm
from ..templating import said
from . import targets
from .forms import (
    WEEKDAYS,
    CatchUpForm,
    DaysOffForm,
    TargetForm,
    fill_target_scopes,
    parse_dates,
)

bp = Blueprint("plan", __name__, url_prefix="/study/plan")


def _now() -> datetime:
    return datetime.now(UTC)


def _target_form() -> TargetForm:
    form = TargetForm(prefix="target")
    fill_target_scopes(form, targets.scope_choices(db.session))
    return form


def _days_off_form(user) -> DaysOffForm:
    days_off = scheduling.DaysOff.from_dict(user.days_off)
    form = DaysOffForm(prefix="off")
    if request.endpoint != "plan.days_off":  # what is saved, unless this form came back
        for number, name in enumerate(WEEKDAYS):
            getattr(form, name).data = ("free" if number in days_off.free_weekdays else
                                        "light" if number in days_off.light_weekdays else "")
        form.free_dates.data = "\n".join(sorted(d.isoformat() for d in days_off.free_dates))
        form.light_dates.data = "\n".join(sorted(d.isoformat() for d in days_off.light_dates))
    return form


def _page(target_form: TargetForm | None = None, days_off_form: DaysOffForm | None = None,
          catch_up_form: CatchUpForm | None = None, status: int = 200):
    user, now = current_user, _now()
    today = scheduling.study_day(now, user.timezone)
    rows = [(target, targets.readiness(db.session, user, target.goal,
                                       targets.scope_ids(db.session, *target.covers), now))
            for target in targets.targets_of(db.session, user, today)]
    names = get_day_names("wide", locale=get_locale())
    return render_template(
        "study/plan.html", rows=rows, today=today,
        target_form=target_form or _target_form(),
        days_off_form=days_off_form or _days_off_form(user),
        catch_up_form=catch_up_form or CatchUpForm(prefix="catch"),
        weekday_names=[names[n] for n in range(7)], remove_form=EmptyForm(),
        backlog=targets.backlog(db.session, user, now),
        catch_up_from=targets.CATCH_UP_FROM), status


@bp.route("/")
@login_required
def show():
    return _page()


@bp.route("/targets", methods=["POST"])
@login_required
def set_target():
    form = _target_form()
    if not saved_target(form, form.scope.data, current_user.timezone,
                        user_id=current_user.id):
        return _page(target_form=form, status=400)
    flash(_("Your target is set. Reviews of those cards now fall before the day."), "success")
    return redirect(url_for("plan.show"))


def saved_target(form, scope: str, timezone: str, **owner) -> bool:
    """Set the target a target form asks for (a student's, a class's or a cohort's) and
    commit; False, with the reason on the form, when the form or the target is refused."""
    if not form.validate_on_submit():
        return False
    recall = form.recall.data / 100 if form.recall.data is not None else None
    try:
        targets.set_target(db.session, scope, form.day.data, recall,
                           scheduling.study_day(_now(), timezone), current_user, **owner)
    except targets.TargetError as exc:
        db.session.rollback()
        form.day.errors = [said(exc)]
        return False
    db.session.commit()
    return True


@bp.route("/targets/<int:target_id>/remove", methods=["POST"])
@login_required
def remove_target(target_id: int):
    if EmptyForm().validate_on_submit() and targets.remove_target(
            db.session, target_id, user_id=current_user.id):
        db.session.commit()
        flash(_("The target is removed."), "success")
    return redirect(url_for("plan.show"))


@bp.route("/days-off", methods=["POST"])
@login_required
def days_off():
    form = _days_off_form(current_user)
    if not form.validate_on_submit():
        return _page(days_off_form=form, status=400)
    kinds = {n: getattr(form, name).data for n, name in enumerate(WEEKDAYS)}
    chosen = scheduling.DaysOff(
        free_weekdays=frozenset(n for n, k in kinds.items() if k == "free"),
        light_weekdays=frozenset(n for n, k in kinds.items() if k == "light"),
        free_dates=parse_dates(form.free_dates.data),
        light_dates=parse_dates(form.light_dates.data) - parse_dates(form.free_dates.data))
    if len(chosen.free_weekdays) == 7:
        form.sun.errors = [_("Leave at least one day of the week to study on.")]
        return _page(days_off_form=form, status=400)
    moved = targets.save_days_off(db.session, current_user, chosen, _now())
    db.session.commit()
    flash(" ".join([_("Your days off are saved.")] + (
        [_("%(num)s reviews moved off your free days.", num=moved)] if moved else [])),
          "success")
    return redirect(url_for("plan.show"))


@bp.route("/catch-up", methods=["POST"])
@login_required
def catch_up():
    form = CatchUpForm(prefix="catch")
    if not form.validate_on_submit():
        return _page(catch_up_form=form, status=400)
    spread = targets.catch_up(db.session, current_user, _now(), form.days.data)
    db.session.commit()
    flash(_("%(num)s overdue reviews are spread over the next %(days)s days, those you are "
            "most likely to have forgotten first.", num=spread, days=form.days.data),
          "success")
    return redirect(url_for("plan.show"))
