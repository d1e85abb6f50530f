"""``/desk/reports``: the reports as server-rendered pages (Jinja, plain forms, no script, no asset
from elsewhere), with their CSV, for people signed in to the desk.

These pages have no sign-in of their own: ``add_report_pages`` takes ``viewer``, a FastAPI
dependency that answers the signed-in user's account id and refuses anyone else. The desk adds them
to its own app (inbox/desk/pages.py), with its sign-in as ``viewer``:

    add_report_pages(desk, app, viewer=viewer)  # viewer(request) -> signed_in(app, request).account_id

The pages call the same report functions as ``coi report`` and ``/v1/reports`` (infra/reports.py),
and their CSV is the same ``to_csv``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from infra.reports import compliance_report, decisions_report, expirations_report
from pipeline.reports import Table, to_csv

if TYPE_CHECKING:
    from infra.bootstrap import App

BASE = "/desk/reports"  # where the pages are, for links
ROUTE = "/reports"  # their routes on the desk's own app, mounted at /desk
DOCUMENT_PAGE = "/desk/documents/{document_id}"  # the desk's document page
COMPLIANCE_SHOWN = ("holder", "project", "standing", "insured", "expires_on", "days_left", "open_checks",
                    "document_id")
EXPIRATIONS_SHOWN = ("window", "expiration", "days_left", "insured", "project", "line", "policy_number", "decision",
                     "document_id")
HEADINGS = {"expires_on": "expires", "days_left": "days left", "open_checks": "open checks",
            "document_id": "document", "policy_number": "policy", "non_compliant": "non-compliant",
            "needs_review": "needs review"}

_pages = Environment(loader=PackageLoader("inbox", "report_pages"), undefined=StrictUndefined,
                     autoescape=select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True)


class PageError(ValueError):
    """A form value that cannot be used; its sentence is shown on the page."""


def _day(value: str | None, name: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise PageError(f"{name} must be a date (YYYY-MM-DD), not {value!r}.") from e


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise PageError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
    return int(value)


def _columns(table: Table, shown: tuple[str, ...]) -> tuple[list[str], list[list[Any]]]:
    indexes = [table.columns.index(c) for c in shown]
    return ([HEADINGS.get(c, c.replace("_", " ")) for c in shown],
            [[_plain(row[i]) for i in indexes] for row in table.rows])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _document_link(document_id: str) -> str:
    return DOCUMENT_PAGE.format(document_id=document_id)


def _render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("error", None)
    html = _pages.get_template(name).render(base=BASE, document_link=_document_link, **values)
    return HTMLResponse(html, status, headers={"Cache-Control": "private, no-store",
                                               "Content-Security-Policy": "default-src 'none'; style-src "
                                               "'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"})


def _csv(table: Table, name: str) -> Response:
    return Response(to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "Cache-Control": "private, no-store"})


def add_report_pages(api: FastAPI, app: App, viewer: Callable[..., int]) -> None:
    """Serve the report pages to whoever ``viewer`` lets in, each scoped to the account it answers."""

    def run(fn, *args, **kwargs):
        with app.sessions() as session:
            return fn(session, *args, **kwargs)

    def compliance_args(request: Request) -> tuple[date, int, bool]:
        q = request.query_params
        return (_day(q.get("as_of"), "The day", date.today()), _int(q.get("within"), "Expiring within", 30, 0, 3660),
                q.get("all") == "true")

    @api.get(ROUTE, include_in_schema=False)
    def reports_home(_account_id: int = Depends(viewer)) -> RedirectResponse:
        return RedirectResponse(f"{BASE}/compliance", 303)

    @api.get(f"{ROUTE}/compliance", include_in_schema=False)
    async def compliance_page(request: Request, account_id: int = Depends(viewer)) -> HTMLResponse:
        try:
            day, within, every = compliance_args(request)
        except PageError as e:
            return _render("compliance.html.j2", 400, title="Compliance", error=str(e), as_of="", within=30,
                           every=False, csv_url="", counts_url="", counts=Table("", ()), counts_headings=[],
                           list_headings=[], list_rows=[])
        listing, counts = await run_in_threadpool(run, compliance_report, account_id, day, within,
                                                  every_certificate=every)
        list_headings, list_rows = _columns(listing, COMPLIANCE_SHOWN)
        query = f"as_of={day}&within={within}&all={'true' if every else 'false'}"
        return _render("compliance.html.j2", title=f"Compliance on {day}", as_of=day.isoformat(), within=within,
                       every=every, counts=counts, counts_headings=[HEADINGS.get(c, c) for c in counts.columns],
                       list_headings=list_headings, list_rows=list_rows,
                       csv_url=f"{BASE}/compliance.csv?{query}", counts_url=f"{BASE}/compliance.csv?{query}&counts=true")

    @api.get(f"{ROUTE}/compliance.csv", include_in_schema=False)
    async def compliance_csv(request: Request, account_id: int = Depends(viewer)) -> Response:
        try:
            day, within, every = compliance_args(request)
        except PageError as e:
            return Response(str(e), 400, media_type="text/plain; charset=utf-8")
        listing, counts = await run_in_threadpool(run, compliance_report, account_id, day, within,
                                                  every_certificate=every)
        wanted = request.query_params.get("counts") == "true"
        return _csv(counts if wanted else listing, f"compliance-{day}" + ("-counts" if wanted else ""))

    def expirations_args(request: Request) -> tuple[date, int]:
        q = request.query_params
        return _day(q.get("as_of"), "The day", date.today()), _int(q.get("within"), "Within", 30, 1, 3660)

    @api.get(f"{ROUTE}/expirations", include_in_schema=False)
    async def expirations_page(request: Request, account_id: int = Depends(viewer)) -> HTMLResponse:
        try:
            day, within = expirations_args(request)
        except PageError as e:
            return _render("expirations.html.j2", 400, title="Expirations", error=str(e), as_of=date.today(),
                           within=30, csv_url="", report=Table("", ()), headings=[], rows=[])
        report = await run_in_threadpool(run, expirations_report, account_id, day, within)
        headings, rows = _columns(report, EXPIRATIONS_SHOWN)
        return _render("expirations.html.j2", title="Expirations", as_of=day.isoformat(), within=within,
                       report=report, headings=headings, rows=rows,
                       csv_url=f"{BASE}/expirations.csv?as_of={day}&within={within}")

    @api.get(f"{ROUTE}/expirations.csv", include_in_schema=False)
    async def expirations_csv(request: Request, account_id: int = Depends(viewer)) -> Response:
        try:
            day, within = expirations_args(request)
        except PageError as e:
            return Response(str(e), 400, media_type="text/plain; charset=utf-8")
        report = await run_in_threadpool(run, expirations_report, account_id, day, within)
        return _csv(report, f"expirations-{day}-{within}d")

    def decisions_args(request: Request) -> tuple[date, date, str]:
        q = request.query_params
        until = _day(q.get("until"), "To", date.today())
        since = _day(q.get("since"), "From", until - timedelta(days=365))
        period = q.get("period") or "month"
        if period not in ("day", "week", "month"):
            raise PageError(f"Per is day, week or month, not {period!r}.")
        if since > until:
            raise PageError("From comes after To.")
        return since, until, period

    @api.get(f"{ROUTE}/decisions", include_in_schema=False)
    async def decisions_page(request: Request, account_id: int = Depends(viewer)) -> HTMLResponse:
        try:
            since, until, period = decisions_args(request)
        except PageError as e:
            return _render("decisions.html.j2", 400, title="Decisions over time", error=str(e), since="", until="",
                           period="month", csv_url="", report=Table("", ()), headings=[])
        report = await run_in_threadpool(run, decisions_report, account_id, since, until, period)
        return _render("decisions.html.j2", title="Decisions over time", since=since.isoformat(),
                       until=until.isoformat(), period=period, report=report,
                       headings=[HEADINGS.get(c, c.replace("_", " ")) for c in report.columns],
                       csv_url=f"{BASE}/decisions.csv?since={since}&until={until}&period={period}")

    @api.get(f"{ROUTE}/decisions.csv", include_in_schema=False)
    async def decisions_csv(request: Request, account_id: int = Depends(viewer)) -> Response:
        try:
            since, until, period = decisions_args(request)
        except PageError as e:
            return Response(str(e), 400, media_type="text/plain; charset=utf-8")
        report = await run_in_threadpool(run, decisions_report, account_id, since, until, period)
        return _csv(report, f"decisions-per-{period}")
