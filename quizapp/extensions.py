"""Flask extensions: created here unbound, bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# A request commits once (database.py); what it loaded is still what it wrote, so a commit
# does not throw it away and read it all again (the next card after a rating needs the user).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# The app itself, under app.extensions[APP]: for work that outlives a request (the reset email
# leaves after the response, in a thread) and so needs the app, not the current_app proxy.
APP = "quizapp.app"
