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
