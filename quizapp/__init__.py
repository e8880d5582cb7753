"""Quizzes and spaced-repetition flashcards: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from .urls import RowId

    app.url_map.converters["int"] = RowId
    app.config.from_mapping(config.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_HOPS"]:
        # Behind a proxy every client would otherwise share the proxy's address, and so one
        # rate-limit bucket.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from .extensions import APP

    app.extensions[APP] = app  # the app itself, for a thread after the response
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errorhandlers(app)
    register_templates(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import database, i18n
    from .extensions import csrf, db, limiter, login_manager, mail, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"]) | app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=database.render_migration_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)
    login_manager.login_view = "auth.login"


def register_blueprints(app: Flask) -> None:
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .classes.student_views import bp as student_classes_bp
    from .classes.views import bp as classes_bp
    from .core.views import bp as core_bp
    from .editor.views import bp as editor_bp
    from .live import views as live
    from .orientation.views import bp as orientation_bp
    from .quiz.views import bp as quiz_bp
    from .study.plan_views import bp as plan_bp
    from .study.progress_views import bp as progress_bp
    from .study.views import bp as study_bp
    from .teach.views import bp as teach_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(teach_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(plan_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(classes_bp)
    app.register_blueprint(student_classes_bp)
    app.register_blueprint(orientation_bp)
    app.register_blueprint(live.bp)
    live.init_app(app)


def register_security(app: Flask) -> None:
    from .security import init_app

    init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import init_app

    init_app(app)


def register_templates(app: Flask) -> None:
    from .templating import init_app

    init_app(app)


def register_cli(app: Flask) -> None:
    from .cli import init_app

    init_app(app)
