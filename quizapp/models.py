"""The data model: SQLAlchemy 2 typed models.

Times are stored as naive UTC and come back UTC-aware (UTCDateTime), on SQLite and PostgreSQL
alike. Models never commit: the view or CLI command that changes them does.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp kept as naive UTC in the database and handed out UTC-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a UTC-aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"


class User(db.Model):
    """An account. Flask-Login knows a user by the login session it signed in with (get_id),
    so that ending that session ends the login on every worker at once."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.STUDENT.value)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str | None] = mapped_column(String(8))  # None: follow the browser
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Study settings (see scheduling.py for what they mean).
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9)
    new_cards_per_day: Mapped[int] = mapped_column(Integer, default=20)
    max_reviews_per_day: Mapped[int] = mapped_column(Integer, default=200)
    learning_steps: Mapped[str] = mapped_column(String(64), default="1m 10m")
    # Weekdays and dates with few reviews or none (scheduling.DaysOff.to_dict); None: none.
    days_off: Mapped[dict | None] = mapped_column(JSON)
    # An admin can deactivate an account: it cannot log in, and its sessions have ended.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    # The token of the login session this user was loaded for (auth/sessions.py); not stored.
    session_token = None
    # What Flask-Login asks of a user.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("a user is signed in only through auth.sessions.start")
        return self.session_token

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    @property
    def is_teacher(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @staticmethod
    def by_email(email: str):
        return select(User).where(User.email == email.strip().lower())


class LoginSession(db.Model):
    """One signed-in browser. Its cookie holds a random token; the row keeps only the token's
    hash. Logging out, a password change elsewhere or expiry ends the row, and the next
    request from that browser, on any worker, is anonymous."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(16))  # logout | password | ended
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class PasswordReset(db.Model):
    """A one-time link to set a new password: issued by a teacher, an admin or the "forgot
    password" form; only the token's hash is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(db.Model):
    """One security-relevant event. Rows are only ever added (and pruned when older than the
    retention period); ids and emails are copied, not linked, so a deleted account's trail
    stays as it was written."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),
                      Index("ix_audit_events_actor_at", "actor_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    target_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target: Mapped[str] = mapped_column(String(300), default="")  # who or what, in words
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict | None] = mapped_column(JSON)


class Bank(db.Model):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), default="en")
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[dict | None] = mapped_column(JSON)
    # The teacher who uploaded it; None for banks loaded from the command line (bundled),
    # which only admins may change on the web.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Goes up with every change, however made (editor, upload, command line): the editor
    # saves only over the version it showed, so two editors cannot overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class Question(db.Model):
    """One question of a bank. `key` is the bank file's stable id; progress hangs on the row."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "key", name="uq_questions_bank_key"),
        # New cards come in bank order: the study queue walks this index to the first question
        # a student has not seen, instead of sorting every question of the scope.
        Index("ix_questions_bank_position", "bank_id", "position"),
        # The study queue counts a scope's live questions on every card page: on this index,
        # not by reading every question's row.
        Index("ix_questions_live", "retired", "bank_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)
    explanation: Mapped[str | None] = mapped_column(Text)
    paragraphs: Mapped[list] = mapped_column(JSON, default=list)
    difficulty: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    tags: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionTag.tag"
    )


class QuestionTag(db.Model):
    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class CardState(db.Model):
    """A user's scheduler state for one question. No row means the card is new."""

    __tablename__ = "card_states"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_card_states_user_question"),
        # "This user's next due card" is a range scan on this index, and the queue's counts
        # of due cards read nothing else of the card (state and question are in it too).
        Index("ix_card_states_user_due_state", "user_id", "due", "state", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    state: Mapped[int] = mapped_column(Integer)  # fsrs State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


class ReviewLog(db.Model):
    """One rating of one card. `token` makes a rating idempotent: one row per presentation."""

    __tablename__ = "review_logs"
    __table_args__ = (
        UniqueConstraint("user_id", "token", name="uq_review_logs_user_token"),
        # A student's reviews by time (progress, assignments).
        Index("ix_review_logs_user_reviewed", "user_id", "reviewed_at"),
        # The day's counts for the daily limits (study/queue.py): the equalities first, so a
        # count reads only the rows it counts, never the day's other reviews (a student who
        # did thousands of learning steps today would otherwise slow every card page).
        Index("ix_review_logs_day_counts", "user_id", "source", "state_before", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(Integer)  # 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    state_before: Mapped[int] = mapped_column(Integer)  # 0 new, else fsrs State
    state_after: Mapped[int] = mapped_column(Integer)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16), default="study")  # study | quiz


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_user_started", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True)
    # A mastery check of an orientation module.
    path_id: Mapped[int | None] = mapped_column(
        ForeignKey("orientation_paths.id", ondelete="SET NULL"), index=True)
    module_key: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON)  # what was asked for: banks, tags, size, modes
    seed: Mapped[int] = mapped_column(Integer)
    question_ids: Mapped[list] = mapped_column(JSON)  # in the order shown
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)  # sum of per-question scores
    max_score: Mapped[int] = mapped_column(Integer)

    answers: Mapped[list[QuizAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="QuizAnswer.position"
    )


class QuizAnswer(db.Model):
    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answers_attempt_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)  # in [0, 1]; None until graded
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class BankUpload(db.Model):
    """Bank files a teacher uploaded and previewed, kept until they confirm the import."""

    __tablename__ = "bank_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    files: Mapped[list] = mapped_column(JSON)  # [{"name": ..., "content": ...}]


