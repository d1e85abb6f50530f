"""Small database helpers shared by the doors and the workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ClauseElement

from infra.models import Account, Document, Handoff, InboundMessage, OutboxEvent, new_id, utcnow
from pipeline.states import DocumentStatus, check_transition


def dialect_insert(session: Session, model: type):
    """The INSERT of the session's database (PostgreSQL or SQLite), which has ON CONFLICT."""
    return dialect_insert_of(session.get_bind().dialect.name, model)


def dialect_insert_of(dialect: str, model: type):
    """The INSERT of the database named ``dialect`` (PostgreSQL, else SQLite), which has ON CONFLICT."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def _insert(session: Session, model: type, values: dict[str, Any], conflict: list[str]):
    return dialect_insert(session, model).values(**values).on_conflict_do_nothing(index_elements=conflict)


# The INSERT ... ON CONFLICT DO NOTHING of each (dialect, model, columns given, conflict), built once with
# a bound parameter per column: the chain inserts the same few shapes for every certificate, and building
# the statement, its cache key and the ORM's bulk-insert bookkeeping cost more Python than sending it.
_INSERT_IGNORE: dict[tuple[str, type, tuple[str, ...], tuple[str, ...]], Any] = {}


def _insert_ignore_statement(dialect: str, model: type, names: tuple[str, ...], conflict: tuple[str, ...]):
    key = (dialect, model, names, conflict)
    statement = _INSERT_IGNORE.get(key)
    if statement is None:
        table = model.__table__  # (RETURNING its key: rowcount is -1 under psycopg 3)
        statement = _INSERT_IGNORE[key] = (_bound_insert_ignore(dialect, table, names, conflict)
                                           .returning(*table.primary_key.columns))
    return statement


def _bound_insert_ignore(dialect: str, table: Any, names: tuple[str, ...], conflict: tuple[str, ...]):
    """INSERT ... ON CONFLICT DO NOTHING into ``table`` with a bound parameter per column named."""
    return (dialect_insert_of(dialect, table)
            .values({name: bindparam(name, type_=table.c[name].type) for name in names})
            .on_conflict_do_nothing(index_elements=list(conflict)))


def insert_ignore(session: Session, model: type, values: dict[str, Any], conflict: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted (the UNIQUE constraint decides).

    The statement is on the model's table (Core); the session flushes its pending objects before it as
    before an ORM statement (SQLAlchemy autoflushes before Core statements too)."""
    if any(isinstance(value, ClauseElement) for value in values.values()):  # an SQL expression: built each time
        statement = _insert(session, model, values, conflict).returning(*model.__table__.primary_key.columns)
        return session.execute(statement).first() is not None
    statement = _insert_ignore_statement(session.get_bind().dialect.name, model, tuple(values), tuple(conflict))
    return session.execute(statement, values).first() is not None


# The same INSERT returning the whole row, loaded as the model's object: kept like _INSERT_IGNORE.
_INSERT_OR_NONE: dict[tuple[str, type, tuple[str, ...], tuple[str, ...]], Any] = {}


def _insert_or_none_statement(dialect: str, model: type, names: tuple[str, ...], conflict: tuple[str, ...]):
    key = (dialect, model, names, conflict)
    statement = _INSERT_OR_NONE.get(key)
    if statement is None:
        table = model.__table__
        core = _bound_insert_ignore(dialect, table, names, conflict).returning(*table.columns)
        statement = _INSERT_OR_NONE[key] = select(model).from_statement(core)
    return statement


