from datetime import UTC, datetime

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from ..database import backend_name
from ..extensions import db
from ..models import Question
from ..study.service import Scope, queue_counts

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/home.html")
    banks, questions = db.session.execute(
        select(func.count(func.distinct(Question.bank_id)), func.count(Question.id))
        .where(Question.retired.is_(False))).one()
    queue = queue_counts(db.session, current_user, Scope(), datetime.now(UTC))
    return render_template("core/home.html", bank_count=banks, question_count=questions,
                           queue=queue)


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
