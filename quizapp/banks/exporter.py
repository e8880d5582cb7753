"""A bank from the database, written back as YAML that re-imports to the same content."""

from __future__ import annotations

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Bank, Question

_LAST = ("explanation", "source", "tags", "difficulty")


def _tidy(content: dict) -> dict:
    """Key order a person would write, and plain strings for choices without feedback."""
    ordered = {k: v for k, v in content.items() if k not in _LAST and k != "type"}
    if "choices" in ordered:
        ordered["choices"] = [c["text"] if set(c) == {"text"} else c for c in ordered["choices"]]
    tail = {k: content[k] for k in _LAST if k in content and content[k] not in ({}, [])}
    if tail.get("source") == {"paragraphs": []}:
        tail.pop("source")
    return {"type": content["type"], **ordered, **tail}


def bank_document(session: Session, bank: Bank) -> dict:
    questions = session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.retired.is_(False))
        .order_by(Question.position)
    )
    doc: dict = {"id": bank.slug, "title": bank.title, "language": bank.language}
    if bank.description:
        doc["description"] = bank.description
    if bank.source:
        doc["source"] = bank.source
    doc["questions"] = [{"id": q.key, **_tidy(q.content)} for q in questions]
    return doc


def yaml_text(document: dict, schema_url: str = "./schema.json") -> str:
    """A bank document as YAML a person would write, fields in a person's order; the first
    line lets an editor with the YAML language server check it against the schema."""
    questions = [{"id": q["id"], **_tidy({k: v for k, v in q.items() if k != "id"})}
                 for q in document["questions"]]
    body = yaml.dump(document | {"questions": questions}, Dumper=yaml.CSafeDumper,
                     sort_keys=False, allow_unicode=True, width=100)
    return f"# yaml-language-server: $schema={schema_url}\n" + body


def export_yaml(session: Session, bank: Bank, schema_url: str = "./schema.json") -> str:
    return yaml_text(bank_document(session, bank), schema_url)