class SchoolClass(db.Model):
    """A teacher's class: students join it with a code or a link."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    joining_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[User] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan",
        order_by="Assignment.due_at")


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_enrolments_class_user"),
                      Index("ix_enrolments_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship()


class Assignment(db.Model):
    """Work set for a class: a study goal (review every card once) or a quiz."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(16))  # study | quiz
    title: Mapped[str] = mapped_column(String(200))
    banks: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(String(8), default="end")
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    time_adjustable: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="assignments")


class OrientationPath(db.Model):
    """A guided path of modules (from questions/orientation.yaml)."""

    __tablename__ = "orientation_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    modules: Mapped[list] = mapped_column(JSON)  # the validated modules, in order
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClassPath(db.Model):
    """A class (cohort) enrolled in an orientation path by its coordinator."""

    __tablename__ = "class_paths"
    __table_args__ = (UniqueConstraint("class_id", "path_id", name="uq_class_paths"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(ForeignKey("orientation_paths.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(db.Model):
    """Proof of a completed path, verifiable by anyone holding its unguessable id."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "path_id", name="uq_certificates_user_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(ForeignKey("orientation_paths.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    path_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modules: Mapped[list] = mapped_column(JSON)  # [{"title", "score", "passed_at"}]


class LiveSession(db.Model):
    """A teacher-paced quiz: one question at a time, on the projector and on phones.

    `seq` grows with every change of what is shown (a question opened, closed, revealed, the
    end): it is the id of the event that tells the screens, so a screen that reconnects says
    which state it last saw."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON)  # guests, leaderboard, seconds, banks, tags
    seed: Mapped[int] = mapped_column(Integer)
    question_ids: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="lobby")  # lobby|open|closed|ended
    current: Mapped[int] = mapped_column(Integer, default=-1)  # index into question_ids
    seq: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[dict | None] = mapped_column(JSON)  # what is kept at the end: standings

    host: Mapped[User] = relationship()


class LivePlayer(db.Model):
    """Someone who joined a live session: a logged-in user, or a guest with a nickname (whose
    answers go when the session ends)."""

    __tablename__ = "live_players"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_live_players_user"),
                      UniqueConstraint("session_id", "nickname", name="uq_live_players_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nickname: Mapped[str] = mapped_column(String(40))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveAnswer(db.Model):
    """One player's answer to one question of a live session: at most one, by constraint."""

    __tablename__ = "live_answers"
    __table_args__ = (UniqueConstraint("player_id", "position", name="uq_live_answers_once"),
                      Index("ix_live_answers_session_position", "session_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_players.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    response: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    points: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StudyTarget(db.Model):
    """A day by which a scope's cards should be recalled with some probability: set by a
    student for themself, or by a teacher for a class (an exam, a departure day).

    `scope` is written as study links write it: bank:…, tag:…, module:path/key, path:…. With
    no `recall`, each student's own desired retention is the target."""

    __tablename__ = "study_targets"
    __table_args__ = (
        UniqueConstraint("user_id", "scope", name="uq_study_targets_user_scope"),
        UniqueConstraint("class_id", "scope", name="uq_study_targets_class_scope"),
        CheckConstraint("(user_id IS NULL) <> (class_id IS NULL)",
                        name="ck_study_targets_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"),
                                                 index=True)
    scope: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    recall: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
