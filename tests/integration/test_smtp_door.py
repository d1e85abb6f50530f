"""The SMTP door on a real socket: routing, durable acceptance, and refusals."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.bootstrap import App
from infra.models import Document, Handoff, InboundMessage
from services import actors_of, free_port

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n%fake but sniffable\n%%EOF\n"


def certificate_mail(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "agent@example.test"
    message["To"] = to
    message["Subject"] = "COI for Lot 14"
    message.set_content("Attached.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="coi.pdf")
    return message


@pytest.fixture
def account(app: App):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


def count(app: App, model) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def variant(app: App, **changes) -> App:
    """The same database, with some other setting (a storage or broker that is down)."""
    return App(app.settings.model_copy(update=changes))


def test_given_a_known_account_with_a_tag_then_250_and_the_raw_message_is_stored(app, account, smtp_door):
    host, port = smtp_door
    with smtplib.SMTP(host, port) as client:
        refused = client.send_message(certificate_mail("acme+lot-14@coi.test"))
    assert refused == {}
    with app.sessions() as session:
        [message] = session.scalars(select(InboundMessage)).all()
    assert (message.account_id, message.tag, message.subject) == (account.id, "lot-14", "COI for Lot 14")
    stored = app.storage.get(message.storage_key)
    assert stored.startswith(b"From: agent@example.test") or b"Subject: COI for Lot 14" in stored
    assert message.storage_key.startswith("accounts/acme/")


def test_given_an_unknown_account_then_550_at_rcpt(app, account, smtp_door):
    with smtplib.SMTP(*smtp_door) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.send_message(certificate_mail("nobody@coi.test"))
    assert refused.value.recipients["nobody@coi.test"][0] == 550
    assert count(app, InboundMessage) == 0


def test_given_another_domain_then_550_no_relaying(app, account, smtp_door):
    with smtplib.SMTP(*smtp_door) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.send_message(certificate_mail("acme@elsewhere.test"))
    code, text = refused.value.recipients["acme@elsewhere.test"]
    assert code == 550 and b"Relaying denied" in text


def test_given_a_message_over_the_size_limit_then_552(app, account, tmp_path):
    from inbox.smtp import make_controller

    small = variant(app, max_message_bytes=20_000, smtp_port=free_port())
    controller = make_controller(small, actors_of(small).send_on)
    controller.start()
    try:
        message = certificate_mail("acme@coi.test")
        message.add_attachment(b"%PDF-1.4\n" + b"0" * 30_000, maintype="application", subtype="pdf",
                               filename="big.pdf")
        with smtplib.SMTP(controller.hostname, controller.port) as client, \
                pytest.raises(smtplib.SMTPResponseException) as refused:
            client.send_message(message)  # refused at MAIL FROM (SIZE=) or at the end of DATA
        assert refused.value.smtp_code == 552
    finally:
        controller.stop()
        small.close()
    assert count(app, InboundMessage) == 0


def _data_refused_with(app: App, **changes) -> int:
    """Send a certificate through a door built with ``changes`` (something down); the code DATA got."""
    from inbox.smtp import make_controller

    broken = variant(app, smtp_port=free_port(), **changes)
    controller = make_controller(broken, actors_of(broken).send_on)
    controller.start()
    try:
        with smtplib.SMTP(controller.hostname, controller.port) as client, \
                pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(certificate_mail("acme@coi.test"))
        return refused.value.smtp_code
    finally:
        controller.stop()
        broken.close()


def test_given_storage_down_then_451_and_nothing_is_written(app, account, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("storage cannot live under a file")
    down = {"storage_url": f"file://{blocker}/storage"}
    if app.settings.storage_url.startswith("s3://"):
        down = {"s3_endpoint_url": f"http://127.0.0.1:{free_port()}"}  # nothing listens there
    assert _data_refused_with(app, **down) == 451
    assert count(app, InboundMessage) == 0
    assert count(app, Document) == 0


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_given_the_broker_down_then_250_and_the_split_waits_in_the_database_for_the_relay(app, account, scheme):
    from inbox.smtp import make_controller

    down = {"redis": f"redis://127.0.0.1:{free_port()}/0", "amqp": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    broken = variant(app, smtp_port=free_port(), broker_url=down[scheme])
    controller = make_controller(broken, actors_of(broken).send_on)
    controller.start()
    try:
        with smtplib.SMTP(controller.hostname, controller.port) as client:
            assert client.send_message(certificate_mail("acme@coi.test")) == {}
    finally:
        controller.stop()
        broken.close()
    with app.sessions() as session:
        [message] = session.scalars(select(InboundMessage)).all()
        owed = [(h.actor, h.args) for h in session.scalars(select(Handoff))]
    assert owed == [("split_message", [message.id])]  # before: 451, and the sender retried in tens of minutes
    assert app.storage.get(message.storage_key)


def _stored_keys(app: App) -> list[str]:
    from infra.storage import LocalStorage

    storage = app.storage
    if isinstance(storage, LocalStorage):
        return [str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file()]
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_given_the_second_accounts_copy_fails_then_nothing_of_the_first_is_left_to_split(app, account, monkeypatch):
    from inbox.smtp import InboxHandler

    with app.sessions() as session:
        add_account(session, "bravo", "Bravo Builders")
    real_put, puts = app.storage.put_file, []

    def put_file(key, file, content_type):
        puts.append(key)
        if len(puts) == 2:
            raise OSError("disk full")
        return real_put(key, file, content_type)

    monkeypatch.setattr(app.storage, "put_file", put_file)
    with pytest.raises(OSError):
        InboxHandler(app, actors_of(app).send_on).accept(certificate_mail("acme@coi.test").as_bytes(),
                                                         "agent@example.test", ["acme@coi.test", "bravo@coi.test"])
    assert len(puts) == 2  # the first account's copy was stored and committed with its hand-off
    assert count(app, InboundMessage) == 0
    assert count(app, Handoff) == 0  # before: its split was left for the relay, with nothing to split
