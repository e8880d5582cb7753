"""Teachers write banks in the browser: create a bank, add, edit, reorder, retire and restore
questions of every type, with a preview of each question as students will see it. Works
without JavaScript (a Preview button); static/app.js refreshes the preview as one types."""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from .. import audit, grading, presenting
from ..auth.access import admin_required, teacher_required
from ..banks.errors import BankErrors
from ..extensions import db
from ..models import Bank, Question, Role, User
from ..quiz.forms import EmptyForm
from ..templating import said
from . import service
from .forms import TYPES, BankForm, DetailsForm, QuestionForm

bp = Blueprint("editor", __name__, url_prefix="/teach/banks")
PREVIEW_SEED = 7  # one fixed shuffle, so the preview does not jump about as one types


def _now() -> datetime:
    return datetime.now(UTC)


def _bank(slug: str, editing: bool = True) -> Bank:
    bank = db.first_or_404(select(Bank).where(Bank.slug == slug))
    if editing and not service.may_edit(current_user, bank):
        abort(403, _("Only this bank's owner or an admin can change it: ask an admin to hand "
                     "it to you."))
    return bank


@bp.route("/new", methods=["GET", "POST"])
@teacher_required
def new_bank():
    form = BankForm()
    if form.validate_on_submit():
        taken = db.session.scalar(select(Bank.id).where(Bank.slug == form.slug.data))
        if taken is None:
            bank = service.create_bank(db.session, form.slug.data, form.title.data,
                                       form.description.data, form.language.data,
                                       current_user, _now())
            db.session.commit()
            flash(_("The bank “%(title)s” is ready: add its first question.", title=bank.title),
                  "success")
            return redirect(url_for("editor.bank", slug=bank.slug))
        form.slug.errors.append(_("A bank already has this id; choose another."))
    return render_template("editor/new_bank.html", form=form)


@bp.route("/<slug>/edit")
@teacher_required
def bank(slug: str):
    found = _bank(slug, editing=False)
    live, retired = service.questions_of(db.session, found)
    owner = db.session.get(User, found.owner_id) if found.owner_id else None
    teachers = db.session.scalars(select(User).where(User.role.in_(
        [Role.TEACHER.value, Role.ADMIN.value])).order_by(User.name)).all() \
        if current_user.is_admin else []
    details = DetailsForm(obj=found, version=found.version)
    warnings = service.warnings(db.session, found)
    return render_template("editor/bank.html", bank=found, live=live, retired=retired,
                           owner=owner, teachers=teachers, types=TYPES, details=details,
                           form=EmptyForm(), editable=service.may_edit(current_user, found),
                           warnings=warnings)


def _save(found: Bank, doc: dict, version, done):
    """Save the edited document; a conflict or a problem is said, and nothing is saved.
    `done` (lazily translated) is said to the teacher, and kept in English in the audit log."""
    try:
        service.save(db.session, found, int(version or 0), doc, _now())
    except service.EditConflict:
        db.session.rollback()
        return _("This bank was changed elsewhere (another teacher, another tab or an upload) "
                 "since this page was opened, so nothing was saved. Reload it to see the "
                 "changes, then make yours again.")
    except BankErrors as exc:
        db.session.rollback()
        if any("questions" in str(e.message) and "at least 1" in str(e.message)
               for e in exc.errors):
            return _("A bank needs at least one live question: add another before this one "
                     "goes.")
        return said(exc.errors[0].message)
    with force_locale("en"):
        change = str(done)
    audit.here("bank_imported", target=f"bank {found.slug}", detail={"via": "editor",
                                                                      "change": change})
    db.session.commit()
    flash(str(done), "success")
    return None


@bp.route("/<slug>/details", methods=["POST"])
@teacher_required
def details(slug: str):
    found = _bank(slug)
    form = DetailsForm()
    if not form.validate_on_submit():
        flash(_("Give the bank a title."), "error")
        return redirect(url_for("editor.bank", slug=slug))
    doc = service.with_details(service.document(db.session, found), form.title.data,
                               form.description.data)
    if not doc["questions"]:  # nothing to import yet: the details alone
        found.title, found.description = doc["title"], doc.get("description")
        found.version += 1
        db.session.commit()
        flash(_("Details saved."), "success")
    elif problem := _save(found, doc, form.version.data, _l("Details saved.")):
        flash(problem, "error")
    return redirect(url_for("editor.bank", slug=slug))


def _question_page(found: Bank, kind: str, form: QuestionForm, question: Question | None,
                   status: int = 200, problem: str | None = None):
    preview = _preview(form, kind)
    context = dict(bank=found, kind=kind, form=form, question=question, preview=preview,
                   problem=problem, kind_label=str(dict(TYPES)[kind]))
    if request.headers.get("X-Preview"):
        return render_block("editor/question.html", "preview", **context)
    return render_template("editor/question.html", **context), status


