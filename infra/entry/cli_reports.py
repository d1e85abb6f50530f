"""``coi documents`` (list, search), ``coi report`` (compliance, expirations, decisions), and the
readable tables of ``coi status`` and ``coi events``: tables for people by default, ``--json`` (or
``--csv`` for reports) for programs. The reports' CSV is ``pipeline.reports.to_csv`` of the same
function the API calls, so the CLI and ``/v1/reports/*.csv`` agree row for row.

Every value shown goes into the table as plain text (``rich.text.Text``): a filename or an insured
name holding ``[bold]`` or terminal control characters is shown, never interpreted."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, timedelta
from typing import Any

import click
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from infra.entry.cli_common import admin_call as _admin, app_of as _app, parse_date as _date
from pipeline.reports import Table

SHORT = 8  # characters of an id shown in tables; `coi status` takes such a prefix


def attach(main: click.Group) -> None:
    main.add_command(documents)
    main.add_command(report)


def _console() -> Console:
    width = None if sys.stdout.isatty() else max(120, shutil.get_terminal_size((120, 24)).columns)
    return Console(file=sys.stdout, width=width, highlight=False, soft_wrap=False, emoji=False)


def _cell(value: Any) -> Text:
    if value is None or value == "":
        return Text("—", style="dim")
    return Text(_visible(value.isoformat() if isinstance(value, date) else str(value)))


def _visible(text: str) -> str:
    """Control characters (a terminal escape in a filename, say) shown as their escapes, not sent to
    the terminal; rich's Text keeps markup as text but lets ESC through."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _say(line: str) -> None:
    click.echo(_visible(line))


def _short(some_id: str | None) -> str | None:
    return some_id[:SHORT] if some_id else None


def _draw(title: str | None, columns: list[str], rows: list[list[Any]], *, empty: str) -> None:
    console = _console()
    if not rows:
        console.print(Text(empty))
        return
    table = RichTable(title=Text(_visible(title)) if title else None, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _account_id(session, slug: str | None) -> tuple[int, str]:
    """The account named, or the only one there is."""
    from sqlalchemy import select

    from infra.admin import require_account
    from infra.models import Account

    if slug:
        account = _admin(require_account, session, slug)
        return account.id, account.slug
    accounts = session.execute(select(Account.id, Account.slug).order_by(Account.slug).limit(6)).all()
    if len(accounts) == 1:
        return accounts[0][0], accounts[0][1]
    if not accounts:
        raise click.ClickException("There is no account yet; create one with `coi account add`.")
    names = ", ".join(slug for _, slug in accounts[:5]) + (", …" if len(accounts) > 5 else "")
    raise click.ClickException(f"Several accounts ({names}): say which with --account.")


# -- coi documents ---------------------------------------------------------------------------------


def _filters(fn):
    for option in reversed([
        click.option("--account", "account_slug", default=None, help="The account (needed when there are several)."),
        click.option("--status", default=None, help="received, stored, reading, extracted, decided, failed, "
                                                    "not_a_certificate"),
        click.option("--decision", type=click.Choice(["approved", "rejected", "needs_review"]), default=None),
        click.option("--tag", default=None, help="The project tag."),
        click.option("--holder", default=None, help="The holder scored against (its exact name)."),
        click.option("--expires-before", default=None, help="YYYY-MM-DD: the relevant policy ends on or before."),
        click.option("--expires-after", default=None, help="YYYY-MM-DD: the relevant policy ends on or after."),
        click.option("--received-after", default=None, help="YYYY-MM-DD (UTC), included."),
        click.option("--received-before", default=None, help="YYYY-MM-DD (UTC), included."),
        click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200)),
        click.option("--offset", default=0, show_default=True, type=click.IntRange(0)),
        click.option("--json", "as_json", is_flag=True, help="One JSON object: total, limit, offset, documents."),
    ]):
        fn = option(fn)
    return fn


def _with_group_options(ctx: click.Context, filters: dict[str, Any]) -> dict[str, Any]:
    """Options given before `list` or `search` (``coi documents --account acme search x``) count too;
    given on both sides, the subcommand's win."""
    parent = ctx.parent.params if ctx.parent is not None and ctx.parent.command is documents else {}
    defaults = {p.name: p.default for p in ctx.command.params}
    return {k: parent[k] if v == defaults.get(k) and parent.get(k, defaults.get(k)) != defaults.get(k) else v
            for k, v in filters.items()}


