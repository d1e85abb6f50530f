"""A reading is not thrown away, nor its stage sent to the back of the queue, for a short outage
at the moment it is kept: the stage waits for storage, or for the database at its commit, as long
as the reading took to make (infra/patience.py), instead of failing and being retried (for a scan:
behind every other document's OCR, or the whole OCR again)."""

from __future__ import annotations

import time
from email.message import EmailMessage
from types import SimpleNamespace

import dramatiq
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from infra.admin import add_account
from infra.models import Document
from infra.storage import StorageUnavailable
from inbox.smtp import InboxHandler
from samples.certificates import demo_certificate, draw_certificate
from pipeline.states import DocumentStatus, reached

READING_TOOK_S = 30.0  # what the read is made to look like it cost (an OCR on a busy machine)


def test_given_storage_away_when_the_reading_is_written_then_it_is_kept_not_read_again(chain, monkeypatch):
    import pipeline.stages
    import workers.actors

    with chain.app.sessions() as session:
        add_account(session, "acme", "Acme Builders")
    reads = []
    real_read = pipeline.stages.read_text

    def read_text(*args, **kwargs):
        reads.append(1)
        clock.now += READING_TOOK_S
        return real_read(*args, **kwargs)

    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(workers.actors, "time", SimpleNamespace(monotonic=lambda: clock.now, sleep=time.sleep),
                        raising=False)
    monkeypatch.setattr(pipeline.stages, "read_text", read_text)
    real_put, refused = chain.app.storage.put, []

    def put(key, data, content_type="application/octet-stream"):
        if key.endswith("reading.json") and not refused:
            refused.append(key)  # storage away for this one write
            raise StorageUnavailable("connection refused")
        return real_put(key, data, content_type)

    monkeypatch.setattr(chain.app.storage, "put", put)

    mail_a_certificate(chain)

    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
    assert refused  # the outage happened at the write
    assert reads == [1]  # read once: before, the stage failed and its retry read the document again
    assert reached(DocumentStatus(document.status), DocumentStatus.EXTRACTED)


class Delays(dramatiq.Middleware):
    """The actors whose messages were enqueued with a delay: dramatiq's retries."""

    def __init__(self):
        self.retried: list[str] = []

    def after_enqueue(self, broker, message, delay):
        if delay:
            self.retried.append(message.actor_name)


def mail_a_certificate(chain) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(draw_certificate(demo_certificate()), maintype="application", subtype="pdf",
                           filename="coi.pdf")
    door = InboxHandler(chain.app, chain.actors.send_on)
    door.accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])
    chain.settle()


def test_given_the_database_away_at_the_commit_after_a_long_read_then_the_stage_waits_instead_of_a_retry(
        chain, monkeypatch):
    import pipeline.stages
    import workers.actors

    with chain.app.sessions() as session:
        add_account(session, "acme", "Acme Builders")
    clock = SimpleNamespace(now=0.0)
    real_read, reads = pipeline.stages.read_text, []

    def read_text(*args, **kwargs):
        reads.append(1)
        clock.now += READING_TOOK_S
        return real_read(*args, **kwargs)

    monkeypatch.setattr(workers.actors, "time", SimpleNamespace(monotonic=lambda: clock.now, sleep=time.sleep),
                        raising=False)
    monkeypatch.setattr(pipeline.stages, "read_text", read_text)
    real_hand_on, refused = workers.actors.hand_on, []

    def hand_on(session, actor, *args):
        if actor == "extract_document" and not refused:  # the database goes away as the read commits
            refused.append(actor)
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
        return real_hand_on(session, actor, *args)

    monkeypatch.setattr(workers.actors, "hand_on", hand_on)
    delays = Delays()
    chain.broker.add_middleware(delays)

    mail_a_certificate(chain)

    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
    assert refused
    assert "read_document" not in delays.retried  # before: retried, at the back of its queue
    assert reads == [1]  # the second pass found the reading kept
    assert reached(DocumentStatus(document.status), DocumentStatus.EXTRACTED)
