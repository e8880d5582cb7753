"""Teachers' pages: question banks (upload, preview, import, export)."""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from .. import audit
from ..auth.access import teacher_required
from ..banks.errors import BankErrors
from ..banks.exporter import bank_document, export_yaml
from ..banks.formats import gift, moodle_xml
from ..extensions import db
from ..models import Bank
from ..templating import said
from . import banks_service as service
from .forms import BankUploadForm, ConfirmForm

bp = Blueprint("teach", __name__, url_prefix="/teach")


def _limit() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def _banks_page(form, preview=None, status=200, message=None):
    banks = service.bank_overview(db.session)
    html = render_template("teach/banks.html", form=form, banks=banks, preview=preview,
                           confirm=ConfirmForm(formdata=None), limit=_limit(), message=message)
    return html, status


@bp.route("/banks")
@teacher_required
def banks():
    return _banks_page(BankUploadForm())


@bp.route("/banks/upload", methods=["POST"])
@teacher_required
def upload():
    try:
        form = BankUploadForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _too_large()
    if not valid:
        return _banks_page(form, status=400)
    files = [service.UploadedFile(f.filename, f.read()) for f in form.files.data if f.filename]
    preview = service.preview_upload(db.session, files, current_user, _limit(),
                                     datetime.now(UTC))
    db.session.commit()
    return _banks_page(BankUploadForm(formdata=None), preview, 200 if preview.token else 422)


def _too_large():
    db.session.rollback()
    message = _("That upload is too large. Each bank file may be at most %(size)d MB; split "
                "a larger bank into several files.", size=_limit() // 1024 // 1024)
    return _banks_page(BankUploadForm(formdata=None), status=413, message=message)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    return _too_large()


@bp.route("/banks/upload/<token>/confirm", methods=["POST"])
@teacher_required
def confirm(token: str):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("teach.banks"))
    try:
        changes = service.confirm_upload(db.session, token, current_user, _limit(),
                                         datetime.now(UTC))
    except service.UploadGone:
        db.session.rollback()
        flash(_("That upload has expired or was already imported. Upload the files again."),
              "error")
        return redirect(url_for("teach.banks"))
    except BankErrors as exc:
        db.session.rollback()
        first = exc.errors[0]
        problem = f"{first.path}:{first.line}:{first.col}: {said(first.message)}"
        flash(_("Nothing was imported: %(problem)s", problem=problem), "error")
        return redirect(url_for("teach.banks"))
    for change in changes:
        audit.here("bank_imported", target=f"bank {change.bank_id}",
                   detail={"summary": change.summary(), "via": "upload"})
    db.session.commit()
    for change in changes:
        flash(_("Imported %(summary)s.", summary=change.summary()), "success")
    return redirect(url_for("teach.banks"))


def _download(body, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _bank(slug: str) -> Bank:
    return db.first_or_404(select(Bank).where(Bank.slug == slug))


@bp.route("/banks/starter.yaml")
@teacher_required
def starter():
    """A bank of one question of each type, to copy and change."""
    text = render_template("banks/starter.yaml", schema_url=url_for("core.schema",
                                                                    _external=True))
    return _download(text, "my-first-bank.yaml", "application/x-yaml")


@bp.route("/banks/template.csv")
@teacher_required
def spreadsheet_template():
    """The spreadsheet layout, one row of each type, for teachers who work in a sheet."""
    return _download(render_template("banks/template.csv"), "bank-template.csv",
                     "text/csv; charset=utf-8")


@bp.route("/banks/<slug>.yaml")
@teacher_required
def export(slug: str):
    bank = _bank(slug)
    text = export_yaml(db.session, bank, url_for("core.schema", _external=True))
    return _download(text, f"{slug}.yaml", "application/x-yaml")


@bp.route("/banks/<slug>.gift")
@teacher_required
def export_gift(slug: str):
    """For Moodle's GIFT import. Questions GIFT cannot hold are named in its first lines."""
    text, _ = gift.write(bank_document(db.session, _bank(slug)))
    return _download(text, f"{slug}.gift", "text/plain")


@bp.route("/banks/<slug>.moodle.xml")
@teacher_required
def export_moodle(slug: str):
    text, _ = moodle_xml.write(bank_document(db.session, _bank(slug)))
    return _download(text, f"{slug}.moodle.xml", "application/xml")


@bp.url_value_preprocessor
def _allow_bank_sized_bodies(endpoint, values):
    """A batch of bank files is larger than any other form: allowed on the upload only, and
    only to a signed-in teacher (this runs before the CSRF check reads the body; anyone else
    is held to the site's usual limit before a byte of a large body is read)."""
    if endpoint == "teach.upload" and current_user.is_authenticated and current_user.is_teacher:
        request.max_content_length = _limit() * 10 + 64 * 1024
