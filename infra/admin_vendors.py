"""Operator actions on vendors (CLI and API): records, their certificates and standing, linking an
unmatched certificate, certificate requests and their samples."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infra.admin import AdminError, require_account
from infra.models import Account, AuditEntry, Certificate, Document, Handoff, Holder, utcnow
from infra.models import NoticeTemplate, Vendor, VendorDocument, VendorRequest
from pipeline.addresses import TAG, one_mailbox
from workers.decisions import standing_decision
from workers.vendors import fulfil_requests, requirements_for, vendor_standing

MAX_NAMES = 20


def _names(values: list[str] | None, what: str) -> list[str]:
    out = []
    for value in values or []:
        value = " ".join(value.split())
        if not value or len(value) > 200:
            raise AdminError(f"A {what} must be 1 to 200 characters.")
        if value not in out:
            out.append(value)
    if len(out) > MAX_NAMES:
        raise AdminError(f"At most {MAX_NAMES} {what}s.")
    return out


def _contacts(values: list[str] | None) -> list[str]:
    out = []
    for value in values or []:
        mailbox = one_mailbox(value)
        if mailbox is None:
            raise AdminError(f"{value!r} is not one valid email address.")
        if mailbox not in out:
            out.append(mailbox)
    if len(out) > MAX_NAMES:
        raise AdminError(f"At most {MAX_NAMES} contacts.")
    return out


def _tags(values: list[str] | None) -> list[str]:
    for value in values or []:
        if not TAG.match(value):
            raise AdminError(f"{value!r} cannot be a project tag: letters, digits, '.', '_' or '-' (at most 64).")
    return list(dict.fromkeys(values or []))


def _holder(session: Session, account: Account, name: str | None) -> Holder | None:
    if name is None:
        return None
    holder = session.scalars(select(Holder).where(Holder.account_id == account.id, Holder.name == name)).first()
    if holder is None:
        raise AdminError(f"No holder {name!r} in account {account.slug!r}; add it with `coi holder add`.")
    return holder


def add_vendor(session: Session, slug: str, name: str, *, aliases: list[str] | None = None,
               contacts: list[str] | None = None, tags: list[str] | None = None,
               holder: str | None = None, domain: str | None = None) -> Vendor:
    """A vendor of the account; with ``domain`` (the inbound domain), the certificates waiting
    for a vendor that match it are linked to it."""
    account = require_account(session, slug)
    [name] = _names([name], "name")
    if session.scalars(select(Vendor).where(Vendor.account_id == account.id,
                                            func.lower(Vendor.name) == name.lower())).first():
        raise AdminError(f"A vendor {name!r} exists already in {account.slug!r}.")
    found = _holder(session, account, holder)
    vendor = Vendor(account_id=account.id, name=name, aliases=_names(aliases, "alias"), contacts=_contacts(contacts),
                    tags=_tags(tags), holder_id=found.id if found else None)
    session.add(vendor)
    session.flush()
    _audit(session, account, "cli", "vendor_added", vendor, {"name": name})
    session.commit()
    if domain is not None:
        _rematch(session, account, domain)
    return vendor


def _rematch(session: Session, account: Account, domain: str) -> int:
    """Certificates waiting for a vendor that now match one are linked (committed). ``domain``:
    the inbound domain, whose Message-IDs a reply may name."""
    from workers.vendors import rematch

    linked = rematch(session, account.id, domain, date.today())
    session.commit()
    return linked


def edit_vendor(session: Session, slug: str, ref: str, *, aliases: list[str] | None = None,
                contacts: list[str] | None = None, tags: list[str] | None = None, holder: str | None = None,
                by: str = "cli", domain: str | None = None) -> Vendor:
    """Replace the lists given (None leaves one as it is); with ``domain``, as add_vendor, link the
    waiting certificates that now match."""
    account = require_account(session, slug)
    vendor = find_vendor(session, account, ref)
    if aliases is not None:
        vendor.aliases = _names(aliases, "alias")
    if contacts is not None:
        vendor.contacts = _contacts(contacts)
    if tags is not None:
        vendor.tags = _tags(tags)
    if holder is not None:
        vendor.holder_id = _holder(session, account, holder).id
    _audit(session, account, by, "vendor_edited", vendor, {"aliases": vendor.aliases, "contacts": vendor.contacts,
                                                            "tags": vendor.tags, "holder_id": vendor.holder_id})
    session.commit()
    if domain is not None:
        _rematch(session, account, domain)
    return vendor


def match_waiting(session: Session, slug: str, domain: str) -> int:
    """``coi vendor match``: link the account's waiting certificates (and those scored before
    vendors existed) to the vendors they match now; how many were linked."""
    return _rematch(session, require_account(session, slug), domain)


def find_vendor(session: Session, account: Account, ref: str | int) -> Vendor:
    """A vendor of the account by id or by name (case ignored)."""
    vendor = None
    if isinstance(ref, int) or str(ref).isdigit():
        vendor = session.get(Vendor, int(ref))
        vendor = vendor if vendor is not None and vendor.account_id == account.id else None
    if vendor is None:
        vendor = session.scalars(select(Vendor).where(Vendor.account_id == account.id,
                                                      func.lower(Vendor.name) == str(ref).lower())).first()
    if vendor is None:
        raise AdminError(f"No vendor {ref!r} in account {account.slug!r}; see `coi vendor list`.")
    return vendor


def _audit(session: Session, account: Account, by: str, action: str, vendor: Vendor, detail: dict[str, Any]) -> None:
    session.add(AuditEntry(account_id=account.id, actor=by, action=action, subject=f"vendor:{vendor.id}",
                           detail=detail))


def summary(session: Session, vendor: Vendor, today: date, tag: str | None = None) -> dict[str, Any]:
    now = vendor_standing(session, vendor, today, tag)
    return {"id": vendor.id, "name": vendor.name, "aliases": list(vendor.aliases or []),
            "contacts": list(vendor.contacts or []), "tags": list(vendor.tags or []), "holder_id": vendor.holder_id,
            "status": now.status, "reason": now.reason, "certificate": now.document_id}


def list_vendors(session: Session, slug: str, today: date, *, tag: str | None = None,
                 status: str | None = None) -> list[dict[str, Any]]:
    account = require_account(session, slug)
    rows = [summary(session, v, today, tag) for v in session.scalars(
        select(Vendor).where(Vendor.account_id == account.id).order_by(Vendor.name))
        if tag is None or tag in (v.tags or [])]
    return [r for r in rows if status is None or r["status"] == status]


def vendor_detail(session: Session, slug: str, ref: str, today: date) -> dict[str, Any]:
    """A vendor, its standing (overall and per project), its certificates newest first, its requests."""
    account = require_account(session, slug)
    vendor = find_vendor(session, account, ref)
    rows = session.execute(select(Document, VendorDocument, Certificate).join(
        VendorDocument, VendorDocument.document_id == Document.id).outerjoin(
        Certificate, Certificate.document_id == Document.id).where(VendorDocument.vendor_id == vendor.id)
        .order_by(Document.created_at.desc())).all()
    certificates = [{
        "document_id": d.id, "filename": d.filename, "tag": d.tag, "received_at": d.created_at.isoformat(),
        "status": d.status, "decision": standing_decision(session, d.id, today) if d.status == "decided" else None,
        "expires_on": c.expires_on.isoformat() if c is not None and c.expires_on else None,
        "replaces": link.replaces_id, "answers": link.answers_id, "matched_by": link.matched_by}
        for d, link, c in rows]
    requests = [request_summary(r) for r in session.scalars(
        select(VendorRequest).where(VendorRequest.vendor_id == vendor.id).order_by(VendorRequest.id.desc()))]
    projects = {t: summary(session, vendor, today, t)["status"] for t in vendor.tags or []}
    return {**summary(session, vendor, today), "projects": projects, "certificates": certificates,
            "requests": requests}


def request_summary(request: VendorRequest) -> dict[str, Any]:
    return {"id": request.id, "vendor_id": request.vendor_id, "holder_id": request.holder_id, "tag": request.tag,
            "recipients": list(request.recipients), "status": request.status, "sends": request.sends,
            "next_chase_at": request.next_chase_at.isoformat() if request.next_chase_at else None,
            "fulfilled_document_id": request.fulfilled_document_id,
            "created_at": request.created_at.isoformat() if request.created_at else None}


def unmatched(session: Session, slug: str) -> list[dict[str, Any]]:
    """Certificates no vendor was found for, oldest first, with what a reviewer needs to link them."""
    account = require_account(session, slug)
    from infra.repo import document_sender

    rows = session.execute(select(Document, Certificate).join(
        VendorDocument, VendorDocument.document_id == Document.id).outerjoin(
        Certificate, Certificate.document_id == Document.id).where(
        VendorDocument.account_id == account.id, VendorDocument.vendor_id.is_(None))
        .order_by(Document.created_at)).all()
    return [{"document_id": d.id, "filename": d.filename, "tag": d.tag, "received_at": d.created_at.isoformat(),
             "insured": ((c.data if c else {}).get("insured") or {}).get("name"),
             "sender": document_sender(session, d)} for d, c in rows]


def link(session: Session, slug: str, document_id: str, ref: str, *, by: str, alias: bool = False) -> VendorDocument:
    """A reviewer links a certificate to a vendor (``alias``: and keeps its insured name as an alias,
    so the next one matches by itself)."""
    account = require_account(session, slug)
    vendor = find_vendor(session, account, ref)
    document = session.get(Document, document_id)
    row = session.get(VendorDocument, document_id)
    if document is None or document.account_id != account.id or row is None:
        raise AdminError(f"No scored certificate {document_id!r} in account {account.slug!r}.")
    from workers.vendors import _newest

    row.vendor_id, row.matched_by, row.linked_by, row.score = vendor.id, "reviewer", by, None
    row.replaces_id = row.answers_id or _newest(session, vendor.id, document)
    if alias:
        certificate = session.scalars(select(Certificate).where(Certificate.document_id == document_id)).first()
        insured = ((certificate.data if certificate else {}).get("insured") or {}).get("name")
        if insured and insured not in (vendor.aliases or []) and insured != vendor.name:
            vendor.aliases = [*(vendor.aliases or []), insured][:MAX_NAMES]
    _audit(session, account, by, "vendor_linked", vendor, {"document_id": document_id, "alias": alias})
    fulfil_requests(session, vendor.id, document_id, date.today())
    session.commit()
    return row


def request_certificate(session: Session, settings: Any, slug: str, ref: str, *, tag: str | None = None,
                        holder: str | None = None, to: list[str] | None = None,
                        by: str = "cli", now: datetime | None = None) -> tuple[VendorRequest, list[Handoff]]:
    """Email the vendor a certificate request (its confirmed contacts, and ``to``, which become
    contacts) and schedule the follow-ups. Returns the request and the publication to dispatch."""
    from workers.requests import next_chase, send_request

    account = require_account(session, slug)
    vendor = find_vendor(session, account, ref)
    if tag is not None:
        _tags([tag])
    extra = _contacts(to)
    if extra:
        vendor.contacts = list(dict.fromkeys([*(vendor.contacts or []), *extra]))[:MAX_NAMES]
    recipients = list(vendor.contacts or [])
    if not recipients:
        raise AdminError(f"{vendor.name} has no contact to email: give one with --to or `coi vendor edit --contact`.")
    found = _holder(session, account, holder) or (session.get(Holder, vendor.holder_id) if vendor.holder_id
                                                  else _only_holder(session, account))
    now = now or utcnow()
    requirement_set = requirements_for(session, found, tag, now.date())
    if requirement_set is None:
        raise AdminError(f"{found.name} has no requirement set in force{' for ' + tag if tag else ''}; "
                         "set one with `coi requirements set`.")
    request = VendorRequest(account_id=account.id, vendor_id=vendor.id, holder_id=found.id, tag=tag,
                            recipients=recipients, status="open", sends=1, created_by=by, created_at=now)
    session.add(request)
    session.flush()
    request.next_chase_at = next_chase(now, 1, settings.request_chase_days)
    handoff = send_request(session, request, requirement_set)
    _audit(session, account, by, "certificate_requested", vendor, {"request_id": request.id, "tag": tag})
    session.commit()
    return request, [handoff]


def _only_holder(session: Session, account: Account) -> Holder:
    holders = session.scalars(select(Holder).where(Holder.account_id == account.id)).all()
    if len(holders) != 1:
        raise AdminError("Name the holder whose requirements apply (--holder), or set the vendor's holder.")
    return holders[0]


def stop_request(session: Session, slug: str, request_id: int, *, by: str) -> VendorRequest:
    account = require_account(session, slug)
    request = session.get(VendorRequest, request_id)
    if request is None or request.account_id != account.id:
        raise AdminError(f"No request {request_id} in account {account.slug!r}.")
    if request.status == "open":
        request.status, request.next_chase_at = "stopped", None
        _audit(session, account, by, "request_stopped", session.get(Vendor, request.vendor_id), {"request_id": request_id})
        session.commit()
    return request


def sample_pdf(session: Session, slug: str, holder: str, *, tag: str | None = None, vendor: str | None = None,
               today: date | None = None) -> bytes:
    """The sample certificate of what ``holder`` requires (for the project ``tag``)."""
    from pipeline.request_sample import sample_certificate
    from samples.request import draw_sample

    account = require_account(session, slug)
    found = _holder(session, account, holder)
    today = today or date.today()
    requirement_set = requirements_for(session, found, tag, today)
    if requirement_set is None:
        raise AdminError(f"{found.name} has no requirement set in force{' for ' + tag if tag else ''}.")
    return draw_sample(sample_certificate(requirement_set.body, vendor=vendor, tag=tag, today=today,
                                          holder_name=found.name))


def set_from(session: Session, slug: str, address: str | None) -> Account:
    """An account's own From for its emails (None: back to COI_NOTIFY_FROM)."""
    account = require_account(session, slug)
    if address is not None and one_mailbox(address) is None:
        raise AdminError(f"{address!r} is not one valid email address.")
    account.notify_from = one_mailbox(address) if address else None
    session.commit()
    return account


