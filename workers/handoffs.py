"""Durable hand-offs between the chain's stages, and the relay that runs in every worker.

A stage that calls for the next one records a ``handoffs`` row (actor and arguments,
``infra.repo.hand_on``) in the transaction of its state change, enqueues the message after commit
(``dispatch``) and deletes the row once the broker has taken it: in a worker, its relay deletes the rows
of every hand-off the process's stages enqueued since its last round in one statement (``Taken``), at
the start of each round, well before another relay could find them GRACE old. When the broker is away at that
moment the row stays, and the stage ends without an error: its work is saved, and dramatiq could not
have enqueued a retry anyway. The relay, a thread in every worker process, looks every
RELAY_SECONDS for rows older than GRACE and enqueues them, so the chain goes on within seconds of
the broker's return; the sweep (workers/sweep.py) stays a safety net for messages the broker lost
after taking them. The relay also publishes events left unpublished for longer than GRACE (their
``publish_events`` message lost the same way) and, every STREAM_CHECK_SECONDS, checks that no
account's event stream lost entries (workers/publish.py ``verify_streams``).

Enqueueing a hand-off twice (the relay and a slow stage, two relays) is harmless: every actor is
idempotent. Two relays never take the same row in one round: a row is claimed by a conditional
UPDATE of its ``attempted_at``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import dramatiq
from redis import Redis
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from infra.models import Handoff, OutboxEvent, utcnow
from infra.settings import Settings
from workers import outcomes
from workers.dispatch import Taken, dispatch

__all__ = ["GRACE", "RELAY_SECONDS", "Relay", "Taken", "dispatch", "events_waiting", "relay_due", "relay_once"]

log = logging.getLogger(__name__)
RELAY_SECONDS = 2.0  # how often each worker's relay looks
GRACE = timedelta(seconds=5)  # a row (or an unpublished event) this old was not enqueued by its stage
STREAM_CHECK_SECONDS = 30.0
BATCH = 100


def relay_due(now: datetime | None = None, *, broker: dramatiq.Broker, sessions: sessionmaker[Session]) -> int:
    """Enqueue every hand-off older than GRACE that no relay tried in the last GRACE; returns how
    many the broker took."""
    now = now or utcnow()
    cutoff = now - GRACE
    waiting = (Handoff.created_at < cutoff) & or_(Handoff.attempted_at.is_(None), Handoff.attempted_at < cutoff)
    relayed = 0
    while True:
        with sessions() as session:
            candidates = session.scalars(select(Handoff).where(waiting).order_by(Handoff.id).limit(BATCH)).all()
            # claimed by this relay alone; the database decides (SQLite gives back naive times, which
            # the ORM's in-memory sync of the loaded rows could not compare with ``now``)
            mine = [row for row in candidates
                    if session.execute(update(Handoff).where(Handoff.id == row.id, waiting).values(attempted_at=now)
                                       .execution_options(synchronize_session=False)).rowcount == 1]
            session.commit()
        if not mine:
            return relayed
        log.warning("relaying %d next stage(s) the broker did not take when they were due", len(mine))
        complete = dispatch(mine, broker=broker, sessions=sessions)
        relayed += len(mine) if complete else 0
        if not complete or len(candidates) < BATCH:
            return relayed


def events_waiting(now: datetime | None = None, *, sessions: sessionmaker[Session]) -> bool:
    """Whether some event has waited longer than GRACE to be published."""
    cutoff = (now or utcnow()) - GRACE
    with sessions() as session:
        return session.scalars(select(OutboxEvent.id).where(
            OutboxEvent.published_at.is_(None), OutboxEvent.created_at < cutoff).limit(1)).first() is not None


def relay_once(*, check_streams: bool = False, broker: dramatiq.Broker, sessions: sessionmaker[Session],
               settings: Settings, redis: Redis, taken: Taken | None = None) -> None:
    """One round of the relay: the rows of the hand-offs this process enqueued (``taken``), due
    hand-offs, events left unpublished, and (when asked) the streams."""
    from workers.publish import publish_pending, verify_streams

    if taken is not None:
        taken.flush(sessions)  # first: this relay never enqueues again what its own process enqueued
    relay_due(broker=broker, sessions=sessions)
    if events_waiting(sessions=sessions):
        publish_pending(broker=broker, sessions=sessions, settings=settings, redis=redis, taken=taken)
    if check_streams:
        verify_streams(sessions=sessions, settings=settings, redis=redis)


class Relay(dramatiq.Middleware):
    """Runs ``relay_round`` (:func:`relay_once` with its collaborators bound, workers/actors.py) every
    RELAY_SECONDS on a thread of each worker process; it is called with ``check_streams``. While it
    runs, the process's stages leave the deletion of their enqueued hand-offs to it (``taken``); the
    rest are deleted when the worker shuts down (``flush``: ``Taken.flush`` with the database bound)."""

    def __init__(self, relay_round: Callable[..., None], interval: float = RELAY_SECONDS, *,
                 taken: Taken | None = None, flush: Callable[[], object] | None = None):
        self.relay_round = relay_round
        self.interval = interval
        self.taken = taken
        self.flush = flush
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker, worker) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="coi-relay", daemon=True)
        self._thread.start()
        if self.taken is not None:
            self.taken.deferring = True

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self.taken is not None:
            self.taken.deferring = False

    def after_worker_shutdown(self, broker, worker) -> None:
        if self.flush is not None:  # the workers' threads are done: what they enqueued last
            try:
                self.flush()
            except Exception:
                log.warning("could not clear the enqueued hand-offs at shutdown; the relay enqueues them "
                            "again, which is harmless", exc_info=True)

    def _run(self) -> None:
        failing = False
        next_stream_check = time.monotonic() + random.uniform(0, STREAM_CHECK_SECONDS)
        while not self._stop.wait(self.interval * random.uniform(0.75, 1.25)):  # spread over the workers
            check_streams = time.monotonic() >= next_stream_check
            try:
                self.relay_round(check_streams=check_streams)
            except Exception as exc:
                if not failing:  # once per outage, not every round
                    log.warning("the relay cannot reach a service (%s: %s); it keeps trying every %.0f s",
                                type(exc).__name__, exc, self.interval, exc_info=not outcomes.is_transient(exc))
                failing = True
                continue
            if failing:
                log.info("the relay reaches every service again")
                failing = False
            if check_streams:
                next_stream_check = time.monotonic() + STREAM_CHECK_SECONDS
