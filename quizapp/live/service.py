"""The rules of a live session, over the database. No Flask here.

A session moves lobby -> open (a question takes answers) -> closed (its answers and the
right one are shown) -> open (the next question) ... -> ended. Every move raises `seq`, the id
of the event that tells the screens. An answer is kept once per player and question (a
unique constraint, so a double tap or a retry across workers cannot count twice) and only
while its question is open.

Left out of live play: flashcards (self-graded: nothing to show the class), cloze and
matching (several inputs per question are slow to fill in on a phone against a countdown).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import grading, selection
from ..database import for_update
from ..models import (
    Assignment,
    Enrolment,
    LiveAnswer,
    LivePlayer,
    LiveSession,
    Question,
    QuizAnswer,
    QuizAttempt,
    SchoolClass,
    User,
)
from ..problems import N_, Problem
from ..quiz import service as quizzes

LIVE_TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "ordering")
MAX_QUESTIONS = 30
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
SPEED_BONUS = 200  # points for an instant right answer, on top of 1000 for a right one
PACE_SECONDS = 30  # the speed bonus fades over this long when a question has no countdown


class LiveError(Problem):
    """A user-caused problem in a live session; the message says what to do."""


@dataclass(frozen=True)
class LiveSpec:
    title: str
    banks: list[str]
    tags: list[str]
    size: int
    seconds: int | None  # countdown per question, or None: the teacher closes it
    guests: bool  # anyone with the code may join with a nickname
    leaderboard: str  # off | named | anonymous
    class_id: int | None


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(6))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:16]


def create(session: Session, host: User, spec: LiveSpec, now: datetime,
           seed: int | None = None) -> LiveSession:
    if not 1 <= spec.size <= MAX_QUESTIONS:
        raise LiveError(N_("Choose between 1 and %(most)s questions."), most=MAX_QUESTIONS)
    candidates = [qid for qid, kind in session.execute(
        select(Question.id, Question.type).where(Question.id.in_(
            selection.candidate_ids(session, spec.banks, spec.tags, objective_only=True,
                                    topic_banks=selection.shared_banks(session, host.id)))))
        if kind in LIVE_TYPES]
    if not candidates:
        raise LiveError(N_("There are no questions for live play in what you picked (live "
                           "play leaves out flashcards, cloze and matching)."))
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    chosen = random.Random(seed).sample(sorted(candidates), min(spec.size, len(candidates)))
    live = LiveSession(code=new_code(), host_id=host.id, class_id=spec.class_id,
                       title=spec.title, seed=seed, question_ids=chosen, status="lobby",
                       current=-1, seq=1, created_at=now, settings={
                           "banks": spec.banks, "tags": spec.tags, "seconds": spec.seconds,
                           "guests": spec.guests, "leaderboard": spec.leaderboard})
    session.add(live)
    session.flush()
    return live


def by_code(session: Session, code: str) -> LiveSession | None:
    return session.scalar(select(LiveSession).where(LiveSession.code == normalise_code(code)))


# -- Joining -----------------------------------------------------------------------------------

def player_of(session: Session, live: LiveSession, user: User | None,
              player_id: int | None) -> LivePlayer | None:
    """The viewer's player in this session: by account, or by the guest id their browser
    holds."""
    if user is not None and user.is_authenticated:
        return session.scalar(select(LivePlayer).where(LivePlayer.session_id == live.id,
                                                       LivePlayer.user_id == user.id))
    if player_id is None:
        return None
    return session.scalar(select(LivePlayer).where(LivePlayer.session_id == live.id,
                                                   LivePlayer.id == player_id,
                                                   LivePlayer.user_id.is_(None)))


def join(session: Session, live: LiveSession, user: User | None, nickname: str,
         now: datetime) -> LivePlayer:
    if live.status == "ended":
        raise LiveError(N_("This live session has ended."))
    signed_in = user is not None and user.is_authenticated
    if not signed_in and not live.settings.get("guests"):
        raise LiveError(N_("This session is for signed-in students: log in to join."))
    if signed_in and live.class_id is not None and not live.settings.get("guests") and \
            not _in_class(session, live.class_id, user):
        raise LiveError(N_("This session is for a class you are not in."))
    if signed_in:
        found = player_of(session, live, user, None)
        if found is not None:
            return found
        nickname = user.name
    nickname = " ".join((nickname or "").split())[:40]
    if not nickname:
        raise LiveError(N_("Choose a nickname to show on the screen."))
    player = LivePlayer(session_id=live.id, user_id=user.id if signed_in else None,
                        nickname=_free_name(session, live, nickname), joined_at=now)
    session.add(player)
    session.flush()
    return player


def _in_class(session: Session, class_id: int, user: User) -> bool:
    school_class = session.get(SchoolClass, class_id)
    return school_class is not None and (school_class.teacher_id == user.id or session.scalar(
        select(Enrolment.id).where(Enrolment.class_id == class_id,
                                   Enrolment.user_id == user.id)) is not None)


def _free_name(session: Session, live: LiveSession, wanted: str) -> str:
    taken = set(session.scalars(select(LivePlayer.nickname).where(
        LivePlayer.session_id == live.id)))
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted[:36]} ({n})", n + 1
    return name


def remove_player(session: Session, live: LiveSession, player_id: int) -> LivePlayer:
    """The teacher takes a player out of the session (a nickname the room should not see),
    with their answers: they leave the screens, the count and the standings. They may join
    again, under another nickname."""
    # Read under the row's lock, as the teacher's moves are: a removal and an "end" at once
    # never leave the removed player in the final standings.
    live = session.scalar(for_update(select(LiveSession).where(LiveSession.id == live.id)))
    if live.status == "ended":
        raise LiveError(N_("This live session has ended."))
    player = session.scalar(select(LivePlayer).where(LivePlayer.session_id == live.id,
                                                     LivePlayer.id == player_id))
    if player is None:
        raise LiveError(N_("That player has already left the session."))
    session.execute(delete(LiveAnswer).where(LiveAnswer.player_id == player.id))
    session.delete(player)
    session.flush()
    return player


def players(session: Session, live: LiveSession) -> list[LivePlayer]:
    return list(session.scalars(select(LivePlayer).where(LivePlayer.session_id == live.id)
                                .order_by(LivePlayer.joined_at, LivePlayer.id)))


# -- Pace ----------------------------------------------------------------------------------------

def _moved(session: Session, live: LiveSession, **values) -> LiveSession:
    session.execute(update(LiveSession).where(LiveSession.id == live.id)
                    .values(seq=LiveSession.seq + 1, **values))
    session.refresh(live)
    return live


def expire(session: Session, live: LiveSession, now: datetime) -> LiveSession:
    """Close the open question once its countdown has run out (whoever looks first)."""
    if live.status == "open" and live.closes_at is not None and now >= live.closes_at:
        session.execute(update(LiveSession).where(
            LiveSession.id == live.id, LiveSession.status == "open",
            LiveSession.current == live.current)
            .values(status="closed", seq=LiveSession.seq + 1))
        session.refresh(live)
    return live


def act(session: Session, live: LiveSession, move, now: datetime,
        seen: int | None = None) -> LiveSession | None:
    """Apply one of the teacher's moves (advance, close, end) once. `seen` is the state the
    teacher's page showed: a click sent twice, a retry after a lost response, or a second
    screen that had not caught up changes nothing (None), rather than skipping a question."""
    live = session.scalar(for_update(select(LiveSession).where(LiveSession.id == live.id)))
    if seen is not None and live.seq != seen:
        return None
    return move(session, live, now)


def advance(session: Session, live: LiveSession, now: datetime) -> LiveSession:
    """The teacher's "next": open the next question, or end after the last."""
    live = session.scalar(for_update(select(LiveSession).where(LiveSession.id == live.id)))
    if live.status == "ended":
        raise LiveError(N_("This live session has ended."))
    if live.status == "open":
        return close(session, live, now)
    if live.current + 1 >= len(live.question_ids):
        return end(session, live, now)
    seconds = live.settings.get("seconds")
    return _moved(session, live, status="open", current=live.current + 1, opened_at=now,
                  closes_at=now + timedelta(seconds=seconds) if seconds else None)