TEMPLATE_KINDS = ("decision_to_sender", "review_to_holder", "no_attachment_to_sender", "unreadable_to_sender",
                  "renewal_request", "certificate_request")


def set_template(session: Session, slug: str, name: str, body: str | None) -> None:
    """An account's own template ``<kind>.txt.j2``, ``<kind>.html.j2`` or ``<kind>.subject``
    (None: removed, the packaged one applies again). It must render."""
    account = require_account(session, slug)
    kind, _, part = name.partition(".")
    if kind not in TEMPLATE_KINDS or part not in ("txt.j2", "html.j2", "subject"):
        raise AdminError(f"{name!r} is not a template: use <kind>.txt.j2, <kind>.html.j2 or <kind>.subject, "
                         f"kind one of {', '.join(TEMPLATE_KINDS)}.")
    row = session.scalars(select(NoticeTemplate).where(NoticeTemplate.account_id == account.id,
                                                       NoticeTemplate.name == name)).first()
    if body is None:
        if row is not None:
            session.delete(row)
        session.commit()
        return
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        SandboxedEnvironment().parse(body)
    except TemplateError as exc:
        raise AdminError(f"The template does not parse: {exc}") from exc
    if row is None:
        session.add(NoticeTemplate(account_id=account.id, name=name, body=body, updated_at=utcnow()))
    else:
        row.body, row.updated_at = body, utcnow()
    session.commit()
