from datetime import UTC, datetime

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from ..classes.service import assignments_for_student, classes_of_student
from ..database import backend_name
from ..extensions import db
from ..models import Question
from ..quiz.forms import EmptyForm
from ..study.service import Scope, queue_counts

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/home.html")
    banks, questions = db.session.execute(
        select(func.count(func.distinct(Question.bank_id)), func.count(Question.id))
        .where(Question.retired.is_(False))).one()
    now = datetime.now(UTC)
    queue = queue_counts(db.session, current_user, Scope(), now)
    assignments = [s for s in assignments_for_student(db.session, current_user, now)
                   if s.state != "closed" or not s.done]
    return render_template("core/home.html", bank_count=banks, question_count=questions,
                           queue=queue, assignments=assignments, form=EmptyForm(), now=now,
                           classes=classes_of_student(db.session, current_user))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        ok = True
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        db.session.rollback()
        ok = False
    body = {"status": "ok" if ok else "error", "database": {"backend": backend_name(),
                                                            "answers": ok}}
    return jsonify(body), 200 if ok else 503
