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

from sqlalchemy import delete, func, or_, select, update
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
from ..problems import N_, Problem

RESET_LIFETIME = timedelta(hours=24)


class AccountRuleError(Problem):
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
    of the same kind stop working: a teacher's or admin's link replaces any open link; an
    emailed one replaces only earlier emailed ones, so a stranger asking for an email
    cannot cancel the link a teacher just handed over."""
    retire_resets(session, user.id, now, emailed_only=issuer is None)
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_hash(token),
                              issued_by_id=issuer.id if issuer else None, created_at=now,
                              expires_at=now + RESET_LIFETIME))
    return token


def retire_resets(session: Session, user_id: int, now: datetime,
                  emailed_only: bool = False) -> None:
    """Open links for the account stop working (a role change, a deactivation, a new link)."""
    query = update(PasswordReset).where(PasswordReset.user_id == user_id,
                                        PasswordReset.used_at.is_(None))
    if emailed_only:
        query = query.where(PasswordReset.issued_by_id.is_(None))
    session.execute(query.values(used_at=now))


@dataclass(frozen=True)
class ResetLookup:
    reset: PasswordReset | None
    user: User | None
    problem: AccountRuleError | None  # why the link does not work


NOT_A_LINK = N_("This link is not a password reset link.")
USED = N_("This link has already been used (or a newer one was issued). Ask for a new one.")
EXPIRED = N_("This link has expired: links work for 24 hours. Ask for a new one.")
DEACTIVATED = N_("This account is deactivated; ask an admin.")
NO_LONGER = N_("This link no longer works: whoever made it can no longer reset this "
               "account. Ask for a new one.")


def look_up_reset(session: Session, token: str, now: datetime, lock: bool = False
                  ) -> ResetLookup:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return ResetLookup(None, None, AccountRuleError(NOT_A_LINK))
    query = select(PasswordReset).where(PasswordReset.token_hash == _hash(token))
    if lock:  # read afresh under the lock: a request sent at once may have spent it
        query = for_update(query).execution_options(populate_existing=True)
    reset = session.scalar(query)
    if reset is None:
        return ResetLookup(None, None, AccountRuleError(NOT_A_LINK))
    if reset.used_at is not None:
        return ResetLookup(reset, None, AccountRuleError(USED))
    if reset.expires_at <= now:
        return ResetLookup(reset, None, AccountRuleError(EXPIRED))
    user = session.get(User, reset.user_id, populate_existing=lock)
    if user is None or not user.active:
        return ResetLookup(reset, None, AccountRuleError(DEACTIVATED))
    if reset.issued_by_id is not None:  # the issuer's right must still hold
        issuer = session.get(User, reset.issued_by_id, populate_existing=lock)
        if issuer is None or not issuer.active or not may_issue_reset(session, issuer, user):
            return ResetLookup(reset, None, AccountRuleError(NO_LONGER))
    return ResetLookup(reset, user, None)


def use_reset(session: Session, token: str, password: str, hash_method: str,
              now: datetime) -> User:
    """Set the new password once: the link is spent, every other link of the account too,
    and every signed-in browser of the account is logged out."""
    found = look_up_reset(session, token, now, lock=True)
    if found.user is None:
        raise found.problem
    spent = session.execute(update(PasswordReset).where(
        PasswordReset.id == found.reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)).rowcount
    if spent != 1:  # belt and braces: exactly one request spends a link
        raise AccountRuleError(N_("This link has already been used. Ask for a new one."))
    found.user.set_password(password, method=hash_method)
    retire_resets(session, found.user.id, now)
    sessions.end_others(session, found.user.id, None, now, "password")
    return found.user


# -- Signed-in browsers -------------------------------------------------------------------

def live_sessions(session: Session, user: User, now: datetime) -> list[LoginSession]:
    return list(session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
        LoginSession.expires_at > now).order_by(LoginSession.last_seen_at.desc())))


def device(user_agent: str) -> tuple[str, str]:
    """A rough name for a browser: ("Firefox", "Windows"), ("Mobile Safari", "iOS"); empty
    strings for what the user agent does not tell."""
    found = parse(user_agent or "")
    browser = found.user_agent.family if found.user_agent else ""
    system = found.os.family if found.os else ""
    return ("" if browser == "Other" else browser), ("" if system == "Other" else system)


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

def what_blocks_deletion(session: Session, user: User, lock: bool = False
                         ) -> AccountRuleError | None:
    """Why the account cannot go yet, or None. With `lock`, the user's row and the admins'
    are held until the commit, so a hand-over or another admin's deletion sent at the same
    time waits and is counted."""
    if lock:  # one statement, in id order: two such requests cannot deadlock
        session.scalars(for_update(select(User).where(or_(
            User.id == user.id, User.role == Role.ADMIN.value)).order_by(User.id))
            .execution_options(populate_existing=True)).all()
    classes = session.scalar(select(func.count()).select_from(SchoolClass)
                             .where(SchoolClass.teacher_id == user.id))
    banks = session.scalar(select(func.count()).select_from(Bank)
                           .where(Bank.owner_id == user.id))
    if classes or banks:
        return AccountRuleError(N_(
            "You still have %(classes)s class(es) and %(banks)s bank(s). Ask an admin to hand "
            "them to another teacher first, so no class is left without a teacher."),
            classes=classes, banks=banks)
    if user.is_admin and session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN.value, User.active.is_(True))) <= 1:
        return AccountRuleError(N_("You are the only admin: make someone else an admin first."))
    return None


def delete_account(session: Session, user: User) -> None:
    """Delete the account and everything that is the user's (see the module's note)."""
    blocker = what_blocks_deletion(session, user, lock=True)
    if blocker:
        raise blocker
    session.execute(delete(User).where(User.id == user.id))


def hand_over(session: Session, leaving: User, to: User) -> tuple[int, int]:
    """Give every class and bank of `leaving` to the teacher `to`: (classes, banks) moved."""
    # Held until the commit: the receiving teacher cannot be deleted or demoted meanwhile.
    session.scalar(for_update(select(User).where(User.id == to.id)).execution_options(
        populate_existing=True))
    if not to.is_teacher or not to.active:
        raise AccountRuleError(N_("Choose an active teacher to hand them to."))
    if to.id == leaving.id:
        raise AccountRuleError(N_("Choose another teacher."))
    classes = session.execute(update(SchoolClass).where(SchoolClass.teacher_id == leaving.id)
                              .values(teacher_id=to.id)).rowcount
    banks = session.execute(update(Bank).where(Bank.owner_id == leaving.id)
                            .values(owner_id=to.id, version=Bank.version + 1)).rowcount
    return classes, banks


def set_active(session: Session, user: User, active: bool, now: datetime) -> None:
    user.active = active
    if not active:
        retire_resets(session, user.id, now)
        # The links this user made for others stop working too.
        session.execute(update(PasswordReset).where(PasswordReset.issued_by_id == user.id,
                                                    PasswordReset.used_at.is_(None))
                        .values(used_at=now))
        sessions.end_others(session, user.id, None, now, "ended")
