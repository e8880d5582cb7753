"""Live sessions: the teacher's projector and controls, the students' phones, and the event
stream (server-sent events) that keeps every screen at the current question."""

from __future__ import annotations

import queue
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from .. import presenting
from ..auth.access import teacher_required
from ..classes import service as classes
from ..csvfile import csv_response
from ..extensions import db
from ..i18n import language, present
from ..models import LiveSession, Question
from ..quiz.forms import EmptyForm, fill_scope_choices
from ..selection import shared_banks
from ..templating import said
from . import service
from .broker import Hub
from .forms import JoinForm, NewLiveForm

bp = Blueprint("live", __name__, url_prefix="/live")
HUB = "quizapp.live_hub"


def init_app(app: Flask) -> None:
    url = app.config.get("LIVE_REDIS_URL")
    app.extensions[HUB] = Hub(url or None)
    app.extensions[SCREENS] = ({}, threading.Lock())


def _hub() -> Hub:
    return current_app.extensions[HUB]


def _now() -> datetime:
    return datetime.now(UTC)


def _announce(live: LiveSession) -> None:
    _hub().publish(str(live.id), {"seq": live.seq, "status": live.status})


def _hosted(code: str) -> LiveSession:
    live = service.by_code(db.session, code)
    if live is None:
        abort(404)
    if not current_user.is_authenticated or (live.host_id != current_user.id
                                             and not current_user.is_admin):
        abort(403)
    return live


