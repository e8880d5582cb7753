from datetime import UTC, datetime

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import func, select, text

from ..banks.exporter import bank_document
from ..banks.formats import anki
from ..banks.schema import json_schema
from ..classes.service import assignments_for_student, classes_of_student
from ..config import BUNDLED_QUESTIONS
from ..database import backend_name
from ..extensions import db
from ..i18n import COOKIE, LANGUAGES
from ..models import Bank, Question
from ..quiz.forms import EmptyForm
from ..study.service import Scope, queue_counts
from ..urls import local_path

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


@bp.route("/schema.json")
def schema():
    """The bank format's JSON Schema, at the address exported banks name in their first
    line (so an editor with the YAML language server checks them)."""
    return jsonify(json_schema())


@bp.route("/decks/<slug>.apkg")
@login_required
def deck(slug: str):
    """A bank's live questions as an Anki deck, for anyone who studies it."""
    bank = db.first_or_404(select(Bank).where(Bank.slug == slug))
    return Response(anki.write(bank_document(db.session, bank)),
                    mimetype="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.apkg"'})


@bp.route("/help/banks")
def bank_format():
    """The bank format's documentation (questions/README.md), as a page."""
    source = (BUNDLED_QUESTIONS / "README.md").read_text(encoding="utf-8")
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(source)
    return render_template("core/help.html", body=Markup(body), title=_("Question bank format"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface's language: kept on the account, and on this browser for a
    visitor (a year)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    code = request.form.get("lang", "")
    back = redirect(local_path(request.form.get("next"), url_for("core.home")))
    if code not in LANGUAGES:
        return back
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    back.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True,
                    secure=request.is_secure)
    return back
