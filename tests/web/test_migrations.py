"""The Alembic migrations build exactly the schema the models describe, on both backends."""

import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import PG_URL, base_config


@pytest.fixture
def fresh_app(backend, tmp_path, request):
    """An app on an empty database (no create_all): only migrations build it."""
    config = base_config(tmp_path, "sqlite", request)
    schema = None
    if backend == "postgres":
        schema = f"qm_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        config |= {"SQLALCHEMY_DATABASE_URI": PG_URL, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if schema:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_migrations_match_models(fresh_app):
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty(fresh_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
