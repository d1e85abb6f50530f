"""A worker service takes the collaborators it names, not the whole App (issue 20): given fakes for
them (an in-memory SQLite sessionmaker, httpx's MockTransport, a StubBroker), it runs with no
composition root, no broker server, no Redis and no PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import dramatiq
import httpx
import pytest
from cryptography.fernet import Fernet
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from standardwebhooks.webhooks import Webhook as StandardWebhook

from infra.db import make_sessionmaker
from infra.models import Account, Base, Delivery, Handoff, OutboxEvent, Webhook
from infra.repo import add_event, hand_on
from infra.secrets import SecretBox
from infra.settings import Settings
from workers.dispatch import dispatch
from workers.publish import plan_deliveries
from workers.webhooks import Status, deliver, new_secret

RECEIVER = "https://hooks.receiver.example/coi"
PUBLIC_ADDRESS = "93.184.216.34"  # any public address: the webhook target check refuses private ones


@pytest.fixture
def sessions() -> Iterator[sessionmaker[Session]]:
    """One in-memory SQLite database for the test, shared by every session (StaticPool)."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def secret_box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
def settings() -> Settings:
    return Settings(webhook_max_attempts=2, webhook_backoff_seconds=10.0, webhook_max_backoff_seconds=60.0)


def pending_delivery(sessions: sessionmaker[Session], secret_box: SecretBox) -> tuple[int, str]:
    """An account with one webhook and one published event planned for it: (delivery id, secret)."""
    secret = new_secret()
    with sessions() as session:
        account = Account(slug="acme", name="Acme")
        session.add(account)
        session.flush()
        session.add(Webhook(account_id=account.id, url=RECEIVER, secret=secret_box.seal(secret)))
        add_event(session, account_id=account.id, type="coi.message.no_attachment", dedupe_key="m1",
                  data={"account": "acme", "message_id": "m1"})
        event = session.scalars(select(OutboxEvent)).one()
        [delivery_id] = plan_deliveries(session, event)
        session.commit()
    return delivery_id, secret


def resolver(host: str, port: int) -> list[str]:
    return [PUBLIC_ADDRESS]


def test_given_fakes_for_what_deliver_names_when_the_receiver_takes_it_then_it_is_delivered_signed(
        sessions, secret_box, settings):
    delivery_id, secret = pending_delivery(sessions, secret_box)
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    wait = deliver(delivery_id, sessions=sessions, settings=settings, secret_box=secret_box, resolver=resolver,
                   transport=httpx.MockTransport(receiver))

    assert wait is None
    with sessions() as session:
        delivery = session.get(Delivery, delivery_id)
        assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.DELIVERED, 1, None)
    [request] = received
    assert (request.url.host, request.headers["Host"]) == (PUBLIC_ADDRESS, "hooks.receiver.example")
    body = request.read()
    assert json.loads(body)["type"] == "coi.message.no_attachment"
    StandardWebhook(secret).verify(body, dict(request.headers))  # raises when the signature is wrong


def test_given_fakes_for_what_deliver_names_when_the_receiver_fails_then_a_later_try_is_planned(
        sessions, secret_box, settings):
    delivery_id, _ = pending_delivery(sessions, secret_box)
    failing = httpx.MockTransport(lambda request: httpx.Response(503, text="down for maintenance"))

    wait = deliver(delivery_id, sessions=sessions, settings=settings, secret_box=secret_box, resolver=resolver,
                   transport=failing)

    assert wait is not None and 5.0 <= wait <= 10.0  # half to all of the first backoff (equal jitter)
    with sessions() as session:
        delivery = session.get(Delivery, delivery_id)
        assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
        assert delivery.last_error == "HTTP 503: down for maintenance"


def test_given_a_stub_broker_and_sqlite_when_dispatching_then_the_broker_gets_the_message_and_the_row_goes(
        sessions):
    broker = StubBroker()
    dramatiq.actor(lambda document_id: None, broker=broker, actor_name="read_document")  # the stage named
    with sessions() as session:
        handoff = hand_on(session, "read_document", "doc-1")
        session.commit()

    assert dispatch([handoff], broker=broker, sessions=sessions) is True

    [message] = broker.queues["default"].queue
    assert json.loads(message)["actor_name"] == "read_document"
    assert json.loads(message)["args"] == ["doc-1"]
    with sessions() as session:
        assert session.scalars(select(Handoff)).all() == []


class NotedAcceptances:
    """A stand-in for the Redis the sweep asks: the relay's acceptances noted by notification id."""

    def __init__(self, accepted: dict[str, str]):
        self.accepted = accepted

    def get(self, key: str) -> bytes | None:
        value = self.accepted.get(key)
        return value.encode() if value is not None else None


def test_given_a_fake_redis_when_the_sweep_finds_a_notification_left_sending_then_its_noted_acceptance_decides(
        sessions, secret_box):
    """find_stalled names sessions and redis: a row the relay accepted is recorded sent, not mailed again;
    a row it never accepted is pending again (the sweep sends it)."""
    from datetime import timedelta

    from infra.models import Notification, utcnow
    from workers.notify import accepted_key
    from workers.sweep import find_stalled

    pending_delivery(sessions, secret_box)  # an account and an event to hang the notifications on
    long_ago = utcnow() - timedelta(hours=1)
    accepted_at = long_ago + timedelta(seconds=1)
    with sessions() as session:
        event_id = session.scalars(select(OutboxEvent.id)).one()
        rows = [Notification(event_id=event_id, kind="no_attachment_to_sender", status="sending",
                             recipient=f"agent{n}@contractor.example", claimed_at=long_ago, created_at=long_ago)
                for n in (1, 2)]
        session.add_all(rows)
        session.commit()
        accepted_id, unsent_id = (row.id for row in rows)
    redis = NotedAcceptances({accepted_key(accepted_id): accepted_at.isoformat()})

    swept = find_stalled(utcnow(), sessions=sessions, redis=redis)

    with sessions() as session:
        assert session.get(Notification, accepted_id).status == "sent"
        assert session.get(Notification, unsent_id).status == "pending"
    assert swept.notifications == [unsent_id]
