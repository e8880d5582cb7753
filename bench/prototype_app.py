"""The study loop stripped down: no login, no session cookie, no CSRF, no site layout.

The issue set its ratio targets against such a prototype (0.22x the bare route on SQLite,
0.14x on PostgreSQL, on its machine). Run on the same machine as the real loop, it tells
how much of the difference is the machine and how much the real app's features cost.
What it keeps is the loop itself, through the app's own code: the queue's two statements,
the signed presentation token, the scheduler and the exactly-once rating. The student is
named in the URL, and their settings are read once per worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, lru_cache
from types import SimpleNamespace

from flask import Flask, abort, current_app, redirect, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp import config, database, presenting, scheduling
from quizapp.database import begin_write, read_only, writes_late
from quizapp.extensions import db
from quizapp.models import User
from quizapp.study import queue, service, tokens

SECRET = "prototype"
SCOPE = queue.Scope()
CARD = """<!doctype html><title>Study</title>
<p>{{ counts.learning }} learning, {{ counts.review }} review, {{ counts.new }} new</p>
<h1>{{ shown.prompt }}</h1>
<form method="post" action="/rate?uid={{ uid }}">
<input type="hidden" name="token" value="{{ token }}">
{% for r in (1, 2, 3, 4) %}<button name="rating" value="{{ r }}">{{ r }}</button>{% endfor %}
</form>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(config.load(app.instance_path))  # the app's database settings
    db.init_app(app)
    database.init_app(app)
    app.add_url_rule("/card", view_func=card)
    app.add_url_rule("/rate", view_func=rate, methods=["POST"])
    return app


@cache
def _student(uid: int) -> SimpleNamespace:
    row = db.session.execute(select(User).where(User.id == uid)).scalar_one()
    return SimpleNamespace(id=row.id, timezone=row.timezone,
                           new_cards_per_day=row.new_cards_per_day,
                           max_reviews_per_day=row.max_reviews_per_day,
                           learner=service.learner_of(row))


@lru_cache(maxsize=1)
def _card_template():
    return current_app.jinja_env.from_string(CARD)  # compiled once, as a template file is


def _uid() -> int:
    return request.args.get("uid", type=int) or abort(400)


@read_only
def card():
    student, now = _student(_uid()), datetime.now(UTC)
    state = queue.queue_state(db.session, student, SCOPE, now)
    found = queue.next_card(db.session, student, SCOPE, now, state)
    if found is None:
        return "nothing due"
    shown = tokens.new_presentation(student.id, found.question.id, found.card, now)
    return _card_template().render(
        uid=student.id, counts=state.counts, token=tokens.encode(shown, SECRET),
        shown=presenting.show(found.question.content, found.question.prompt, shown.seed))


@writes_late
def rate():
    student = _student(_uid())
    presentation = tokens.decode(request.form.get("token", ""), SECRET)
    if presentation is None or presentation.user_id != student.id:
        abort(400)
    rating = scheduling.Rating(int(request.form["rating"]))
    planned = service.plan_rating(db.session, student.learner, presentation, rating,
                                  datetime.now(UTC))
    begin_write(db.session)
    try:
        service.store_rating(db.session, planned)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return redirect(f"/card?uid={student.id}")
