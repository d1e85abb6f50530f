"""The holder's reports (infra/reports.py) on SQLite and PostgreSQL: where each certificate stands,
expiration windows, decisions over time; the CLI's CSV and the API's agree row for row; listing and
reports take a read token and stay inside its account."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from desk_data import account, certificate, db_app, decided  # noqa: F401 - db_app is a fixture
from inbox.api import create_api
from infra.admin import override
from infra.reports import compliance_report, decisions_report, expirations_report
from infra.tokens import create_token
from services import actors_of

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)
FAR = TODAY + timedelta(days=300)


def rows(table) -> list[dict]:
    return table.records()


@pytest.fixture
def acme(db_app):
    """Acme's certificates, scored on TODAY, each insured's standing named after it."""
    account_id = account(db_app, "acme")

    def add(insured, expires, *, tag=None, occurrence=1_000_000, received=None, **kwargs):
        return decided(db_app, account_id, certificate(insured=insured, expires=expires, occurrence=occurrence,
                                                       **kwargs), as_of=TODAY, tag=tag, received=received)

    ids = {
        "compliant": add("Compliant Co", FAR, tag="lot-14"),
        "rejected": add("Underinsured LLC", FAR, occurrence=250_000),
        "expiring": add("Soon Ending Inc", TODAY + timedelta(days=20), policy="GL-20"),
        "expired": add("Lapsed Ltd", TODAY + timedelta(days=5)),  # in force when scored, lapsed by the report's day
        "review": add("Queried Corp", FAR),
        "old": add("Renewed Roofing", TODAY + timedelta(days=10), received=datetime(2026, 1, 5, tzinfo=timezone.utc)),
        "renewal": add("Renewed Roofing", FAR),
    }
    with db_app.sessions() as session:
        override(session, ids["review"], "needs_review", by="rita@acme.test", reason="asked the agent")
    return account_id, ids


def test_given_each_standing_then_the_compliance_report_lists_and_counts_it(db_app, acme):
    account_id, ids = acme
    day = TODAY + timedelta(days=7)  # Lapsed Ltd ended two days before
    with db_app.sessions() as session:
        listing, counts = compliance_report(session, account_id, day, within=30)
    standing = {r["document_id"]: r["standing"] for r in rows(listing)}
    assert standing == {ids["compliant"]: "compliant", ids["rejected"]: "non_compliant",
                        ids["expiring"]: "expiring", ids["expired"]: "expired", ids["review"]: "needs_review",
                        ids["renewal"]: "compliant"}  # the renewed certificate replaces the old one
    rejected = next(r for r in rows(listing) if r["document_id"] == ids["rejected"])
    assert rejected["open_checks"] == "limit_below_minimum (general_liability)"
    assert rejected["holder"] == "Riverside Depot Partners LP" and rejected["days_left"] == 293
    assert rows(counts) == [
        {"holder": "Riverside Depot Partners LP", "project": "", "expired": 1, "non_compliant": 1, "needs_review": 1,
         "expiring": 1, "compliant": 1, "total": 5},
        {"holder": "Riverside Depot Partners LP", "project": "lot-14", "expired": 0, "non_compliant": 0,
         "needs_review": 0, "expiring": 0, "compliant": 1, "total": 1}]


def test_given_every_certificate_asked_for_then_the_renewed_one_is_listed_too(db_app, acme):
    account_id, ids = acme
    with db_app.sessions() as session:
        listing, _ = compliance_report(session, account_id, TODAY, within=30, every_certificate=True)
    standing = {r["document_id"]: r["standing"] for r in rows(listing)}
    assert standing[ids["old"]] == "expiring" and standing[ids["renewal"]] == "compliant"


def test_given_policies_ending_soon_then_the_expirations_report_puts_each_in_its_window(db_app):
    account_id = account(db_app, "acme")
    for insured, days in (("In Twenty", 20), ("In Forty-Five", 45), ("In Eighty", 80), ("In Two Hundred", 200)):
        decided(db_app, account_id, certificate(insured=insured, expires=TODAY + timedelta(days=days)), as_of=TODAY)
    with db_app.sessions() as session:
        table = expirations_report(session, account_id, TODAY, within=90)
    seen = [(r["insured"], r["line"], r["window"], r["days_left"]) for r in rows(table)]
    # the lines the requirement set looks at (general liability, workers compensation), not the auto policy
    assert seen == [("In Twenty", "general_liability", 30, 20), ("In Twenty", "workers_compensation", 30, 20),
                    ("In Forty-Five", "general_liability", 60, 45), ("In Forty-Five", "workers_compensation", 60, 45),
                    ("In Eighty", "general_liability", 90, 80), ("In Eighty", "workers_compensation", 90, 80)]
    assert rows(table)[0]["insurer"] == "Pioneer Mutual Insurance Co"


def test_given_decisions_over_months_then_the_decisions_report_counts_them_per_month(db_app, acme):
    account_id, _ = acme
    with db_app.sessions() as session:
        table = decisions_report(session, account_id, date.today() - timedelta(days=40), date.today(), "month")
        before = decisions_report(session, account_id, date(2020, 1, 1), date(2020, 12, 31), "month")
    [month] = rows(table)  # every decision was announced today (the clock's, not the scoring day), in one month
    assert rows(before) == []
    assert month["period"] == date.today().replace(day=1).isoformat()
    assert (month["approved"], month["rejected"], month["overridden"], month["total"]) == (6, 1, 1, 8)


def test_given_a_cell_that_looks_like_a_formula_then_the_csv_keeps_it_as_text(db_app):
    from pipeline.reports import to_csv

    account_id = account(db_app, "acme")
    decided(db_app, account_id, certificate(insured='=HYPERLINK("http://evil.example","x")', expires=FAR),
            as_of=TODAY)
    with db_app.sessions() as session:
        listing, _ = compliance_report(session, account_id, TODAY)
    [row] = list(csv.DictReader(io.StringIO(to_csv(listing))))
    assert row["insured"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"


# -- the CLI and the API ----------------------------------------------------------------------------


@pytest.fixture
def coi(db_app, monkeypatch):
    monkeypatch.setenv("COI_DATABASE_URL", db_app.settings.resolved_database_url())
    monkeypatch.setenv("COI_VAR_DIR", str(db_app.settings.var_dir))
    from infra.entry.cli import main

    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


@pytest.fixture
def api(db_app):
    with TestClient(create_api(db_app, actors_of(db_app))) as client:
        yield client


def read_token(app, slug: str, scope: str = "read") -> dict[str, str]:
    with app.sessions() as session:
        return {"Authorization": f"Bearer {create_token(session, slug, 'reports', scope)[1]}"}


@pytest.mark.parametrize("report, query", [
    ("compliance", ["--as-of", "2026-06-08", "--within", "30"]),
    ("compliance", ["--as-of", "2026-06-08", "--counts"]),
    ("expirations", ["--as-of", "2026-06-01", "--within", "60"]),
])
def test_given_the_same_data_then_the_cli_csv_and_the_api_csv_agree_row_for_row(db_app, acme, coi, api, report,
                                                                                 query):
    auth = read_token(db_app, "acme")
    params = {"as_of": query[1]} | ({"within": query[3]} if len(query) > 3 else {}) \
        | ({"counts": "true"} if "--counts" in query else {})
    answer = api.get(f"/v1/reports/{report}.csv", params=params, headers=auth)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    printed = coi("report", report, "--account", "acme", "--csv", *query)
    assert list(csv.reader(io.StringIO(printed))) == list(csv.reader(io.StringIO(answer.text)))
    assert len(list(csv.reader(io.StringIO(printed)))) > 2  # a header and rows, not two empty answers


def test_given_an_upload_token_then_listing_and_reports_are_refused(db_app, acme, api):
    upload = read_token(db_app, "acme", scope="upload")
    for path in ("/v1/documents", "/v1/reports/compliance.csv", "/v1/reports/expirations", "/v1/reports/decisions"):
        answer = api.get(path, headers=upload)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "token_cannot_list", path
        assert "--scope read" in answer.json()["error"]["message"]


def test_given_a_read_token_then_the_api_lists_searches_and_filters_the_accounts_documents(db_app, acme, api):
    _, ids = acme
    globex = account(db_app, "globex")
    theirs = decided(db_app, globex, certificate(insured="Soon Ending Inc", policy="GL-20", expires=FAR), as_of=TODAY)
    auth = read_token(db_app, "acme")
    listed = api.get("/v1/documents", params={"limit": 3}, headers=auth).json()
    assert listed["total"] == len(ids) and len(listed["documents"]) == 3
    found = api.get("/v1/documents", params={"q": "GL-20"}, headers=auth).json()["documents"]
    assert [d["document_id"] for d in found] == [ids["expiring"]]
    rejected = api.get("/v1/documents", params={"decision": "rejected"}, headers=auth).json()["documents"]
    assert [d["document_id"] for d in rejected] == [ids["rejected"]]
    soon = api.get("/v1/documents", params={"expires_before": "2026-06-30"}, headers=auth).json()["documents"]
    assert {d["document_id"] for d in soon} == {ids["expiring"], ids["expired"], ids["old"]}
    assert api.get("/v1/documents", params={"tag": "lot-14"}, headers=auth).json()["documents"][0]["document_id"] \
        == ids["compliant"]
    bad = api.get("/v1/documents", params={"status": "done"}, headers=auth)
    assert bad.status_code == 422 and "status is one of" in bad.json()["error"]["message"]
    theirs_auth = read_token(db_app, "globex")
    assert [d["document_id"] for d in api.get("/v1/documents", params={"q": "GL-20"}, headers=theirs_auth)
            .json()["documents"]] == [theirs]
    for path in ("/v1/reports/compliance.csv", "/v1/reports/expirations.csv?within=400"):
        text = api.get(path, headers=theirs_auth).text
        assert theirs in text and not any(i in text for i in ids.values()), path


def test_given_the_cli_then_documents_list_search_and_json_work_and_show_people_tables(db_app, acme, coi):
    _, ids = acme
    table = coi("documents", "--account", "acme")
    assert ids["compliant"][:8] in table and "Compliant Co" in table and "1–7 of 7 documents of acme" in table
    found = coi("documents", "search", "GL-20", "--account", "acme")
    assert ids["expiring"][:8] in found and ids["compliant"][:8] not in found
    page = json.loads(coi("documents", "list", "--decision", "rejected", "--json"))  # the only account: no --account
    assert [d["document_id"] for d in page["documents"]] == [ids["rejected"]]
    before = json.loads(coi("documents", "--account", "acme", "--tag", "lot-14", "search", "Compliant", "--json"))
    assert [d["document_id"] for d in before["documents"]] == [ids["compliant"]]  # options before the subcommand
    account(db_app, "globex")
    assert "Several accounts (acme, globex): say which with --account" in coi("documents", ok=False)
    assert json.loads(coi("documents", "list", "--account", "globex", "--json"))["documents"] == []


def test_given_a_short_id_then_status_shows_the_document_and_an_ambiguous_one_says_so(db_app, acme, coi):
    account_id, ids = acme
    shown = coi("status", ids["rejected"][:8])
    assert f"document {ids['rejected']}" in shown and "decision: rejected" in shown
    assert "$250,000" in shown and "fail" in shown  # the checks' table
    assert json.loads(coi("status", ids["rejected"][:8], "--json"))["decision"] == "rejected"
    for twin in ("abcdef01" + "0" * 24, "abcdef02" + "0" * 24):
        decided(db_app, account_id, certificate(insured="Twin Co", expires=FAR), as_of=TODAY, document_id=twin)
    refused = coi("status", "abcdef", ok=False)
    assert "'abcdef' is the start of several ids" in refused and "abcdef01" in refused and "abcdef02" in refused
    assert "document abcdef02" in coi("status", "abcdef02")
    assert "at least 6 characters" in coi("status", "abc", ok=False)


def test_given_a_holder_added_twice_then_the_cli_says_so_in_one_line(coi):
    coi("migrate")
    coi("account", "add", "acme", "--name", "Acme")
    coi("holder", "add", "Harbor", "--account", "acme")
    said = coi("holder", "add", "Harbor", "--account", "acme", ok=False)
    assert said.strip() == "Error: A holder 'Harbor' exists already in account 'acme'."


def test_given_markup_and_terminal_escapes_in_a_name_then_the_tables_show_them_as_text(db_app, coi):
    account_id = account(db_app, "acme")
    name = "Evil \x1b[2J[bold]Co[/bold]"
    document_id = decided(db_app, account_id, certificate(insured=name, expires=FAR), as_of=TODAY,
                          filename="evil\x1b]0;title\x07[red]x[/red].pdf")
    for args in (("documents",), ("report", "compliance"), ("status", document_id), ("events",)):
        shown = coi(*args)
        assert "\x1b" not in shown and "\x07" not in shown, args
    assert "(evil\\x1b]0;title\\x07[red]x[/red].pdf, by upload)" in coi("status", document_id)
    assert "[bold]" in coi("documents")  # the insured's markup, as text


def test_given_a_message_id_then_status_shows_the_message_and_its_documents(db_app, acme, coi):
    from infra.models import InboundMessage, MessageDocument

    account_id, ids = acme
    with db_app.sessions() as session:
        message = InboundMessage(account_id=account_id, storage_key="m", sender="agent@example.test",
                                 recipient="acme@coi.test", subject="COI for Underinsured", size=1, status="split")
        session.add(message)
        session.flush()
        session.add(MessageDocument(message_id=message.id, document_id=ids["rejected"]))
        session.commit()
        message_id = message.id
    shown = coi("status", message_id[:10])
    assert f"message {message_id}: split" in shown and "from agent@example.test to acme@coi.test" in shown
    assert ids["rejected"][:8] in shown and "rejected" in shown
