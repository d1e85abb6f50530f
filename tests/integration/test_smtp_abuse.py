"""The SMTP door against abusive clients, on a real socket: smuggled messages, a client that hangs
up mid-DATA, and one that sends too much too fast."""

from __future__ import annotations

import smtplib
import socket
import time

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.models import InboundMessage
from services import actors_of, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def account(app):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")


def messages(app) -> list[InboundMessage]:
    with app.sessions() as session:
        return list(session.scalars(select(InboundMessage)))


def talk(door, lines: list[bytes], *, close_early: bool = False) -> list[bytes]:
    """Speak SMTP by hand; returns every reply line."""
    replies = []
    with socket.create_connection(door, timeout=10) as conn:
        reader = conn.makefile("rb")
        replies.append(reader.readline())
        for line in lines:
            conn.sendall(line)
            if close_early and line.startswith(b"PARTIAL"):
                return replies
            while True:
                reply = reader.readline()
                replies.append(reply)
                if reply[3:4] != b"-":
                    break
    return replies


def test_a_bare_lf_dot_does_not_end_the_message_so_nothing_is_smuggled(app, account, smtp_door):
    body = (b"From: a@example.test\r\nSubject: first\r\n\r\nhello\n.\nMAIL FROM:<evil@example.test>\r\n"
            b"RCPT TO:<acme@coi.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n")
    replies = talk(smtp_door, [b"EHLO client.test\r\n", b"MAIL FROM:<a@example.test>\r\n",
                               b"RCPT TO:<acme@coi.test>\r\n", b"DATA\r\n", body, b"QUIT\r\n"])

    assert sum(r.startswith(b"250 2.0.0 Accepted") for r in replies) == 1
    [message] = messages(app)
    assert b"Subject: smuggled" in app.storage.get(message.storage_key)  # the smuggled part is only content


def test_a_client_that_hangs_up_mid_data_leaves_no_message(app, account, smtp_door):
    talk(smtp_door, [b"EHLO client.test\r\n", b"MAIL FROM:<a@example.test>\r\n", b"RCPT TO:<acme@coi.test>\r\n",
                     b"DATA\r\n", b"PARTIAL Subject: cut\r\n\r\nhalf a mess"], close_early=True)
    time.sleep(0.5)  # give the door the moment it would need to (wrongly) store something

    assert messages(app) == []
    talk(smtp_door, [b"EHLO client.test\r\n", b"QUIT\r\n"])  # and it still answers


def test_a_client_sending_too_fast_is_told_to_come_back_later(app, account):
    from inbox.smtp import make_controller

    app.settings.smtp_messages_per_minute = 3
    door = make_controller(app, actors_of(app).send_on)
    door.start()
    try:
        with smtplib.SMTP(door.hostname, door.port) as client:
            for n in range(3):
                client.sendmail("a@example.test", ["acme@coi.test"], f"Subject: {n}\r\n\r\nhi\r\n")
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("a@example.test", ["acme@coi.test"], "Subject: 4\r\n\r\nhi\r\n")
    finally:
        door.stop()
    assert refused.value.smtp_code == 421
    wait_for(lambda: len(messages(app)) == 3)
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 3