def close(session: Session, live: LiveSession, now: datetime) -> LiveSession:
    if live.status != "open":
        return live
    return _moved(session, live, status="closed", closes_at=min(live.closes_at or now, now))


# -- Answers -------------------------------------------------------------------------------------

def answer(session: Session, live: LiveSession, player: LivePlayer, position: int,
           response: dict | None, now: datetime) -> tuple[LiveAnswer, bool]:
    """Keep a player's answer to the question at `position`: (the answer, whether this call
    recorded it). A second send returns the first answer unchanged."""
    live = expire(session, live, now)
    existing = session.scalar(select(LiveAnswer).where(LiveAnswer.player_id == player.id,
                                                       LiveAnswer.position == position))
    if existing is not None:
        return existing, False
    if live.status != "open" or live.current != position:
        raise LiveError(N_("Too late: that question has closed."))
    if not response:
        raise LiveError(N_("Choose an answer first."))
    question = session.get(Question, live.question_ids[position])
    score = grading.grade(question.content, response).score
    found = LiveAnswer(session_id=live.id, player_id=player.id, position=position,
                       question_id=question.id, response=response, score=score,
                       points=points(score, live, now), answered_at=now)
    try:
        with session.begin_nested():
            session.add(found)
    except IntegrityError:  # the same answer, sent twice at once
        return session.scalar(select(LiveAnswer).where(LiveAnswer.player_id == player.id,
                                                       LiveAnswer.position == position)), False
    return found, True


