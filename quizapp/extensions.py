"""Flask extensions: created here unbound, bound to the app in create_app."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from .security import CsrfCheck


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CsrfCheck()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def skip_idle_limit_check(app: Flask) -> None:
    """Flask-Limiter checks default, application and blueprint limits before every request;
    a view's own @limiter.limit is checked by its decorator. None of the first three is set,
    so that check finds nothing, at about 5% of a study request: drop it. Should any of them be
    set one day, the check stays. Call after the blueprints are registered."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)
