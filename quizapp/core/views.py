from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text

from ..database import backend_name
from ..extensions import db
from ..models import Question

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    counts = db.session.execute(
        select(func.count(func.distinct(Question.bank_id)), func.count(Question.id))
        .where(Question.retired.is_(False))
    ).one()
    return render_template("core/home.html", bank_count=counts[0], question_count=counts[1])


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
