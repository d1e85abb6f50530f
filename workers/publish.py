"""The outbox relay: events committed with their state change are published afterwards.

Each event becomes a CloudEvent (pipeline/events.py) and goes to
- the account's Redis Stream ``coi:events:<account>`` (entry fields ``id``, ``type``, ``event``:
  the CloudEvent JSON), read by consumer groups inside the network;
- every active webhook of the account: a ``deliveries`` row each, sent by ``deliver_webhook``;
- the people concerned: ``notifications`` rows (workers/notify.py), sent by ``send_notification``.
The rows are written in the transaction that marks the event published, with a hand-off per row
(workers/handoffs.py), so a broker away at that moment delays the sending by seconds. A crash between
XADD and that commit leaves entries on the stream that the next publisher finds and marks instead of
adding them again (``added_unmarked``); consumers should still deduplicate by event id (a publisher whose
lock ran out just as it added an entry may add one that its successor adds too), and webhook delivery is
at least once.

One publisher at a time holds a short Redis lock (LOCK_SECONDS) and renews it before each event: a
publisher killed mid-batch holds up the others for LOCK_SECONDS at most. It publishes up to BATCH events
in one transaction (``_publish_batches``): one commit and one write of each account's newest entry id a
batch, not an event.

A Redis that loses its data (restarted without persistence, restored from an older snapshot, the
stream deleted) would leave the streams short while the outbox says published. Each event's entry
id is kept (``events.stream_id``) and the newest per account (``accounts.stream_entry_id``); before
publishing to an account, and every half minute from the relay, the stream's last entry is compared
with it, and the entries lost are added again from the outbox, with an error in the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import dramatiq
from redis import Redis
from redis.exceptions import LockError
from sqlalchemy import Integer, bindparam, exists, select
from sqlalchemy.orm import sessionmaker

from infra.models import Account, Delivery, OutboxEvent, Webhook, utcnow
from infra.repo import hand_on, insert_or_none
from infra.settings import Settings

# Built once (each publish round sends them: their construction and cache key are not redone each time)
# The unpublished events in order, each with its account and whether the account has an active webhook
# (most have none: their events' deliveries are planned without asking for the webhooks again)
UNPUBLISHED = (select(OutboxEvent, Account,
                      exists().where(Webhook.account_id == OutboxEvent.account_id, Webhook.disabled_at.is_(None))
                      .label("hooked"))
               .join(Account, Account.id == OutboxEvent.account_id)
               .where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.created_at)
               .limit(bindparam("batch", type_=Integer)))
WAITING = select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None)).limit(1)
WEBHOOKS = select(Webhook.id).where(Webhook.account_id == bindparam("account_id", type_=Integer),
                                    Webhook.disabled_at.is_(None))
from pipeline.events import cloud_event, envelope, structured
from workers import notify
from workers.dispatch import Taken, dispatch

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
BATCH = 100
PUBLISH_LOCK = "coi:publish:lock"
LOCK_SECONDS = 10  # renewed before each event; a publisher that dies frees it by then


def stream_name(account_slug: str) -> str:
    return f"coi:events:{account_slug}"


def envelope_of(event: OutboxEvent, account_slug: str) -> dict[str, Any]:
    return envelope(**_fields(event, account_slug))


def body_of(event: OutboxEvent, account_slug: str) -> bytes:
    """The CloudEvent as sent: JSON structured mode, written by the CloudEvents SDK."""
    return structured(cloud_event(**_fields(event, account_slug)))


def _fields(event: OutboxEvent, account_slug: str) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, "account": account_slug, "time": event.created_at,
            "data": event.data, "document_id": event.document_id, "message_id": event.message_id}


def add_to_stream(client, event: OutboxEvent, slug: str, maxlen: int) -> str:
    """XADD the event's CloudEvent to the account's stream; returns the entry id."""
    body = body_of(event, slug).decode("utf-8")
    entry = client.xadd(stream_name(slug), {"id": event.id, "type": event.type, "event": body}, maxlen=maxlen,
                        approximate=True)
    return _text(entry)


def added_unmarked(client, account: Account) -> dict[str, str]:
    """Event id -> entry id of the entries on the account's stream after the newest one the outbox has
    marked (``accounts.stream_entry_id``): added by a publish batch that was cut short before its commit.
    At most BATCH of them, the most one batch adds. Called under the publish lock."""
    after = f"({account.stream_entry_id}" if account.stream_entry_id else "-"
    entries = client.xrange(stream_name(account.slug), min=after, max="+", count=BATCH)
    return {_text(fields.get(b"id") or fields.get("id")): _text(entry) for entry, fields in entries}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def publish_lock(client):
    """The publishers' lock, held LOCK_SECONDS unless renewed (``reacquire``) by its holder."""
    return client.lock(PUBLISH_LOCK, timeout=LOCK_SECONDS, blocking=False)


