"""`flask --app quizapp banks ...`: check, import, list, export, schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models import Bank, Question
from .errors import BankErrors
from .exporter import export_yaml
from .files import bank_paths, load_paths
from .importer import apply_import, plan_import
from .schema import json_schema

banks_cli = AppGroup("banks", help="Check, import and export question banks.")


def _load_or_exit(paths: tuple[str, ...]):
    try:
        return load_paths(list(paths), current_app.config["CLI_IMPORT_MAX_BYTES"])
    except BankErrors as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found; nothing was written.", err=True)
        raise SystemExit(1) from None


@banks_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def check(paths: tuple[str, ...]) -> None:
    """Validate bank files (or folders of them); exit 1 if anything is wrong."""
    banks = _load_or_exit(paths)
    count = sum(len(b.questions) for b in banks)
    click.echo(f"OK: {len(banks)} bank(s), {count} question(s).")


@banks_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def import_banks(paths: tuple[str, ...], dry_run: bool) -> None:
    """Import bank files in one transaction: all of them, or nothing."""
    banks = _load_or_exit(paths)
    if dry_run:
        changes = plan_import(db.session, banks)
        db.session.rollback()
    else:
        changes = apply_import(db.session, banks, datetime.now(UTC))
        db.session.commit()
    for change in changes:
        click.echo(change.summary())
    if dry_run:
        click.echo("Dry run: nothing was written.")


def import_bundled(folder: str) -> None:
    """Import every bank in the bundled folder (used by `flask setup`); fine when empty."""
    if not Path(folder).is_dir() or not bank_paths([folder]):
        click.echo("No bundled banks to import.")
        return
    banks = _load_or_exit((folder,))
    changes = apply_import(db.session, banks, datetime.now(UTC))
    db.session.commit()
    for change in changes:
        click.echo(change.summary())


@banks_cli.command("list")
def list_banks() -> None:
    """The banks, with their active question counts."""
    counts = (select(Bank.slug, Bank.title, func.count(Question.id))
              .outerjoin(Question, (Question.bank_id == Bank.id) & Question.retired.is_(False))
              .group_by(Bank.id).order_by(Bank.slug))
    rows = db.session.execute(counts).all()
    if not rows:
        click.echo("No banks yet. Import some with: flask --app quizapp banks import FILE...")
    for slug, title, count in rows:
        click.echo(f"{slug:<24} {count:>6} questions  {title}")


@banks_cli.command("export")
@click.argument("bank_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def export(bank_id: str, output: str | None) -> None:
    """Write a bank back as YAML."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == bank_id))
    if bank is None:
        raise click.ClickException(f"No bank with id '{bank_id}'. See: banks list")
    text = export_yaml(db.session, bank)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@banks_cli.command("schema")
def schema() -> None:
    """Print the JSON Schema of the bank format (questions/schema.json)."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
