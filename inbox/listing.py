"""``GET /v1/documents`` (list and search) and ``/v1/reports/…`` (JSON or CSV): thin routes over
infra/search.py and infra/reports.py, included by inbox/api.py.

They read every document of an account, so they take a **read** token (``coi token add SLUG
--scope read``), never the form's upload token, which sits in a public page: that one gets 403.
Another account's documents never appear: the token's account scopes every query."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from inbox.api_common import ApiError
from infra.reports import compliance_report, decisions_report, expirations_report
from infra.search import DocumentQuery, QueryError, search_documents
from infra.tokens import TokenOwner
from pipeline.reports import Table, to_csv

if TYPE_CHECKING:
    from infra.bootstrap import App

MAX_WITHIN = 3660


class DocumentItem(BaseModel):
    document_id: str
    filename: str
    source: str
    tag: str | None = None
    status: str
    decision: str | None = Field(None, description="approved, rejected or needs_review (a reviewer's override wins)")
    received_at: str
    insured: str | None = None
    holder: str | None = Field(None, description="The holder whose requirements it was scored against, else the "
                                                 "holder named on the certificate")
    policy_numbers: str = ""
    expires_on: str | None = None
    expiry_state: str | None = None
    error_code: str | None = None


class DocumentList(BaseModel):
    total: int = Field(..., description="Documents matching, over every page")
    limit: int
    offset: int
    approximate: bool = Field(False, description="Nothing matched the words as written: these documents match "
                                                 "them as close spellings (PostgreSQL only)")
    documents: list[DocumentItem]


class ReportTable(BaseModel):
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


class ComplianceOut(BaseModel):
    as_of: str
    within: int
    counts: ReportTable
    certificates: ReportTable


def _table(table: Table) -> dict[str, Any]:
    return {"title": table.title, "columns": list(table.columns), "rows": table.records()}


def _csv(table: Table, name: str) -> Response:
    return Response(to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "Cache-Control": "private, no-store"})


def add_routes(api: FastAPI, app: App, owner: Callable[..., TokenOwner]) -> None:
    def reader(who: TokenOwner = Depends(owner)) -> TokenOwner:
        if not who.reads_account:
            raise ApiError(403, "token_cannot_list", "This is an upload token: it uploads and reads a document by "
                                                     "its id. Listing, search and reports take a read token "
                                                     "(`coi token add SLUG --label L --scope read`).")
        return who

    def run(fn, *args, **kwargs):
        with app.sessions() as session:
            return fn(session, *args, **kwargs)

    @api.get("/v1/documents", response_model=DocumentList, summary="List and search the account's documents")
    async def list_documents(
            who: TokenOwner = Depends(reader),
            q: str | None = Query(None, max_length=200, description="Words, or a \"quoted phrase\", found in the "
                                  "insured, holder, producer, insurers, NAIC numbers, policy numbers, description "
                                  "or certificate number; every word must match. A fragment of a policy number "
                                  "matches; on PostgreSQL a misspelt name does too."),
            status: str | None = Query(None, description="received, stored, reading, extracted, decided, failed, "
                                                         "not_a_certificate"),
            decision: Literal["approved", "rejected", "needs_review"] | None = None,
            tag: str | None = Query(None, max_length=64, description="The project tag"),
            holder: str | None = Query(None, max_length=200, description="The holder scored against (exact name)"),
            expires_before: date | None = Query(None, description="Relevant policy ends on or before (YYYY-MM-DD)"),
            expires_after: date | None = Query(None, description="Relevant policy ends on or after"),
            received_after: date | None = Query(None, description="Received on or after this day (UTC)"),
            received_before: date | None = Query(None, description="Received on or before this day (UTC)"),
            limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        """Newest first, one page at a time (``total`` counts them all)."""
        try:
            query = DocumentQuery(q=q, status=status, decision=decision, tag=tag, holder=holder,
                                  expires_before=expires_before, expires_after=expires_after,
                                  received_after=received_after, received_before=received_before,
                                  limit=limit, offset=offset)
        except QueryError as e:
            raise ApiError(422, "invalid_request", str(e)) from e
        page = await run_in_threadpool(run, search_documents, who.account_id, query)
        return page.to_dict()

    def compliance(who: TokenOwner, as_of: date | None, within: int, every: bool):
        day = as_of or date.today()
        return day, run(compliance_report, who.account_id, day, within, every_certificate=every)

    within_days = Query(30, ge=0, le=MAX_WITHIN, description="Days ahead in which an approved certificate "
                                                               "counts as expiring")
    every_query = Query(False, alias="all", description="Every certificate, not only each insured's newest per "
                                                        "holder and project")

    @api.get("/v1/reports/compliance", response_model=ComplianceOut, summary="Compliance by holder and project")
    async def compliance_json(who: TokenOwner = Depends(reader), as_of: date | None = None, within: int = within_days,
                              every: bool = every_query) -> dict[str, Any]:
        day, (listing, counts) = await run_in_threadpool(compliance, who, as_of, within, every)
        return {"as_of": day.isoformat(), "within": within, "counts": _table(counts), "certificates": _table(listing)}

    @api.get("/v1/reports/compliance.csv", summary="Compliance by holder and project, as CSV",
             response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    async def compliance_csv(who: TokenOwner = Depends(reader), as_of: date | None = None, within: int = within_days,
                             every: bool = every_query,
                             counts: bool = Query(False, description="The counts per holder and project instead "
                                                                     "of the list")) -> Response:
        day, (listing, summary) = await run_in_threadpool(compliance, who, as_of, within, every)
        return _csv(summary if counts else listing, f"compliance-{day}" + ("-counts" if counts else ""))

    def expirations(who: TokenOwner, as_of: date | None, within: int) -> tuple[date, Table]:
        day = as_of or date.today()
        return day, run(expirations_report, who.account_id, day, within)

    ahead = Query(90, ge=1, le=MAX_WITHIN, description="Days ahead: 30, 60, 90 or any other")

    @api.get("/v1/reports/expirations", response_model=ReportTable, summary="Policies ending soon")
    async def expirations_json(who: TokenOwner = Depends(reader), as_of: date | None = None,
                               within: int = ahead) -> dict[str, Any]:
        return _table((await run_in_threadpool(expirations, who, as_of, within))[1])

    @api.get("/v1/reports/expirations.csv", summary="Policies ending soon, as CSV", response_class=Response,
             responses={200: {"content": {"text/csv": {}}}})
    async def expirations_csv(who: TokenOwner = Depends(reader), as_of: date | None = None,
                              within: int = ahead) -> Response:
        day, table = await run_in_threadpool(expirations, who, as_of, within)
        return _csv(table, f"expirations-{day}-{within}d")

    def decisions(who: TokenOwner, since: date | None, until: date | None, period: str) -> Table:
        end = until or date.today()
        start = since or end - timedelta(days=365)
        if start > end:
            raise ApiError(422, "invalid_request", "since comes after until.")
        return run(decisions_report, who.account_id, start, end, period)

    period_query = Query("month", pattern="^(day|week|month)$", description="day, week or month")

    @api.get("/v1/reports/decisions", response_model=ReportTable, summary="Decisions over time")
    async def decisions_json(who: TokenOwner = Depends(reader), since: date | None = None, until: date | None = None,
                             period: str = period_query) -> dict[str, Any]:
        return _table(await run_in_threadpool(decisions, who, since, until, period))

    @api.get("/v1/reports/decisions.csv", summary="Decisions over time, as CSV", response_class=Response,
             responses={200: {"content": {"text/csv": {}}}})
    async def decisions_csv(who: TokenOwner = Depends(reader), since: date | None = None, until: date | None = None,
                            period: str = period_query) -> Response:
        return _csv(await run_in_threadpool(decisions, who, since, until, period), f"decisions-per-{period}")
