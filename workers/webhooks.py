"""Webhook deliveries: one signed HTTPS POST of the CloudEvent per (event, webhook), retried with
exponential backoff and jitter, dead-lettered after the last try, replayable (`coi events replay`).

Signature (README "Webhooks"): header ``COI-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>``
is HMAC-SHA256 with the webhook's secret over ``f"{t}.".encode() + body``. Receivers check it,
refuse a ``t`` older than a few minutes, and deduplicate by the event id (``COI-Event-Id``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update

from infra.models import Account, Delivery, OutboxEvent, Webhook, utcnow
from infra.repo import claim
from workers.publish import envelope_of

if TYPE_CHECKING:
    from infra.bootstrap import App
    from infra.settings import Settings

log = logging.getLogger(__name__)


class Status:
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    """The receiver's side, as in the README snippet (used by the tests as a real receiver would)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempt: int, settings: Settings, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed try number ``attempt`` (1-based): doubling from the base up to
    the cap, with "equal jitter" (between half and all of it) so receivers are not hit in step."""
    ceiling = min(settings.webhook_max_backoff_seconds, settings.webhook_backoff_seconds * 2 ** (attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def check_url(url: str, allow_http: bool) -> str | None:
    """Why ``url`` cannot be a webhook, or None. Plain http only to loopback unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "A webhook URL starts with https:// and names a host."
    if parts.scheme == "http" and not allow_http and not _loopback(parts.hostname):
        return "Webhooks are sent over HTTPS; plain http:// is for loopback (or set COI_WEBHOOK_ALLOW_HTTP)."
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def deliver(app: App, delivery_id: int, client: httpx.Client | None = None) -> float | None:
    """Try one delivery once. Returns the seconds to wait before the next try, or None when the
    delivery is finished (delivered, dead, or not pending any more)."""
    settings = app.settings
    with app.sessions() as session:
        if not claim(session, Delivery, delivery_id, claimed=Status.SENDING):
            return None  # delivered, dead, or in another worker's hands
        delivery = session.get(Delivery, delivery_id)
        webhook = session.get(Webhook, delivery.webhook_id)
        event = session.get(OutboxEvent, delivery.event_id)
        slug = session.scalars(select(Account.slug).where(Account.id == event.account_id)).one()
        if webhook.disabled_at is not None:
            delivery.status, delivery.last_error = Status.DEAD, "the webhook was removed"
            session.commit()
            return None
        body = json.dumps(envelope_of(event, slug), default=str).encode()
        error = _post(webhook.url, app.secrets.open(webhook.secret), event.id, body, settings, client)
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = Status.DELIVERED, utcnow(), None
            session.commit()
            log.info("event %s delivered to webhook %s", event.id, webhook.id)
            return None
        delivery.last_error = error
        if delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = Status.DEAD, None
            session.commit()
            log.warning("event %s to webhook %s is dead after %s tries: %s", event.id, webhook.id,
                        delivery.attempts, error)
            return None
        wait = backoff(delivery.attempts, settings)
        delivery.status, delivery.next_attempt_at = Status.PENDING, utcnow() + timedelta(seconds=wait)
        session.commit()
        log.info("event %s to webhook %s: try %s failed (%s); next in %.1f s", event.id, webhook.id,
                 delivery.attempts, error, wait)
        return wait


def _post(url: str, secret: str, event_id: str, body: bytes, settings: Settings,
          client: httpx.Client | None) -> str | None:
    """POST once; None on a 2xx answer, else what went wrong."""
    headers = {"Content-Type": "application/cloudevents+json; charset=utf-8", "COI-Event-Id": event_id,
               "COI-Signature": signature(secret, int(time.time()), body), "User-Agent": "coi-intake-webhooks/1"}
    try:
        if client is None:
            with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as own:
                response = own.post(url, content=body, headers=headers)
        else:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def overdue(app: App, now: datetime, grace: timedelta = timedelta(minutes=5)) -> list[int]:
    """Deliveries whose queued message was lost (a broker restart without persistence, a worker
    killed mid-POST): pending past their next try, or taken by a worker long gone. A stale
    ``sending`` one is set pending again; the sweep then sends them all again."""
    with app.sessions() as session:
        session.execute(update(Delivery).where(Delivery.status == Status.SENDING,
                                               Delivery.claimed_at < now - grace).values(status=Status.PENDING))
        session.commit()
        return list(session.scalars(select(Delivery.id).where(
            Delivery.status == Status.PENDING,
            (Delivery.next_attempt_at.is_(None) & (Delivery.created_at < now - grace))
            | (Delivery.next_attempt_at < now - grace))))
