"""The desk's vendor pages (issue 18): the account's vendors and where each stands, a vendor's
certificates over time and its requests, the certificates waiting to be linked. Thin handlers over
``infra/admin_vendors.py``: requesting a certificate, linking one, adding an alias or a contact do
what ``coi vendor request``, ``coi vendor link`` and ``coi vendor edit`` do, in the signed-in
person's name. Reading needs any user of the account; acting, a reviewer or an admin."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from inbox.desk.auth import DeskError, check_csrf, signed_in
from infra.admin import AdminError
from infra.models import Holder, Vendor, VendorDocument
from infra.users import Person

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from inbox.desk.pages import Kit


MATCHED = {"name": "matched by the insured's name", "alias": "matched by one of its aliases",
           "sender": "matched by the sender, one of its contacts", "reply": "a reply to our email about its "
           "certificate", "request": "an answer to a certificate request", "reviewer": "linked by a reviewer"}


def _refused(e: AdminError) -> DeskError | None:
    """Another account's (or no) vendor, request or certificate: a 404, like one that does not exist."""
    return DeskError(404, "No such vendor or certificate in your account.") if str(e).startswith("No ") else None


def _acting(app, request: Request, csrf: str) -> Person:
    person = signed_in(app, request)
    check_csrf(request, csrf)
    if not person.decides:
        raise DeskError(403, f"You are a {person.role.value} of this account: only reviewers and admins can "
                             "request certificates, link them or change a vendor.")
    return person


def projects(session: Session, account_slug: str, vendor_id: int, today: date) -> list[dict[str, Any]]:
    """Where the vendor stands for each of its projects, with why (admin_vendors.summary per tag)."""
    from infra.admin import require_account
    from infra.admin_vendors import find_vendor, summary

    vendor = find_vendor(session, require_account(session, account_slug), vendor_id)
    return [{"tag": tag, **summary(session, vendor, today, tag)} for tag in vendor.tags or []]


def account_tags(session: Session, account_id: int) -> list[str]:
    tags = {t for row in session.scalars(select(Vendor.tags).where(Vendor.account_id == account_id)) for t in row or []}
    return sorted(tags, key=str.lower)


def document_vendor(session: Session, person: Person, document_id: str) -> dict[str, Any] | None:
    """The vendor the document is linked to, or the vendors it could be linked to when it waits;
    None when the document was never matched (not scored yet, or not a certificate)."""
    row = session.get(VendorDocument, document_id)
    if row is None or row.account_id != person.account_id:
        return None
    if row.vendor_id is not None:
        vendor = session.get(Vendor, row.vendor_id)
        how = MATCHED.get(row.matched_by or "", "")
        return {"id": vendor.id, "name": vendor.name, "how": f"linked by {row.linked_by}" if row.matched_by ==
                "reviewer" and row.linked_by else how}
    return {"id": None, "choices": _choices(session, person.account_id)}


def _choices(session: Session, account_id: int) -> list[tuple[int, str]]:
    return [(v.id, v.name) for v in session.scalars(select(Vendor).where(Vendor.account_id == account_id)
                                                     .order_by(Vendor.name))]


