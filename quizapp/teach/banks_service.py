"""Teachers' bank uploads: validate, preview as a dry run, then import on confirmation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..banks.errors import BankError, BankErrors
from ..banks.files import load_many
from ..banks.importer import BankChanges, apply_import, plan_import
from ..models import Bank, BankUpload, Question

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


def _safe_name(name: str | None) -> str:
    base = (name or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    return base[:120] or "upload.yaml"


def preview_upload(session: Session, files: list[UploadedFile], user_id: int,
                   max_bytes: int, now: datetime) -> Preview:
    """Validate every file; when all are good, stage them and return the dry-run summary."""
    named = [(_safe_name(f.name), f.content) for f in files]
    try:
        banks = load_many(named, max_bytes)
    except BankErrors as exc:
        return Preview(errors=exc.errors, changes=[])
    changes = plan_import(session, banks)
    session.execute(delete(BankUpload).where(BankUpload.created_at < now - UPLOAD_TTL))
    token = secrets.token_urlsafe(24)
    session.add(BankUpload(token=token, user_id=user_id, created_at=now, files=[
        {"name": name, "content": content.decode("utf-8")} for name, content in named]))
    return Preview(errors=[], changes=changes, token=token)


class UploadGone(LookupError):
    """The staged upload is unknown, someone else's, or expired."""


def confirm_upload(session: Session, token: str, user_id: int, max_bytes: int,
                   now: datetime) -> list[BankChanges]:
    """Import a staged upload (the caller commits). Re-validates: the database may have moved."""
    upload = session.scalar(select(BankUpload).where(BankUpload.token == token))
    if upload is None or upload.user_id != user_id or upload.created_at < now - UPLOAD_TTL:
        raise UploadGone(token)
    banks = load_many([(f["name"], f["content"].encode("utf-8")) for f in upload.files],
                      max_bytes)
    changes = apply_import(session, banks, now)
    session.execute(delete(BankUpload).where(BankUpload.id == upload.id))
    return changes


def bank_overview(session: Session) -> list[tuple[Bank, int]]:
    """Every bank with its count of active questions."""
    query = (select(Bank, func.count(Question.id))
             .outerjoin(Question, (Question.bank_id == Bank.id) & Question.retired.is_(False))
             .group_by(Bank.id).order_by(Bank.title))
    return [(bank, count) for bank, count in session.execute(query)]
