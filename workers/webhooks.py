"""Webhook deliveries: one signed HTTPS POST of the CloudEvent per (event, webhook), retried with
exponential backoff and jitter, dead-lettered after the last try, replayable (`coi events replay`).

Signatures (README "Webhooks") follow Standard Webhooks (https://www.standardwebhooks.com), made
with its reference library ``standardwebhooks``: headers ``webhook-id`` (the event id, the same on
every try), ``webhook-timestamp`` (unix seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256>``
over ``f"{id}.{timestamp}.".encode() + body``, keyed with the base64-decoded secret), so a receiver
verifies with any Standard Webhooks library. For one release the earlier header is sent beside them:
``COI-Signature: t=<unix seconds>,v1=<hex>``, HMAC-SHA256 keyed with the secret string over
``f"{t}.".encode() + body`` (and ``COI-Event-Id``).

Where a webhook may point (server-side request forgery): workers/targets.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import random
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select, update
from standardwebhooks.webhooks import EmptyWebhookSecretError
from standardwebhooks.webhooks import Webhook as StandardWebhook

from infra.metrics import WEBHOOK_DELIVERIES
from infra.models import Account, Delivery, OutboxEvent, Webhook, utcnow
from infra.repo import claim
from workers.publish import body_of
from workers.targets import DEFAULT_PORTS, Resolver, TargetRefused, check_url, checked_addresses, parsed, resolve

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from infra.secrets import SecretBox
    from infra.settings import Settings

log = logging.getLogger(__name__)


class Status:
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"


def new_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes: the secret form Standard Webhooks libraries read.
    (Secrets made before were URL-safe base64, which some of them refuse: README "Webhooks".)"""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signed_headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every signature header of one POST: Standard Webhooks' three, and ``COI-Signature`` (one more
    release). A secret the Standard Webhooks library cannot read gets ``COI-Signature`` alone."""
    headers = {"COI-Event-Id": event_id, "COI-Signature": signature(secret, timestamp, body)}
    try:
        signer = StandardWebhook(secret)
    except (binascii.Error, ValueError, EmptyWebhookSecretError):
        log.warning("a webhook secret is not in the Standard Webhooks form; only COI-Signature is sent: "
                    "add the webhook again for a new secret")
        return headers
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return {"webhook-id": event_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signer.sign(event_id, moment, body), **headers}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``COI-Signature``, the header before Standard Webhooks; sent for one more release."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    """The receiver's side of ``COI-Signature`` (the tests check it as a receiver of before would)."""
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


def deliver(delivery_id: int, *, sessions: sessionmaker[Session], settings: Settings, secret_box: SecretBox,
            resolver: Resolver = resolve, transport: httpx.BaseTransport | None = None) -> float | None:
    """Try one delivery once. Returns the seconds to wait before the next try, or None when the
    delivery is finished (delivered, dead, or not pending any more). ``secret_box`` opens the
    webhook's stored signing secret; ``transport`` is httpx's (None: the network)."""
    with sessions() as session:
        if not claim(session, Delivery, delivery_id, claimed=Status.SENDING):
            return None  # delivered, dead, or in another worker's hands
        delivery = session.get(Delivery, delivery_id)
        webhook = session.get(Webhook, delivery.webhook_id)
        event = session.get(OutboxEvent, delivery.event_id)
        slug = session.scalars(select(Account.slug).where(Account.id == event.account_id)).one()
        if webhook.disabled_at is not None:
            delivery.status, delivery.last_error = Status.DEAD, "the webhook was removed"
            session.commit()
            WEBHOOK_DELIVERIES.labels("removed").inc()
            return None
        body = body_of(event, slug)
        delivery.attempts += 1
        try:
            error = _post(webhook.url, secret_box.open(webhook.secret), event.id, body, settings, resolver, transport)
        except TargetRefused as refused:
            delivery.status, delivery.next_attempt_at = Status.DEAD, None
            delivery.last_error = f"refused: {refused}"[:500]
            session.commit()
            WEBHOOK_DELIVERIES.labels("refused").inc()
            log.warning("event %s to webhook %s is dead: the target was refused: %s", event.id, webhook.id, refused)
            return None
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = Status.DELIVERED, utcnow(), None
            session.commit()
            WEBHOOK_DELIVERIES.labels("delivered").inc()
            log.info("event %s delivered to webhook %s", event.id, webhook.id)
            return None
        delivery.last_error = error
        if delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = Status.DEAD, None
            session.commit()
            WEBHOOK_DELIVERIES.labels("dead").inc()
            log.warning("event %s to webhook %s is dead after %s tries: %s", event.id, webhook.id,
                        delivery.attempts, error)
            return None
        wait = backoff(delivery.attempts, settings)
        delivery.status, delivery.next_attempt_at = Status.PENDING, utcnow() + timedelta(seconds=wait)
        session.commit()
        WEBHOOK_DELIVERIES.labels("retry").inc()
        log.info("event %s to webhook %s: try %s failed (%s); next in %.1f s", event.id, webhook.id,
                 delivery.attempts, error, wait)
        return wait


