"""Load test: logged-in students study flashcards the way a browser does, against gunicorn.

Server: gunicorn with production settings, 2 workers (--workers), on 127.0.0.1; SQLite by
default, PostgreSQL with --database-url. Load: wrk (Debian's package) with bench/study.lua,
one connection per student, N clients for T seconds, in two flows:

- js: with JavaScript, each rating is one request whose response is the next card;
- plain: without it, the card page, "Show answer" and the rating: three requests a card.

The baseline is a bare Flask route (bench/bare_app.py) under the same gunicorn configuration
and the same tool. Bare, plain and js runs alternate (--rounds); each keeps its quickest
round, while ratings, losses and errors are summed over all rounds.

After each run it checks that every rating the clients got a success answer for is in the
review log exactly once, that no request failed with a 5xx, and that the server never logged
"database is locked". It reports cards per second, p50/p95/p99 latency per request (per card
in the js flow) and each worker's peak RSS.

    .venv/bin/python -m bench.load [--users 200] [--cards 100] [--clients 8 32]
        [--duration 10] [--workers 2] [--rounds 1] [--database-url URL]
        [--worker-class sync|gthread] [--threads 64]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.data import PASSWORD, as_after_autovacuum, populate
from quizapp import create_app
from quizapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
FLOWS = ("plain", "js")


class BenchError(RuntimeError):
    pass


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed: apt-get install wrk (Debian's package)")
    return wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str, users: int, cards: int) -> list[str]:
    """Students who have seen most of a bank of flashcards; their emails."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "QUESTIONS_DIR": "/nonexistent"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        emails = populate(users, cards, kinds=["flashcard"])
        db.session.remove()
        as_after_autovacuum()
        db.engine.dispose()
    return emails


def server_env(url: str) -> dict:
    return {"QUIZAPP_ENV": "production", "QUIZAPP_SECRET_KEY": "bench-secret",
            "QUIZAPP_DATABASE_URL": url, "QUIZAPP_RATELIMIT_STORAGE_URL": "memory://",
            "QUIZAPP_QUESTIONS_DIR": "/nonexistent",
            # Thousands of logins from one address in a few seconds: not what is measured.
            "QUIZAPP_LOGIN_RATE_LIMIT": "100000 per minute"}


@contextmanager
def gunicorn(target: str, env: dict, workers: int, logdir: Path, extra: list[str] = ()):
    port = free_port()
    log = logdir / f"gunicorn-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--error-logfile", str(log), "--log-level", "warning", *extra,
         target],
        cwd=ROOT, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, process)
        yield port, process, log
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError("gunicorn exited while starting; see its log")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise BenchError("gunicorn did not answer within 30 s")


