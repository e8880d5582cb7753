"""Live sessions across processes: two gunicorn servers on one PostgreSQL database and one
Redis, as the README deploys them: the teacher on the app's sync worker, a student's event
stream on the gthread worker that serves streams. The student's phone must hear the
teacher's "next" through Redis pub/sub."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import requests

from quizapp import create_app
from quizapp.auth.service import NewAccount, create_account
from quizapp.extensions import db
from quizapp.live import service as live
from quizapp.models import Role
from tests.conftest import PG_URL, REDIS_URL, _empty_tables, _pg_config, require_service
from tests.helpers import import_banks
from tests.web.test_live import BANK

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, log: Path, workers: list[str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *workers, "--workers", "1",
         "--graceful-timeout", "2", "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log),
         "quizapp:create_app()"], cwd=ROOT, env=os.environ | env,
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=2)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gunicorn did not start: {log.read_text()}")


def _logged_in(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(url + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = browser.post(url + "/login", data={"email": email, "password": PASSWORD,
                                              "csrf_token": token}, allow_redirects=False)
    assert done.status_code == 302, done.text
    return browser


def _events(response: requests.Response):
    """Parsed server-sent events, as they arrive."""
    block: list[str] = []
    for line in response.iter_lines(decode_unicode=True):
        if line:
            block.append(line)
            continue
        if any(b.startswith("event:") for b in block):
            fields = dict(b.split(": ", 1) for b in block if not b.startswith("data:"))
            yield fields | {"data": "\n".join(b[6:] for b in block if b.startswith("data:"))}
        block = []


def test_a_teachers_next_reaches_a_stream_on_another_server(pg_schema, tmp_path):
    if not PG_URL or not REDIS_URL:
        require_service("PostgreSQL and Redis are needed for the multi-process live test")
    app = create_app({"TESTING": True, "SECRET_KEY": "workers", "QUESTIONS_DIR": str(tmp_path),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"} | _pg_config(pg_schema))
    with app.app_context():
        db.create_all()
        import_banks(BANK)
        teacher, student = (create_account(NewAccount(
            email=f"{who}@example.org", name=who, password=PASSWORD, role=role),
            "pbkdf2:sha256:1000") for who, role in (("teacher", Role.TEACHER),
                                                    ("student", Role.STUDENT)))
        db.session.flush()
        now = datetime.now(UTC)
        session = live.create(db.session, teacher, live.LiveSpec(
            title="Across", banks=["live"], tags=[], size=3, seconds=None, guests=False,
            leaderboard="named", class_id=None), now)
        live.join(db.session, session, student, "", now)
        db.session.commit()
        code = session.code
        db.engine.dispose()
    separator = "&" if "?" in PG_URL else "?"
    env = {"QUIZAPP_DATABASE_URL": f"{PG_URL}{separator}options="
                                   + quote(f"-csearch_path={pg_schema}"),
           "QUIZAPP_SECRET_KEY": "workers", "QUIZAPP_LIVE_REDIS_URL": REDIS_URL,
           "QUIZAPP_RATELIMIT_STORAGE_URL": REDIS_URL,
           "QUIZAPP_LOGIN_RATE_LIMIT": "1000 per minute",
           "QUIZAPP_LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
           # An idle stream would re-read the database only after 10 minutes: what the phone
           # hears within the read timeout came through Redis.
           "QUIZAPP_LIVE_BEAT_SECONDS": "600"}
    # As the README deploys it: the app on a sync worker, the event streams on a gthread one.
    one, one_url = _serve(env, tmp_path / "one.log", ["--worker-class", "sync"])
    other, other_url = _serve(env, tmp_path / "other.log", [
        "--worker-class", "gthread", "--threads", "8", "--worker-connections", "8"])
    try:
        teacher_browser = _logged_in(one_url, "teacher@example.org")
        phone = _logged_in(other_url, "student@example.org")
        with phone.get(f"{other_url}/live/{code}/events", stream=True, timeout=20) as stream:
            events = _events(stream)
            first = next(events)
            assert first["event"] == "state" and "first question comes" in first["data"]
            host = teacher_browser.get(f"{one_url}/live/{code}/host").text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', host).group(1)
            seq = re.search(r'name="seq" value="(\d+)"', host).group(1)
            moved = teacher_browser.post(f"{one_url}/live/{code}/next",
                                         data={"csrf_token": token, "seq": seq},
                                         allow_redirects=False)
            assert moved.status_code == 302
            heard = next(events)  # the read times out (an error) if nothing comes in 20 s
        assert int(heard["id"]) > int(first["id"]) and "Send answer" in heard["data"]
    finally:
        for process in (one, other):
            process.terminate()
        for process in (one, other):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with app.app_context():  # the schema is shared by the run's other tests
            _empty_tables()
            db.session.commit()
            db.engine.dispose()