MAX_ANSWER_READ = 4096  # of a receiver's answer body, for the error message; the rest is not read


def _post(url: str, secret: str, event_id: str, body: bytes, settings: Settings, resolver: Resolver,
          transport: httpx.BaseTransport | None) -> str | None:
    """POST once, to a checked address of the URL's host; None on a 2xx answer, else what went
    wrong. TargetRefused when the host is, or resolves to, an address webhooks are not sent to."""
    problem = check_url(url, settings.webhook_allow_http, settings.webhook_allow_private)
    if problem:
        raise TargetRefused(problem)
    target, host = parsed(url)
    try:
        addresses = checked_addresses(host, target.port or DEFAULT_PORTS[target.scheme],
                                      settings.webhook_allow_private, resolver)
    except OSError as exc:
        return f"DNS: {host} cannot be resolved: {exc}"[:500]
    headers = {"Host": target.netloc.decode("ascii"), "Content-Type": "application/cloudevents+json; charset=utf-8",
               **signed_headers(secret, event_id, int(time.time()), body), "User-Agent": "coi-intake-webhooks/1"}
    # Not through HTTP(S)_PROXY: a proxy would resolve the name again, past the check.
    with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False,
                      verify=httpx.create_ssl_context(), transport=transport) as client:
        error = "no address"
        for address in addresses:  # like socket.create_connection: the next address when one refuses
            pinned = target.copy_with(host=address.split("%", 1)[0])
            try:
                with client.stream("POST", pinned, content=body, headers=headers,
                                   extensions={"sni_hostname": host}) as response:
                    return _answer(response)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = f"{type(exc).__name__}: {exc} ({address})"
            except httpx.HTTPError as exc:
                return f"{type(exc).__name__}: {exc}"[:500]
        return error[:500]


def _answer(response: httpx.Response) -> str | None:
    if 200 <= response.status_code < 300:
        return None
    if response.is_redirect:
        return (f"HTTP {response.status_code}: the receiver redirects to {response.headers.get('Location', '?')!r}; "
                "redirects are not followed: register the final URL")[:500]
    text = b""
    for chunk in response.iter_bytes():
        text += chunk
        if len(text) >= MAX_ANSWER_READ:
            break
    return f"HTTP {response.status_code}: {text.decode(errors='replace')[:200]}"


def overdue(now: datetime, grace: timedelta = timedelta(minutes=5), *, sessions: sessionmaker[Session]) -> list[int]:
    """Deliveries whose queued message was lost (a broker restart without persistence, a worker
    killed mid-POST): pending past their next try, or taken by a worker long gone. A stale
    ``sending`` one is set pending again; the sweep then sends them all again."""
    with sessions() as session:
        session.execute(update(Delivery).where(Delivery.status == Status.SENDING,
                                               Delivery.claimed_at < now - grace).values(status=Status.PENDING))
        session.commit()
        return list(session.scalars(select(Delivery.id).where(
            Delivery.status == Status.PENDING,
            (Delivery.next_attempt_at.is_(None) & (Delivery.created_at < now - grace))
            | (Delivery.next_attempt_at < now - grace))))
