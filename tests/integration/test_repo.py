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


def _document(session, sha: str = "ef" * 32) -> str:
    account = add_account(session, "acme", "Acme")
    document, _ = add_document(session, account_id=account.id, sha256=sha, values={
        "source": "email", "filename": "coi.pdf", "content_type": "application/pdf", "size": 3, "storage_key": "k"})
    session.commit()
    return document


def test_given_a_hand_off_when_its_transaction_commits_or_rolls_back_then_its_row_goes_with_it(app):
    """hand_on writes its row at once on the session's connection (a statement built once), with its id,
    and leaves the session's pending objects alone: they are written at the commit, with it."""
    from sqlalchemy import func, select

    from infra.models import Handoff, InboundMessage
    from infra.repo import hand_on

    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        session.commit()
        session.add(InboundMessage(id="m" * 32, account_id=account.id, storage_key="raw",
                                   recipient="acme@coi.test", size=10))  # pending
        owed = hand_on(session, "split_message", "m" * 32)
        assert session.new  # not flushed by the hand-off
        session.commit()
        dropped = hand_on(session, "read_document", "d1")
        session.rollback()

    with app.sessions() as session:
        rows = session.execute(select(Handoff.id, Handoff.actor, Handoff.args)).all()
        assert [tuple(row) for row in rows] == [(owed.id, "split_message", ["m" * 32])]
        assert dropped.id != owed.id
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_given_a_loaded_document_when_moved_at_once_then_the_row_and_the_object_agree_and_nothing_is_dirty(app):
    from pipeline.states import DocumentStatus

    from infra.repo import move_now

    with app.sessions() as session:
        document_id = _document(session)
    with app.sessions() as session:
        document = session.get(Document, document_id)
        before = document.updated_at
        move_now(session, document, DocumentStatus.READING)
        assert document.status == DocumentStatus.READING and not session.dirty
        assert document.updated_at != before
        session.commit()
    with app.sessions() as session:
        assert session.get(Document, document_id).status == DocumentStatus.READING
    with app.sessions() as session:  # a move that is not allowed is refused before anything is sent
        document = session.get(Document, document_id)
        with pytest.raises(Exception):
            move_now(session, document, DocumentStatus.STORED)


def test_given_a_row_inserted_or_none_twice_then_the_first_is_the_loaded_row_and_the_second_none(app):
    """insert_or_none's statement is built once per model and columns: the object it gives back is the
    row as written (server defaults included), in the session."""
    from infra.models import VendorDocument
    from infra.repo import insert_or_none
    from infra.models import utcnow

    with app.sessions() as session:
        document_id = _document(session)
        account_id = session.get(Document, document_id).account_id
        values = {"document_id": document_id, "account_id": account_id, "vendor_id": None, "replaces_id": None,
                  "answers_id": None, "request_id": None, "matched_by": None, "score": None, "created_at": utcnow()}
        first = insert_or_none(session, VendorDocument, values, ["document_id"])
        again = insert_or_none(session, VendorDocument, {**values, "matched_by": "name"}, ["document_id"])
        session.commit()
        assert isinstance(first, VendorDocument) and first.document_id == document_id
        assert first in session and again is None
        assert session.get(VendorDocument, document_id) is first and first.matched_by is None
