"""`flask --app quizapp ...` commands: thin wrappers over plain functions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .auth import service as accounts
from .extensions import db
from .models import Role

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
    db.session.commit()
    click.echo(f"{user.email} is now a {user.role}.")


@click.command("setup")
def setup() -> None:
    """Bring the database to the latest migration and import the bundled banks. Idempotent."""
    upgrade()
    from .banks.cli import import_bundled

    import_bundled(current_app.config["QUESTIONS_DIR"])
    from .orientation.cli import import_bundled_path

    import_bundled_path(Path(current_app.config["QUESTIONS_DIR"]) / "orientation.yaml")
    click.echo("")
    click.echo("Ready: the app will be served at http://127.0.0.1:5000")
    click.echo("Create the first teacher with:")
    click.echo("  .venv/bin/flask --app quizapp users create --role teacher you@example.org")
    click.echo("")


def init_app(app: Flask) -> None:
    from .banks.cli import banks_cli
    from .orientation.cli import orientation_cli

    app.cli.add_command(orientation_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(banks_cli)
    app.cli.add_command(setup)
