"""An account's life after sign-up: one-time reset links, the data a user takes away, leaving,
and handing a departing teacher's classes and banks on. No Flask here.

Deleting an account removes the user's cards, reviews, quiz attempts and answers with it:
a class's dashboard and item analysis are computed afresh from the students who remain.
Their certificates are deleted too, so the verification page no longer finds them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from ua_parser import parse

from ..auth import sessions
from ..database import for_update
from ..models import (
    Bank,
    CardState,
    Certificate,
    Enrolment,
    LoginSession,
    PasswordReset,
    Question,
    QuizAnswer,
    QuizAttempt,
    ReviewLog,
    Role,
    SchoolClass,
    User,
)

RESET_LIFETIME = timedelta(hours=24)


class AccountRuleError(ValueError):
    """Something the rules do not allow; the message is shown as is."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- One-time reset links --------------------------------------------------------------------

def may_issue_reset(session: Session, issuer: User, user: User) -> bool:
    """An admin for anyone; a teacher for a student in one of their classes (never for another
    teacher or an admin, even one enrolled as a student)."""
    if issuer.is_admin:
        return True
    if not issuer.is_teacher or user.role != Role.STUDENT.value:
        return False
    return session.scalar(select(func.count()).select_from(Enrolment).join(
        SchoolClass, SchoolClass.id == Enrolment.class_id).where(
        Enrolment.user_id == user.id, SchoolClass.teacher_id == issuer.id)) > 0


def issue_reset(session: Session, user: User, issuer: User | None, now: datetime) -> str:
    """A new one-time token for `user` (shown once: only its hash is kept). Earlier links
    for the same account stop working."""
    _retire_resets(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_hash(token),
                              issued_by_id=issuer.id if issuer else None, created_at=now,
                              expires_at=now + RESET_LIFETIME))
    return token


def _retire_resets(session: Session, user_id: int, now: datetime) -> None:
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user_id,
                                                PasswordReset.used_at.is_(None))
                    .values(used_at=now))


@dataclass(frozen=True)
class ResetLookup:
    reset: PasswordReset | None
    user: User | None
    problem: str | None  # why the link does not work, in words


def look_up_reset(session: Session, token: str, now: datetime, lock: bool = False
                  ) -> ResetLookup:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return ResetLookup(None, None, "This link is not a password reset link.")
    query = select(PasswordReset).where(PasswordReset.token_hash == _hash(token))
    reset = session.scalar(for_update(query) if lock else query)
    if reset is None:
        return ResetLookup(None, None, "This link is not a password reset link.")
    if reset.used_at is not None:
        return ResetLookup(reset, None, "This link has already been used (or a newer one "
                                        "was issued). Ask for a new one.")
    if reset.expires_at <= now:
        return ResetLookup(reset, None, "This link has expired: links work for 24 hours. "
                                        "Ask for a new one.")
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        return ResetLookup(reset, None, "This account is deactivated; ask an admin.")
    return ResetLookup(reset, user, None)


def use_reset(session: Session, token: str, password: str, hash_method: str,
              now: datetime) -> User:
    """Set the new password once: the link is spent, every other link of the account too,
    and every signed-in browser of the account is logged out."""
    found = look_up_reset(session, token, now, lock=True)
    if found.user is None:
        raise AccountRuleError(found.problem)
    found.user.set_password(password, method=hash_method)
    _retire_resets(session, found.user.id, now)
    sessions.end_others(session, found.user.id, None, now, "password")
    return found.user


# -- Signed-in browsers -------------------------------------------------------------------

def live_sessions(session: Session, user: User, now: datetime) -> list[LoginSession]:
    return list(session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
        LoginSession.expires_at > now).order_by(LoginSession.last_seen_at.desc())))


def device(user_agent: str) -> str:
    """A rough name for a browser: "Firefox on Windows", "Mobile Safari on iOS"."""
    found = parse(user_agent or "")
    browser = found.user_agent.family if found.user_agent else ""
    system = found.os.family if found.os else ""
    if not browser or browser == "Other":
        return "Unknown browser"
    return f"{browser} on {system}" if system and system != "Other" else browser


# -- The data a user takes away --------------------------------------------------------------

