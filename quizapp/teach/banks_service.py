"""Teachers' bank uploads: validate, preview as a dry run, then import on confirmation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..banks.errors import BankError, BankErrors
from ..banks.files import lint_sources, load_many
from ..banks.importer import BankChanges, apply_import, plan_import
from ..banks.schema import BankFile
from ..models import Bank, BankUpload, Question, User
from ..problems import N_, Words

UPLOAD_TTL = timedelta(hours=2)


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content: bytes


@dataclass
class Preview:
    """Either the problems of the files, or what importing them would change."""

    errors: list[BankError]
    changes: list[BankChanges]
    token: str | None = None
    warnings: list[BankError] = field(default_factory=list)  # item-writing (banks/lint.py)


def _safe_name(name: str | None) -> str:
    base = (name or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    return base[:120] or "upload.yaml"


def _load_own(session: Session, named: list[tuple[str, bytes]], user: User,
              max_bytes: int) -> list[BankFile]:
    """The banks, if valid and this user may change them: a teacher changes the banks they
    uploaded; a bank loaded from the command line, or another teacher's, only an admin."""
    banks = load_many(named, max_bytes)
    owners = dict(session.execute(select(Bank.slug, Bank.owner_id).where(
        Bank.slug.in_([b.id for b in banks]))).all())
    errors = [BankError(name, 1, 1, Words(N_(
        "bank id '%(id)s' is used by a bank you did not upload; only its owner or an admin can "
        "change it. Give yours another id."), id=bank.id))
              for (name, _), bank in zip(named, banks, strict=True)
              if bank.id in owners and owners[bank.id] != user.id and not user.is_admin]
    if errors:
        raise BankErrors(errors)
    return banks


def preview_upload(session: Session, files: list[UploadedFile], user: User,
                   max_bytes: int, now: datetime) -> Preview:
    """Validate every file; when all are good, stage them and return the dry-run summary."""
    named = [(_safe_name(f.name), f.content) for f in files]
    try:
        banks = _load_own(session, named, user, max_bytes)
    except BankErrors as exc:
        return Preview(errors=exc.errors, changes=[])
    changes = plan_import(session, banks)
    session.execute(delete(BankUpload).where(BankUpload.created_at < now - UPLOAD_TTL))
    token = secrets.token_urlsafe(24)
    session.add(BankUpload(token=token, user_id=user.id, created_at=now, files=[
        {"name": name, "content": content.decode("utf-8")} for name, content in named]))
    return Preview(errors=[], changes=changes, token=token,
                   warnings=lint_sources(named, banks))


class UploadGone(LookupError):
    """The staged upload is unknown, someone else's, or expired."""


def confirm_upload(session: Session, token: str, user: User, max_bytes: int,
                   now: datetime) -> list[BankChanges]:
    """Import a staged upload (the caller commits). Re-validates: the database may have moved."""
    upload = session.scalar(select(BankUpload).where(BankUpload.token == token))
    if upload is None or upload.user_id != user.id or upload.created_at < now - UPLOAD_TTL:
        raise UploadGone(token)
    banks = _load_own(session, [(f["name"], f["content"].encode("utf-8"))
                                for f in upload.files], user, max_bytes)
    changes = apply_import(session, banks, now, owner_id=user.id)
    session.execute(delete(BankUpload).where(BankUpload.id == upload.id))
    return changes


def bank_overview(session: Session) -> list[tuple[Bank, int]]:
    """Every bank with its count of active questions."""
    query = (select(Bank, func.count(Question.id))
             .outerjoin(Question, (Question.bank_id == Bank.id) & Question.retired.is_(False))
             .group_by(Bank.id).order_by(Bank.title))
    return [(bank, count) for bank, count in session.execute(query)]