def _preview(form: QuestionForm, kind: str) -> dict | None:
    """The question as students will see it, once it is complete enough to show."""
    data = form.to_question(kind) | {"id": form.key.data or "preview"}
    if service.check_question(data):
        return None
    content = service.QUESTION.validate_python(data).model_dump(
        mode="json", exclude_none=True, exclude={"id"})
    prompt = data.get("prompt") or data.get("front") or "Fill in the gaps."
    return {"shown": presenting.show(content, prompt, PREVIEW_SEED), "content": content,
            "right": grading.correct_response(content)}


@bp.route("/<slug>/questions/new/<kind>", methods=["GET", "POST"])
@bp.route("/<slug>/questions/<key>", methods=["GET", "POST"], defaults={"kind": None})
@teacher_required
def question(slug: str, kind: str | None, key: str | None = None):
    found = _bank(slug)
    stored = None
    if key is not None:
        stored = db.first_or_404(select(Question).where(Question.bank_id == found.id,
                                                        Question.key == key))
        kind = stored.type
    if kind not in dict(TYPES):
        abort(404)
    form = QuestionForm()
    if request.method == "GET":
        form.version.data = found.version
        if stored is not None:
            form.fill({"id": stored.key, **stored.content})
        return _question_page(found, kind, form, stored)
    if not form.validate_on_submit():
        return _question_page(found, kind, form, stored, 422)
    if form.action.data == "rows":
        form.more_rows()
        return _question_page(found, kind, form, stored)
    if form.action.data == "preview" or request.headers.get("X-Preview"):
        return _question_page(found, kind, form, stored)
    return _save_question(found, kind, form, stored)


def _save_question(found: Bank, kind: str, form: QuestionForm, stored: Question | None):
    doc = service.document(db.session, found)
    data = form.to_question(kind)
    data["id"] = stored.key if stored else (form.key.data or service.new_key(
        doc, data.get("prompt") or data.get("front") or data.get("text") or kind))
    problems = service.check_question(data)
    if stored is None and any(q["id"] == data["id"] for q in doc["questions"]):
        problems.append((("id",), _("another question of this bank has this id")))
    if kind == "single_choice" and not data.get("answer"):
        problems = [p for p in problems if p[0][:1] != ("answer",)]
        problems.append((("choices",), _("mark exactly one choice as right")))
    if problems:
        form.show_problems(kind, problems)
        return _question_page(found, kind, form, stored, 422)
    dropped = []
    if stored is not None:
        data, dropped = service.carried_over(stored.content, data)
    updated = service.with_question(doc, data, replacing=stored.key if stored else None)
    if stored is not None and stored.retired:  # editing a retired question brings it back
        updated = service.with_question(doc, data)
    problem = _save(found, updated, form.version.data,
                    _l("Question “%(id)s” saved.", id=data["id"]) if stored else
                    _l("Question “%(id)s” added.", id=data["id"]))
    if problem:
        return _question_page(found, kind, form, stored, 409, problem)
    if dropped:
        flash(_("Its translation into %(languages)s no longer matched the question (a choice, "
                "gap or item added or removed) and was taken out: translate it again in the "
                "bank file.", languages=", ".join(dropped)), "info")
    return redirect(url_for("editor.bank", slug=found.slug) + f"#q-{data['id']}")


@bp.route("/<slug>/questions/<key>/<change>", methods=["POST"])
@teacher_required
def change(slug: str, key: str, change: str):
    """Move a question up or down, retire it, or restore it."""
    found = _bank(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    stored = db.first_or_404(select(Question).where(Question.bank_id == found.id,
                                                    Question.key == key))
    doc = service.document(db.session, found)
    edits = {"up": lambda: service.moved(doc, key, -1),
             "down": lambda: service.moved(doc, key, 1),
             "retire": lambda: service.without(doc, key),
             "restore": lambda: service.restored(doc, stored)}
    if change not in edits or (change == "restore") != stored.retired:
        abort(404)
    done = {"up": _l("Moved up."), "down": _l("Moved down."),
            "retire": _l("Question “%(id)s” retired: students no longer see it; their history "
                         "is kept, and you can restore it.", id=key),
            "restore": _l("Question “%(id)s” restored.", id=key)}[change]
    if problem := _save(found, edits[change](), request.form.get("version"), done):
        flash(problem, "error")
    return redirect(url_for("editor.bank", slug=slug) + f"#q-{key}")


@bp.route("/<slug>/owner", methods=["POST"])
@admin_required
def owner(slug: str):
    """An admin hands a bank to a teacher (a bundled bank, or a departing teacher's)."""
    found = _bank(slug, editing=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    teacher = db.session.scalar(select(User).where(
        User.email == request.form.get("email", ""),
        User.role.in_([Role.TEACHER.value, Role.ADMIN.value])))
    if teacher is None:
        flash(_("Choose a teacher."), "error")
    else:
        found.owner_id = teacher.id
        found.version += 1
        audit.here("bank_owner_changed", target_user=teacher, target=f"bank {found.slug}",
                   detail={"to": teacher.email})
        db.session.commit()
        flash(_("“%(title)s” now belongs to %(name)s.", title=found.title, name=teacher.name),
              "success")
    return redirect(url_for("editor.bank", slug=slug))
