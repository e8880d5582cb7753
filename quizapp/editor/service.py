"""Writing a bank in the browser, by the same rules as a re-import. No Flask here.

Every change (a question added, edited, moved, retired or restored; the bank's details) is
made to the bank's document, the list of its live questions in order, and the document is
imported again: so an unchanged question keeps every student's progress, a changed one
keeps its card, and a removed one is retired, not deleted, exactly as when a teacher uploads
a new version of the file. A save checks, under a lock on the bank's row, that the bank is
still at the version the teacher's page showed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..banks.errors import BankError, BankErrors
from ..banks.formats import slug
from ..banks.importer import BankChanges, apply_import
from ..banks.lint import lint
from ..banks.messages import describe
from ..banks.schema import BankFile
from ..banks.schema import Question as QuestionModel
from ..database import for_update
from ..models import Bank, Question, User

QUESTION = TypeAdapter(QuestionModel)


class EditConflict(Exception):
    """The bank changed (another teacher, another tab, an upload) since the page was shown."""


def may_edit(user: User, bank: Bank) -> bool:
    """A teacher edits the banks they uploaded or wrote; a bank loaded from the command line,
    or another teacher's, only an admin."""
    return user.is_admin or (bank.owner_id is not None and bank.owner_id == user.id)


def create_bank(session: Session, slug: str, title: str, description: str | None,
                language: str, owner: User, now: datetime) -> Bank:
    bank = Bank(slug=slug, title=title.strip(), description=(description or "").strip() or None,
                language=language, owner_id=owner.id, created_at=now, updated_at=now, version=1)
    session.add(bank)
    session.flush()
    return bank


def document(session: Session, bank: Bank) -> dict:
    """The bank as its file would hold it: details and live questions, in order."""
    doc: dict = {"id": bank.slug, "title": bank.title, "language": bank.language}
    if bank.description:
        doc["description"] = bank.description
    if bank.source:
        doc["source"] = bank.source
    doc["questions"] = [{"id": q.key, **q.content} for q in session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.retired.is_(False))
        .order_by(Question.position))]
    return doc


def warnings(session: Session, bank: Bank) -> dict[str, list[tuple[str, str]]]:
    """Item-writing warnings (banks/lint.py) of the bank's live questions, by question id."""
    doc = document(session, bank)
    if not doc["questions"]:
        return {}
    try:
        checked = BankFile.model_validate(doc)
    except ValidationError:  # a bank loaded before a rule of the format changed
        return {}
    found: dict[str, list[tuple[str, str]]] = {}
    for loc, rule, message in lint([checked])[checked.id]:
        found.setdefault(checked.questions[loc[1]].id, []).append((rule, message))
    return found


def questions_of(session: Session, bank: Bank) -> tuple[list[Question], list[Question]]:
    """(live questions in order, retired ones)."""
    rows = session.scalars(select(Question).where(Question.bank_id == bank.id)
                           .order_by(Question.retired, Question.position)).all()
    return [q for q in rows if not q.retired], [q for q in rows if q.retired]


def check_question(data: dict) -> list[tuple[tuple, str]]:
    """The problems of one question as the YAML checker words them: (location, message)."""
    try:
        QUESTION.validate_python(data)
    except ValidationError as exc:
        return [(err["loc"][1:], describe(err, "")) for err in exc.errors(include_url=False)]
    return []


def save(session: Session, bank: Bank, version: int, doc: dict, now: datetime
         ) -> BankChanges:
    """Import the edited document over the bank, if the bank is still at `version`."""
    current = session.scalar(for_update(select(Bank.version).where(Bank.id == bank.id)))
    if current != version:
        raise EditConflict(bank.slug)
    try:
        bank_file = BankFile.model_validate(doc)
    except ValidationError as exc:
        raise BankErrors([BankError(bank.slug, 0, 0, describe(err, ".".join(map(str, err[
            "loc"])))) for err in exc.errors(include_url=False)]) from None
    return apply_import(session, [bank_file], now, owner_id=bank.owner_id)[0]


def carried_over(stored: dict, data: dict) -> tuple[dict, list[str]]:
    """The edited question with what the form does not edit kept from the stored one: its
    waivers, and each translation that still fits it (same number of choices, gaps...).
    Returns the question and the languages whose translation no longer fits."""
    data = dict(data)
    if stored.get("waive"):
        data["waive"] = stored["waive"]
    dropped = []
    kept = {}
    for code, translation in (stored.get("translations") or {}).items():
        if check_question(data | {"translations": {code: translation}}):
            dropped.append(code)
        else:
            kept[code] = translation
    if kept:
        data["translations"] = kept
    return data, dropped


# -- The document's edits: each returns a new document -------------------------------------

def with_question(doc: dict, question: dict, replacing: str | None = None) -> dict:
    """The question added at the end, or in the place of the one with id `replacing`."""
    questions = list(doc["questions"])
    if replacing is None:
        questions.append(question)
    else:
        questions = [question if q["id"] == replacing else q for q in questions]
    return doc | {"questions": questions}


def without(doc: dict, key: str) -> dict:
    return doc | {"questions": [q for q in doc["questions"] if q["id"] != key]}


def moved(doc: dict, key: str, step: int) -> dict:
    questions = list(doc["questions"])
    at = next(i for i, q in enumerate(questions) if q["id"] == key)
    to = max(0, min(len(questions) - 1, at + step))
    questions.insert(to, questions.pop(at))
    return doc | {"questions": questions}


def restored(doc: dict, question: Question) -> dict:
    return with_question(doc, {"id": question.key, **question.content})


def with_details(doc: dict, title: str, description: str | None) -> dict:
    updated = doc | {"title": title.strip()}
    updated.pop("description", None)
    if description and description.strip():
        updated["description"] = description.strip()
    return updated


def new_key(doc: dict, text: str) -> str:
    """An id for a new question, made from its text and unique in the bank."""
    base, taken = slug(text, "q", limit=40), {q["id"] for q in doc["questions"]}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