def points(score: float, live: LiveSession, now: datetime) -> int:
    """1000 for a right answer, plus up to 200 for speed; partial credit earns its share."""
    if score <= 0 or live.opened_at is None:
        return 0
    span = (live.closes_at - live.opened_at).total_seconds() if live.closes_at and \
        live.settings.get("seconds") else PACE_SECONDS
    taken = max(0.0, (now - live.opened_at).total_seconds())
    bonus = SPEED_BONUS * max(0.0, 1 - taken / span) if span > 0 else 0
    return round(score * (1000 + bonus))


def answered_count(session: Session, live: LiveSession) -> int:
    return session.scalar(select(func.count()).select_from(LiveAnswer).where(
        LiveAnswer.session_id == live.id, LiveAnswer.position == live.current)) or 0


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    right: bool


def distribution(session: Session, live: LiveSession, position: int,
                 content: dict) -> list[Bar]:
    """How the answers to one question fell: per choice (or true/false), or right/wrong for
    typed and ordered answers."""
    responses = list(session.scalars(select(LiveAnswer.response).where(
        LiveAnswer.session_id == live.id, LiveAnswer.position == position)))
    scores = list(session.scalars(select(LiveAnswer.score).where(
        LiveAnswer.session_id == live.id, LiveAnswer.position == position)))
    kind = content["type"]
    key = grading.correct_response(content)
    if kind in ("single_choice", "multiple_choice"):
        picked = [r.get("choice") for r in responses] if kind == "single_choice" else \
            [c for r in responses for c in r.get("choices", [])]
        right = {key["choice"]} if kind == "single_choice" else set(key["choices"])
        return [Bar(c["text"], picked.count(i), i in right)
                for i, c in enumerate(content["choices"])]
    if kind == "true_false":
        said = [r.get("answer") for r in responses]
        return [Bar("true", said.count(True), content["answer"] is True),
                Bar("false", said.count(False), content["answer"] is False)]
    return [Bar("right", sum(s >= 1 for s in scores), True),
            Bar("partly", sum(0 < s < 1 for s in scores), False),
            Bar("wrong", sum(s <= 0 for s in scores), False)]


@dataclass(frozen=True)
class Standing:
    rank: int
    name: str
    points: int
    player_id: int


def leaderboard(session: Session, live: LiveSession, limit: int | None = 10) -> list[Standing]:
    if live.status == "ended" and live.summary:
        kept = [Standing(s["rank"], s["name"], s["points"], s["player_id"])
                for s in live.summary["standings"]]
        return kept[:limit] if limit else kept
    total = func.coalesce(func.sum(LiveAnswer.points), 0)
    rows = session.execute(
        select(LivePlayer.id, LivePlayer.nickname, total)
        .outerjoin(LiveAnswer, LiveAnswer.player_id == LivePlayer.id)
        .where(LivePlayer.session_id == live.id)
        .group_by(LivePlayer.id, LivePlayer.nickname)
        .order_by(total.desc(), LivePlayer.id)).all()
    standings, rank, last = [], 0, None
    for n, (player_id, name, earned) in enumerate(rows, start=1):
        if earned != last:
            rank, last = n, earned
        standings.append(Standing(rank, name, int(earned), player_id))
    return standings[:limit] if limit else standings


