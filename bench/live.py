"""A live session with many phones: gunicorn on PostgreSQL with Redis carrying the events
between workers, a teacher pacing the questions, and every student holding an event stream
and answering each question as it arrives. In the middle, gunicorn replaces its workers
(SIGHUP): every stream drops and reconnects with Last-Event-ID.

The phones are tasks of one asyncio loop (aiohttp), so the client costs little beside the
server; they wait between reconnects as long as the server's `retry:` asks, as a browser
does. The server runs as one pool of gthread workers, or with --split as the README deploys
it: the app on sync workers and the event streams on a gthread pool.

Measured: from the teacher's "next" to each stream receiving the new question (p50, p95,
max, and p95 by question), how long the server took to answer the "next" itself, how late
the client's own loop ran, the streams that reconnected within a second of each "next",
whether every answer was recorded exactly once, and how many streams came back after the
restart.

    .venv/bin/python -m bench.live --database-url URL [--redis-url URL] [--students 300]
        [--questions 8] [--workers 2] [--threads 256] [--worker-connections N] [--split]
        [--reveal-seconds 2] [--think-seconds 1 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import statistics
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import requests
import yarl
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


class Crowd:
    """Every student's phone, as tasks of one asyncio loop in a thread of its own: a client
    that costs little, so what is timed is the server's fan-out and not 300 client threads
    taking turns at one interpreter lock. Each phone opens its page (for the form token),
    holds an event stream, answers every question that arrives after a little thought, and
    reconnects with Last-Event-ID whenever the stream drops. Arrival times are kept on the
    monotonic clock and matched against the teacher's "next" afterwards."""

    def __init__(self, url: str, code: str, cookies: list[str], think: tuple[float, float],
                 stream_url: str | None = None):
        self.url, self.code, self.cookies, self.think = url, code, cookies, think
        self.stream_url = stream_url or url
        self.arrived: list[dict[int, float]] = [{} for _ in cookies]
        self.answered: list[set[int]] = [set() for _ in cookies]
        self.reconnects = [0] * len(cookies)
        self.errors = [0] * len(cookies)
        self.opened: list[float] = []  # when each stream was (re)opened
        self.lag: list[float] = []  # how late the loop woke for a 10 ms timer (its own delay)
        self.connected = threading.Event()
        self._open = 0
        self._answers: set[asyncio.Task] = set()  # held, so no pending answer is collected
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0)
        try:
            phones = [asyncio.create_task(self._phone(n, cookie, connector))
                      for n, cookie in enumerate(self.cookies)]
            ticker = asyncio.create_task(self._tick())
            await self._stop.wait()
            for task in [*phones, ticker]:
                task.cancel()
            await asyncio.gather(*phones, ticker, return_exceptions=True)
        finally:
            await connector.close()

    async def _tick(self) -> None:
        while True:
            start = time.monotonic()
            await asyncio.sleep(0.01)
            self.lag.append(time.monotonic() - start - 0.01)

    async def _phone(self, n: int, cookie: str, connector) -> None:
        rng = random.Random(n)
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        for url in {self.url, self.stream_url}:
            jar.update_cookies({"session": cookie}, yarl.URL(url))
        async with aiohttp.ClientSession(connector=connector, connector_owner=False,
                                         cookie_jar=jar) as browser:
            token = ""
            try:  # the phone opens the page first, as a browser does: its form token comes so
                async with browser.get(f"{self.url}/live/{self.code}") as page:
                    token = PAGE_TOKEN.search(await page.text()).group(1)
            except (aiohttp.ClientError, AttributeError):
                self.errors[n] += 1
            last_id, first, retry = None, True, 1.0
            timeout = aiohttp.ClientTimeout(sock_connect=5, sock_read=60)
            while True:
                headers = {"Last-Event-ID": last_id} if last_id else {}
                try:
                    async with browser.get(f"{self.stream_url}/live/{self.code}/events",
                                           headers=headers, timeout=timeout) as stream:
                        self.opened.append(time.monotonic())
                        if first:
                            first, self._open = False, self._open + 1
                            if self._open == len(self.cookies):
                                self.connected.set()
                        block: list[str] = []
                        async for raw in stream.content:
                            line = raw.decode().rstrip("\r\n")
                            if line:
                                block.append(line)
                                continue
                            event = dict(b.split(": ", 1) for b in block
                                         if not b.startswith(("data:", ":")))
                            data = "\n".join(b[6:] for b in block if b.startswith("data:"))
                            block = []
                            if event.get("retry", "").isdigit():
                                retry = int(event["retry"]) / 1000
                            if event.get("event") != "state":
                                continue
                            last_id = event.get("id")
                            position = POSITION.search(data)
                            if position is None:
                                continue
                            p = int(position.group(1))
                            self.arrived[n].setdefault(p, time.monotonic())
                            if p not in self.answered[n]:
                                self.answered[n].add(p)
                                task = asyncio.create_task(
                                    self._answer(browser, n, p, token, rng))
                                self._answers.add(task)
                                task.add_done_callback(self._answers.discard)
                except (TimeoutError, aiohttp.ClientError):
                    pass
                self.reconnects[n] += 1
                await asyncio.sleep(retry)  # as a browser's EventSource waits

    async def _answer(self, browser, n: int, position: int, token: str, rng) -> None:
        await asyncio.sleep(rng.uniform(*self.think))  # reading the question
        for _ in range(6):  # a worker restart may cut a request: send it again
            try:
                async with browser.post(
                        f"{self.url}/live/{self.code}/answer", allow_redirects=False,
                        data={"csrf_token": token, "position": str(position),
                              "answer": "true"}) as sent:
                    if sent.status == 302:
                        return
                    self.errors[n] += 1
            except (TimeoutError, aiohttp.ClientError):
                self.errors[n] += 1
            await asyncio.sleep(0.5)


