"""Database tables (SQLAlchemy 2). Migrations in infra/migrations are generated from these."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    """A certificate holder's account; mail to ``<slug>@<inbound domain>`` lands here."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The newest entry the publisher added to the account's event stream: a stream whose last entry
    # is older lost entries (Redis lost data) and is filled again from the outbox (workers/publish.py).
    stream_entry_id: Mapped[str | None] = mapped_column(String(32))
    notify_from: Mapped[str | None] = mapped_column(String(320))  # From of its emails; COI_NOTIFY_FROM when empty


# accounts.requirements_version: raised by the database (triggers, migration 0013) in every transaction that changes
# the account's holders or requirement sets; a worker's held copy of the account's live sets is good while it is
# unchanged (workers/selection.py). A column of the table, not an attribute of Account: no object written back
# (a stale copy merged, a row updated whole) can set it back to a value a worker holds older sets under
REQUIREMENTS_VERSION = Column("requirements_version", Integer, nullable=False, server_default="0")
Account.__table__.append_column(REQUIREMENTS_VERSION)


class Holder(Base):
    __tablename__ = "holders"
    __table_args__ = (UniqueConstraint("account_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    contacts: Mapped[list[Any] | None] = mapped_column(JSON)  # emails told of rejections and reviews
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    aliases: Mapped[list[Any] | None] = mapped_column(JSON)  # accepted other spellings of its name (issue 17)


class RequirementSet(Base):
    """One requirement document (schemas/requirements.schema.json), optionally scoped to a +tag."""

    __tablename__ = "requirement_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    tag: Mapped[str | None] = mapped_column(String(64))
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # replaced by a newer set


class InboundMessage(Base):
    """An email as received by the SMTP door; its raw bytes are in storage at ``storage_key``."""

    __tablename__ = "messages"
    # the split finds the rows of one stored mail (one per account it was accepted for) by these
    __table_args__ = (Index("ix_messages_account_storage_key", "account_id", "storage_key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(500))
    sender: Mapped[str | None] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    tag: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default="received")
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """One file to read (an attachment or an upload). Same bytes twice in an account: one row."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("account_id", "sha256", name="uq_documents_account_sha256"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(500))
    tag: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)  # /metrics counts by it; the sweep looks by it
    attempt: Mapped[int] = mapped_column(Integer, default=1)  # raised by `coi retry`; part of event keys
    # Reads begun and not finished: a worker process died in the middle (a file that crashes the
    # reader). At MAX_CRASHES the document is failed instead of read again (workers/actors.py).
    crashes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MessageDocument(Base):
    """Which documents a message carried (a document already known from another message included)."""

    __tablename__ = "message_documents"
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True, index=True)


class Certificate(Base):
    """What was extracted from a document, in the shape of schemas/certificate.schema.json."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    edition: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Of ``data``, the keys the history signals compare (pipeline/signals/history.py ``compared``),
    # written with it: a later certificate of the account is compared with these, not the whole data.
    # NULL on rows written before migration 0012 (workers/trust.py reads their data instead).
    compared: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # The earliest expiration among the policies its holder requires (set when scored); the
    # expiry job walks certificates by it and moves expiry_state current → expiring → expired.
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    expiry_state: Mapped[str] = mapped_column(String(16), default="current", server_default="current")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Evaluation(Base):
    """One scoring of a document. ``trigger`` says why it ran (first decision, a changed requirement
    set, a waiver, ...) and makes a rerun of the same trigger a no-op; the newest is ``current``."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("document_id", "trigger", name="uq_evaluations_document_trigger"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(100))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    requirement_set_id: Mapped[int | None] = mapped_column(ForeignKey("requirement_sets.id"))
    decision: Mapped[str] = mapped_column(String(16))
    checks: Mapped[list[Any]] = mapped_column(JSON)
    future: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # against a set not yet in force
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Waiver(Base):
    """A reviewer accepts one failed check of a document (code, and line/key when given) until a date."""

    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    line: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Undone by a reviewer (the desk, `coi review undo`): kept for the record, no longer applied.
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(320))
    undone_reason: Mapped[str | None] = mapped_column(Text)


class Override(Base):
    """A reviewer sets a document's decision by hand, until a date (or for good)."""

    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Undone by a reviewer (the desk, `coi review undo`): kept for the record, no longer applied.
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(320))
    undone_reason: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Who did what to which record, and why: waivers, overrides, requirement changes, retries."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))  # e.g. "document:<id>", "requirement_set:<id>"
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxEvent(Base):
    """Transactional outbox: written with the state change, published after commit."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_unpublished", "created_at", postgresql_where=text("published_at IS NULL"),
                            sqlite_where=text("published_at IS NULL")),)  # the relay looks every few seconds
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"))
    type: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The entry id the account's Redis Stream gave it: a stream whose last entry is older than the
    # newest of these lost entries (Redis lost data) and is filled again from here (workers/publish.py).
    stream_id: Mapped[str | None] = mapped_column(String(32))


class Handoff(Base):
    """A stage owed to a document: the next actor and its arguments, written in the transaction of
    the state change that calls for it, enqueued after commit and deleted once the broker took it.
    A row left behind (the broker away at that moment) is enqueued by the relay that runs in every
    worker (workers/handoffs.py) within seconds of the broker's return."""

    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    args: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the relay's last try



# -- delivery: webhooks, notifications, expiry tracking ---------------------------------------


class Webhook(Base):
    """An account's HTTPS endpoint for events; the signing secret is kept encrypted (infra/secrets.py)."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the secret
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """One event on its way to one webhook: pending → (sending →) delivered, or dead after the last try."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("event_id", "webhook_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # → sending → ...
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when a worker took it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(Base):
    """One email for one event and one recipient; sent at most once (UNIQUE), unless replayed."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_id", "kind", "recipient"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # → sending → sent | failed
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when a worker took it
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- the upload door (issue 6) -------------------------------------------------------------


class UploadToken(Base):
    """A per-account token for the upload form and API; only its SHA-256 is kept."""

    __tablename__ = "upload_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # the token's first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "upload": upload, and read a document by its id (the form's token, public by design);
    # "read": also list, search and report on every document of the account (never paste it in a page).
    scope: Mapped[str] = mapped_column(String(16), default="upload", server_default="upload")


class UploadRef(Base):
    """A presigned upload handed out by ``POST /v1/uploads``: to which account, for which key, until
    when. The hook takes an object only under a reference issued to its account (inbox/door.py), so
    a key changed on a store that does not enforce the POST policy files nothing."""

    __tablename__ = "upload_refs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the upload id in the key
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    key: Mapped[str] = mapped_column(String(1024))  # as issued, without the storage prefix
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sender: Mapped[str | None] = mapped_column(String(320))  # the uploader's email, given on the form
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Upload(Base):
    """One stored object reported by an upload (S3 notification or direct upload), taken once."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("bucket", "key", "version"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    bucket: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(1024))
    version: Mapped[str] = mapped_column(String(255))  # version id, else the ETag
    size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default="received")
    reason: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sender: Mapped[str | None] = mapped_column(String(320))  # the uploader's email: told the decision as by mail


# -- the holder's desk (issue 17) ---------------------------------------------------------------


class User(Base):
    """A person who signs in to the desk for one account: ``admin``, ``reviewer`` or ``viewer``.
    The password is kept as an argon2 hash; an API token for ``PATCH /v1/documents/{id}/values``
    only as its SHA-256 (infra/users.py)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # sign-in names one person, one account
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until set through the link
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasswordLink(Base):
    """A one-time link to set a password (printed once by `coi user add`); only its SHA-256 is kept."""

    __tablename__ = "password_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Correction(Base):
    """A value a person corrected (JSON pointer into the certificate), kept apart from what was read:
    scoring applies the newest correction of each pointer over ``certificates.data``."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    pointer: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    by: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

# -- the holder's desk: search (issue 17) -----------------------------------------------------


class SearchEntry(Base):
    """The searchable text of a document's certificate (pipeline/search.py), kept in step when the
    certificate is extracted or scored (infra/search.py). PostgreSQL searches ``body`` through GIN
    indexes (full text and pg_trgm); SQLite through the FTS5 table ``search_fts``, which triggers
    keep in step with this one. Those indexes and that table are made by migration 0009 alone."""

    __tablename__ = "search_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the FTS5 table's rowid on SQLite
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    insured: Mapped[str] = mapped_column(Text, default="")
    holder: Mapped[str] = mapped_column(Text, default="")
    producer: Mapped[str] = mapped_column(Text, default="")
    insurers: Mapped[str] = mapped_column(Text, default="")
    naic: Mapped[str] = mapped_column(Text, default="")
    policy_numbers: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    certificate_number: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# Made by migrations outside the models (dialect-specific search indexes): Alembic's check skips them.
Base.metadata.info["unmanaged_prefixes"] = ("search_fts", "ix_search_entries_body_")


# -- vendors (issue 18): the insureds a holder works with, their certificates over time, the threads
# replies come back on, and certificate requests with their follow-ups


class Vendor(Base):
    """An insured the account works with: names it goes by, confirmed contacts, projects (tags)."""

    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_vendors_account_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)  # other names it is insured under
    contacts: Mapped[list[Any]] = mapped_column(JSON, default=list)  # confirmed emails (vendor, its agent)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)  # projects it works on (the +tag)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"))  # whose requirements apply
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VendorDocument(Base):
    """A certificate (document) of the account and the vendor it belongs to; ``vendor_id`` NULL while
    it waits for a reviewer to link it. ``replaces_id``: the certificate this one resubmits."""

    __tablename__ = "vendor_documents"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    answers_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))  # the document a reply answers
    request_id: Mapped[int | None] = mapped_column(ForeignKey("vendor_requests.id"))  # the request it answers
    matched_by: Mapped[str | None] = mapped_column(String(16))  # reply | request | name | alias | sender | reviewer
    score: Mapped[float | None] = mapped_column(Float)  # the name match's similarity, 0-100
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    linked_by: Mapped[str | None] = mapped_column(String(320))  # a reviewer who linked it by hand


class MessageThread(Base):
    """The Message-IDs an inbound message answers (In-Reply-To, References), as received."""

    __tablename__ = "message_threads"
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    refs: Mapped[list[Any]] = mapped_column(JSON)


class VendorRequest(Base):
    """A certificate request emailed to a vendor, chased on a schedule until a compliant
    certificate is on file (``open`` → ``fulfilled``), or stopped by hand."""

    __tablename__ = "vendor_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"))
    tag: Mapped[str | None] = mapped_column(String(64))
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    sends: Mapped[int] = mapped_column(Integer, default=1)  # the request and its follow-ups so far
    next_chase_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilled_document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    created_by: Mapped[str] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoticeTemplate(Base):
    """An account's own version of an email template (``decision_to_sender.txt.j2``, ``….html.j2``,
    or ``….subject`` for the subject line), used before the packaged one (pipeline/notices)."""

    __tablename__ = "notice_templates"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_notice_templates_account_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
