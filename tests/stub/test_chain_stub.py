"""The chain from the SMTP door's ``accept`` to the decision event, on the StubBroker layer
(tests/stub/conftest.py): statuses, events and dead letters, with the StageGuard middleware
(workers/guard.py) between the broker and every stage."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from infra.logging import correlation_id
from infra.models import Document, InboundMessage
from inbox.smtp import InboxHandler
from pipeline.states import DocumentStatus
from samples.certificates import draw_certificate
from workers import outcomes
from workers.guard import MAX_CRASHES
from workers.publish import stream_name

CORRUPT_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf any more"


def mail(chain, attachment: bytes, filename: str = "coi.pdf", content_type: str = "application/pdf") -> str:
    """Through the door as the SMTP handler stores it: the message id."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    maintype, subtype = content_type.split("/")
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    door = InboxHandler(chain.app, chain.actors.send_on)
    [message_id] = door.accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])
    return message_id


def the_document(chain) -> Document:
    with chain.app.sessions() as session:
        return session.scalars(select(Document)).one()


def stream_types(chain) -> list[str]:
    return [json.loads(fields[b"event"])["type"] for _, fields in chain.app.redis.xrange(stream_name("acme"))]


def test_given_a_born_digital_certificate_when_mailed_then_it_is_approved_and_the_event_is_on_the_stream(
        chain, certificate):
    message_id = mail(chain, draw_certificate(certificate))

    chain.settle()

    document = the_document(chain)
    assert document.status == DocumentStatus.DECIDED
    assert document.crashes == 0  # counted in and out by the middleware
    with chain.app.sessions() as session:
        assert session.get(InboundMessage, message_id).status == "split"
    assert stream_types(chain) == ["coi.certificate.approved"]
    assert chain.dead_letters() == []


def test_given_a_corrupt_pdf_then_the_document_fails_with_its_reason_and_no_message_is_dead_lettered(
        chain, certificate):
    mail(chain, CORRUPT_PDF)

    chain.settle()

    document = the_document(chain)
    assert (document.status, document.error_code) == (DocumentStatus.FAILED, "unreadable_document")
    assert stream_types(chain) == ["coi.document.failed"]
    assert chain.dead_letters() == []  # a recorded outcome, not a message for the operators


def test_given_storage_away_through_every_retry_then_the_read_is_dead_lettered_and_the_document_failed(
        chain, certificate, monkeypatch):
    from infra.storage import StorageUnavailable

    monkeypatch.setattr(outcomes, "MAX_RETRIES", 0)  # give up at the first transient error
    storage = chain.app.storage
    real_get, real_put = storage.get, storage.put

    def away_for_documents(key: str) -> bytes:
        if "/documents/" in key:
            raise StorageUnavailable("storage is away")
        return real_get(key)

    def away_for_readings(key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        if key.endswith("/reading.json"):  # the read run in its split's thread is handed the file: it only writes
            raise StorageUnavailable("storage is away")
        real_put(key, data, content_type)

    monkeypatch.setattr(storage, "get", away_for_documents)
    monkeypatch.setattr(storage, "put", away_for_readings)
    mail(chain, draw_certificate(certificate))

    chain.settle()

    assert chain.dead_letters() == ["read_document"]
    document = the_document(chain)
    assert (document.status, document.error_code) == (DocumentStatus.FAILED, "service_unavailable")
    assert document.crashes == 0
    assert stream_types(chain) == ["coi.document.failed"]


def test_given_a_document_that_killed_its_reader_max_crashes_times_then_it_is_failed_without_reading(
        chain, certificate, monkeypatch):
    import pipeline.stages

    mail(chain, draw_certificate(certificate))
    chain.settle()
    document = the_document(chain)
    with chain.app.sessions() as session:  # as if MAX_CRASHES worker processes had died reading it
        session.execute(update(Document).values(status=DocumentStatus.READING.value, crashes=MAX_CRASHES))
        session.commit()
    reads = []
    monkeypatch.setattr(pipeline.stages, "read_text", lambda *args, **kwargs: reads.append(args))

    chain.actors.read_document.send(document.id)
    chain.settle()

    failed = the_document(chain)
    assert (failed.status, failed.error_code) == (DocumentStatus.FAILED, "reader_crashed")
    assert reads == []
    assert chain.dead_letters() == []


def test_given_a_stage_running_then_its_log_lines_carry_the_document_id(chain, certificate, monkeypatch):
    import pipeline.stages

    seen = []
    real_read_text = pipeline.stages.read_text

    def noting(*args, **kwargs):
        seen.append(correlation_id.get())
        return real_read_text(*args, **kwargs)

    monkeypatch.setattr(pipeline.stages, "read_text", noting)
    mail(chain, draw_certificate(certificate))

    chain.settle()

    assert seen == [the_document(chain).id]
    assert correlation_id.get() == "-"  # reset after the message


class BrokenEngine:
    """An OCR engine that fails every page, and notes that it was asked."""

    def __init__(self) -> None:
        self.pages = 0

    def words(self, image, *, dpi, psm=3, chars=None):
        from pipeline.ocr.errors import OcrFailed

        self.pages += 1
        raise OcrFailed("The OCR engine failed on a page (exit 1): simulated")

    def orientation(self, image, *, dpi):
        from pipeline.ocr.engine import Orientation

        return Orientation(0, 0.0)


@pytest.mark.parametrize("ocr_engine", [BrokenEngine()], indirect=True)
def test_given_a_scan_then_the_ocr_queue_reads_it_with_the_apps_engine_and_its_failure_is_recorded(
        chain, certificate, ocr_engine):
    import io

    from PIL import Image

    engine = ocr_engine
    page = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(page, "PNG", dpi=(100, 100))
    mail(chain, page.getvalue(), "scan.png", "image/png")

    chain.settle()

    assert engine.pages >= 1
    document = the_document(chain)
    assert (document.status, document.error_code) == (DocumentStatus.FAILED, "ocr_failed")
    assert chain.dead_letters() == []


def test_given_a_certificate_when_extracted_then_its_compared_keys_are_kept_beside_it(chain, certificate):
    from infra.models import Certificate
    from pipeline.signals.history import COMPARED

    mail(chain, draw_certificate(certificate))
    chain.settle()

    with chain.app.sessions() as session:
        row = session.scalars(select(Certificate)).one()
    assert row.compared == {key: row.data[key] for key in COMPARED if row.data.get(key) is not None}
    assert row.compared["insured"]["name"] and row.compared["policies"]  # what later certificates compare