def insert_or_none(session: Session, model: type, values: dict[str, Any], conflict: list[str]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the row: the new object (in the session), or None
    when the UNIQUE constraint kept the row there already. One statement where an insert and a read of
    what it wrote would be two; built once for each model and set of columns (a value that is an SQL
    expression takes a statement built for it)."""
    if any(isinstance(value, ClauseElement) for value in values.values()):
        return session.scalars(_insert(session, model, values, conflict).returning(model)).first()
    statement = _insert_or_none_statement(session.get_bind().dialect.name, model, tuple(values), tuple(conflict))
    return session.scalars(statement, values).first()


def claim(session: Session, model: type, row_id: Any, *, claimed: str = "sending", free: str = "pending") -> bool:
    """Take a row for this worker: ``free`` → ``claimed`` in one conditional UPDATE, committed.

    Of two workers given the same row (a redelivered or swept message), one gets True."""
    taken = session.execute(update(model).where(model.id == row_id, model.status == free)
                            .values(status=claimed, claimed_at=utcnow())).rowcount == 1
    session.commit()
    return taken


@dataclass(frozen=True)
class Owed:
    """A hand-off row written by :func:`hand_on`: what ``workers.dispatch.dispatch`` enqueues (the
    relay gives it the ``Handoff`` rows it loads, which have the same three attributes)."""

    id: int
    actor: str
    args: list[Any]


# The hand-off's INSERT, built once (every stage of every certificate writes one): a bound parameter per
# column, the new row's id returned.
_HAND_ON = insert(Handoff.__table__).values(
    actor=bindparam("actor", type_=Handoff.__table__.c.actor.type),
    args=bindparam("args", type_=Handoff.__table__.c.args.type),
    created_at=bindparam("created_at", type_=Handoff.__table__.c.created_at.type)).returning(Handoff.__table__.c.id)


def hand_on(session: Session, actor: str, *args: Any, created_at: datetime | None = None) -> Owed:
    """Record in the caller's transaction that ``actor(*args)`` is owed; enqueue it after commit with
    ``workers.handoffs.dispatch`` (a row the broker never took is enqueued by the relay).

    The row is inserted at once, on the session's connection (one statement built once, no object for
    the unit of work to track and flush; the session's pending objects are not flushed by it), and
    commits or rolls back with the caller's transaction. ``created_at`` is now unless given."""
    values = {"actor": actor, "args": list(args), "created_at": created_at or utcnow()}
    handoff_id = session.connection().execute(_HAND_ON, values).scalar_one()
    return Owed(handoff_id, actor, values["args"])


def account_by_slug(session: Session, slug: str) -> Account | None:
    return session.scalars(select(Account).where(Account.slug == slug)).one_or_none()


def move(document: Document, status: DocumentStatus, *, code: str | None = None, message: str | None = None) -> None:
    check_transition(DocumentStatus(document.status), status)
    document.status = status.value
    if code is not None:
        document.error_code, document.error_message = code, message


# A document's move in the chain, built once (three a certificate): its status and when it changed.
_MOVE = update(Document.__table__).where(Document.__table__.c.id == bindparam("document_id")).values(
    status=bindparam("new_status", type_=Document.__table__.c.status.type),
    updated_at=bindparam("moved_at", type_=Document.__table__.c.updated_at.type))


def move_now(session: Session, document: Document, status: DocumentStatus) -> None:
    """:func:`move` without the unit of work: the UPDATE is sent at once on the session's connection, in the
    caller's transaction, and the loaded ``document`` is told its new status as already written (no flush
    of it follows). For the chain's stages, which move a loaded document and commit."""
    check_transition(DocumentStatus(document.status), status)
    moved_at = utcnow()
    session.connection().execute(_MOVE, {"document_id": document.id, "new_status": status.value,
                                         "moved_at": moved_at})
    set_committed_value(document, "status", status.value)
    set_committed_value(document, "updated_at", moved_at)


def add_document(session: Session, *, account_id: int, sha256: str, values: dict[str, Any]) -> tuple[str, bool]:
    """Insert a stored document unless the account already has these bytes; returns (id, inserted).

    ``values`` holds the rest of the row (source, filename, content_type, size, storage_key, tag,
    message_id). Both doors use this: a file sent twice, by mail or upload, is one document.
    """
    row = {"id": new_id(), "account_id": account_id, "sha256": sha256, "status": DocumentStatus.STORED.value,
           "attempt": 1, "created_at": utcnow(), "updated_at": utcnow(), "message_id": None, "tag": None, **values}
    if insert_ignore(session, Document, row, ["account_id", "sha256"]):
        return row["id"], True
    return session.scalars(select(Document.id).where(Document.account_id == account_id,
                                                     Document.sha256 == sha256)).one(), False


def add_event(session: Session, *, account_id: int, type: str, dedupe_key: str, data: dict[str, Any],
              document_id: str | None = None, message_id: str | None = None) -> None:
    """Write an outbox event in the caller's transaction; a second write of the same key is a no-op."""
    insert_ignore(
        session,
        OutboxEvent,
        {"id": new_id(), "account_id": account_id, "type": type, "dedupe_key": dedupe_key, "data": data,
         "document_id": document_id, "message_id": message_id, "created_at": utcnow()},
        ["dedupe_key"],
    )


_SENDERS = "document_senders"  # session.info's cache of who sent each document


def document_sender(session: Session, document: Document) -> str | None:
    """Who sent the document: the envelope sender of its message, else the email its uploader gave."""
    from infra.models import Upload

    known = session.info.setdefault(_SENDERS, {})  # the event and the vendor match both ask
    if document.id in known:
        return known[document.id]
    if document.message_id:
        message = session.get(InboundMessage, document.message_id)
        sender = message.sender if message else None
    else:
        sender = session.scalars(select(Upload.sender).where(Upload.document_id == document.id,
                                                             Upload.sender.is_not(None))).first()
    known[document.id] = sender
    return sender


def know_sender(session: Session, document: Document, sender: str | None) -> None:
    """Tell :func:`document_sender` who sent ``document``, read already with something else
    (workers/on_file.py), for the rest of the session."""
    session.info.setdefault(_SENDERS, {})[document.id] = sender


def document_ref(session: Session, document: Document) -> dict[str, Any]:
    """What every document event says about its document: account, id, name, and where it came from."""
    account = session.get(Account, document.account_id)
    return {"account": account.slug, "document_id": document.id, "filename": document.filename,
            "source": document.source, "tag": document.tag, "message_id": document.message_id,
            "sender": document_sender(session, document)}


def message_ref(session: Session, message: InboundMessage, reason: str | None) -> dict[str, Any]:
    """What every message event says (schemas/events/defs.schema.json#/$defs/message)."""
    account = session.get(Account, message.account_id)
    return {"account": account.slug, "message_id": message.id, "sender": message.sender,
            "subject": message.subject, "reason": reason}
