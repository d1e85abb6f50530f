"""The trust-signal stage inside the extract step: the stored file, the reading, the certificate, and
the account's earlier certificates (one small query) handed to the pure stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, case, cast, column, func, literal, select, true
from sqlalchemy.orm import Session

from infra.models import Certificate, Document
from pipeline.signals.history import COMPARED

HISTORY = 200  # earlier certificates of the account compared with a new one (newest first)


def account_history(session: Session, document: Document, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The account's certificates extracted before this document's, newest first; of each, only the
    keys the history signals compare (``COMPARED``, those present and not null).

    A stored certificate is ~10 KB of JSON, three quarters of it evidence: loading 200 of them whole
    cost the extract step ~70 ms of JSON a certificate. On PostgreSQL the keys are taken out in the
    query (``json_to_record``: one parse of each row, in C); elsewhere (SQLite) the rows are loaded
    whole and cut here. A row that is not a JSON object is left out, as before."""
    ours = (Document.account_id == document.account_id, Document.id != document.id)
    if session.get_bind().dialect.name == "postgresql":
        is_object = func.json_typeof(Certificate.data) == "object"
        compared = func.json_to_record(case((is_object, Certificate.data), else_=cast(literal("{}"), JSON))) \
            .table_valued(*(column(key, JSON) for key in COMPARED)).render_derived(name="compared", with_types=True)
        rows = session.execute(
            select(is_object, *(compared.c[key] for key in COMPARED))
            .select_from(Certificate).join(Document, Document.id == Certificate.document_id).join(compared, true())
            .where(*ours).order_by(Certificate.id.desc()).limit(limit)).all()
        return [{key: value for key, value in zip(COMPARED, values) if value is not None}
                for is_dict, *values in rows if is_dict]
    rows = session.scalars(
        select(Certificate.data).join(Document, Document.id == Certificate.document_id)
        .where(*ours).order_by(Certificate.id.desc()).limit(limit)).all()
    return [{key: row[key] for key in COMPARED if row.get(key) is not None} for row in rows if isinstance(row, dict)]


def with_trust_signals(session: Session, data: bytes, reading: Any, certificate: dict[str, Any],
                       document: Document, max_pages: int, form: Any = None) -> dict[str, Any]:
    """``form``: the form identified on the reading's pages, when the caller has it."""
    from pipeline.signals import with_signals

    return with_signals(data, reading, certificate, max_pages=max_pages,
                        history=account_history(session, document), form=form)