def _list(ctx: click.Context, q: str | None, account_slug, status, decision, tag, holder, expires_before,
          expires_after, received_after, received_before, limit, offset, as_json) -> None:
    from infra.search import DocumentQuery, QueryError, search_documents

    try:
        query = DocumentQuery(q=q, status=status, decision=decision, tag=tag, holder=holder,
                              expires_before=_date(expires_before), expires_after=_date(expires_after),
                              received_after=_date(received_after), received_before=_date(received_before),
                              limit=limit, offset=offset)
    except QueryError as e:
        raise click.ClickException(str(e)) from e
    with _app(ctx).sessions() as session:
        account_id, slug = _account_id(session, account_slug)
        page = search_documents(session, account_id, query)
    if as_json:
        click.echo(json.dumps(page.to_dict()))
        return
    rows = [[_short(d.document_id), d.received_at.date(), d.insured, d.holder, d.tag,
             d.decision or d.status.replace("_", " "), d.expires_on, d.policy_numbers.replace(" ; ", ", ")]
            for d in page.documents]
    matched = f" matching {q!r}" if q else ""
    if page.approximate:
        _say(f"Nothing matches {q!r} as written; these are close spellings of it.")
    _draw(None, ["id", "received", "insured", "holder", "project", "decision", "expires", "policies"], rows,
          empty=f"No documents of {slug}{matched}.")
    if page.documents:
        shown = f"{offset + 1}–{offset + len(page.documents)} of {page.total} documents of {slug}{matched}"
        more = f"; next: --offset {offset + limit}" if offset + limit < page.total else ""
        click.echo(shown + more + ". `coi status ID` shows one.")


@click.group(invoke_without_command=True)
@_filters
@click.pass_context
def documents(ctx: click.Context, **filters) -> None:
    """An account's documents, newest first (`coi documents search WORDS` to search)."""
    if ctx.invoked_subcommand is None:
        _list(ctx, None, **filters)


@documents.command("list")
@_filters
@click.pass_context
def documents_list(ctx: click.Context, **filters) -> None:
    """The account's documents, newest first, with the filters given."""
    _list(ctx, None, **_with_group_options(ctx, filters))


@documents.command("search")
@click.argument("words", nargs=-1, required=True)
@_filters
@click.pass_context
def documents_search(ctx: click.Context, words: tuple[str, ...], **filters) -> None:
    """Documents whose certificate holds every word: insured, holder, producer, insurer, NAIC,
    policy number (a fragment is enough), description, certificate number. Quote a phrase to keep it whole."""
    _list(ctx, " ".join(f'"{w}"' if " " in w else w for w in words), **_with_group_options(ctx, filters))


# -- coi report ------------------------------------------------------------------------------------


@click.group()
def report() -> None:
    """Reports of an account: compliance, expirations, decisions over time (docs/reports.md)."""


def _output(fn):
    fn = click.option("--json", "as_json", is_flag=True, help="The report as JSON.")(fn)
    fn = click.option("--csv", "as_csv", is_flag=True, help="The report as CSV (as the API's .csv).")(fn)
    return click.option("--account", "account_slug", default=None, help="The account (needed when there are "
                                                                        "several).")(fn)


def _show(table: Table, as_csv: bool, as_json: bool, *, empty: str, screen: tuple[str, ...] | None = None) -> None:
    """CSV or JSON of the whole table; on screen, the ``screen`` columns (all by default), ids shortened."""
    from pipeline.reports import to_csv

    if as_csv:
        click.echo(to_csv(table), nl=False)
        return
    if as_json:
        click.echo(json.dumps({"title": table.title, "columns": list(table.columns), "rows": table.records()}))
        return
    shown = [table.columns.index(c) for c in screen or table.columns]
    rows = [[_readable(table.columns[i], row[i]) for i in shown] for row in table.rows]
    _draw(table.title, [_HEADINGS.get(table.columns[i], table.columns[i].replace("_", " ")) for i in shown], rows,
          empty=empty)


_HEADINGS = {"document_id": "document", "days_left": "days left", "open_checks": "open checks",
             "expires_on": "expires", "policy_number": "policy"}


def _readable(column: str, value: Any) -> Any:
    if column == "document_id":
        return _short(value)
    if column in {"standing", "decision", "line"} and isinstance(value, str):
        return value.replace("_", " ")
    return value


@report.command("compliance")
@_output
@click.option("--as-of", default=None, help="The day, YYYY-MM-DD (default today).")
@click.option("--within", default=30, show_default=True, type=click.IntRange(0, 3660),
              help="Days ahead in which an approved certificate counts as expiring.")
@click.option("--all", "every", is_flag=True, help="Every certificate, not only each insured's newest.")
@click.option("--counts", is_flag=True, help="With --csv or --json: the counts per holder and project only.")
@click.pass_context
def report_compliance(ctx, account_slug, as_csv, as_json, as_of, within, every, counts) -> None:
    """Where each certificate stands, by holder and project: compliant, non-compliant, needs review,
    expired, expiring."""
    from infra.reports import compliance_report

    day = _date(as_of) or date.today()
    with _app(ctx).sessions() as session:
        account_id, slug = _account_id(session, account_slug)
        listing, summary = compliance_report(session, account_id, day, within, every_certificate=every)
    if as_csv or as_json:
        _show(summary if counts else listing, as_csv, as_json, empty="")
        return
    _show(summary, False, False, empty=f"No decided certificates in {slug} yet.")
    if listing.rows:
        _show(listing, False, False, empty="", screen=("holder", "project", "standing", "insured", "expires_on",
                                                       "days_left", "open_checks", "document_id"))


