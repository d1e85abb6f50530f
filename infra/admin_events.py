"""Operator actions for delivery: webhooks, replays, holder contacts (behind ``coi webhook``,
``coi events replay`` and ``coi holder contacts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from infra.admin import AdminError, audit, require_account
from infra.models import Account, Delivery, Holder, OutboxEvent, Webhook, utcnow
from infra.repo import insert_ignore
from infra.secrets import SecretBox
from pipeline.addresses import one_mailbox
from workers.targets import Resolver, check_target, resolve
from workers.webhooks import Status, new_secret


def add_webhook(session, box: SecretBox, account_slug: str, url: str, *, allow_http: bool,
                allow_private: bool = False, resolver: Resolver = resolve, by: str = "cli") -> tuple[Webhook, str]:
    """Register an endpoint; returns it and its signing secret (shown once, stored encrypted).

    Refused when its host is, or resolves to, a private, loopback, link-local or other non-public
    address, unless ``allow_private`` (each delivery checks again: DNS answers change)."""
    account = require_account(session, account_slug)
    problem = check_target(url, allow_http=allow_http, allow_private=allow_private, resolver=resolver)
    if problem:
        raise AdminError(problem)
    secret = new_secret()
    webhook = Webhook(account_id=account.id, url=url, secret=box.seal(secret))
    session.add(webhook)
    session.flush()
    audit(session, account.id, by, "webhook.added", f"webhook:{webhook.id}", {"url": url})
    session.commit()
    return webhook, secret


def remove_webhook(session, account_slug: str, webhook_id: int, *, by: str = "cli") -> Webhook:
    account = require_account(session, account_slug)
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.account_id != account.id or webhook.disabled_at is not None:
        raise AdminError(f"Account {account.slug!r} has no active webhook {webhook_id}.")
    webhook.disabled_at = utcnow()
    audit(session, account.id, by, "webhook.removed", f"webhook:{webhook.id}", {"url": webhook.url})
    session.commit()
    return webhook


def list_webhooks(session, account_slug: str) -> list[dict[str, Any]]:
    account = require_account(session, account_slug)
    rows = session.scalars(select(Webhook).where(Webhook.account_id == account.id).order_by(Webhook.id)).all()
    result = []
    for webhook in rows:
        counts = {status: 0 for status in (Status.PENDING, Status.DELIVERED, Status.DEAD)}
        for (status,) in session.execute(select(Delivery.status).where(Delivery.webhook_id == webhook.id)):
            counts[status] = counts.get(status, 0) + 1
        result.append({"id": webhook.id, "url": webhook.url, "active": webhook.disabled_at is None,
                       "created_at": webhook.created_at.isoformat(), "deliveries": counts})
    return result


def replay(session, *, account_slug: str | None = None, event_ids: tuple[str, ...] = (), dead: bool = False,
           since: datetime | None = None) -> tuple[list[int], list[OutboxEvent]]:
    """Make the chosen events' deliveries pending again (new ones for webhooks added since).

    Choose by event ids, by ``dead`` (every event with a dead-lettered delivery), or by ``since``
    (every event of the account created at or after it). Returns (delivery ids to send, events)."""
    if not (event_ids or dead or since):
        raise AdminError("Say what to replay: event ids, --dead, or --since.")
    query = select(OutboxEvent).join(Account, Account.id == OutboxEvent.account_id)
    if account_slug:
        query = query.where(Account.id == require_account(session, account_slug).id)
    if event_ids:
        query = query.where(OutboxEvent.id.in_(event_ids))
    if dead:
        query = query.where(OutboxEvent.id.in_(select(Delivery.event_id).where(Delivery.status == Status.DEAD)))
    if since:
        query = query.where(OutboxEvent.created_at >= since)
    chosen = session.scalars(query.order_by(OutboxEvent.created_at)).all()
    missing = set(event_ids) - {e.id for e in chosen}
    if missing:
        raise AdminError(f"No such event{'s' if len(missing) > 1 else ''}: {', '.join(sorted(missing))}.")
    delivery_ids: list[int] = []
    for event in chosen:
        hooks = session.scalars(select(Webhook.id).where(Webhook.account_id == event.account_id,
                                                         Webhook.disabled_at.is_(None))).all()
        for hook in hooks:
            insert_ignore(session, Delivery, {"event_id": event.id, "webhook_id": hook, "status": Status.PENDING,
                                              "attempts": 0, "created_at": utcnow()}, ["event_id", "webhook_id"])
            delivery = session.scalars(select(Delivery).where(Delivery.event_id == event.id,
                                                              Delivery.webhook_id == hook)).one()
            if dead and delivery.status != Status.DEAD:
                continue
            delivery.status, delivery.attempts, delivery.next_attempt_at = Status.PENDING, 0, None
            delivery_ids.append(delivery.id)
    session.commit()
    return delivery_ids, list(chosen)


def set_contacts(session, account_slug: str, holder_name: str, emails: list[str], *, by: str = "cli") -> Holder:
    account = require_account(session, account_slug)
    holder = session.scalars(select(Holder).where(Holder.account_id == account.id, Holder.name == holder_name)).first()
    if holder is None:
        raise AdminError(f"No holder {holder_name!r} in account {account.slug!r}; add it with `coi holder add`.")
    mailboxes = [one_mailbox(e) for e in emails]
    bad = [e for e, mailbox in zip(emails, mailboxes) if mailbox is None]
    if bad:
        raise AdminError(f"Not one email address that can receive mail: {', '.join(bad)}.")
    holder.contacts = list(dict.fromkeys(mailboxes))
    audit(session, account.id, by, "holder.contacts", f"holder:{holder.id}", {"contacts": holder.contacts})
    session.commit()
    return holder
