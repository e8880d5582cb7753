"""Fixtures shared by every layer: an app per database backend, a client, users.

Database-facing tests run on SQLite and, when QUIZAPP_TEST_POSTGRES_URL is set, on PostgreSQL
too, each test run in a schema of its own. Under CI=true a missing service is an error, never a
skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from quizapp import create_app
from quizapp.auth.service import NewAccount, create_account
from quizapp.extensions import db, limiter
from quizapp.models import Role, User

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
PASSWORD = "correct horse battery"


def pytest_configure(config):
    if CI and not PG_URL:
        raise pytest.UsageError("CI=true but QUIZAPP_TEST_POSTGRES_URL is not set: "
                                "the PostgreSQL suite must run in CI")
    if CI and not REDIS_URL:
        raise pytest.UsageError("CI=true but QUIZAPP_TEST_REDIS_URL is not set")


def require_service(reason: str) -> None:
    """Skip locally when a service is missing; fail under CI."""
    if CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A schema of this run's own in the PostgreSQL test database, dropped afterwards."""
    name = f"qt_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def _pg_config(schema: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": PG_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }


def base_config(tmp_path, backend: str, request) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # cheap hashing in tests
        "RATELIMIT_STORAGE_URI": "memory://",
        "QUESTIONS_DIR": str(tmp_path / "no-banks"),
    }
    if backend == "postgres":
        config |= _pg_config(request.getfixturevalue("pg_schema"))
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return config


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_app(backend, tmp_path, request) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's backend, with config overrides; tables emptied afterwards."""
    made: list[Flask] = []

    def factory(reset_limits: bool = True, **overrides) -> Flask:
        application = create_app(base_config(tmp_path, backend, request) | overrides)
        with application.app_context():
            db.create_all()
        if reset_limits:
            limiter.reset()
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    """The app on each backend, inside an app context (pytest-flask builds `client`)."""
    application = make_app()
    with application.app_context():
        yield application


@dataclass
class Users:
    """Make accounts and log in as them."""

    app: Flask
    client: FlaskClient

    def create(self, email: str = "student@example.org", role: Role = Role.STUDENT,
               name: str = "", password: str = PASSWORD) -> User:
        user = create_account(NewAccount(email=email, name=name or email.split("@")[0],
                                         password=password, role=role),
                              self.app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        return user

    def login(self, email: str = "student@example.org", password: str = PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def login_as(self, role: Role = Role.STUDENT, email: str | None = None) -> User:
        email = email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.org"
        user = self.create(email=email, role=role)
        self.client.post("/logout")
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user


@pytest.fixture
def users(app, client) -> Users:
    return Users(app, client)