def publish_pending(*, broker: dramatiq.Broker, sessions: sessionmaker[Session], settings: Settings,
                    redis: Redis, taken: Taken | None = None) -> int:
    """Publish every unpublished event; returns how many were published. ``taken``: a worker's, which
    leaves the deletion of the deliveries' and notifications' enqueued hand-offs to its relay.

    One publisher at a time (a Redis lock), so two workers never plan the same event's deliveries
    and notifications twice. A caller that finds the lock taken leaves: the holder looks for new
    events once more after letting go, so none committed meanwhile is left behind."""
    client = redis
    published = 0
    while True:
        lock = publish_lock(client)
        if not lock.acquire():
            return published
        counted: list[str] = []  # ids of the events this run published
        try:
            _publish_batches(broker, sessions, settings, client, lock, counted, taken)
        except LockError:  # stalled past LOCK_SECONDS: another publisher may hold it now
            log.warning("the publish lock expired while this publisher was stalled; it asks for it again")
        finally:
            published += len(counted)
            _let_go(lock)
        with sessions() as session:
            waiting = session.scalars(WAITING).first()
        if waiting is None:
            return published


def _let_go(lock) -> None:
    try:
        lock.release()
    except LockError:
        pass  # it had expired: nothing to let go of


def _publish_batches(broker: dramatiq.Broker, sessions: sessionmaker[Session], settings: Settings, client, lock,
                     counted: list[str], taken: Taken | None) -> None:
    """Publish the unpublished events in order, BATCH at a time, each batch one transaction: its events'
    stream entries added one by one (the lock renewed before each), then their deliveries and
    notifications planned, each account's newest entry id written once, one commit, and the hand-offs
    enqueued after it.

    Exactly once still holds: an event is marked published in the transaction that plans its deliveries
    and notifications, under the lock, so no two publishers plan it. A failure before the commit (the
    lock lost, the database away, the publisher killed) leaves the whole batch unpublished; the next
    publisher finds the entries it had added (:func:`added_unmarked`) and marks them instead of adding
    them again, so a batch cut short does not put its events on the stream twice."""
    maxlen = settings.events_stream_maxlen
    checked: set[int] = set()  # accounts whose stream was checked in this run
    last_read: dict[int, str] = {}  # each account's stream's newest entry as its check read it (restore_stream)
    while True:
        hooks: dict[int, list[int]] = {}  # each account's active webhooks, read once a batch
        with sessions() as session:
            rows = session.execute(UNPUBLISHED, {"batch": BATCH}).all()
            if not rows:
                return
            accounts = {account.id: account for _, account, _ in rows}
            hooks.update((account.id, []) for _, account, hooked in rows if not hooked)  # none: known from the query
            for account in accounts.values():
                if account.id not in checked:
                    lock.reacquire()  # LOCK_SECONDS more, or LockError when another publisher took over
                    restore_stream(session, client, account, maxlen, last_read)
                    checked.add(account.id)
            newest: dict[int, str] = {}  # each account's newest entry of this batch
            # a stream whose newest entry, read just now, is the one the outbox marked has none after it to find
            added = {account_id: {} if _ends_marked(account, last_read) else added_unmarked(client, account)
                     for account_id, account in accounts.items()}
            for event, account, _ in rows:
                lock.reacquire()
                entry = added[account.id].get(event.id) or add_to_stream(client, event, account.slug, maxlen)
                event.stream_id = newest[account.id] = entry
                event.published_at = utcnow()
            handoffs = []
            for event, _, _ in rows:
                handoffs += [hand_on(session, "deliver_webhook", delivery_id)
                             for delivery_id in plan_deliveries(session, event, hooks)]
                handoffs += [hand_on(session, "send_notification", notification_id)
                             for notification_id in notify.plan(session, settings, event)]
            for account_id, entry in newest.items():
                accounts[account_id].stream_entry_id = entry
            lock.reacquire()  # still ours at the commit, or nothing of the batch is
            session.commit()
            dispatch(handoffs, broker=broker, sessions=sessions, taken=taken)
            for event, _, _ in rows:
                counted.append(event.id)
                log.info("published %s %s", event.type, event.id)
        if len(rows) < BATCH:  # the last batch: one committed since is seen by the look after letting go
            return