@report.command("expirations")
@_output
@click.option("--as-of", default=None, help="The day, YYYY-MM-DD (default today).")
@click.option("--within", default=90, show_default=True, type=click.IntRange(1, 3660), help="Days ahead: 30, 60, 90…")
@click.pass_context
def report_expirations(ctx, account_slug, as_csv, as_json, as_of, within) -> None:
    """The policies that end within the next days, soonest first, in 30/60/90-day windows."""
    from infra.reports import expirations_report

    day = _date(as_of) or date.today()
    with _app(ctx).sessions() as session:
        account_id, slug = _account_id(session, account_slug)
        table = expirations_report(session, account_id, day, within)
    _show(table, as_csv, as_json, empty=f"No policy of {slug}'s certificates ends in the {within} days after {day}.",
          screen=("window", "expiration", "days_left", "insured", "project", "line", "policy_number", "decision",
                  "document_id"))


@report.command("decisions")
@_output
@click.option("--since", default=None, help="YYYY-MM-DD (default a year before --until).")
@click.option("--until", default=None, help="YYYY-MM-DD (default today).")
@click.option("--period", type=click.Choice(["day", "week", "month"]), default="month", show_default=True)
@click.pass_context
def report_decisions(ctx, account_slug, as_csv, as_json, since, until, period) -> None:
    """Decisions per period: approved, rejected, needs review, overridden."""
    from infra.reports import decisions_report

    end = _date(until) or date.today()
    start = _date(since) or end - timedelta(days=365)
    if start > end:
        raise click.ClickException("--since comes after --until.")
    with _app(ctx).sessions() as session:
        account_id, slug = _account_id(session, account_slug)
        table = decisions_report(session, account_id, start, end, period)
    _show(table, as_csv, as_json, empty=f"No decisions in {slug} from {start} to {end}.")


# -- coi status and coi events, for people ------------------------------------------------------------


def show_status(view: dict[str, Any]) -> None:
    """A document's (or a message's) status as a few lines and a table of its checks."""
    if "message_id" in view:
        _say(f"message {view['message_id']}: {view['status'].replace('_', ' ')}"
                   + (f" ({view['reason']})" if view.get("reason") else ""))
        _say(f"  from {view.get('sender') or 'unknown'} to {view.get('recipient')}; "
                   f"subject: {view.get('subject') or '(none)'}")
        rows = [[_short(d["document_id"]), d["filename"], d["status"].replace("_", " "), d["decision"],
                 d["expires_on"]] for d in view["documents"]]
        _draw(None, ["document", "file", "status", "decision", "expires"], rows,
              empty="It carried no document.")
        return
    _document_lines(view)
    checks = view.get("checks") or []
    rows = [[_words(c.get("line")), _words(c.get("key") or c.get("requirement") or c.get("code")), c.get("outcome"),
             _check_note(c)] for c in checks]
    _draw("Checks", ["line", "check", "outcome", "what was found"], rows, empty="No checks (not scored).")
    future = view.get("future")
    if future:
        _say(f"From {future.get('effective_from')}, {future.get('name')!r} will decide: {future.get('decision')}.")


def _document_lines(view: dict[str, Any]) -> None:
    decision = view.get("decision")
    _say(f"document {view['document_id']} ({view['filename']}, by {view['source']}"
               + (f", project {view['tag']}" if view.get("tag") else "") + ")")
    _say(f"  status: {view['status'].replace('_', ' ')}" + (f"; decision: {decision}" if decision else ""))
    if view.get("override"):
        o = view["override"]
        _say(f"  decided by hand by {o['by']}: {o['reason']}" + (f" (until {o['until']})" if o.get("until") else "")
                   + f"; the checks said {view.get('evaluated_decision')}")
    if view.get("expires_on"):
        _say(f"  expires on {view['expires_on']} ({view.get('expiry_state')})")
    if view.get("error"):
        _say(f"  error {view['error']['code']}: {view['error']['message']}")


def _words(name: str | None) -> str:
    return (name or "").replace("_", " ")


def _check_note(check: dict[str, Any]) -> str:
    note = check.get("message") or ""
    if check.get("waiver"):
        waiver = check["waiver"]
        note += f" (waived by {waiver.get('by')}: {waiver.get('reason')})" if isinstance(waiver, dict) else " (waived)"
    return note


def show_events(events: list[dict[str, Any]]) -> None:
    rows = [[e["created_at"][:19].replace("T", " "), e["type"].removeprefix("coi."), e["account"],
             _short(e.get("document_id")), _event_note(e), "yes" if e.get("published_at") else "not yet"]
            for e in events]
    _draw(None, ["time (UTC)", "event", "account", "document", "about", "sent"], rows, empty="No events.")


def _event_note(event: dict[str, Any]) -> str:
    data = event.get("data") or {}
    parts = [data.get("filename"), (data.get("certificate") or {}).get("insured", {}).get("name")
             if isinstance(data.get("certificate"), dict) else data.get("insured")]
    failed = data.get("failed_checks") or []
    if failed:
        parts.append(f"{len(failed)} open check{'s' if len(failed) != 1 else ''}")
    if data.get("days_left") is not None:
        parts.append(f"{data['days_left']} days left")
    if data.get("reason"):
        parts.append(str(data["reason"]))
    return "; ".join(str(p) for p in parts if p)
