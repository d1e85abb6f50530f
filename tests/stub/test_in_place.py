"""A worker thread runs the next stage itself when it may (workers/actors.py ``Stages._in_place``):
the extract, the scoring and the publication of a born-digital certificate follow its read in the read's
thread, with no message of their own; the hand-off row stands for each until it has run; a crash-prone
stage and a stage of the other queue are still enqueued."""

from __future__ import annotations

import json
from email.message import EmailMessage

import dramatiq
from sqlalchemy import func, select

from infra.models import Document, Handoff
from inbox.smtp import InboxHandler
from pipeline.states import DocumentStatus
from samples.certificates import draw_certificate
from workers.publish import stream_name


class Processed(dramatiq.Middleware):
    """The actor of every message a worker thread ran."""

    def __init__(self) -> None:
        self.actors: list[str] = []

    def before_process_message(self, broker, message) -> None:
        self.actors.append(message.actor_name)


def mail(chain, attachment: bytes) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="coi.pdf")
    InboxHandler(chain.app, chain.actors.send_on).accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])


def handoff_rows(chain) -> int:
    with chain.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Handoff))


def test_given_a_born_digital_certificate_when_read_then_extract_score_and_publish_run_in_the_reads_thread(
        chain, certificate):
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert sorted(processed.actors) == ["read_document", "split_message"]  # no message for the rest
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED
    entries = chain.app.redis.xrange(stream_name("acme"))
    assert [json.loads(fields[b"event"])["type"] for _, fields in entries] == ["coi.certificate.approved"]
    chain.actors.stages.taken.flush(chain.app.sessions)  # what the relay's next round does
    assert handoff_rows(chain) == 0
    assert chain.dead_letters() == []


def test_given_a_stage_run_in_place_when_it_runs_then_its_hand_off_row_still_stands_for_it(
        chain, certificate, monkeypatch):
    """A process that dies inside the in-place extract leaves the row for a relay to enqueue."""
    stages = chain.actors.stages
    seen = []
    real_extract = stages._extract

    def extract(session, document):
        with chain.app.sessions() as other:
            seen.append(other.scalars(select(Handoff.actor)).all())
        seen.append(list(stages.taken._ids))
        return real_extract(session, document)

    monkeypatch.setattr(stages, "_extract", extract)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    rows, taken = seen
    assert "extract_document" in rows  # committed with the read, not yet deleted
    with chain.app.sessions() as session:
        extract_row = session.scalars(select(Handoff.id).where(Handoff.actor == "extract_document")).one()
    assert extract_row not in taken  # not handed to the relay's deletion before the stage ran
    assert extract_row in stages.taken._ids  # and handed to it once the stage had run


def test_given_an_in_place_stage_that_fails_for_a_while_when_it_recovers_then_the_document_is_decided_once(
        chain, certificate, monkeypatch):
    """A transient error in the in-place extract is retried with the read's message, whose read finds its
    reading kept and goes on to the extract again."""
    from sqlalchemy.exc import OperationalError

    stages = chain.actors.stages
    real_extract, failed = stages._extract, []

    def extract(session, document):
        if not failed:
            failed.append(1)
            raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        return real_extract(session, document)

    monkeypatch.setattr(stages, "_extract", extract)
    monkeypatch.setattr("workers.actors.patiently",
                        lambda action, **_: action())  # no waiting in place: the message is retried
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert failed and processed.actors.count("read_document") == 2
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED
    entries = chain.app.redis.xrange(stream_name("acme"))
    assert len(entries) == 1
    assert chain.dead_letters() == []


def test_given_the_next_stage_when_it_is_crash_prone_of_the_other_queue_or_no_relay_runs_then_it_is_enqueued(chain):
    actors, stages = chain.actors, chain.actors.stages
    assert stages._in_place(actors.extract_document, "default")
    assert not stages._in_place(actors.read_document, "default")  # crash-prone: counted around its own message
    assert not stages._in_place(actors.ocr_document, "default")  # crash-prone, and the OCR pool's queue
    assert not stages._in_place(actors.extract_document, "ocr")  # after an OCR: the fast queue's work
    stages.taken.deferring = False  # a stage called outside a worker (a command, a test)
    try:
        assert not stages._in_place(actors.extract_document, "default")
    finally:
        stages.taken.deferring = True
