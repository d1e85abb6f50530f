"""The small database helpers behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from infra.admin import add_account
from infra.models import Document
from infra.repo import add_document

pytestmark = pytest.mark.integration


def test_a_second_insert_of_the_same_bytes_reports_the_existing_document(app):
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        values = {"source": "email", "filename": "coi.pdf", "content_type": "application/pdf", "size": 3,
                  "storage_key": "k"}
        first, inserted = add_document(session, account_id=account.id, sha256="ab" * 32, values=values)
        again, inserted_again = add_document(session, account_id=account.id, sha256="ab" * 32,
                                             values={**values, "filename": "copy.pdf"})
        session.commit()
        assert (inserted, inserted_again) == (True, False)
        assert again == first and session.get(Document, first).filename == "coi.pdf"


def test_given_a_pending_row_when_a_row_referring_to_it_is_inserted_or_ignored_then_the_pending_one_goes_first(app):
    """insert_ignore's statement is on the table (built once, infra/repo.py): the session's pending
    objects are flushed before it, as before an ORM statement, so a row it refers to is there."""
    from infra.models import InboundMessage, MessageDocument
    from infra.repo import insert_ignore

    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        document, _ = add_document(session, account_id=account.id, sha256="cd" * 32, values={
            "source": "email", "filename": "coi.pdf", "content_type": "application/pdf", "size": 3,
            "storage_key": "k"})
        message = InboundMessage(id="m" * 32, account_id=account.id, storage_key="raw", recipient="acme@coi.test",
                                 size=10)
        session.add(message)  # pending, not flushed

        first = insert_ignore(session, MessageDocument, {"message_id": message.id, "document_id": document},
                              ["message_id", "document_id"])
        again = insert_ignore(session, MessageDocument, {"message_id": message.id, "document_id": document},
                              ["message_id", "document_id"])
        session.commit()
        assert (first, again) == (True, False)
        assert session.get(MessageDocument, (message.id, document)) is not None