def _row(obj, *skip: str) -> dict:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns
            if c.key not in skip}


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def export(session: Session, user: User) -> dict:
    """Everything the app keeps about the user, as JSON-ready data."""
    where = {"bank": Bank.slug, "question": Question.key}
    cards = session.execute(select(CardState, *where.values()).join(
        Question, Question.id == CardState.question_id).join(Bank, Bank.id == Question.bank_id)
        .where(CardState.user_id == user.id).order_by(CardState.id)).all()
    reviews = session.execute(select(ReviewLog, *where.values()).join(
        Question, Question.id == ReviewLog.question_id).join(Bank, Bank.id == Question.bank_id)
        .where(ReviewLog.user_id == user.id).order_by(ReviewLog.id)).all()
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .order_by(QuizAttempt.id)).all()
    keys = dict(session.execute(select(Question.id, Bank.slug + "/" + Question.key).join(
        Bank, Bank.id == Question.bank_id).where(Question.id.in_(select(
            QuizAnswer.question_id).join(QuizAttempt).where(QuizAttempt.user_id == user.id))))
        .all())
    classes = session.execute(select(SchoolClass.name, User.name, Enrolment.joined_at)
                              .join(Enrolment, Enrolment.class_id == SchoolClass.id)
                              .join(User, User.id == SchoolClass.teacher_id)
                              .where(Enrolment.user_id == user.id)).all()
    return {
        "account": _row(user, "password_hash", "desired_retention", "new_cards_per_day",
                        "max_reviews_per_day", "learning_steps"),
        "settings": {k: getattr(user, k) for k in ("desired_retention", "new_cards_per_day",
                                                  "max_reviews_per_day", "learning_steps",
                                                  "timezone")},
        "cards": [_row(c, "id", "user_id", "question_id") | {"bank": b, "question": q}
                  for c, b, q in cards],
        "reviews": [_row(r, "id", "user_id", "question_id") | {"bank": b, "question": q}
                    for r, b, q in reviews],
        "quiz_attempts": [_row(a, "user_id", "question_ids", "seed") | {
            "answers": [_row(x, "id", "attempt_id", "question_id")
                        | {"question": keys.get(x.question_id)} for x in a.answers]}
            for a in attempts],
        "classes": [{"class": n, "teacher": t, "joined_at": _plain(j)} for n, t, j in classes],
        "certificates": [_row(c, "id", "user_id") for c in session.scalars(
            select(Certificate).where(Certificate.user_id == user.id))],
        "signed_in_browsers": [_row(s, "id", "user_id", "token_hash") for s in session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id))],
    }


# -- Leaving, and handing on --------------------------------------------------------------

def what_blocks_deletion(session: Session, user: User) -> str | None:
    classes = session.scalar(select(func.count()).select_from(SchoolClass)
                             .where(SchoolClass.teacher_id == user.id))
    banks = session.scalar(select(func.count()).select_from(Bank)
                           .where(Bank.owner_id == user.id))
    if classes or banks:
        return (f"You still have {classes} class(es) and {banks} bank(s). Ask an admin to hand "
                "them to another teacher first, so no class is left without a teacher.")
    if user.is_admin and session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN.value, User.active.is_(True))) <= 1:
        return "You are the only admin: make someone else an admin first."
    return None


def delete_account(session: Session, user: User) -> None:
    """Delete the account and everything that is the user's (see the module's note)."""
    blocker = what_blocks_deletion(session, user)
    if blocker:
        raise AccountRuleError(blocker)
    session.execute(delete(User).where(User.id == user.id))


def hand_over(session: Session, leaving: User, to: User) -> tuple[int, int]:
    """Give every class and bank of `leaving` to the teacher `to`: (classes, banks) moved."""
    if not to.is_teacher or not to.active:
        raise AccountRuleError("Choose an active teacher to hand them to.")
    if to.id == leaving.id:
        raise AccountRuleError("Choose another teacher.")
    classes = session.execute(update(SchoolClass).where(SchoolClass.teacher_id == leaving.id)
                              .values(teacher_id=to.id)).rowcount
    banks = session.execute(update(Bank).where(Bank.owner_id == leaving.id)
                            .values(owner_id=to.id, version=Bank.version + 1)).rowcount
    return classes, banks


def set_active(session: Session, user: User, active: bool, now: datetime) -> None:
    user.active = active
    if not active:
        _retire_resets(session, user.id, now)
        sessions.end_others(session, user.id, None, now, "ended")
