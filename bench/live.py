"""A live session with many phones: gunicorn (gthread workers) on PostgreSQL with Redis
carrying the events between workers, a teacher pacing the questions, and every student
holding an event stream and answering each question as it arrives. In the middle, gunicorn
replaces its workers (SIGHUP): every stream drops and reconnects with Last-Event-ID.

Measured: from the teacher's "next" to each stream receiving the new question (p50, p95,
max), whether every answer was recorded exactly once, and how many streams came back after
the restart.

    .venv/bin/python -m bench.live --database-url URL [--redis-url URL] [--students 300]
        [--questions 8] [--workers 2] [--threads 256] [--worker-connections N]
        [--reveal-seconds 2]
        [--think-seconds 1 6]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import func, insert, select

from bench.data import in_app, signed_in
from bench.load import gunicorn
from quizapp.extensions import db
from quizapp.live import service as live
from quizapp.models import Bank, LiveAnswer, LivePlayer, LiveSession, Question, User

TARGET_P95_MS = 200
GRACE = 5  # seconds gunicorn gives a replaced worker to finish (then its streams are cut)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
POSITION = re.compile(r'name="position" value="(\d+)"')
PAGE_TOKEN = re.compile(r'data-csrf="([^"]+)"')


def _bank(session, questions: int) -> None:
    now = datetime.now(UTC)
    bank = Bank(slug="live-bench", title="Live bench", language="en", created_at=now,
                updated_at=now)
    session.add(bank)
    session.flush()
    session.execute(insert(Question), [
        {"bank_id": bank.id, "key": f"q{n}", "position": n, "type": "true_false",
         "prompt": f"Statement {n} is true.", "content": {"type": "true_false",
                                                          "prompt": f"Statement {n} is true.",
                                                          "answer": True},
         "explanation": None, "paragraphs": [], "content_hash": str(n), "retired": False}
        for n in range(questions)])


class Phone(threading.Thread):
    """One student's phone: an event stream, answers posted as questions arrive, and a
    reconnect (with Last-Event-ID) whenever the stream drops."""

    def __init__(self, url: str, code: str, cookie: str, clock: dict, stop: threading.Event,
                 think: tuple[float, float], seed: int):
        super().__init__(daemon=True)
        self.think, self.rng = think, random.Random(seed)
        self.url, self.code, self.clock, self.stop = url, code, clock, stop
        self.browser = requests.Session()
        self.browser.cookies.set("session", cookie, domain="127.0.0.1", path="/")
        self.latencies: list[float] = []
        self.by_question: dict[int, float] = {}
        self.answered: set[int] = set()
        self.reconnects = 0
        self.errors = 0
        self.last_id: str | None = None
        self.token = ""

    def run(self) -> None:
        try:  # the phone opens the page first, as a browser does: its form token comes so
            page = self.browser.get(f"{self.url}/live/{self.code}", timeout=30).text
            self.token = PAGE_TOKEN.search(page).group(1)
        except (requests.RequestException, AttributeError):
            self.errors += 1
        while not self.stop.is_set():
            headers = {"Last-Event-ID": self.last_id} if self.last_id else {}
            try:
                with self.browser.get(f"{self.url}/live/{self.code}/events", headers=headers,
                                      stream=True, timeout=(5, 60)) as stream:
                    self._follow(stream)
            except requests.RequestException:
                pass
            if not self.stop.is_set():
                self.reconnects += 1
                time.sleep(0.5)

    def _follow(self, stream) -> None:
        block: list[str] = []
        for line in stream.iter_lines(decode_unicode=True):
            if self.stop.is_set():
                return
            if line:
                block.append(line)
                continue
            fields = dict(b.split(": ", 1) for b in block if not b.startswith(("data:", ":")))
            data = "\n".join(b[6:] for b in block if b.startswith("data:"))
            block = []
            if fields.get("event") != "state":
                continue
            self.last_id = fields.get("id")
            position = POSITION.search(data)
            if position is None:
                continue
            n = int(position.group(1))
            opened = self.clock.get(n)
            if opened is not None and n not in self.by_question:
                self.by_question[n] = time.monotonic() - opened
                self.latencies.append(self.by_question[n])
            threading.Thread(target=self._answer, args=(n, self.token), daemon=True).start()

    def _answer(self, position: int, token: str) -> None:
        if position in self.answered:
            return
        time.sleep(self.rng.uniform(*self.think))  # reading the question
        for _ in range(6):  # a worker restart may cut a request: send it again
            try:
                sent = self.browser.post(f"{self.url}/live/{self.code}/answer", data={
                    "csrf_token": token, "position": str(position), "answer": "true"},
                    allow_redirects=False, timeout=30)
                if sent.status_code == 302:
                    self.answered.add(position)
                    return
                self.errors += 1
            except requests.RequestException:
                self.errors += 1
            time.sleep(0.5)


def run(database_url: str, redis_url: str, students: int, questions: int, workers: int,
        threads: int, reveal: float, think: tuple[float, float],
        connections: int | None = None) -> dict:
    with in_app(database_url, "live") as app:
        _bank(db.session, questions)
        now = datetime.now(UTC)
        db.session.execute(insert(User), [
            {"email": f"phone{n}@bench", "name": f"Phone {n}", "password_hash": "x",
             "role": "student", "created_at": now} for n in range(students)])
        teacher = User(email="teacher@bench", name="Teacher", password_hash="x",
                       role="teacher")
        db.session.add(teacher)
        db.session.commit()
        session = live.create(db.session, teacher, live.LiveSpec(
            title="Bench", banks=["live-bench"], tags=[], size=questions, seconds=None,
            guests=False, leaderboard="named", class_id=None), now)
        people = db.session.scalars(select(User).where(User.role == "student")).all()
        db.session.execute(insert(LivePlayer), [
            {"session_id": session.id, "user_id": u.id, "nickname": u.name, "joined_at": now}
            for u in people])
        db.session.commit()
        code = session.code
        cookies = [signed_in(app, u).get_cookie("session").value for u in people]
        host_cookie = signed_in(app, teacher).get_cookie("session").value
        env = {"QUIZAPP_DATABASE_URL": database_url, "QUIZAPP_SECRET_KEY": "bench",
               "QUIZAPP_LIVE_REDIS_URL": redis_url, "QUIZAPP_RATELIMIT_STORAGE_URL": redis_url}
        extra = ["--worker-class", "gthread", "--threads", str(threads),
                 "--graceful-timeout", str(GRACE)]
        # A gthread worker accepts up to --worker-connections (default 1000) whatever its
        # threads, and queues a stream beyond its threads until another ends: as many as it
        # has threads, and a full worker leaves the connection to another (README).
        extra += ["--worker-connections", str(connections or threads)]
        with gunicorn("quizapp:create_app()", env, workers, _logdir(), extra) as (port, server,
                                                                                  _log):
            url = f"http://127.0.0.1:{port}"
            clock: dict[int, float] = {}
            stop = threading.Event()
            phones = [Phone(url, code, c, clock, stop, think, n) for n, c in enumerate(cookies)]
            for phone in phones:
                phone.start()
            host = requests.Session()
            host.cookies.set("session", host_cookie, domain="127.0.0.1", path="/")
            token = TOKEN.search(host.get(f"{url}/live/{code}/host").text).group(1)
            time.sleep(3)  # every phone connected

            def control(move: str) -> None:
                """The teacher's button, sent again if a worker restart cut it: it names the
                state it was pressed in, so a second send never skips a question."""
                db.session.rollback()
                seq = db.session.scalar(select(LiveSession.seq).where(
                    LiveSession.id == session.id))
                for _ in range(6):
                    try:
                        host.post(f"{url}/live/{code}/{move}", timeout=30,
                                  data={"csrf_token": token, "seq": str(seq)},
                                  headers={"X-Live": "1"})
                        return
                    except requests.RequestException:
                        time.sleep(0.2)
            restart_at = questions // 2
            stalled = []
            for n in range(questions):
                clock[n] = time.monotonic()
                control("next")
                if n == restart_at:
                    # Mid-question, while the answers come in: new workers start, the old
                    # ones finish what they serve and go (their streams cut after GRACE s).
                    server.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if db.session.scalar(select(func.count()).select_from(LiveAnswer).where(
                            LiveAnswer.session_id == session.id,
                            LiveAnswer.position == n)) >= students:
                        break
                    db.session.rollback()
                    time.sleep(0.2)
                else:
                    stalled.append(n)
                if n == restart_at:  # the old workers gone, every phone back
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline and not all(p.reconnects for p in phones):
                        time.sleep(0.5)
                control("close")
                time.sleep(reveal)  # the room reads the answers before the next question
            stop.set()
            recorded = db.session.scalar(select(func.count()).select_from(LiveAnswer).where(
                LiveAnswer.session_id == session.id))
            distinct = db.session.scalar(select(func.count()).select_from(
                select(LiveAnswer.player_id, LiveAnswer.position).distinct().subquery()))
        latencies = sorted(ms * 1000 for p in phones for ms in p.latencies)
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
        return {"backend": "postgresql", "students": students, "questions": questions,
                "reveal_seconds": reveal, "think_seconds": list(think),
                "workers": workers, "threads": threads,
                "worker_connections": connections or threads,
                "answers_expected": students * questions, "answers_recorded": recorded,
                "answers_distinct": distinct, "questions_stalled": stalled,
                "streams_received": len(latencies),
                "next_to_stream_ms": {"p50": round(q[49], 1), "p95": round(q[94], 1),
                                      "max": round(latencies[-1], 1) if latencies else None},
                "p95_ms_by_question": [
                    round(statistics.quantiles([p.by_question[n] * 1000 for p in phones
                                                if n in p.by_question], n=20)[18], 1)
                    if sum(n in p.by_question for p in phones) > 1 else None
                    for n in range(questions)],
                "restart_at_question": restart_at,
                "reconnects": sum(p.reconnects for p in phones),
                "phones_reconnected": sum(p.reconnects > 0 for p in phones),
                "answer_retries": sum(p.errors for p in phones)}


def _logdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="live-bench-"))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=256)
    parser.add_argument("--worker-connections", type=int, default=None,
                        help="connections a worker accepts (default: as many as its threads)")
    parser.add_argument("--reveal-seconds", type=float, default=2.0,
                        help="the pause between showing the answers and the next question")
    parser.add_argument("--think-seconds", type=float, nargs=2, default=(1.0, 6.0),
                        help="each answer comes this long after its question (uniform, "
                             "seeded)")
    args = parser.parse_args(argv)
    result = run(args.database_url, args.redis_url, args.students, args.questions,
                 args.workers, args.threads, args.reveal_seconds, tuple(args.think_seconds),
                 args.worker_connections)
    print(json.dumps(result, indent=2))
    return {"live": result}


if __name__ == "__main__":
    main()

