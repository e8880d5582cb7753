"""Which questions a selection of banks and topics covers: what quizzes, assignments,
orientation modules and study targets draw on. No Flask here."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Bank, Question
from .study.queue import Scope


def candidate_ids(session: Session, banks: list[str], tags: list[str],
                  objective_only: bool = False, topic_banks: list[str] | None = None,
                  paragraphs: list[int] | None = None) -> list[int]:
    """Active questions in any of the banks or carrying any of the tags, in a stable order;
    without self-graded flashcards when `objective_only` (graded checks and assignments).
    Topics draw only from `topic_banks` when given: a teacher's assignment from the bundled
    banks and their own, an orientation module from the bundled ones, so that nobody's bank
    can slip questions into another's quiz by tagging them."""
    scopes = [Scope("bank", b) for b in banks] + [Scope("tag", t) for t in tags]
    query = select(Question.id)
    if objective_only:
        query = query.where(Question.type != "flashcard")
    ids: set[int] = set()
    for scope in scopes or [Scope()]:
        scoped = scope.filter(query)
        if scope.kind != "bank" and topic_banks is not None:
            scoped = scoped.where(Question.bank_id.in_(
                select(Bank.id).where(Bank.slug.in_(topic_banks))))
        ids.update(session.scalars(scoped))
    if paragraphs:
        return citing(session, sorted(ids), paragraphs)
    return sorted(ids)


def citing(session: Session, ids: list[int], paragraphs: list[int]) -> list[int]:
    """Those of the questions that cite at least one of the paragraphs, in order."""
    wanted = set(paragraphs)
    contents = dict(session.execute(select(Question.id, Question.content)
                                    .where(Question.id.in_(ids))).all())
    return [i for i in ids if wanted & set(
        (contents[i].get("source") or {}).get("paragraphs", []))]


def shared_banks(session: Session, owner_id: int | None = None) -> list[str]:
    """The bundled banks (imported from the command line, so by an operator) and, given an
    owner, that teacher's own uploads."""
    query = select(Bank.slug).where(Bank.owner_id.is_(None))
    if owner_id is not None:
        query = select(Bank.slug).where(or_(Bank.owner_id.is_(None), Bank.owner_id == owner_id))
    return list(session.scalars(query.order_by(Bank.id)))
