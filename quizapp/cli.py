"""`flask --app quizapp ...` commands: thin wrappers over plain functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import audit
from .auth import service as accounts
from .banks.errors import BankErrors
from .banks.exporter import export_yaml, yaml_text
from .banks.files import bank_paths, lint_paths, load_paths
from .banks.importer import apply_import, plan_import
from .banks.schema import json_schema
from .extensions import db
from .models import Bank, Question, Role
from .orientation.cli import import_bundled_path, orientation_cli
from .templating import said

users_cli = AppGroup("users", help="Create accounts and change roles.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STUDENT.value,
              show_default=True)
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.password_option(prompt="Password (not shown)", confirmation_prompt="Repeat it")
def create_user(email: str, role: str, name: str, password: str) -> None:
    """Create an account; the password is asked for without echo."""
    new = accounts.NewAccount(email=email, name=name, password=password, role=Role(role))
    try:
        user = accounts.create_account(new, current_app.config["PASSWORD_HASH_METHOD"])
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("promote")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.TEACHER.value,
              show_default=True)
def promote_user(email: str, role: str) -> None:
    """Give an existing account another role."""
    try:
        user = accounts.set_role(email, Role(role))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(db.session, datetime.now(UTC), "role_changed", actor_email="command line",
                 target_user=user, detail={"to": user.role})
    db.session.commit()
    click.echo(f"{user.email} is now a {user.role}.")


@click.command("setup")
def setup() -> None:
    """Bring the database to the latest migration and import the bundled banks. Idempotent."""
    upgrade()
    import_bundled(current_app.config["QUESTIONS_DIR"])
    import_bundled_path(Path(current_app.config["QUESTIONS_DIR"]) / "orientation.yaml")
    _prune_audit()
    click.echo("")
    click.echo("Ready: the app will be served at http://127.0.0.1:5000")
    click.echo("Create the first teacher with:")
    click.echo("  .venv/bin/flask --app quizapp users create --role teacher you@example.org")
    click.echo("")


# -- audit ----------------------------------------------------------------------------------

audit_cli = AppGroup("audit", help="The audit log.")


def _prune_audit() -> int:
    days = current_app.config["AUDIT_KEEP_DAYS"]
    dropped = audit.prune(db.session, datetime.now(UTC), days)
    db.session.commit()
    return dropped


@audit_cli.command("prune")
def prune_audit() -> None:
    """Drop audit-log entries older than QUIZAPP_AUDIT_KEEP_DAYS (run it daily, e.g. by cron;
    `flask setup` runs it too)."""
    dropped = _prune_audit()
    click.echo(f"Dropped {dropped} audit entr{'y' if dropped == 1 else 'ies'} older than "
               f"{current_app.config['AUDIT_KEEP_DAYS']} days.")


# -- banks ----------------------------------------------------------------------------------

banks_cli = AppGroup("banks", help="Check, import and export question banks.")


def _load_or_exit(paths: tuple[str, ...]):
    try:
        return load_paths(list(paths), current_app.config["CLI_IMPORT_MAX_BYTES"])
    except BankErrors as exc:
        for error in exc.errors:
            click.echo(_said_error(error), err=True)
        click.echo(ngettext("%(num)d problem found; nothing was written.",
                            "%(num)d problems found; nothing was written.", len(exc.errors)),
                   err=True)
        raise SystemExit(1) from None


def _said_error(error) -> str:
    """FILE:LINE:COL: the message, in the language of the terminal (LANG; English else)."""
    return f"{error.path}:{error.line}:{error.col}: {said(error.message)}"


@banks_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--lint", "with_lint", is_flag=True,
              help="Also list item-writing warnings (questions/README.md, 'Item-writing "
                   "checks').")
@click.option("--strict", is_flag=True, help="With --lint: exit 1 if any warning is left.")
def check(paths: tuple[str, ...], with_lint: bool, strict: bool) -> None:
    """Validate bank files (or folders of them); exit 1 if anything is wrong."""
    banks = _load_or_exit(paths)
    count = sum(len(b.questions) for b in banks)
    click.echo(_("OK: %(banks)s, %(questions)s.",
                 banks=ngettext("%(num)d bank", "%(num)d banks", len(banks)),
                 questions=ngettext("%(num)d question", "%(num)d questions", count)))
    if with_lint:
        warnings = lint_paths(list(paths), banks)
        for warning in warnings:
            click.echo(_("warning: %(warning)s", warning=_said_error(warning)))
        click.echo(ngettext("%(num)d item-writing warning; waive one in the bank with "
                            "`waive: {rule: reason}`.",
                            "%(num)d item-writing warnings; waive one in the bank with "
                            "`waive: {rule: reason}`.", len(warnings)))
        if strict and warnings:
            raise SystemExit(1)


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
        now = datetime.now(UTC)
        changes = apply_import(db.session, banks, now)
        for change in changes:
            audit.record(db.session, now, "bank_imported", actor_email="command line",
                         target=f"bank {change.bank_id}",
                         detail={"summary": change.summary(), "via": "command line"})
        db.session.commit()
    for change in changes:
        click.echo("\n".join(change.lines() if dry_run else [change.summary()]))
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


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


@banks_cli.command("convert")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "target", type=click.Choice(["yaml"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def convert(path: str, target: str, output: str | None) -> None:
    """Read a bank in any format this app reads (CSV, TSV, GIFT, Aiken, Moodle XML) and
    write it as a YAML bank, to keep and edit."""
    bank = _load_or_exit((path,))[0]
    text = yaml_text(bank.model_dump(mode="json", exclude_none=True))
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}: {len(bank.questions)} question(s).", err=True)
    else:
        click.echo(text, nl=False)


@banks_cli.command("schema")
def schema() -> None:
    """Print the JSON Schema of the bank format (questions/schema.json)."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def init_app(app: Flask) -> None:
    app.cli.add_command(orientation_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(banks_cli)
    app.cli.add_command(setup)
    app.cli.add_command(audit_cli)