# -- The teacher ---------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@teacher_required
def new():
    form = NewLiveForm()
    fill_scope_choices(form, shared_banks(db.session, current_user.id))
    own = classes.classes_of_teacher(db.session, current_user)
    form.school_class.choices = [("", _("Anyone with the code"))] + \
        [(str(c.id), c.name) for c in own]
    if form.validate_on_submit():
        class_id = int(form.school_class.data) if form.school_class.data else None
        if class_id is not None and class_id not in {c.id for c in own}:
            abort(400)
        spec = service.LiveSpec(title=form.title.data.strip(), banks=form.banks.data,
                                tags=form.tags.data, size=form.size.data,
                                seconds=int(form.seconds.data) if form.seconds.data else None,
                                guests=form.guests.data, leaderboard=form.leaderboard.data,
                                class_id=class_id)
        try:
            live = service.create(db.session, current_user, spec, _now())
        except service.LiveError as exc:
            db.session.rollback()
            flash(said(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("live.host", code=live.code))
    return render_template("live/new.html", form=form), 422 if form.errors else 200


@bp.route("/<code>/host")
@teacher_required
def host(code: str):
    live = _hosted(code)
    view = _host_view(live)
    db.session.commit()  # a countdown that ran out is closed for everyone
    return render_template("live/host.html", **view)


def _join_url(live: LiveSession) -> str:
    return url_for("live.play", code=live.code, _external=True)


def _qr(live: LiveSession) -> Markup:
    svg = segno.make(_join_url(live), error="m").svg_inline(
        scale=6, dark="#102a43", light="#ffffff", title=None, omitsize=True)
    return Markup(svg)


def _host_view(live: LiveSession) -> dict:
    live = service.expire(db.session, live, _now())
    view = {"live": live, "players": service.players(db.session, live),
            "join_url": _join_url(live), "qr": _qr(live) if live.status == "lobby" else None,
            "form": EmptyForm()}
    if 0 <= live.current < len(live.question_ids):
        question = db.session.get(Question, live.question_ids[live.current])
        view |= {"question": question, "shown": _shown(live, question),
                 "answered": service.answered_count(db.session, live)}
        if live.status == "closed":
            view["bars"] = service.distribution(db.session, live, live.current,
                                                view["shown"].content)
    if live.status in ("closed", "ended") and live.settings.get("leaderboard") != "off":
        view["standings"] = service.leaderboard(db.session, live)
    return view


def _shown(live: LiveSession, question: Question) -> presenting.Shown:
    return present(question.content, question.prompt, live.seed * 1_000_003 + question.id,
                   question.bank.language)


def _control(code: str, move) -> Response:
    live = _hosted(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    seen = request.form.get("seq", "")
    try:
        moved = service.act(db.session, live, move, _now(),
                            int(seen) if seen.isdigit() else None)
    except service.LiveError as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("live.host", code=live.code))
    db.session.commit()
    if moved is None:  # already done: the page catches up with where the session is
        if not request.headers.get("X-Live"):
            flash(_("The session had already moved on; this is where it is now."), "info")
    else:
        _announce(moved)
    if request.headers.get("X-Live"):
        return Response(status=204)
    return redirect(url_for("live.host", code=live.code))


@bp.route("/<code>/next", methods=["POST"])
@teacher_required
def next_question(code: str):
    return _control(code, service.advance)


@bp.route("/<code>/close", methods=["POST"])
@teacher_required
def close_question(code: str):
    return _control(code, service.close)


@bp.route("/<code>/end", methods=["POST"])
@teacher_required
def end(code: str):
    return _control(code, service.end)


@bp.route("/<code>/players/<int:player_id>/remove", methods=["POST"])
@teacher_required
def remove_player(code: str, player_id: int):
    live = _hosted(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        gone = service.remove_player(db.session, live, player_id)
    except service.LiveError as exc:
        db.session.rollback()
        flash(said(exc), "error")
    else:
        db.session.commit()
        # The player's phone shows why it stopped; the teacher's screens (which hear the
        # session's channel too) list one fewer.
        _hub().publish(str(live.id), {"removed": [gone.id]})
        if not request.headers.get("X-Live"):
            flash(_("%(name)s is no longer in the session.", name=gone.nickname), "info")
    if request.headers.get("X-Live"):
        return Response(status=204)
    return redirect(url_for("live.host", code=live.code))


@bp.route("/<code>/results.csv")
@teacher_required
def results(code: str):
    live = _hosted(code)
    header, *rows = service.results_rows(db.session, live)
    return csv_response(f"live-{live.code}.csv", header, rows)


# -- The students ----------------------------------------------------------------------------

def _guest_players() -> dict:
    return session.get("live_players", {})


def _player(live: LiveSession):
    user = current_user if current_user.is_authenticated else None
    return service.player_of(db.session, live, user, _guest_players().get(live.code))


@bp.route("/", methods=["GET", "POST"])
def join():
    form = JoinForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        live = service.by_code(db.session, form.code.data)
        if live is None:
            form.code.errors.append(_("No live session has this code: check it on the screen."))
            return render_template("live/join.html", form=form), 422
        user = current_user if current_user.is_authenticated else None
        try:
            player = service.join(db.session, live, user, form.nickname.data, _now())
        except service.LiveError as exc:
            db.session.rollback()
            form.code.errors.append(said(exc))
            return render_template("live/join.html", form=form, live=live), 422
        db.session.commit()
        if user is None:
            session["live_players"] = _guest_players() | {live.code: player.id}
        _hub().publish(f"{live.id}:host", {"joined": player.id})
        return redirect(url_for("live.play", code=live.code))
    return render_template("live/join.html", form=form), 422 if form.errors else 200


@bp.route("/<code>")
def play(code: str):
    live = service.by_code(db.session, code)
    if live is None:
        abort(404)
    player = _player(live)
    if player is None:
        return redirect(url_for("live.join", code=live.code))
    view = _player_view(live, player)
    db.session.commit()
    return render_template("live/play.html", **view)


def _player_view(live: LiveSession, player) -> dict:
    live = service.expire(db.session, live, _now())
    view = {"live": live, "player": player, "form": EmptyForm()}
    if 0 <= live.current < len(live.question_ids):
        question = db.session.get(Question, live.question_ids[live.current])
        mine = db.session.scalar(select(service.LiveAnswer).where(
            service.LiveAnswer.player_id == player.id,
            service.LiveAnswer.position == live.current))
        view |= {"question": question, "shown": _shown(live, question), "mine": mine}
    if live.status in ("closed", "ended") and live.settings.get("leaderboard") != "off":
        standings = service.leaderboard(db.session, live, limit=None)
        view["place"] = next((s for s in standings if s.player_id == player.id), None)
        view["players_count"] = len(standings)
    return view


@bp.route("/<code>/answer", methods=["POST"])
def answer(code: str):
    live = service.by_code(db.session, code)
    if live is None:
        abort(404)
    player = _player(live)
    if player is None or not EmptyForm().validate_on_submit():
        abort(403 if player is None else 400)
    try:
        position = int(request.form.get("position", ""))
        question = db.session.get(Question, live.question_ids[position])
    except (ValueError, IndexError):
        abort(400)
    shown = _shown(live, question)
    try:
        response = presenting.response_from_form(shown, question.content, request.form.getlist)
        _, recorded = service.answer(db.session, live, player, position, response, _now())
    except (service.LiveError, presenting.UnclearAnswer) as exc:
        db.session.rollback()
        flash(said(exc), "error")
        return redirect(url_for("live.play", code=live.code))
    db.session.commit()
    if recorded:
        _hub().publish(f"{live.id}:host", {"answered": service.answered_count(db.session,
                                                                              live)})
    return redirect(url_for("live.play", code=live.code))


# -- The event stream -------------------------------------------------------------------------

@bp.route("/<code>/events")
def events(code: str):
    """Server-sent events: the viewer's screen, rendered afresh on every change of state
    (event id = the session's seq); the host also hears of joins and answers. A client that
    reconnects sends Last-Event-ID and gets the current screen if it missed a change. A
    stream lasts up to LIVE_STREAM_SECONDS, then the browser reconnects: a worker being
    replaced lets go of its streams in time, and no proxy sees a connection idle for long.

    A stream's lifetime is drawn at random (half to all of LIVE_STREAM_SECONDS), and at its
    planned end it asks for an almost immediate reconnect: a phone is away for a moment, not
    for the second or two the first `retry` asks for after a cut (itself drawn at random, so
    that a restart's 300 reconnects do not land at once). With every stream living exactly
    25 s, streams opened together ended together, and a "next" that fell among 200 reconnects
    reached some phones 2 s late (bench.live)."""
    live = service.by_code(db.session, code)
    if live is None:
        abort(404)
    is_host = current_user.is_authenticated and (live.host_id == current_user.id
                                                 or current_user.is_admin)
    player = None if is_host else _player(live)
    if not is_host and player is None:
        abort(403)
    live_id, player_id = live.id, player.id if player else None
    me = (player.id, player.user_id, player.nickname) if player else None
    last = request.headers.get("Last-Event-ID", "")
    seen = int(last) if last.isdigit() else None
    hub = _hub()
    channels = [str(live_id)] + ([f"{live_id}:host"] if is_host else [])
    beat = current_app.config["LIVE_BEAT_SECONDS"]
    lifetime = current_app.config["LIVE_STREAM_SECONDS"]
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    for channel in channels:
        hub.subscribe(channel, inbox)

    @stream_with_context
    def stream():
        nonlocal seen
        ends = time.monotonic() + lifetime * random.uniform(0.5, 1.0)
        try:
            yield f"retry: {random.randint(1000, 2500)}\n\n"
            notice: dict | None = None
            while time.monotonic() < ends:
                if notice and notice.get("removed"):
                    _forget(live_id)  # the standings read for this state counted them
                    if player_id in notice["removed"]:
                        yield _event("state", render_template("live/_removed.html"), seen)
                        return
                if not is_host and notice and notice.get("seq") not in (None, seen) and \
                        (screen := _phone_screen(live_id, notice["seq"], language(), me)):
                    # What every phone shows is read once per worker; a phone's own part
                    # (its answer, its place) comes from that read, not from a query each.
                    seen = notice["seq"]
                    yield _event("state", screen, seen)
                    notice = _wait(inbox, min(beat, max(0.0, ends - time.monotonic())))
                    if notice is None:
                        yield ": beat\n\n"
                    continue
                db.session.remove()  # a fresh read each time; no connection held while waiting
                current = db.session.get(LiveSession, live_id)
                if current is None:
                    return
                if current.seq != seen:
                    # A phone back from a cut (a worker restart brings them all back at
                    # once) shares its worker's read of the state, as on a notice, with its
                    # own answer read afresh: it may have answered since that read.
                    screen = None if is_host else _phone_screen(live_id, current.seq,
                                                                language(), me, own=True)
                    if screen is None:
                        current = db.session.get(LiveSession, live_id)
                        if current is None:
                            return
                        screen = _render(current, is_host, player_id)
                    seen = current.seq
                    yield _event("state", screen, seen)
                elif is_host and (current.status == "lobby" or (notice or {}).get("removed")):
                    # someone joined, or the teacher took someone out
                    yield _event("state", _render(current, is_host, player_id), seen)
                elif is_host:
                    yield _event("count", str(service.answered_count(db.session, current)))
                if current.status == "ended":
                    return
                db.session.remove()
                notice = _wait(inbox, min(beat, max(0.0, ends - time.monotonic())))
                if notice is None:
                    yield ": beat\n\n"
            yield f"retry: {PLANNED_RETRY_MS}\n\n"  # a planned end: come back at once
        finally:
            for channel in channels:
                hub.unsubscribe(channel, inbox)
            db.session.remove()

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


PLANNED_RETRY_MS = 250


def _wait(inbox: queue.SimpleQueue, beat: float) -> dict | None:
    """Wait for a notice, up to the beat: the latest of those that came together (one fresh
    read covers them all), with every player removed among them; or None."""
    try:
        notice = inbox.get(timeout=beat)
    except queue.Empty:
        return None
    removed = list(notice.get("removed", ()))
    while not inbox.empty():
        notice = inbox.get_nowait()
        removed += notice.get("removed", ())
    return notice | {"removed": removed} if removed else notice


# What the phones of one session show in one state (seq), read from the database once per
# worker however many phones it serves, and the screen of a question just opened, rendered
# once per language: the same for every phone that has not answered (kept per app).
SCREENS = "quizapp.live_screens"


@dataclass(frozen=True)
class _Given:
    score: float
    points: int


def _snapshot(live_id: int, seq: int, lang: str) -> dict | None:
    screens, lock = current_app.extensions[SCREENS]
    key = (live_id, seq, lang)
    with lock:  # the first stream reads; the others wait for it and reuse what it read
        if key not in screens:
            db.session.remove()
            live = db.session.get(LiveSession, live_id)
            if live is None or live.seq != seq:
                return None  # moved on already: the stream reads the state itself
            if len(screens) > 64:
                screens.clear()
            snap: dict = {"live": live}
            if 0 <= live.current < len(live.question_ids):
                question = db.session.get(Question, live.question_ids[live.current])
                snap |= {"question": question, "shown": _shown(live, question),
                         "given": {pid: _Given(score, points) for pid, score, points in
                                   db.session.execute(select(
                                       service.LiveAnswer.player_id, service.LiveAnswer.score,
                                       service.LiveAnswer.points).where(
                                       service.LiveAnswer.session_id == live.id,
                                       service.LiveAnswer.position == live.current))}}
            if live.status in ("closed", "ended") and \
                    live.settings.get("leaderboard") != "off":
                snap["standings"] = service.leaderboard(db.session, live, limit=None)
            if live.status == "open":
                snap["fresh"] = render_template(
                    "live/_play.html", live=live, question=snap["question"],
                    shown=snap["shown"], mine=None, form=EmptyForm(), shared=True)
            screens[key] = snap
            db.session.remove()
        return screens[key]


def _forget(live_id: int) -> None:
    """Drop this worker's reads of a session's states (a player left: its standings changed
    though its state did not)."""
    screens, lock = current_app.extensions[SCREENS]
    with lock:
        for key in [k for k in screens if k[0] == live_id]:
            del screens[key]


def _phone_screen(live_id: int, seq: int, lang: str, me: tuple, own: bool = False
                  ) -> str | None:
    """A phone's screen from its worker's read of the state; with `own`, the phone's answer
    is read afresh rather than taken from that read."""
    snap = _snapshot(live_id, seq, lang)
    if snap is None:
        return None
    player_id, user_id, nickname = me
    mine = snap.get("given", {}).get(player_id)
    if own and "question" in snap:
        found = db.session.execute(select(service.LiveAnswer.score, service.LiveAnswer.points)
                                   .where(service.LiveAnswer.player_id == player_id,
                                          service.LiveAnswer.position == snap["live"].current)
                                   ).first()
        mine = _Given(*found) if found else None
    if snap["live"].status == "open" and mine is None:
        return snap["fresh"]
    standings = snap.get("standings") or []
    return render_template(
        "live/_play.html", live=snap["live"], question=snap.get("question"),
        shown=snap.get("shown"), mine=mine, form=EmptyForm(),
        player=SimpleNamespace(id=player_id, user_id=user_id, nickname=nickname),
        place=next((s for s in standings if s.player_id == player_id), None),
        players_count=len(standings))


def _render(live: LiveSession, is_host: bool, player_id: int | None) -> str:
    if is_host:
        return render_template("live/_host.html", **_host_view(live))
    player = db.session.get(service.LivePlayer, player_id)
    if player is None:  # a guest whose answers went at the end
        return render_template("live/_ended_guest.html", live=live)
    return render_template("live/_play.html", **_player_view(live, player))


def _event(name: str, data: str, event_id: int | None = None) -> str:
    lines = [f"event: {name}"] + ([f"id: {event_id}"] if event_id is not None else [])
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"
