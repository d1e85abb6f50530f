"""The sweep: work whose queue message was lost is sent again (run by the scheduler).

A message can be lost when the broker restarts without persistence, or a broker loses a message it
took (the hand-offs of workers/handoffs.py cover a broker that is away when a stage ends). Every
actor is idempotent, so sending again is safe; the sweep only picks up work idle for longer than a
grace period, so it does not race the queue.

A notification left ``sending`` is sent again only when the relay never accepted it: one the relay
accepted just as the database went away is found in Redis (workers/notify.py) and recorded as sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from infra.models import Document, InboundMessage, Notification, OutboxEvent
from pipeline.states import DocumentStatus, MessageStatus
from workers.notify import accepted_at
from workers.webhooks import overdue

if TYPE_CHECKING:
    import dramatiq
    from redis import Redis
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=5)
STALLED = timedelta(minutes=30)  # beyond the read stage's 10-minute time limit and its retries
NOTIFY_FOR = timedelta(days=1)  # a notification not sent within a day is dropped, not retried forever


@dataclass
class Swept:
    messages: list[str] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)  # id → status
    events: int = 0
    deliveries: list[int] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)


def find_stalled(now: datetime, *, sessions: sessionmaker[Session], redis: Redis) -> Swept:
    swept = Swept(deliveries=overdue(now, GRACE, sessions=sessions))
    with sessions() as session:
        swept.messages = list(session.scalars(select(InboundMessage.id).where(
            InboundMessage.status == MessageStatus.RECEIVED.value, InboundMessage.received_at < now - GRACE)))
        working = [DocumentStatus.STORED.value, DocumentStatus.READING.value, DocumentStatus.EXTRACTED.value]
        swept.documents = dict(session.execute(select(Document.id, Document.status).where(
            Document.status.in_(working), Document.updated_at < now - STALLED)).all())
        swept.events = len(session.scalars(select(OutboxEvent.id).where(
            OutboxEvent.published_at.is_(None), OutboxEvent.created_at < now - GRACE)).all())
        _settle_sending(redis, session, now)
        swept.notifications = list(session.scalars(select(Notification.id).where(
            Notification.status == "pending", Notification.created_at < now - GRACE,
            Notification.created_at > now - NOTIFY_FOR)))
    return swept


def _settle_sending(redis: Redis, session, now: datetime) -> None:
    """Notifications taken by a worker that never finished: sent when the relay accepted them (the
    Redis mark), else pending again. With Redis unreachable they wait for the next sweep: a row is
    not mailed again without knowing it was not accepted."""
    stuck = session.scalars(select(Notification.id).where(Notification.status == "sending",
                                                          Notification.claimed_at < now - GRACE)).all()
    for notification_id in stuck:
        try:
            accepted = accepted_at(notification_id, redis=redis)
        except Exception:
            log.warning("Redis cannot be asked whether notification %s was accepted; it is left for the next sweep",
                        notification_id, exc_info=True)
            continue
        if accepted is not None:
            log.info("notification %s was accepted by the relay at %s; recorded as sent", notification_id, accepted)
            values = {"status": "sent", "sent_at": datetime.fromisoformat(accepted)}
        else:
            values = {"status": "pending"}
        session.execute(update(Notification).where(Notification.id == notification_id,
                                                   Notification.status == "sending").values(**values))
    session.commit()


def resend(swept: Swept, *, broker: dramatiq.Broker) -> None:
    """Send the swept work again, to the actors declared on ``broker`` (workers/actors.py)."""
    def send(actor: str, *args) -> None:
        broker.get_actor(actor).send(*args)

    for message_id in swept.messages:
        send("split_message", message_id)
    for document_id, status in swept.documents.items():
        send("score_document" if status == DocumentStatus.EXTRACTED else "read_document", document_id)
    if swept.events:
        send("publish_events")
    for delivery_id in swept.deliveries:
        send("deliver_webhook", delivery_id)
    for notification_id in swept.notifications:
        send("send_notification", notification_id)
