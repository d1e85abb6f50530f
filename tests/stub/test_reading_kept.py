"""A reading is not thrown away for a storage outage at the moment it is written: the stage waits
for storage as long as the reading took to make (infra/storage.py put_patiently), instead of
failing and reading again (for a scan: the whole OCR again, behind every other document)."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace

from sqlalchemy import select

from infra.admin import add_account
from infra.models import Document
from infra.storage import StorageUnavailable
from inbox.smtp import InboxHandler
from pipeline.samples import demo_certificate, draw_certificate
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
    monkeypatch.setattr(workers.actors, "time", SimpleNamespace(monotonic=lambda: clock.now), raising=False)
    monkeypatch.setattr(pipeline.stages, "read_text", read_text)
    real_put, refused = chain.app.storage.put, []

    def put(key, data, content_type="application/octet-stream"):
        if key.endswith("reading.json") and not refused:
            refused.append(key)  # storage away for this one write
            raise StorageUnavailable("connection refused")
        return real_put(key, data, content_type)

    monkeypatch.setattr(chain.app.storage, "put", put)

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(draw_certificate(demo_certificate()), maintype="application", subtype="pdf",
                           filename="coi.pdf")
    InboxHandler(chain.app).accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])
    chain.settle()

    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
    assert refused  # the outage happened at the write
    assert reads == [1]  # read once: before, the stage failed and its retry read the document again
    assert reached(DocumentStatus(document.status), DocumentStatus.EXTRACTED)
