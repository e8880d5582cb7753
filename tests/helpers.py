"""Small builders shared by tests."""

from datetime import UTC, datetime

from quizapp.banks.importer import apply_import
from quizapp.banks.schema import BankFile
from quizapp.extensions import db


def flashcards(bank_id: str, count: int, tags=("theme:test",)) -> dict:
    return {"id": bank_id, "title": bank_id.capitalize(), "questions": [
        {"id": f"c{i}", "type": "flashcard", "front": f"Front {i}", "back": f"Back {i}",
         "tags": list(tags), "source": {"paragraphs": [1]}} for i in range(count)]}


def import_banks(*docs: dict) -> None:
    apply_import(db.session, [BankFile.model_validate(d) for d in docs],
                 datetime.now(UTC))
    db.session.commit()
