"""`flask --app quizapp orientation ...`: check and import the orientation path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..banks.errors import BankErrors
from ..banks.orientation import load_path
from ..extensions import db
from .service import import_path, reference_problems

orientation_cli = AppGroup("orientation", help="Check and import orientation paths.")


def _load(path: str, with_references: bool):
    check = reference_problems(db.session) if with_references else None
    try:
        return load_path(path, current_app.config["CLI_IMPORT_MAX_BYTES"], check)
    except BankErrors as exc:
        click.echo(exc.report(), err=True)
        raise SystemExit(1) from None


@orientation_cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def check(path: str) -> None:
    """Validate a path file, including that its banks and tags are loaded."""
    document = _load(path, with_references=True)
    click.echo(f"OK: {document.id}, {len(document.modules)} module(s).")


@orientation_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Create or update a path; nothing is written if anything is wrong."""
    import_bundled_path(Path(path))


def import_bundled_path(path: Path) -> None:
    if not path.exists():
        return
    document = _load(str(path), with_references=True)
    imported = import_path(db.session, document, datetime.now(UTC))
    db.session.commit()
    click.echo(f"orientation {imported.slug}: {len(imported.modules)} modules")
