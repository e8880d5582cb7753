"""'Forgot password' with an email server: a real SMTP server (aiosmtpd) runs in the test,
and the link it receives sets a new password."""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

SAME_ANSWER = "If an account uses that address, an email with a link"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def wait(self, count: int, seconds: float = 10.0):
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def mail_app(make_app, inbox):
    _, port = inbox
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                   MAIL_DEFAULT_SENDER="school@example.org", TRUSTED_HOSTS=["localhost"],
                   FORGOT_RATE_LIMIT="3 per hour")
    from tests.conftest import Users

    with app.app_context():
        Users(app, app.test_client()).create("amina@example.org", name="Amina")
    return app


def test_forgot_password_emails_a_link_that_works_once(mail_app, inbox):
    messages, _ = inbox
    browser = mail_app.test_client()
    unknown = browser.post("/forgot", data={"email": "nobody@example.org"})
    known = browser.post("/forgot", data={"email": "Amina@Example.org"})
    assert SAME_ANSWER in unknown.get_data(as_text=True)
    assert SAME_ANSWER in known.get_data(as_text=True)
    received = messages.wait(1)
    assert len(received) == 1 and received[0][0] == ["amina@example.org"]
    mail = received[0][1]
    assert mail["From"] == "school@example.org" and "Set a new password" in mail["Subject"]
    link = re.search(r"http://localhost/reset/[\w-]+", mail.get_payload(decode=True).decode())
    path = link.group(0).removeprefix("http://localhost")
    done = browser.post(path, data={"password": "a new password 1",
                                    "confirm": "a new password 1"})
    assert done.status_code == 302
    again = mail_app.test_client().post(path, data={"password": "x" * 10, "confirm": "x" * 10})
    assert again.status_code == 410
    login = mail_app.test_client().post("/login", data={"email": "amina@example.org",
                                                        "password": "a new password 1"})
    assert login.status_code == 302
    assert len(messages.wait(2, seconds=0.5)) == 1  # nothing went to the unknown address


def test_forgot_password_is_rate_limited_per_account(mail_app, inbox):
    messages, _ = inbox
    for n in range(3):  # from three addresses, one account: the account's limit holds
        answer = mail_app.test_client().post(
            "/forgot", data={"email": "amina@example.org"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert answer.status_code == 200
    limited = mail_app.test_client().post("/forgot", data={"email": "amina@example.org"},
                                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert limited.status_code == 429
    assert len(messages.wait(3)) == 3


def test_an_email_server_needs_trusted_hosts(monkeypatch, tmp_path):
    from quizapp import config

    monkeypatch.setenv("QUIZAPP_MAIL_SERVER", "smtp.example.org")
    monkeypatch.delenv("QUIZAPP_TRUSTED_HOSTS", raising=False)
    with pytest.raises(config.ConfigError, match="QUIZAPP_TRUSTED_HOSTS"):
        config.load(str(tmp_path))