# -- The end -----------------------------------------------------------------------------------

def end(session: Session, live: LiveSession, now: datetime) -> LiveSession:
    """End the session once: each signed-in player's answers become a submitted quiz attempt
    (the quiz rule feeds their study cards; a class session is an assignment on the class's
    dashboard and item analysis); guests' answers go."""
    if live.status == "ended":
        return live
    asked = live.question_ids[:live.current + 1]
    # The final standings stay for the screens, guests' nicknames and points included; their
    # answers go below.
    live.summary = {"asked": len(asked), "standings": [
        {"rank": s.rank, "name": s.name, "points": s.points, "player_id": s.player_id}
        for s in leaderboard(session, live, limit=None)]}
    if asked:
        _keep_results(session, live, asked, now)
    guests = select(LivePlayer.id).where(LivePlayer.session_id == live.id,
                                         LivePlayer.user_id.is_(None))
    session.execute(delete(LiveAnswer).where(LiveAnswer.player_id.in_(guests)))
    session.execute(delete(LivePlayer).where(LivePlayer.id.in_(guests)))
    return _moved(session, live, status="ended", ended_at=now, closes_at=None)


def _keep_results(session: Session, live: LiveSession, asked: list[int], now: datetime) -> None:
    started = live.created_at
    if live.class_id is not None:
        assignment = Assignment(class_id=live.class_id, kind="quiz",
                                title=f"Live: {live.title}"[:200], banks=live.settings["banks"],
                                tags=live.settings["tags"], size=len(asked), feedback="end",
                                attempts_allowed=1, opens_at=started, due_at=now,
                                created_at=now)
        session.add(assignment)
        session.flush()
        live.assignment_id = assignment.id
    signed_in = session.execute(select(LivePlayer.id, LivePlayer.user_id).where(
        LivePlayer.session_id == live.id, LivePlayer.user_id.is_not(None))).all()
    for player_id, user_id in signed_in:
        user = session.get(User, user_id)
        given = {a.position: a for a in session.scalars(
            select(LiveAnswer).where(LiveAnswer.player_id == player_id))}
        attempt = QuizAttempt(user_id=user_id, assignment_id=live.assignment_id,
                              title=f"Live: {live.title}"[:200],
                              settings={"live": live.id, "banks": live.settings["banks"],
                                        "tags": live.settings["tags"], "size": len(asked),
                                        "feedback": "end"},
                              seed=live.seed, question_ids=asked, started_at=started,
                              max_score=len(asked))
        session.add(attempt)
        session.flush()
        for position, question_id in enumerate(asked):
            if position in given:
                session.add(QuizAnswer(attempt=attempt, question_id=question_id,
                                       position=position, response=given[position].response,
                                       answered_at=given[position].answered_at))
        session.flush()
        quizzes.submit(session, attempt, user, now)


def results_rows(session: Session, live: LiveSession) -> list[list]:
    """The session's results for a CSV: a row per player, a column per question asked."""
    asked = live.question_ids[:live.current + 1] if live.status != "ended" else \
        live.question_ids[:(live.summary or {}).get("asked", 0)]
    keys = dict(session.execute(select(Question.id, Question.key).where(
        Question.id.in_(asked))).all())
    header = ["player", "signed_in", "points", *[f"q{n + 1}:{keys.get(q, q)}"
                                                 for n, q in enumerate(asked)]]
    rows = [header]
    by_player: dict[int, dict[int, LiveAnswer]] = {}
    for a in session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live.id)):
        by_player.setdefault(a.player_id, {})[a.position] = a
    for standing in leaderboard(session, live, limit=None):
        player = session.get(LivePlayer, standing.player_id)
        if player is None:  # a guest, gone with the session's end
            continue
        answers = by_player.get(player.id, {})
        rows.append([player.nickname, "yes" if player.user_id else "no", standing.points,
                     *["" if p not in answers else round(answers[p].score, 2)
                       for p in range(len(asked))]])
    return rows
