"""``/desk/reports``: the report pages, mounted with a stand-in for the desk's sign-in (a header
naming the account), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from desk_data import account, certificate, db_app, decided  # noqa: F401 - db_app is a fixture
from inbox.report_pages import add_report_pages
from infra.reports import compliance_report
from pipeline.reports import to_csv

pytestmark = pytest.mark.integration

TODAY = date.today()


@pytest.fixture
def pages(db_app):
    """The pages behind a stand-in sign-in: ``X-Account`` names the account id, none is refused."""
    def viewer(x_account: int | None = Header(None)) -> int:
        if x_account is None:
            raise HTTPException(401, "sign in")
        return x_account

    desk, api = FastAPI(), FastAPI()  # as the desk does: its own app, mounted at /desk
    add_report_pages(desk, db_app, viewer)
    api.mount("/desk", desk)
    with TestClient(api) as client:
        yield client


@pytest.fixture
def two_accounts(db_app):
    acme, globex = account(db_app, "acme"), account(db_app, "globex")
    ours = {
        "script": decided(db_app, acme, certificate(insured="<script>alert(1)</script> Roofing",
                                                    expires=TODAY + timedelta(days=20)), as_of=TODAY),
        "short": decided(db_app, acme, certificate(insured="Short Limits Co", expires=TODAY + timedelta(days=200),
                                                   occurrence=100_000), as_of=TODAY),
    }
    theirs = decided(db_app, globex, certificate(insured="Globex Only Inc", expires=TODAY + timedelta(days=20)),
                     as_of=TODAY)
    return acme, ours, theirs


def test_given_no_sign_in_then_no_report_page_is_shown(pages):
    for path in ("/desk/reports", "/desk/reports/compliance", "/desk/reports/expirations.csv",
                 "/desk/reports/decisions"):
        assert pages.get(path, follow_redirects=False).status_code == 401, path


def test_given_the_compliance_page_then_it_counts_lists_escapes_and_stays_in_the_account(db_app, pages, two_accounts):
    acme, ours, theirs = two_accounts
    page = pages.get("/desk/reports/compliance", headers={"X-Account": str(acme)})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Roofing" in html and "<script>" not in html
    assert 'class="expiring">expiring' in html and 'class="non_compliant">non compliant' in html
    assert f'href="/desk/documents/{ours["short"]}"' in html
    assert "Globex Only Inc" not in html and theirs not in html
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html  # nothing from elsewhere


def test_given_the_compliance_csv_of_the_page_then_it_is_the_reports_csv(db_app, pages, two_accounts):
    acme, _, theirs = two_accounts
    got = pages.get("/desk/reports/compliance.csv", params={"as_of": TODAY.isoformat(), "within": "30"},
                    headers={"X-Account": str(acme)})
    with db_app.sessions() as session:
        listing, _ = compliance_report(session, acme, TODAY, 30)
    assert got.text == to_csv(listing) and theirs not in got.text
    assert len(list(csv.reader(io.StringIO(got.text)))) == 3


def test_given_the_expirations_and_decisions_pages_then_they_show_the_accounts_rows(pages, two_accounts):
    acme, ours, theirs = two_accounts
    html = pages.get("/desk/reports/expirations", params={"within": "30"}, headers={"X-Account": str(acme)}).text
    assert ours["script"][:8] in html and ours["short"][:8] not in html and theirs[:8] not in html
    assert '<strong aria-current="page">30</strong>' in html
    decisions = pages.get("/desk/reports/decisions", params={"period": "day"}, headers={"X-Account": str(acme)}).text
    assert f"<td>{TODAY.isoformat()}</td>" in decisions


def test_given_a_wrong_form_value_then_the_page_says_what_is_wrong(pages, two_accounts):
    acme, _, _ = two_accounts
    page = pages.get("/desk/reports/compliance", params={"as_of": "<b>tomorrow</b>"}, headers={"X-Account": str(acme)})
    assert page.status_code == 400 and "must be a date (YYYY-MM-DD)" in page.text and "<b>tomorrow" not in page.text
    wrong = pages.get("/desk/reports/decisions", params={"period": "year"}, headers={"X-Account": str(acme)})
    assert wrong.status_code == 400 and "day, week or month" in wrong.text
