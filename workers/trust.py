"""The trust-signal stage inside the extract step: the stored file, the reading, the certificate, and
the account's earlier certificates (one small query) handed to the pure stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, bindparam, case, cast, column, func, literal, null, select, true, \
    type_coerce
from sqlalchemy.orm import Session

from infra.models import Certificate, Document
from pipeline.signals.history import COMPARED, compared

HISTORY = 200  # earlier certificates of the account compared with a new one (newest first)

_OURS = (Document.account_id == bindparam("account_id", type_=Integer),
         Document.id != bindparam("document_id", type_=String))
_LIMIT = bindparam("limit", type_=Integer)
_WRITTEN = Certificate.compared.is_not(None)  # the row has its compared keys (written since migration 0012)


def _postgres_history():
    """On PostgreSQL: each row's ``compared``; of a row written before it, the keys taken out of its data
    in the query (``json_to_record``: one parse of the row, in C), and whether that data is an object.
    A row with ``compared`` is never parsed (the CASE stops first)."""
    whole = case((_WRITTEN, cast(literal("{}"), JSON)), (func.json_typeof(Certificate.data) == "object",
                                                          Certificate.data), else_=cast(literal("{}"), JSON))
    older = func.json_to_record(whole).table_valued(*(column(key, JSON) for key in COMPARED)) \
        .render_derived(name="older", with_types=True)
    is_object = case((_WRITTEN, null()), else_=func.json_typeof(Certificate.data) == "object")
    return (select(Certificate.compared, is_object, *(older.c[key] for key in COMPARED))
            .select_from(Certificate).join(Document, Document.id == Certificate.document_id).join(older, true())
            .where(*_OURS).order_by(Certificate.id.desc()).limit(_LIMIT))


# Built once (a statement's construction and cache key are not redone for every certificate)
POSTGRES_HISTORY = _postgres_history()
# Elsewhere (SQLite): each row's ``compared``, and the whole data of a row written before it
HISTORY_ROWS = (select(Certificate.compared, type_coerce(case((_WRITTEN, null()), else_=Certificate.data), JSON))
                .join(Document, Document.id == Certificate.document_id)
                .where(*_OURS).order_by(Certificate.id.desc()).limit(_LIMIT))


def account_history(session: Session, document: Document, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The account's certificates extracted before this document's, newest first; of each, only the
    keys the history signals compare (``COMPARED``, those present and not null).

    A stored certificate is ~10 KB of JSON, three quarters of it evidence; its compared keys are kept
    beside it (``certificates.compared``, written by the extract step) and are what is read. A row
    written before that column existed has it NULL: its keys are taken from its data, on PostgreSQL in
    the query, elsewhere (SQLite) here. Such a row whose data is not a JSON object is left out, as
    before (still taking its place in the limit)."""
    params = {"account_id": document.account_id, "document_id": document.id, "limit": limit}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(POSTGRES_HISTORY, params).all()
        return [kept if kept is not None else {key: value for key, value in zip(COMPARED, values) if value is not None}
                for kept, is_dict, *values in rows if kept is not None or is_dict]
    rows = session.execute(HISTORY_ROWS, params).all()
    return [kept if kept is not None else compared(data) for kept, data in rows
            if kept is not None or isinstance(data, dict)]


def with_trust_signals(session: Session, data: bytes, reading: Any, certificate: dict[str, Any],
                       document: Document, max_pages: int, form: Any = None) -> dict[str, Any]:
    """``form``: the form identified on the reading's pages, when the caller has it."""
    from pipeline.signals import with_signals

    return with_signals(data, reading, certificate, max_pages=max_pages,
                        history=account_history(session, document), form=form)