def _ends_marked(account: Account, last_read: dict[int, str]) -> bool:
    """Whether the account's stream's newest entry, as its check read it in this run, is the newest one the outbox
    marked (``accounts.stream_entry_id``, unchanged since): no entry after it was added and left unmarked."""
    return account.stream_entry_id is not None and last_read.get(account.id) == account.stream_entry_id


def entry_order(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as a number pair: ids compare as numbers, not as text."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def restore_stream(session: Session, client, account: Account, maxlen: int,
                   last_read: dict[int, str] | None = None) -> int:
    """Add again the entries the account's stream lost; returns how many (0 when none were lost).

    The stream lost entries when its last entry is older than the newest one the publisher added
    (``accounts.stream_entry_id``), or it is gone: Redis lost data. The events published after its
    last surviving entry (the newest ``maxlen`` of them) are added again in their order, each with
    its new entry id. Called under the publish lock. ``last_read`` gets the stream's last entry as read
    here, by account (not when the account has published nothing yet: the stream is not read)."""
    if account.stream_entry_id is None:
        return 0
    stream = stream_name(account.slug)
    newest = client.xrevrange(stream, count=1)
    survived = _text(newest[0][0]) if newest else None
    if last_read is not None and survived is not None:
        last_read[account.id] = survived
    if survived is not None and entry_order(survived) >= entry_order(account.stream_entry_id):
        return 0
    lost: list[OutboxEvent] = []
    for event in session.scalars(select(OutboxEvent).where(
            OutboxEvent.account_id == account.id, OutboxEvent.stream_id.is_not(None))
            .order_by(OutboxEvent.published_at.desc(), OutboxEvent.created_at.desc()).execution_options(yield_per=500)):
        if survived is not None and entry_order(event.stream_id) <= entry_order(survived):
            break
        lost.append(event)
        if len(lost) >= maxlen:
            break
    log.error("the event stream %s lost %d entries: its last entry is %s, the publisher had added up to %s "
              "(Redis lost data: restarted without its append-only file, restored from an older snapshot, or "
              "the stream deleted). Adding them again from the outbox; consumer groups that were lost with "
              "them must be created again (XGROUP CREATE %s <group> 0) to read them.",
              stream, len(lost), survived or "none (the stream is gone)", account.stream_entry_id, stream)
    for event in reversed(lost):
        event.stream_id = account.stream_entry_id = add_to_stream(client, event, account.slug, maxlen)
    if not lost:
        account.stream_entry_id = survived
    session.commit()
    return len(lost)


def verify_streams(*, sessions: sessionmaker[Session], settings: Settings, redis: Redis) -> int:
    """Check every account's stream for lost entries and add them again (the relay runs this every
    half minute, so a stream is mended even when no new event comes); returns how many were added.
    Skipped while another publisher holds the lock (it checks the accounts it publishes to)."""
    lock = publish_lock(redis)
    if not lock.acquire():
        return 0
    restored = 0
    try:
        with sessions() as session:
            for account in session.scalars(select(Account).where(Account.stream_entry_id.is_not(None))):
                lock.reacquire()
                restored += restore_stream(session, redis, account, settings.events_stream_maxlen)
    except LockError:
        log.warning("the publish lock expired while the streams were checked; the next check goes on")
    finally:
        _let_go(lock)
    return restored


def plan_deliveries(session: Session, event: OutboxEvent, hooks: dict[int, list[int]] | None = None) -> list[int]:
    """A pending delivery of ``event`` to each active webhook of its account (``hooks``: the accounts'
    webhooks read so far in this batch, filled in here)."""
    hooks = {} if hooks is None else hooks
    if event.account_id not in hooks:
        hooks[event.account_id] = list(session.scalars(WEBHOOKS, {"account_id": event.account_id}))
    if not hooks[event.account_id]:
        return []  # its deliveries are planned in the transaction that publishes it: there are none
    planned = [insert_or_none(session, Delivery, {"event_id": event.id, "webhook_id": hook, "status": "pending",
                                                  "attempts": 0, "created_at": utcnow()}, ["event_id", "webhook_id"])
               for hook in hooks[event.account_id]]
    if all(planned):  # the usual case: every one new, its id from the INSERT
        return [delivery.id for delivery in planned]
    return list(session.scalars(select(Delivery.id).where(Delivery.event_id == event.id,
                                                          Delivery.status == "pending")))
