"""Vendors inside a transaction: a certificate linked to its vendor when it is scored, the threads
replies come back on, a vendor's certificates and standing, the requirement set for a request.

A certificate is linked, in the order tried, by the email it answers (a reply to our rejection or to
a certificate request: the vendor of that document or request, when the insured's name is not unlike
the vendor's: another company's certificate in a reply waits for a person), by the insured's name or one of a
vendor's aliases, by the sender being one of exactly one vendor's confirmed contacts
(pipeline/vendors.py). Nothing matching: the row is kept with no vendor, for a reviewer to link
(``coi vendor link``). A certificate from a vendor replaces the vendor's newest earlier one for the
same project (tag), or the one its email answers.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, bindparam, select

from infra.models import (Certificate, Document, Holder, InboundMessage, MessageDocument, Notification, OutboxEvent,
                          RequirementSet, utcnow)
from infra.models import MessageThread, Vendor, VendorDocument, VendorRequest
from infra.repo import insert_ignore, insert_or_none
from pipeline.vendors import Candidate, Filed, Standing, answered, match_vendor, names_agree, standing
from workers.decisions import standing_decision
from workers.selection import in_force

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workers.on_file import OnFile

log = logging.getLogger(__name__)

# Built once (a statement's construction and cache key are not redone for every certificate)
VENDORS = select(Vendor).where(Vendor.account_id == bindparam("account_id", type_=Integer))
THREADS = select(MessageThread).join(MessageDocument, MessageDocument.message_id == MessageThread.message_id) \
    .where(MessageDocument.document_id == bindparam("document_id", type_=String))


def note_thread(session: Session, messages: list[InboundMessage], refs: list[str]) -> None:
    """Keep the Message-IDs the inbound messages answer (In-Reply-To, References), for linking."""
    if not refs:
        return
    for message in messages:
        insert_ignore(session, MessageThread, {"message_id": message.id, "refs": refs}, ["message_id"])


def candidates(session: Session, account_id: int) -> list[Candidate]:
    return [Candidate(v.id, v.name, tuple(v.aliases or ()), tuple(v.contacts or ()))
            for v in session.scalars(VENDORS, {"account_id": account_id})]


def _thread(session: Session, document: Document, domain: str) -> tuple[str | None, VendorRequest | None]:
    """The document and the request that the emails carrying ``document`` answer (ours, this account's)."""
    refs: list[str] = []
    for thread in session.scalars(THREADS, {"document_id": document.id}):
        refs += [r for r in thread.refs if r not in refs]
    for notification_id, event_id in answered(refs, domain):
        row = session.execute(select(OutboxEvent).join(Notification, Notification.event_id == OutboxEvent.id).where(
            Notification.id == notification_id, OutboxEvent.id == event_id,
            OutboxEvent.account_id == document.account_id)).scalar_one_or_none()
        if row is None:
            continue
        request_id = (row.data or {}).get("request_id")
        if request_id is not None:
            request = session.get(VendorRequest, int(request_id))
            if request is not None and request.account_id == document.account_id:
                return None, request
        if row.document_id and row.document_id != document.id:
            return row.document_id, None
    return None, None


def _sender(session: Session, document: Document) -> str | None:
    from infra.repo import document_sender

    return document_sender(session, document)


def link_document(session: Session, document: Document, domain: str,
                  certificate: dict[str, Any] | None = None, on_file: OnFile | None = None) -> VendorDocument:
    """Link a scored certificate to its vendor (or leave it for a reviewer); once per document.
    ``certificate``: its data, when the caller has it. ``on_file``: what the database held for the
    document as its scoring began (workers/on_file.py): no link, no threads, no vendors are not asked again."""
    existing = session.get(VendorDocument, document.id) if on_file is None or on_file.vendor_link else None
    if existing is not None:
        return existing
    if certificate is None:
        certificate = session.scalars(select(Certificate.data).where(Certificate.document_id == document.id)).first()
    insured = ((certificate or {}).get("insured") or {}).get("name")
    answers_id, request = _thread(session, document, domain) if on_file is None or on_file.threads else (None, None)
    vendors = {c.id: c for c in candidates(session, document.account_id)} if on_file is None or on_file.vendors \
        else {}
    vendor_id, by, score = None, None, None
    if request is not None:
        vendor_id, by = request.vendor_id, "request"
    elif answers_id is not None:
        answered_link = session.get(VendorDocument, answers_id)
        if answered_link is not None and answered_link.vendor_id is not None:
            vendor_id, by = answered_link.vendor_id, "reply"
    threaded = vendor_id is not None
    if threaded and not names_agree(insured, vendors[vendor_id]):
        log.info("a reply to vendor %s carries a certificate of %r: left for a person to link", vendor_id, insured)
        vendor_id = by = None
    elif not threaded:
        found = match_vendor(insured, _sender(session, document), vendors.values())
        if found is not None:
            vendor_id, by, score = found.vendor_id, found.by, found.score
    replaces = answers_id or (_newest(session, vendor_id, document) if vendor_id is not None else None)
    link = insert_or_none(session, VendorDocument, {
        "document_id": document.id, "account_id": document.account_id, "vendor_id": vendor_id,
        "replaces_id": replaces, "answers_id": answers_id, "request_id": request.id if request else None,
        "matched_by": by, "score": score, "created_at": utcnow()}, ["document_id"])
    if vendor_id is None:
        log.info("certificate of %r matches no vendor; it waits for a reviewer to link it", insured)
    else:
        log.info("certificate linked to vendor %s (by %s)", vendor_id, by)
    return link if link is not None else session.get(VendorDocument, document.id)


def rematch(session: Session, account_id: int, domain: str, today: date) -> int:
    """Link the account's certificates that wait for a vendor (or were scored before vendors
    existed) to the vendor they now match: after a vendor is added or given an alias or contact.
    Returns how many were linked; the caller commits."""
    waiting = session.scalars(select(Document).outerjoin(VendorDocument, VendorDocument.document_id == Document.id)
                              .where(Document.account_id == account_id, Document.status == "decided",
                                     VendorDocument.vendor_id.is_(None)).order_by(Document.created_at)).all()
    linked = 0
    for document in waiting:
        row = session.get(VendorDocument, document.id)
        if row is not None:
            session.delete(row)  # matched again from the start, with today's vendors
            session.flush()
        if link_document(session, document, domain).vendor_id is not None:
            linked += 1
            fulfil_requests(session, session.get(VendorDocument, document.id).vendor_id, document.id, today)
    return linked


def _newest(session: Session, vendor_id: int, document: Document) -> str | None:
    """The vendor's newest earlier certificate for the same project (tag)."""
    same_tag = Document.tag.is_(None) if document.tag is None else Document.tag == document.tag
    return session.scalars(select(Document.id).join(VendorDocument, VendorDocument.document_id == Document.id).where(
        VendorDocument.vendor_id == vendor_id, Document.id != document.id, same_tag,
        Document.created_at <= document.created_at).order_by(Document.created_at.desc())).first()


def filed(session: Session, vendor: Vendor, today: date) -> list[Filed]:
    rows = session.execute(select(Document, Certificate.expires_on).join(
        VendorDocument, VendorDocument.document_id == Document.id).outerjoin(
        Certificate, Certificate.document_id == Document.id).where(VendorDocument.vendor_id == vendor.id)).all()
    return [Filed(d.id, d.tag, standing_decision(session, d.id, today) if d.status == "decided" else None,
                  expires_on, d.created_at.isoformat()) for d, expires_on in rows]


def vendor_standing(session: Session, vendor: Vendor, today: date, tag: str | None = None) -> Standing:
    return standing(filed(session, vendor, today), today, tag)


def requirements_for(session: Session, holder: Holder, tag: str | None, day: date) -> RequirementSet | None:
    """The holder's live set in force on ``day`` for the project ``tag`` (else its untagged set)."""
    rows = session.scalars(select(RequirementSet).where(RequirementSet.holder_id == holder.id,
                                                        RequirementSet.superseded_at.is_(None))
                           .order_by(RequirementSet.id)).all()
    live = [rs for rs in rows if in_force(rs, day)]
    tagged = [rs for rs in live if tag and (rs.tag or "").lower() == tag.lower()]
    pool = tagged or [rs for rs in live if rs.tag is None]
    return pool[-1] if pool else None


def fulfil_requests(session: Session, vendor_id: int, document_id: str, today: date) -> list[int]:
    """Close the vendor's open requests its standing now meets (a compliant certificate for the
    request's project is on file); returns their ids. Called when a certificate is linked and
    before every follow-up, so a request is chased no more once it is met."""
    vendor = session.get(Vendor, vendor_id)
    done = []
    for request in session.scalars(select(VendorRequest).where(VendorRequest.vendor_id == vendor_id,
                                                               VendorRequest.status == "open")):
        now = vendor_standing(session, vendor, today, request.tag)
        if now.status == "compliant":
            request.status, request.fulfilled_document_id, request.next_chase_at = "fulfilled", now.document_id, None
            done.append(request.id)
    if done:
        log.info("requests %s of vendor %s fulfilled by %s", done, vendor_id, document_id)
    return done


def after_scoring(session: Session, document: Document, domain: str, today: date,
                  certificate: dict[str, Any] | None = None, on_file: OnFile | None = None) -> dict[str, Any] | None:
    """Link the scored document to its vendor and close the requests it meets (in the caller's
    transaction, inside a savepoint). The one call the score stage makes. A fault here that is not
    an outage is logged and leaves the document unlinked (``coi vendor match`` links it later): it
    never fails the scoring; an outage raises, and the stage is retried."""
    from workers import outcomes

    try:
        with session.begin_nested():
            link = link_document(session, document, domain, certificate, on_file)
            if link.vendor_id is not None:
                fulfil_requests(session, link.vendor_id, document.id, today)
    except Exception as exc:
        if outcomes.is_transient(exc):
            raise
        log.exception("linking the certificate to a vendor failed; it stays unlinked (coi vendor match)")
        return None
    return {"vendor_id": link.vendor_id, "matched_by": link.matched_by}
