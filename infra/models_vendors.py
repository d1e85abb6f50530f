"""Vendor tables (issue 18): the insureds a holder works with, their certificates over time, the
threads replies come back on, and certificate requests with their follow-ups. Imported by
infra/models.py so that Alembic and the composition root see one metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infra.models import Base, utcnow


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
