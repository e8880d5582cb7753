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


def test_upgrading_keeps_every_row(fresh_app):
    """Data written at the first revision survives every later migration (SQLite rebuilds
    tables in batch mode: with foreign keys on, that used to cascade-delete their rows)."""
    flask_migrate.upgrade(revision="62790b98e4b8")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (id, email, name, password_hash, role, timezone, created_at, "
            "desired_retention, new_cards_per_day, max_reviews_per_day, learning_steps) VALUES "
            "(1, 'a@example.org', 'A', 'x', 'student', 'UTC', '2026-01-01', 0.9, 20, 200, "
            "'1m 10m')"))
        conn.execute(sa.text(
            "INSERT INTO banks (id, slug, title, language, created_at, updated_at) "
            "VALUES (1, 'b', 'B', 'en', '2026-01-01', '2026-01-01')"))
        conn.execute(sa.text(
            "INSERT INTO questions (id, bank_id, key, position, type, prompt, content, "
            "paragraphs, content_hash, retired) VALUES (1, 1, 'q', 0, 'flashcard', 'P', '{}', "
            "'[]', 'h', false)"))
        conn.execute(sa.text(
            "INSERT INTO card_states (id, user_id, question_id, state, due, reps, lapses) "
            "VALUES (1, 1, 1, 2, '2026-01-02', 1, 0)"))
        conn.execute(sa.text(
            "INSERT INTO quiz_attempts (id, user_id, title, settings, seed, question_ids, "
            "started_at, max_score) VALUES (1, 1, 'Q', '{}', 1, '[1]', '2026-01-01', 1)"))
        conn.execute(sa.text(
            "INSERT INTO quiz_answers (id, attempt_id, question_id, position) "
            "VALUES (1, 1, 1, 0)"))
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("users", "banks", "questions", "card_states", "quiz_attempts",
                            "quiz_answers")}
    assert counts == dict.fromkeys(counts, 1)


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [], indirect=True)
def test_a_postgres_index_migration_that_failed_halfway_can_run_again(fresh_app):
    """PostgreSQL builds indexes CONCURRENTLY, one committed step at a time: a run that
    failed after its first step (or left an INVALID index) must not block the next run."""
    flask_migrate.upgrade(revision="2e07a697c574")
    with db.engine.begin() as conn:  # what the failed run left behind
        conn.execute(sa.text("CREATE INDEX ix_review_logs_day_counts ON review_logs "
                             "(user_id, source, state_before, reviewed_at)"))
        conn.execute(sa.text("CREATE INDEX ix_questions_bank_position ON questions "
                             "(bank_id, position)"))
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
