"""Vendors over the API (issue 18): list and read vendors, certificates waiting to be linked, link
one, and request a certificate (``POST /v1/vendors/{id}/requests``), as ``coi vendor …`` does.

These routes take a *person's* API token (the desk's ``coi user token EMAIL``, infra/users.py),
never an upload token: an upload token sits in a public web page, and whoever reads the page must
not read an account's vendors nor make it email them. Reading needs any user of the account;
linking and requesting need one who decides (reviewer, admin). Another account's vendor is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel, Field

from infra.admin import AdminError

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn


@dataclass(frozen=True)
class Manager:
    """Who calls: the account they act for, their email (kept in the audit log), whether they decide."""

    account_id: int
    account_slug: str
    email: str
    decides: bool


class VendorView(BaseModel):
    id: int
    name: str
    aliases: list[str]
    contacts: list[str]
    tags: list[str]
    holder_id: int | None = None
    status: str = Field(..., description="compliant: an approved certificate in force is on file; else missing")
    reason: str = Field(..., description="why, in words")
    certificate: str | None = Field(None, description="the compliant certificate, else the newest")


class VendorDetail(VendorView):
    projects: dict[str, str] = Field(default_factory=dict, description="standing per project (tag)")
    certificates: list[dict[str, Any]] = Field(default_factory=list, description="newest first, with what each replaces")
    requests: list[dict[str, Any]] = Field(default_factory=list)


class RequestBody(BaseModel):
    tag: str | None = Field(None, max_length=64, description="the project the certificate is for")
    holder: str | None = Field(None, max_length=200, description="whose requirements (default: the vendor's holder)")
    to: list[str] = Field(default_factory=list, max_length=5, description="more addresses, confirmed by you")


class LinkBody(BaseModel):
    vendor_id: int
    keep_alias: bool = Field(False, description="keep the certificate's insured name as an alias of the vendor")


def manager_from_token(app: App):
    """The dependency that turns ``Authorization: Bearer <user token>`` into a Manager."""
    from inbox.api_common import ApiError, RequestLimits, bearer, person_of_token

    limits = RequestLimits(app)

    def manager(request: Request, authorization: str | None = Header(None, description="Bearer <user API token>")
                ) -> Manager:
        person = person_of_token(app, bearer(authorization))
        if person is None:
            limits.client(request)  # refused tokens count against the caller's address
            raise ApiError(401, "token_unknown", "Send a person's API token (coi user token EMAIL) as "
                                                 "'Authorization: Bearer <token>'; an upload token cannot manage "
                                                 "vendors.", {"WWW-Authenticate": "Bearer"})
        return Manager(person.account_id, person.account_slug, person.email, person.decides)

    return manager


def add_vendor_routes(api: FastAPI, app: App, send_on: SendOn) -> None:
    from inbox.api_common import ApiError

    manager = manager_from_token(app)
    api.state.vendor_manager = manager  # the dependency, for tests to stand in for the desk's tokens

    def deciding(who: Manager) -> None:
        if not who.decides:
            raise ApiError(403, "not_a_reviewer", f"{who.email} can read vendors but not act on them.")

    def refused(exc: AdminError) -> ApiError:
        text = str(exc)
        return ApiError(404 if text.startswith("No ") else 422, "not_found" if text.startswith("No ") else "refused",
                        text)

    @api.get("/v1/vendors", response_model=list[VendorView], summary="The account's vendors and where each stands")
    def vendors(tag: str | None = None, missing: bool = False, who: Manager = Depends(manager)) -> list[dict]:
        from infra.admin_vendors import list_vendors

        with app.sessions() as session:
            return list_vendors(session, who.account_slug, date.today(), tag=tag, status="missing" if missing else None)

    @api.get("/v1/vendors/unmatched", summary="Certificates no vendor was found for, to link")
    def waiting(who: Manager = Depends(manager)) -> list[dict]:
        from infra.admin_vendors import unmatched

        with app.sessions() as session:
            return unmatched(session, who.account_slug)

    @api.get("/v1/vendors/{vendor_id}", response_model=VendorDetail, summary="A vendor, its certificates over time")
    def vendor(vendor_id: int, who: Manager = Depends(manager)) -> dict:
        from infra.admin_vendors import vendor_detail

        with app.sessions() as session:
            try:
                return vendor_detail(session, who.account_slug, vendor_id, date.today())
            except AdminError as e:
                raise refused(e) from e

    @api.post("/v1/documents/{document_id}/vendor", summary="Link a certificate to a vendor")
    def link_document(document_id: str, body: LinkBody, who: Manager = Depends(manager)) -> dict:
        from infra.admin_vendors import link

        deciding(who)
        with app.sessions() as session:
            try:
                row = link(session, who.account_slug, document_id[:32], body.vendor_id, by=who.email,
                           alias=body.keep_alias)
            except AdminError as e:
                raise refused(e) from e
            return {"document_id": row.document_id, "vendor_id": row.vendor_id, "replaces": row.replaces_id}

    @api.post("/v1/vendors/{vendor_id}/requests", status_code=201,
              summary="Email the vendor what is required, with a sample; follow up until it complies")
    def request_certificate(vendor_id: int, body: RequestBody, who: Manager = Depends(manager)) -> dict:
        from infra.admin_vendors import request_certificate as make, request_summary

        deciding(who)
        with app.sessions() as session:
            try:
                request, handoffs = make(session, app.settings, who.account_slug, vendor_id, tag=body.tag,
                                         holder=body.holder, to=body.to, by=who.email)
            except AdminError as e:
                raise refused(e) from e
            out = request_summary(request)
        return {**out, "queued": send_on(handoffs)}
