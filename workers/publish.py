"""The outbox relay: events committed with their state change are published afterwards.

Each event becomes a CloudEvent (pipeline/events.py) and goes to
- the account's Redis Stream ``coi:events:<account>`` (entry fields ``id``, ``type``, ``event``:
  the CloudEvent JSON), read by consumer groups inside the network;
- every active webhook of the account: a ``deliveries`` row each, sent by ``deliver_webhook``;
- the people concerned: ``notifications`` rows (workers/notify.py), sent by ``send_notification``.
The rows are written in the transaction that marks the event published. Delivery is at least once
(a crash between XADD and that commit adds the entry again): consumers deduplicate by event id.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from infra.models import Account, Delivery, OutboxEvent, Webhook, utcnow
from infra.repo import insert_ignore
from pipeline.events import envelope
from workers import notify

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from infra.bootstrap import App

log = logging.getLogger(__name__)
BATCH = 100
PUBLISH_LOCK = "coi:publish:lock"
LOCK_SECONDS = 300  # far beyond one batch; a publisher that dies frees it by then


def stream_name(account_slug: str) -> str:
    return f"coi:events:{account_slug}"


def envelope_of(event: OutboxEvent, account_slug: str) -> dict[str, Any]:
    return envelope(id=event.id, type=event.type, account=account_slug, time=event.created_at, data=event.data,
                    document_id=event.document_id, message_id=event.message_id)


def add_to_stream(client, event: OutboxEvent, slug: str, maxlen: int) -> None:
    body = json.dumps(envelope_of(event, slug), default=str)
    client.xadd(stream_name(slug), {"id": event.id, "type": event.type, "event": body}, maxlen=maxlen,
                approximate=True)


def publish_pending(app: App) -> int:
    """Publish every unpublished event; returns how many were published.

    One publisher at a time (a Redis lock), so two workers never plan the same event's deliveries
    and notifications twice. A caller that finds the lock taken leaves: the holder looks for new
    events once more after letting go, so none committed meanwhile is left behind."""
    client = app.redis
    published = 0
    while True:
        lock = client.lock(PUBLISH_LOCK, timeout=LOCK_SECONDS, blocking=False)
        if not lock.acquire():
            return published
        try:
            published += _publish_batches(app, client)
        finally:
            lock.release()
        with app.sessions() as session:
            waiting = session.scalars(select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None))).first()
        if waiting is None:
            return published


def _publish_batches(app: App, client) -> int:
    maxlen = app.settings.events_stream_maxlen
    published = 0
    while True:
        with app.sessions() as session:
            rows = session.execute(
                select(OutboxEvent, Account.slug).join(Account, Account.id == OutboxEvent.account_id)
                .where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.created_at).limit(BATCH)
            ).all()
            if not rows:
                return published
            for event, slug in rows:
                add_to_stream(client, event, slug, maxlen)
                deliveries = plan_deliveries(session, event)
                notifications = notify.plan(session, app.settings, event)
                event.published_at = utcnow()
                session.commit()
                for delivery_id in deliveries:
                    app.actors.deliver_webhook.send(delivery_id)
                for notification_id in notifications:
                    app.actors.send_notification.send(notification_id)
                published += 1
                log.info("published %s %s", event.type, event.id)


def plan_deliveries(session: Session, event: OutboxEvent) -> list[int]:
    """A pending delivery of ``event`` to each active webhook of its account."""
    hooks = session.scalars(select(Webhook.id).where(Webhook.account_id == event.account_id,
                                                     Webhook.disabled_at.is_(None))).all()
    for hook in hooks:
        insert_ignore(session, Delivery, {"event_id": event.id, "webhook_id": hook, "status": "pending",
                                          "attempts": 0, "created_at": utcnow()}, ["event_id", "webhook_id"])
    return list(session.scalars(select(Delivery.id).where(Delivery.event_id == event.id,
                                                          Delivery.status == "pending")))
