"""The sweep finds work whose queue message was lost and sends it again; the chain finishes once."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.models import Document, InboundMessage, OutboxEvent, utcnow
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, wait_for

pytestmark = pytest.mark.integration


def stored_but_never_enqueued(app) -> str:
    """A message the door stored and recorded, whose split message the broker then lost."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    mail.set_content("attached")
    mail.add_attachment(draw_certificate(demo_certificate()), maintype="application", subtype="pdf",
                        filename="coi.pdf")
    raw = mail.as_bytes()
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        key = "accounts/acme/messages/lost.eml"
        app.storage.put(key, raw, "message/rfc822")
        session.add(InboundMessage(id="1057", account_id=account.id, storage_key=key, sender="agent@example.test",
                                   recipient="acme@coi.test", size=len(raw), subject="COI",
                                   received_at=utcnow() - timedelta(minutes=10)))
        session.commit()
    return "1057"


def test_a_message_whose_queue_entry_was_lost_is_split_and_decided_after_a_sweep(app, worker):
    message_id = stored_but_never_enqueued(app)
    sweep = actors_of(app).sweep.fn

    sweep()
    with app.sessions() as session:
        wait_for(lambda: session.get(InboundMessage, message_id, populate_existing=True).status == "split")

    def decided():
        with app.sessions() as session:
            return session.scalars(select(Document).where(Document.status == "decided")).first()

    wait_for(decided)
    sweep()  # nothing left to do: a second sweep changes nothing
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        wait_for(lambda: session.scalar(select(func.count()).select_from(OutboxEvent)
                                        .where(OutboxEvent.published_at.is_not(None))) == 1)
