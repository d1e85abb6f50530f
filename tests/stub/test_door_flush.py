"""The SMTP door's hand-off rows deleted by its flush (workers/dispatch.py ``Flushed``): one DELETE for
every message of a round instead of a transaction per message, and a row the flush never deleted (the door
died first) costs only a re-check by a worker's relay, never a lost or doubled document. On the StubBroker
layer (tests/stub/conftest.py); the same crash on PostgreSQL and Redis is in
tests/integration/test_handoffs.py."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
from sqlalchemy import event, func, select

from infra.models import Document, Handoff, InboundMessage, OutboxEvent, utcnow
from inbox.smtp import InboxHandler
from pipeline.states import DocumentStatus
from samples.certificates import draw_certificate
from services import wait_for
from workers.handoffs import GRACE, relay_due

from test_chain_stub import stream_types

LONG = 3600.0  # a flush interval no test outlives: the round comes only from stop()


def raw_mail(attachment: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="coi.pdf")
    return message.as_bytes()


def rows(chain, model) -> int:
    with chain.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def splits_owed(chain) -> int:
    """The door's hand-off rows (the workers' own wait for their relay, which these tests do not run)."""
    with chain.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Handoff).where(Handoff.actor == "split_message"))


def deletes_of_handoffs(engine, sent: list[str]):
    def seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("DELETE FROM HANDOFFS"):
            sent.append(statement)
    event.listen(engine, "before_cursor_execute", seen)
    return lambda: event.remove(engine, "before_cursor_execute", seen)


def test_given_the_door_flush_running_when_three_messages_are_accepted_then_their_rows_go_in_one_delete(
        chain, certificate):
    flushed = chain.actors.flushed_send_on()
    flushed.interval = LONG
    flushed.start()
    door = InboxHandler(chain.app, flushed)
    sent: list[str] = []
    try:
        for n in range(3):
            door.accept(raw_mail(draw_certificate(certificate, stamp=f"N{n}")), "agent@example.test",
                        ["acme@coi.test"])
        chain.settle()
        assert splits_owed(chain) == 3  # enqueued and split; the door's rows wait for its flush
        forget = deletes_of_handoffs(chain.app.engine, sent)
    finally:
        flushed.stop()
    forget()

    assert len(sent) == 1  # before: one DELETE (and its transaction) per message, as each was accepted
    assert splits_owed(chain) == 0
    assert stream_types(chain) == ["coi.certificate.approved"] * 3


def test_given_the_door_flush_running_then_its_round_deletes_the_rows_without_a_stop(chain, certificate):
    flushed = chain.actors.flushed_send_on()
    flushed.interval = 0.05
    flushed.start()
    try:
        InboxHandler(chain.app, flushed).accept(raw_mail(draw_certificate(certificate)), "agent@example.test",
                                                ["acme@coi.test"])
        chain.settle()
        wait_for(lambda: splits_owed(chain) == 0, timeout=10)
    finally:
        flushed.stop()


def test_given_the_door_died_before_its_flush_when_a_relay_finds_the_row_then_the_split_is_only_checked_again(
        chain, certificate):
    flushed = chain.actors.flushed_send_on()
    flushed.taken.deferring = True  # running, as in a door whose process dies before the flush's round
    [message_id] = InboxHandler(chain.app, flushed).accept(raw_mail(draw_certificate(certificate)),
                                                           "agent@example.test", ["acme@coi.test"])
    chain.settle()
    chain.actors.stages.taken.flush(chain.app.sessions)  # the workers' relay deletes its own rows first
    assert rows(chain, Handoff) == 1  # the split was enqueued and ran; its row was never deleted
    splits = []
    chain.broker.add_middleware(_Noted(splits))

    relayed = relay_due(utcnow() + GRACE + timedelta(seconds=1), broker=chain.broker, sessions=chain.app.sessions)
    chain.settle()

    assert relayed == 1 and splits == [message_id]  # the split ran a second time
    assert splits_owed(chain) == 0
    assert rows(chain, InboundMessage) == 1
    with chain.app.sessions() as session:
        assert session.scalars(select(Document.status)).all() == [DocumentStatus.DECIDED.value]
        assert session.scalars(select(OutboxEvent.type)).all() == ["coi.certificate.approved"]
    assert stream_types(chain) == ["coi.certificate.approved"]
    assert chain.dead_letters() == []


class _Noted(dramatiq.Middleware):
    """Notes the message id of every split a worker starts."""

    def __init__(self, noted: list[str]):
        self.noted = noted

    def before_process_message(self, broker, message):
        if message.actor_name == "split_message":
            self.noted.append(message.args[0])