def vendor_routes(desk: FastAPI, kit: Kit) -> None:
    """/desk/vendors, a vendor's page, /desk/vendors/unmatched and the actions on them."""
    app, render, go = kit.app, kit.render, kit.go

    @desk.get("/vendors")
    def vendors(request: Request, tag: str = "", missing: str = "") -> Response:
        from infra.admin_vendors import list_vendors

        person = signed_in(app, request)
        today = date.today()
        with app.sessions() as session:
            rows = list_vendors(session, person.account_slug, today, tag=tag or None,
                                status="missing" if missing else None)
            for row in rows:
                row["projects"] = projects(session, person.account_slug, row["id"], today)
            tags = account_tags(session, person.account_id)
            waiting = len(_unmatched(session, person))
        return render(request, "vendors.html", person=person, rows=rows, tags=tags, tag=tag, missing=bool(missing),
                      waiting=waiting)

    def _unmatched(session: Session, person: Person) -> list[dict[str, Any]]:
        from infra.admin_vendors import unmatched

        return unmatched(session, person.account_slug)

    @desk.get("/vendors/unmatched")
    def waiting(request: Request) -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            rows = _unmatched(session, person)
            choices = _choices(session, person.account_id)
        return render(request, "unmatched.html", person=person, rows=rows, choices=choices)

    @desk.get("/vendors/{vendor_id}")
    def vendor(request: Request, vendor_id: int) -> Response:
        from infra.admin_vendors import vendor_detail

        person = signed_in(app, request)
        today = date.today()
        with app.sessions() as session:
            try:
                detail = vendor_detail(session, person.account_slug, vendor_id, today)
            except AdminError as e:
                raise _refused(e) or DeskError(400, str(e)) from e
            detail["standing"] = projects(session, person.account_slug, vendor_id, today)
            holders = session.scalars(select(Holder.name).where(Holder.account_id == person.account_id)
                                      .order_by(Holder.name)).all()
            mine = session.get(Holder, detail["holder_id"]).name if detail["holder_id"] else None
        return render(request, "vendor.html", person=person, v=detail, holders=holders, holder=mine)

    def back(request: Request, vendor_id: int, flash: str, anchor: str = "") -> Response:
        return go(request, f"/vendors/{vendor_id}{anchor}", flash)

    @desk.post("/vendors/{vendor_id}/requests")
    def ask(request: Request, vendor_id: int, tag: str = Form(""), holder: str = Form(""),
            csrf: str = Form("")) -> Response:
        from infra.admin_vendors import request_certificate
        from infra.admin_handoffs import away

        person = _acting(app, request, csrf)
        try:
            with app.sessions() as session:
                made, handoffs = request_certificate(session, app.settings, person.account_slug, vendor_id,
                                                     tag=tag.strip() or None, holder=holder or None,
                                                     by=person.email)
                done = (f"Certificate request {made.id} sent to {', '.join(made.recipients)}; follow-ups after "
                        f"{', '.join(str(d) for d in app.settings.request_chase_days)} days while no compliant "
                        "certificate is on file.")
        except AdminError as e:
            if str(e).startswith("No vendor"):
                raise _refused(e) from e
            return back(request, vendor_id, f"Not requested: {e}", "#requests")
        return back(request, vendor_id, done + away(kit.send_on(handoffs)), "#requests")

    def change(request: Request, vendor_id: int, csrf: str, what: str, value: str) -> Response:
        from infra.admin import require_account
        from infra.admin_vendors import edit_vendor, find_vendor

        person = _acting(app, request, csrf)
        value = value.strip()
        try:
            with app.sessions() as session:
                found = find_vendor(session, require_account(session, person.account_slug), vendor_id)
                if not value:
                    raise AdminError(f"Give the {what} to add.")
                lists = {"alias": "aliases", "contact": "contacts"}
                current = list(getattr(found, lists[what]) or [])
                edit_vendor(session, person.account_slug, vendor_id, by=person.email,
                            domain=app.settings.inbound_domain, **{lists[what]: [*current, value]})
        except AdminError as e:
            if str(e).startswith("No vendor"):
                raise _refused(e) from e
            return back(request, vendor_id, f"Not added: {e}", "#names")
        return back(request, vendor_id, f"{what.capitalize()} {value} added.", "#names")

    @desk.post("/vendors/{vendor_id}/aliases")
    def add_alias(request: Request, vendor_id: int, alias: str = Form(""), csrf: str = Form("")) -> Response:
        return change(request, vendor_id, csrf, "alias", alias)

    @desk.post("/vendors/{vendor_id}/contacts")
    def add_contact(request: Request, vendor_id: int, contact: str = Form(""), csrf: str = Form("")) -> Response:
        return change(request, vendor_id, csrf, "contact", contact)

    @desk.post("/documents/{document_id}/vendor")
    def link_document(request: Request, document_id: str, vendor_id: int = Form(...), keep_alias: str = Form(""),
                      back_to: str = Form(""), csrf: str = Form("")) -> Response:
        from infra.admin_vendors import link

        person = _acting(app, request, csrf)
        target = "/documents/" + quote(document_id) if back_to == "document" else "/vendors/unmatched"
        try:
            with app.sessions() as session:
                row = link(session, person.account_slug, document_id[:32], vendor_id, by=person.email,
                           alias=bool(keep_alias))
                done = f"Certificate linked to {session.get(Vendor, row.vendor_id).name}."
        except AdminError as e:
            if (missing := _refused(e)) is not None:
                raise missing from e
            return go(request, target, f"Not linked: {e}")
        return go(request, target, done)
