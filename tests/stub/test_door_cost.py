"""What one message costs the SMTP door, on a real socket in this process (the StubBroker layer's app,
tests/stub/conftest.py): the account RCPT found is not looked up again at DATA, and DATA's lines reach
the spool in a few writes, not one write a line."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from inbox.smtp import SPOOL_WRITE_BYTES, make_controller
from inbox.spool import DataSpool
from services import free_port

pytestmark = pytest.mark.usefixtures("certificate")  # account acme

BODY_LINES = 2000  # a body of this many short lines (a base64 attachment is ~76-byte lines)


@pytest.fixture
def door(chain):
    app = chain.app
    controller = make_controller(app, chain.actors.send_on, host="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def mail_with_lines(lines: int) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("\n".join(f"line {n} of the body, nothing more" for n in range(lines)))
    return message


def test_given_rcpt_found_the_account_when_data_is_stored_then_the_account_is_not_looked_up_again(
        door, monkeypatch):
    handler, lookups = door.handler, []
    real = handler._account

    def counted(target):
        lookups.append(target.account)
        return real(target)

    monkeypatch.setattr(handler, "_account", counted)
    with smtplib.SMTP(door.hostname, door.port) as client:
        assert client.send_message(mail_with_lines(3)) == {}

    assert lookups == ["acme"]  # before: once at RCPT and once more at DATA


def test_given_a_message_of_many_lines_when_data_arrives_then_the_spool_is_written_a_block_at_a_time(
        door, monkeypatch):
    writes = []
    real = DataSpool.write

    def counted(spool, data):
        writes.append(len(data))
        return real(spool, data)

    monkeypatch.setattr(DataSpool, "write", counted)
    with smtplib.SMTP(door.hostname, door.port) as client:
        assert client.send_message(mail_with_lines(BODY_LINES)) == {}

    assert sum(writes) > BODY_LINES * len(b"line 0 of the body\r\n")  # the whole message went to the spool
    assert len(writes) <= sum(writes) // SPOOL_WRITE_BYTES + 1  # before: a write a line (2000 and more)
