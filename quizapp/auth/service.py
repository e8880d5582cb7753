"""Account rules that need the database. No Flask request state here."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Role, User
from ..problems import N_, Problem

MIN_PASSWORD_LENGTH = 8


class AccountError(Problem):
    """A user-caused problem with an account request; the message is shown as is."""


@dataclass(frozen=True)
class NewAccount:
    email: str
    name: str
    password: str
    role: Role = Role.STUDENT
    timezone: str = "UTC"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_timezone(name: str | None) -> str:
    return name if name and name in _timezones() else "UTC"


_TZ_CACHE: set[str] = set()


def _timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
    return _TZ_CACHE


def find_user(email: str) -> User | None:
    return db.session.scalar(User.by_email(email))


def create_account(new: NewAccount, hash_method: str = "scrypt") -> User:
    """Add a user to the session (the caller commits). Raises AccountError if taken."""
    email = normalise_email(new.email)
    if find_user(email) is not None:
        raise AccountError(N_("An account with the email %(email)s already exists."), email=email)
    if len(new.password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("The password must be at least %(count)s characters."),
                           count=MIN_PASSWORD_LENGTH)
    user = User(email=email, name=new.name.strip() or email.split("@")[0],
                role=new.role.value, timezone=valid_timezone(new.timezone))
    user.set_password(new.password, method=hash_method)
    db.session.add(user)
    return user


_DUMMY_HASH = generate_password_hash("not a password")


def authenticate(email: str, password: str) -> User | None:
    """The user if email and password match; None otherwise, whichever was wrong. An unknown
    email costs the same hashing time as a wrong password, so timing does not tell them apart."""
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def change_password(session: Session, user: User, current: str, new: str,
                    hash_method: str = "scrypt") -> bool:
    """Replace the password if `current` is right. Conditional on the stored hash, so of two
    changes sent at once from the same old password only one succeeds."""
    if not user.check_password(current):
        return False
    replaced = session.execute(
        update(User).where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=generate_password_hash(new, method=hash_method))
        .execution_options(synchronize_session=False)).rowcount
    session.expire(user, ["password_hash"])
    return replaced == 1


def set_role(email: str, role: Role) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(N_("No account with the email %(email)s."),
                           email=normalise_email(email))
    user.role = role.value
    return user