def _cookie(response: http.client.HTTPResponse, current: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        match = re.match(r"(session=[^;]*)", header)
        if match:
            return match.group(1)
    return current


def log_in(port: int, email: str) -> str:
    """A session cookie for a logged-in student (through the real login form)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        cookie = _cookie(page, "")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          page.read().decode()).group(1)
        body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
        conn.request("POST", "/login", body, {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        answer.read()
        if answer.status != 302:
            raise BenchError(f"login failed for {email}: HTTP {answer.status}")
        return _cookie(answer, cookie)
    finally:
        conn.close()


def run_wrk(port: int, script: Path, clients: int, seconds: float,
            args: list[str] | None = None) -> dict:
    command = [require_wrk(), "-t", str(clients), "-c", str(clients), "-d",
               f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script),
               f"http://127.0.0.1:{port}/"]
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    return result


def start_wrk(port: int, clients: int, seconds: float, cookies: Path,
              flow: str) -> subprocess.Popen:
    """wrk in the background (for the perceived-speed run)."""
    return subprocess.Popen(
        [require_wrk(), "-t", str(clients), "-c", str(clients), "-d",
         f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(BENCH / "study.lua"),
         f"http://127.0.0.1:{port}/", "--", str(cookies), flow],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def worker_peak_rss_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    peaks = []
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(round(int(match.group(1)) / 1024, 1))
    return peaks


def reviews_since(url: str, since: datetime) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total, distinct = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT token) FROM review_logs WHERE reviewed_at >= :t"),
            {"t": since.replace(tzinfo=None)}).one()
    engine.dispose()
    return total, distinct


def write_cookies(port: int, emails: list[str], path: Path) -> Path:
    path.write_text("\n".join(log_in(port, e) for e in emails) + "\n")
    return path


def worker_args(worker_class: str, threads: int) -> list[str]:
    """gunicorn's worker class: sync, or gthread as the README runs it for live sessions."""
    if worker_class == "sync":
        return []
    return ["--worker-class", "gthread", "--threads", str(threads),
            "--worker-connections", str(threads)]


def study_run(url: str, emails: list[str], clients: int, seconds: float, workers: int,
              logdir: Path, flow: str, extra: list[str] = ()) -> dict:
    with gunicorn("quizapp:create_app()", server_env(url), workers, logdir, extra) as (
            port, process, log):
        cookies = write_cookies(port, emails[:clients], logdir / f"cookies-{flow}.txt")
        since = datetime.now(UTC)
        result = run_wrk(port, BENCH / "study.lua", clients, seconds,
                         args=[str(cookies), flow])
        result["worker_peak_rss_mb"] = worker_peak_rss_mb(process.pid)
    result["flow"] = flow
    result["cards_per_s"] = round(result["ratings_ok"] / result["duration_s"], 1)
    return checked(result, url, since, log, clients, workers)


def checked(result: dict, url: str, since: datetime, log: Path, clients: int,
            workers: int) -> dict:
    logged, distinct = reviews_since(url, since)
    server_log = log.read_text()
    result.update(
        clients=clients, workers=workers, reviews_logged=logged,
        # A rating whose answer had not arrived when wrk stopped is logged but not counted:
        # at most one per client. A success answer without its review would be a loss.
        ratings_lost=max(0, result["ratings_ok"] - logged),
        in_flight_at_end=max(0, logged - result["ratings_ok"]),
        duplicate_reviews=logged - distinct,
        database_locked=server_log.count("database is locked"),
        tracebacks=server_log.count("Traceback"))
    return result


def bare_run(clients: int, seconds: float, workers: int, logdir: Path,
             extra: list[str] = ()) -> dict:
    with gunicorn("bench.bare_app:app", {}, workers, logdir, extra) as (port, process, _):
        result = run_wrk(port, BENCH / "bare.lua", clients, seconds)
        result["worker_peak_rss_mb"] = worker_peak_rss_mb(process.pid)
    result["clients"] = clients
    return result


# Summed over rounds: a loss or an error in any round is never hidden by a better round.
_COUNTS = ("requests", "ratings_sent", "ratings_ok", "reviews_logged", "ratings_lost",
           "in_flight_at_end", "duplicate_reviews", "server_errors", "non_2xx_3xx",
           "socket_errors", "database_locked", "tracebacks", "nothing_due")


def best_of(runs: list[dict], speed: str = "rps") -> dict:
    """This machine's throughput drifts by several percent from run to run, so each kind of
    run is repeated in rounds, alternating, and keeps its quickest round (throughput and
    latencies); counts of ratings, losses and errors are summed over all rounds, and the
    memory peak is the highest of any round."""
    best = dict(max(runs, key=lambda r: r[speed]))
    for key in _COUNTS:
        if key in best:
            best[key] = sum(r[key] for r in runs)
    best["worker_peak_rss_mb"] = max((r["worker_peak_rss_mb"] for r in runs),
                                     key=lambda peaks: max(peaks or [0]))
    best["rounds"] = [r[speed] for r in runs]
    return best


def run(users: int, cards: int, clients: list[int], seconds: float, workers: int,
        database_url: str | None, rounds: int = 1, worker_class: str = "sync",
        threads: int = 64) -> dict:
    require_wrk()
    extra = worker_args(worker_class, threads)
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        url = database_url or f"sqlite:///{logdir / 'bench.sqlite3'}"
        backend = sa.make_url(url).get_backend_name()
        emails = prepare_database(url, users, max(cards, 1))
        if len(emails) < 2 * max(clients):
            raise BenchError("need twice as many users as clients (each flow has its own)")
        # Each flow studies as students of its own, so one does not eat the other's cards.
        students = {"plain": emails[::2], "js": emails[1::2]}
        levels = []
        for n in clients:
            runs: dict[str, list[dict]] = {"bare": [], "plain": [], "js": []}
            for _ in range(rounds):
                runs["bare"].append(bare_run(n, seconds, workers, logdir, extra))
                for flow in FLOWS:
                    runs[flow].append(study_run(url, students[flow], n, seconds, workers,
                                                logdir, flow, extra))
            level = {"clients": n, "bare": best_of(runs["bare"]),
                     **{flow: best_of(runs[flow], "cards_per_s") for flow in FLOWS}}
            level["js_cards_to_bare"] = round(level["js"]["cards_per_s"] /
                                              level["bare"]["rps"], 3)
            level["js_over_plain"] = round(level["js"]["cards_per_s"] /
                                           level["plain"]["cards_per_s"], 2)
            levels.append(level)
    return {"backend": backend, "users": users, "cards_per_user": cards, "workers": workers,
            "worker_class": worker_class, "threads": threads if worker_class != "sync" else 1,
            "duration_s": seconds, "rounds": rounds, "levels": levels}


def summary(result: dict) -> str:
    lines = []
    for level in result["levels"]:
        js, plain, bare = level["js"], level["plain"], level["bare"]
        lines.append(
            f"{result['backend']} {result.get('worker_class', 'sync')} "
            f"{level['clients']:>3} clients: js {js['cards_per_s']:.0f} "
            f"cards/s (p95 {js['p95_ms']:.1f} ms), plain {plain['cards_per_s']:.0f} cards/s, "
            f"bare {bare['rps']:.0f} rps; js/bare {level['js_cards_to_bare']:.3f}, js/plain "
            f"{level['js_over_plain']:.2f}; lost {js['ratings_lost'] + plain['ratings_lost']}, "
            f"duplicated {js['duplicate_reviews'] + plain['duplicate_reviews']}, 5xx "
            f"{js['server_errors'] + plain['server_errors']}, locked "
            f"{js['database_locked'] + plain['database_locked']}, worker RSS "
            f"{max(js['worker_peak_rss_mb'] + plain['worker_peak_rss_mb'])} MB")
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="bare, plain and js runs alternate this many times; each keeps "
                             "its quickest")
    parser.add_argument("--database-url")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=64,
                        help="threads (and connections) per gthread worker")
    args = parser.parse_args(argv)
    result = run(args.users, args.cards, args.clients, args.duration, args.workers,
                 args.database_url, args.rounds, args.worker_class, args.threads)
    print(summary(result))
    return {"load": result}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
