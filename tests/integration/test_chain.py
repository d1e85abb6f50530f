"""The worker chain on real brokers and databases: split, failures recorded, idempotence."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.models import Document, InboundMessage, OutboxEvent
from schemas import validate_event
from services import actors_of, send_mail, wait_for
from workers.publish import stream_name

pytestmark = pytest.mark.integration

CORRUPT_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf any more"


@pytest.fixture
def account(app):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


def message_of(app):
    with app.sessions() as session:
        return session.scalars(select(InboundMessage)).one_or_none()


def stream(app, slug="acme") -> list[dict]:
    """The CloudEvents on the account's stream; each must validate against its type's schema."""
    entries = app.redis.xrange(stream_name(slug))
    events = [json.loads(fields[b"event"]) for _, fields in entries]
    for event in events:
        assert validate_event(event) == [], event["type"]
    return events


def test_given_a_message_without_attachment_then_the_reason_is_recorded_and_an_event_published(
        app, account, smtp_door, worker):
    send_mail(smtp_door, "acme@coi.test", [(b"PK\x03\x04docx", "application/zip", "coi.docx")])
    message = wait_for(lambda: (m := message_of(app)) and m.status != "received" and m)
    assert message.status == "no_attachment"
    assert "coi.docx" in message.reason
    [entry] = wait_for(lambda: stream(app))
    assert entry["type"] == "coi.message.no_attachment"
    assert entry["data"]["sender"] == "agent@example.test"


def test_given_a_corrupt_pdf_then_the_document_fails_with_a_reason_and_an_event(app, account, smtp_door, worker):
    send_mail(smtp_door, "acme@coi.test", [(CORRUPT_PDF, "application/pdf", "coi.pdf")])

    def failed():
        with app.sessions() as session:
            return session.scalars(select(Document).where(Document.status == "failed")).one_or_none()

    document = wait_for(failed)
    assert document.error_code == "unreadable_document"
    assert document.error_message
    [entry] = wait_for(lambda: stream(app))
    assert entry["type"] == "coi.document.failed"
    assert entry["data"]["error"]["code"] == "unreadable_document"


def _final_document(app):
    def done():
        with app.sessions() as session:
            return session.scalars(select(Document).where(
                Document.status.in_(["failed", "decided", "not_a_certificate"]))).one_or_none()

    return wait_for(done, timeout=120)


def test_given_a_photo_that_is_no_certificate_then_not_a_certificate_with_the_reason(app, account, smtp_door, worker):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (850, 1100), 255)
    ImageDraw.Draw(image).text((100, 100), "Quarterly sales report", fill=0)
    png = io.BytesIO()
    image.save(png, format="PNG")
    send_mail(smtp_door, "acme@coi.test", [(png.getvalue(), "image/png", "photo.png")])
    document = _final_document(app)
    assert (document.status, document.error_code) == ("not_a_certificate", "not_a_certificate")
    assert "ACORD 25" in document.error_message


def test_given_a_broken_image_then_the_document_fails_as_unreadable(app, account, smtp_door, worker):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 30_000
    send_mail(smtp_door, "acme@coi.test", [(png, "image/png", "photo.png")])
    assert _final_document(app).error_code == "unreadable_document"


def test_given_split_runs_twice_then_the_same_rows_remain(app, account, smtp_door):
    pdf = CORRUPT_PDF + b"-twice"
    send_mail(smtp_door, "acme@coi.test", [(pdf, "application/pdf", "a.pdf")])
    message = message_of(app)
    stages = actors_of(app).stages
    stages.split_message(message.id)
    with app.sessions() as session:
        session.get(InboundMessage, message.id).status = "received"  # as if the first run died before its commit
        session.commit()
    stages.split_message(message.id)
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.get(InboundMessage, message.id).status == "split"


def test_given_the_same_pdf_in_two_messages_then_one_document(app, account, smtp_door, worker):
    for _ in range(2):
        send_mail(smtp_door, "acme@coi.test", [(CORRUPT_PDF, "application/pdf", "coi.pdf")])

    def both_split():
        with app.sessions() as session:
            statuses = session.scalars(select(InboundMessage.status)).all()
            return len(statuses) == 2 and all(s == "split" for s in statuses)

    wait_for(both_split)
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
    wait_for(lambda: stream(app))
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 1


def test_given_retries_exhausted_on_a_transient_error_then_the_document_fails_with_a_reason(app, account, smtp_door):
    send_mail(smtp_door, "acme@coi.test", [(CORRUPT_PDF + b"-exhausted", "application/pdf", "coi.pdf")])
    stages = actors_of(app).stages
    stages.split_message(message_of(app).id)
    with app.sessions() as session:
        document_id = session.scalars(select(Document.id)).one()
    stages.give_up({"actor_name": "read_document", "args": [document_id]}, {"retries": 6, "max_retries": 6})
    with app.sessions() as session:
        document = session.get(Document, document_id)
        assert (document.status, document.error_code) == ("failed", "service_unavailable")
        assert "coi retry" in document.error_message
        [event] = session.scalars(select(OutboxEvent)).all()
        assert event.type == "coi.document.failed"
