"""Write validated banks to the database: added, changed, unchanged, retired, restored.

Questions are matched on (bank id, question id), so editing a question keeps every student's
progress on it; a question missing from the new file is retired, not deleted. Nothing here
commits: the caller commits once for all files, or rolls back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..models import Bank, Question, QuestionTag
from .schema import GAP, BankFile

DEFAULT_CLOZE_PROMPT = "Fill in the gaps."


@dataclass
class BankChanges:
    """What an import does (or, in a dry run, would do) to one bank."""

    bank_id: str
    title: str
    new_bank: bool = False
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    # Which questions, by kind of change: (question id, prompt), in bank order.
    listed: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {
        "added": [], "changed": [], "retired": [], "restored": []})

    def note(self, kind: str, key: str, prompt: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if kind in self.listed:
            self.listed[kind].append((key, prompt))

    def lines(self) -> list[str]:
        """The summary, then each added, changed, retired and restored question."""
        out = [self.summary()]
        for kind, items in self.listed.items():
            out += [f"  {kind:<8} {key}: {prompt[:70]}" for key, prompt in items]
        return out

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged + self.restored

    def summary(self) -> str:
        return (f"{self.bank_id}: {self.added} added, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.retired} retired"
                + (f", {self.restored} restored" if self.restored else ""))


@dataclass
class _Existing:
    id: int
    content_hash: str
    retired: bool
    position: int
    prompt: str


@dataclass
class _Plan:
    changes: BankChanges
    bank_row: Bank | None
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    retire_ids: list[int] = field(default_factory=list)


def question_row(question, position: int) -> dict:
    """The column values of one question, with its full content kept for export."""
    content = question.model_dump(mode="json", exclude_none=True, exclude={"id"})
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    prompt = getattr(question, "prompt", None) or getattr(question, "front", None) \
        or DEFAULT_CLOZE_PROMPT
    return {
        "key": question.id, "position": position, "type": question.type, "prompt": prompt,
        "content": content, "explanation": question.explanation,
        "paragraphs": list(question.source.paragraphs), "difficulty": question.difficulty,
        "content_hash": digest, "retired": False, "_tags": list(dict.fromkeys(question.tags)),
    }


def _existing(session: Session, bank: Bank | None) -> dict[str, _Existing]:
    if bank is None:
        return {}
    rows = session.execute(
        select(Question.key, Question.id, Question.content_hash, Question.retired,
               Question.position, Question.prompt).where(Question.bank_id == bank.id)
    )
    return {key: _Existing(*values) for key, *values in rows}


def _plan_bank(session: Session, bank_file: BankFile) -> _Plan:
    bank = session.scalar(select(Bank).where(Bank.slug == bank_file.id))
    title = bank.title if bank is not None and bank_file.titled_by_file_name() else \
        bank_file.title
    plan = _Plan(BankChanges(bank_file.id, title, new_bank=bank is None), bank)
    existing = _existing(session, bank)
    for position, question in enumerate(bank_file.questions):
        row = question_row(question, position)
        shown = GAP.sub("___", question.text) if question.type == "cloze" else row["prompt"]
        old = existing.pop(question.id, None)
        if old is None:
            plan.inserts.append(row)
            plan.changes.note("added", question.id, shown)
            continue
        if old.retired:
            plan.changes.note("restored", question.id, shown)
        elif old.content_hash != row["content_hash"]:
            plan.changes.note("changed", question.id, shown)
        else:
            plan.changes.note("unchanged", question.id, shown)
        if old.retired or old.content_hash != row["content_hash"] or old.position != position:
            plan.updates.append({**row, "id": old.id})
    for key, old in existing.items():
        if not old.retired:
            plan.retire_ids.append(old.id)
            plan.changes.note("retired", key, old.prompt)
    return plan


def plan_import(session: Session, banks: list[BankFile]) -> list[BankChanges]:
    """What importing these banks would change; writes nothing."""
    return [_plan_bank(session, bank).changes for bank in banks]


def _write_bank_row(session: Session, plan: _Plan, bank_file: BankFile, now: datetime,
                    owner_id: int | None) -> Bank:
    values = {
        "title": bank_file.title, "language": bank_file.language,
        "description": bank_file.description,
        "source": bank_file.source.model_dump(mode="json", exclude_none=True)
        if bank_file.source else None,
    }
    bank = plan.bank_row
    if bank is not None and bank_file.titled_by_file_name():  # the file had no details
        values = {key: getattr(bank, key) for key in values}
    if bank is None:
        bank = Bank(slug=bank_file.id, created_at=now, updated_at=now, owner_id=owner_id,
                    **values)
        session.add(bank)
        session.flush()
        return bank
    changed = any(getattr(bank, k) != v for k, v in values.items())
    if changed or plan.inserts or plan.updates or plan.retire_ids:
        for key, value in values.items():
            setattr(bank, key, value)
        bank.updated_at = now
        bank.version = (bank.version or 1) + 1
    return bank


def _write_questions(session: Session, bank: Bank, plan: _Plan) -> None:
    tag_rows: list[dict] = []
    if plan.inserts:
        rows = [{k: v for k, v in r.items() if k != "_tags"} | {"bank_id": bank.id}
                for r in plan.inserts]
        ids = session.execute(insert(Question).returning(Question.key, Question.id), rows)
        by_key = dict(ids.all())
        tag_rows += [{"question_id": by_key[r["key"]], "tag": t}
                     for r in plan.inserts for t in r["_tags"]]
    if plan.updates:
        session.execute(update(Question),
                        [{k: v for k, v in r.items() if k != "_tags"} for r in plan.updates])
        updated_ids = [r["id"] for r in plan.updates]
        session.execute(delete(QuestionTag).where(QuestionTag.question_id.in_(updated_ids)))
        tag_rows += [{"question_id": r["id"], "tag": t} for r in plan.updates for t in r["_tags"]]
    if tag_rows:
        session.execute(insert(QuestionTag), tag_rows)
    if plan.retire_ids:
        session.execute(update(Question).where(Question.id.in_(plan.retire_ids))
                        .values(retired=True))


def apply_import(session: Session, banks: list[BankFile], now: datetime,
                 owner_id: int | None = None) -> list[BankChanges]:
    """Write the banks (the caller commits, once, or rolls back). New banks belong to
    `owner_id` (a teacher's upload) or to nobody (the command line)."""
    results = []
    for bank_file in banks:
        plan = _plan_bank(session, bank_file)
        bank = _write_bank_row(session, plan, bank_file, now, owner_id)
        _write_questions(session, bank, plan)
        results.append(plan.changes)
    session.flush()
    session.expire_all()
    return results
