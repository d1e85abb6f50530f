"""The trust-signal stage inside the extract step: the stored file, the reading, the certificate, and
the account's earlier certificates (one small query) handed to the pure stage."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import JSON, Integer, String, bindparam, case, cast, column, func, literal, null, select, true, \
    type_coerce
from sqlalchemy.orm import Session

from infra.models import Certificate, Document
from pipeline.signals.history import COMPARED, compared

HISTORY = 200  # earlier certificates of the account compared with a new one (newest first)
# Earlier certificates a process keeps parsed, all accounts together (the least recently read accounts let
# go first): ~6.9 KB of Python objects a certificate's compared keys (official born-digital certificates,
# tracemalloc), so ~14 MB; ten accounts' whole history (HISTORY) at least
HELD_ROWS = 2000
NONE_HELD = 0  # below every certificate id (a sequence, SQLite's rowid: both start at 1)

_OURS = (Document.account_id == bindparam("account_id", type_=Integer),
         Document.id != bindparam("document_id", type_=String))
_LIMIT = bindparam("limit", type_=Integer)
_WRITTEN = Certificate.compared.is_not(None)  # the row has its compared keys (written since migration 0012)
# A row newer than every row the process holds for the account: its keys are sent; an older one is sent
# as its ids alone, its keys being held already (``_Held``)
_FRESH = Certificate.id > bindparam("seen", type_=Integer)
_LEFT_OUT = object()  # a row written before migration 0012 whose data is no object: not compared
_MISSING = object()
# a certificate's id, its document's and when it was written: a document read again (`coi retry` deletes its
# certificate) may be given its old id back (SQLite reuses the highest rowid), never its old time
_Ids = tuple[int, str, Any]


def _postgres_history():
    """On PostgreSQL: each row's ids and, of a fresh row, its ``compared``; of a fresh row written before
    that column, the keys taken out of its data in the query (``json_to_record``: one parse of the row,
    in C), and whether that data is an object. A row with ``compared``, or not fresh, is never parsed
    (the CASE stops first)."""
    whole = case((~_FRESH, cast(literal("{}"), JSON)), (_WRITTEN, cast(literal("{}"), JSON)),
                 (func.json_typeof(Certificate.data) == "object", Certificate.data), else_=cast(literal("{}"), JSON))
    older = func.json_to_record(whole).table_valued(*(column(key, JSON) for key in COMPARED)) \
        .render_derived(name="older", with_types=True)
    is_object = case((_FRESH & ~_WRITTEN, func.json_typeof(Certificate.data) == "object"), else_=null())
    return (select(Certificate.id, Certificate.document_id, Certificate.created_at,
                   case((_FRESH, Certificate.compared), else_=null()), is_object, *(older.c[key] for key in COMPARED))
            .select_from(Certificate).join(Document, Document.id == Certificate.document_id).join(older, true())
            .where(*_OURS).order_by(Certificate.id.desc()).limit(_LIMIT))


# Built once (a statement's construction and cache key are not redone for every certificate)
POSTGRES_HISTORY = _postgres_history()
# Elsewhere (SQLite): each row's ids, and of a fresh row its ``compared``, or its whole data when written before it
HISTORY_ROWS = (select(Certificate.id, Certificate.document_id, Certificate.created_at,
                       case((_FRESH, Certificate.compared), else_=null()),
                       type_coerce(case((_FRESH & ~_WRITTEN, Certificate.data), else_=null()), JSON))
                .join(Document, Document.id == Certificate.document_id)
                .where(*_OURS).order_by(Certificate.id.desc()).limit(_LIMIT))


@dataclass(frozen=True)
class _Held:
    """An account's earlier certificates as last read: each one's compared keys (or ``_LEFT_OUT``) by
    (certificate id, document id, written at), and the highest certificate id among them."""

    seen: int
    keys: dict[_Ids, Any]


class HeldHistories:
    """Per process, each account's earlier certificates' compared keys, parsed once.

    A certificate row's compared keys are written once (the extract step's insert; a second is ignored)
    and never changed; a row is deleted only when its document is read again (`coi retry`), and the row
    written then is told apart by its time (``_Ids``), so what was read of a row stays true. The query
    still runs for every new certificate and says which rows are the account's newest (order, limit, a
    row committed late, a row gone): only the keys of rows newer than any held are sent and parsed. A row
    not held that is no newer (a transaction that took its id before the newest held one and committed
    after it) makes the whole history read again. Held per engine (a database), at most ``rows`` certificates (an
    account counting one at least), the least recently read accounts let go."""

    def __init__(self, rows: int = HELD_ROWS) -> None:
        self.rows = rows
        self._by_engine: weakref.WeakKeyDictionary[Any, OrderedDict[int, _Held]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def history(self, session: Session, document: Document, limit: int) -> list[dict[str, Any]]:
        engine = session.get_bind()
        held = self._get(engine, document.account_id)
        params = {"account_id": document.account_id, "document_id": document.id, "limit": limit}
        keys = _read(session, {**params, "seen": held.seen}, held.keys)
        if keys is None:  # a row older than the newest held, not held: read them all
            keys = _read(session, {**params, "seen": NONE_HELD}, {})
        self._put(engine, document.account_id, _Held(max((ids[0] for ids in keys), default=held.seen), keys))
        return [value for value in keys.values() if value is not _LEFT_OUT]

    def held_accounts(self, engine: Any) -> list[int]:
        """The accounts held for ``engine``, least recently read first."""
        with self._lock:
            return list(self._by_engine.get(engine, ()))

    def _get(self, engine: Any, account_id: int) -> _Held:
        with self._lock:
            accounts = self._by_engine.setdefault(engine, OrderedDict())
            held = accounts.get(account_id)
            if held is None:
                return _Held(NONE_HELD, {})
            accounts.move_to_end(account_id)
            return held

    def _put(self, engine: Any, account_id: int, held: _Held) -> None:
        with self._lock:
            accounts = self._by_engine.setdefault(engine, OrderedDict())
            accounts[account_id] = held
            accounts.move_to_end(account_id)
            total = sum(max(1, len(other.keys)) for other in accounts.values())
            while total > self.rows and len(accounts) > 1:
                _, gone = accounts.popitem(last=False)
                total -= max(1, len(gone.keys))


def _read(session: Session, params: dict[str, Any], held: dict[_Ids, Any]) -> dict[_Ids, Any] | None:
    """The account's newest rows' compared keys (newest first), fresh ones from the query and the rest
    from ``held``; None when a row that is not fresh is not held."""
    out: dict[_Ids, Any] = {}
    for cid, did, written, fresh in _rows(session, params):
        value = fresh if cid > params["seen"] else held.get((cid, did, written), _MISSING)
        if value is _MISSING:
            return None
        out[cid, did, written] = value
    return out


def _rows(session: Session, params: dict[str, Any]) -> Iterator[tuple[int, str, Any, Any]]:
    """Each row's identity (``_Ids``) and, of a fresh row, its compared keys (``_LEFT_OUT``: its data is no
    object)."""
    if session.get_bind().dialect.name == "postgresql":
        for cid, did, written, kept, is_dict, *values in session.execute(POSTGRES_HISTORY, params).all():
            yield cid, did, written, kept if kept is not None else \
                {key: value for key, value in zip(COMPARED, values) if value is not None} if is_dict else _LEFT_OUT
        return
    for cid, did, written, kept, data in session.execute(HISTORY_ROWS, params).all():
        yield cid, did, written, kept if kept is not None else compared(data) if isinstance(data, dict) else _LEFT_OUT


HELD = HeldHistories()  # this process's


def account_history(session: Session, document: Document, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The account's certificates extracted before this document's, newest first; of each, only the
    keys the history signals compare (``COMPARED``, those present and not null).

    A stored certificate is ~10 KB of JSON, three quarters of it evidence; its compared keys are kept
    beside it (``certificates.compared``, written by the extract step) and are what is read, and only
    for rows this process does not hold already (``HeldHistories``). A row written before that column
    existed has it NULL: its keys are taken from its data, on PostgreSQL in the query, elsewhere
    (SQLite) here. Such a row whose data is not a JSON object is left out, as before (still taking its
    place in the limit)."""
    return HELD.history(session, document, limit)


def with_trust_signals(session: Session, data: bytes, reading: Any, certificate: dict[str, Any],
                       document: Document, max_pages: int, form: Any = None) -> dict[str, Any]:
    """``form``: the form identified on the reading's pages, when the caller has it."""
    from pipeline.signals import with_signals

    return with_signals(data, reading, certificate, max_pages=max_pages,
                        history=account_history(session, document), form=form)