def run(database_url: str, redis_url: str, students: int, questions: int, workers: int,
        threads: int, reveal: float, think: tuple[float, float],
        connections: int | None = None, split: bool = False) -> dict:
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
        streams = ["--worker-class", "gthread", "--threads", str(threads),
                   "--graceful-timeout", str(GRACE)]
        # A gthread worker accepts up to --worker-connections (default 1000) whatever its
        # threads, and queues a stream beyond its threads until another ends: as many as it
        # has threads, and a full worker leaves the connection to another (README).
        streams += ["--worker-connections", str(connections or threads)]
        with ExitStack() as servers:
            # One gthread pool for everything, or (--split, as the README deploys it) the
            # app on sync workers and only the event streams on the gthread pool.
            port, server, _log = servers.enter_context(gunicorn(
                "quizapp:create_app()", env, workers, _logdir(),
                ["--graceful-timeout", str(GRACE)] if split else streams))
            url = stream_url = f"http://127.0.0.1:{port}"
            restart = [server]
            if split:
                stream_port, stream_server, _log = servers.enter_context(gunicorn(
                    "quizapp:create_app()", env, workers, _logdir(), streams))
                stream_url = f"http://127.0.0.1:{stream_port}"
                restart.append(stream_server)
            crowd = Crowd(url, code, cookies, think, stream_url)
            crowd.start()
            host = requests.Session()
            host.cookies.set("session", host_cookie, domain="127.0.0.1", path="/")
            token = TOKEN.search(host.get(f"{url}/live/{code}/host").text).group(1)
            crowd.connected.wait(60)  # every phone holds its stream
            time.sleep(1)

            def control(move: str) -> tuple[float, float]:
                """The teacher's button, sent again if a worker restart cut it: it names the
                state it was pressed in, so a second send never skips a question. Returns
                when it was sent and how long the server took to answer it."""
                db.session.rollback()
                seq = db.session.scalar(select(LiveSession.seq).where(
                    LiveSession.id == session.id))
                sent = time.monotonic()
                for _ in range(6):
                    try:
                        host.post(f"{url}/live/{code}/{move}", timeout=30,
                                  data={"csrf_token": token, "seq": str(seq)},
                                  headers={"X-Live": "1"})
                        break
                    except requests.RequestException:
                        time.sleep(0.2)
                return sent, time.monotonic() - sent
            restart_at = questions // 2
            stalled, opened, posts = [], [], []
            for n in range(questions):
                sent, took = control("next")
                opened.append(sent)
                posts.append(took)
                if n == restart_at:
                    # Mid-question, while the answers come in: new workers start, the old
                    # ones finish what they serve and go (their streams cut after GRACE s).
                    for each in restart:
                        each.send_signal(signal.SIGHUP)
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
                    while time.monotonic() < deadline and not all(crowd.reconnects):
                        time.sleep(0.5)
                control("close")
                time.sleep(reveal)  # the room reads the answers before the next question
            crowd.stop()
            recorded = db.session.scalar(select(func.count()).select_from(LiveAnswer).where(
                LiveAnswer.session_id == session.id))
            distinct = db.session.scalar(select(func.count()).select_from(
                select(LiveAnswer.player_id, LiveAnswer.position).distinct().subquery()))
        by_question = [[(got[n] - opened[n]) * 1000 for got in crowd.arrived if n in got]
                       for n in range(questions)]
        latencies = sorted(ms for q in by_question for ms in q)
        q = _percentiles(latencies)
        lag = _percentiles(sorted(s * 1000 for s in crowd.lag))
        return {"backend": "postgresql", "students": students, "questions": questions,
                "deployment": "app on sync workers, streams on gthread" if split else
                              "one gthread pool",
                "reveal_seconds": reveal, "think_seconds": list(think),
                "workers": workers, "threads": threads,
                "worker_connections": connections or threads,
                "answers_expected": students * questions, "answers_recorded": recorded,
                "answers_distinct": distinct, "questions_stalled": stalled,
                "streams_received": len(latencies),
                "next_to_stream_ms": {"p50": round(q[49], 1), "p95": round(q[94], 1),
                                      "max": round(latencies[-1], 1) if latencies else None},
                "p95_ms_by_question": [round(_percentiles(sorted(q))[94], 1) if len(q) > 1
                                       else None for q in by_question],
                # The server's own part of "next": its commit and publish, as the teacher's
                # request took (the fan-out to the streams comes after it).
                "next_request_ms": [round(t * 1000, 1) for t in posts],
                # The client's own delay: how late its loop woke for a 10 ms timer.
                "client_lag_ms": {"p50": round(lag[49], 1), "p95": round(lag[94], 1),
                                  "max": round(max(crowd.lag, default=0) * 1000, 1)},
                # Streams that (re)opened in the second before or after each "next": a stream
                # lasts LIVE_STREAM_SECONDS, then its phone reconnects.
                "streams_opened_near_next": [sum(abs(t - at) < 1 for t in crowd.opened)
                                             for at in opened],
                "restart_at_question": restart_at,
                "reconnects": sum(crowd.reconnects),
                "phones_reconnected": sum(r > 0 for r in crowd.reconnects),
                "answer_retries": sum(crowd.errors)}


def _percentiles(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=100) if len(values) > 1 else [0.0] * 99


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
    parser.add_argument("--split", action="store_true",
                        help="as the README deploys it: the app on sync workers, the event "
                             "streams on their own gthread pool (each --workers workers)")
    args = parser.parse_args(argv)
    result = run(args.database_url, args.redis_url, args.students, args.questions,
                 args.workers, args.threads, args.reveal_seconds, tuple(args.think_seconds),
                 args.worker_connections, args.split)
    print(json.dumps(result, indent=2))
    return {"live": result}


if __name__ == "__main__":
    main()

