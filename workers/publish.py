"""The outbox relay: events committed with their state change are published afterwards.

For now the destination is one Redis Stream per account (``coi:events:<account>``) on the
broker's Redis; every entry carries the event id, so consumers deduplicate (delivery is at
least once: a crash between XADD and marking the row published sends it again).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from infra.models import Account, OutboxEvent, utcnow

if TYPE_CHECKING:
    from infra.bootstrap import App

log = logging.getLogger(__name__)
BATCH = 100


def stream_name(account_slug: str) -> str:
    return f"coi:events:{account_slug}"


def publish_pending(app: App) -> int:
    """Publish every unpublished event; returns how many were published."""
    client = app.broker_handle.broker.client
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
                client.xadd(stream_name(slug), {"id": event.id, "type": event.type,
                                                "data": json.dumps(event.data, default=str)})
                event.published_at = utcnow()
                session.commit()
                published += 1
                log.info("published %s %s", event.type, event.id)
