"""The trust-signal stage inside the extract step: the stored file, the reading, the certificate, and
the account's earlier certificates (one small query) handed to the pure stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.models import Certificate, Document

HISTORY = 200  # earlier certificates of the account compared with a new one (newest first)


def account_history(session: Session, document: Document, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The account's certificates extracted before this document's, newest first."""
    rows = session.scalars(
        select(Certificate.data).join(Document, Document.id == Certificate.document_id)
        .where(Document.account_id == document.account_id, Document.id != document.id)
        .order_by(Certificate.id.desc()).limit(limit)).all()
    return [row for row in rows if isinstance(row, dict)]


def with_trust_signals(session: Session, data: bytes, reading: Any, certificate: dict[str, Any],
                       document: Document, max_pages: int, form: Any = None) -> dict[str, Any]:
    """``form``: the form identified on the reading's pages, when the caller has it."""
    from pipeline.signals import with_signals

    return with_signals(data, reading, certificate, max_pages=max_pages,
                        history=account_history(session, document), form=form)
