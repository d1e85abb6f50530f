"""Enqueueing committed hand-offs (workers/handoffs.py tells the whole story): apart from the relay, so
that what publishes (workers/publish.py) and what relays can both use it without importing each other."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Protocol

import dramatiq
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from infra.db import skip_disk_sync
from infra.models import Handoff
from infra.repo import Owed
from workers import outcomes

log = logging.getLogger(__name__)


class SendOn(Protocol):
    """What a door, the desk or an admin command needs of the actors: enqueue hand-offs it committed
    (``dispatch`` on the broker the actors are declared on; ``Actors.send_on``). True when the
    broker took every one; False when it is away and the relay will send them on its return."""

    def __call__(self, handoffs: Iterable[Owed | Handoff], /) -> bool: ...


class Taken:
    """Hand-offs the broker took whose rows are still to be deleted: one DELETE for every hand-off a
    worker process enqueued in the last RELAY_SECONDS, sent by its relay (workers/handoffs.py), instead
    of a transaction of its own after each enqueue.

    Deferring is safe because a row is only ever a promise to enqueue: one left a little longer (or for
    good, when the process dies before its relay's next round) can only be enqueued once more by a relay
    after GRACE, which every actor tolerates. Only a process whose relay runs defers (``deferring``, set
    by the relay when the worker boots): anywhere else ``dispatch`` deletes at once."""

    def __init__(self) -> None:
        self.deferring = False
        self._ids: list[int] = []
        self._lock = threading.Lock()

    def add(self, ids: list[int]) -> None:
        with self._lock:
            self._ids.extend(ids)

    def flush(self, sessions: sessionmaker[Session]) -> int:
        """Delete the rows of the hand-offs taken so far; how many. Kept for the next flush when the
        database is away."""
        with self._lock:
            ids, self._ids = self._ids, []
        if ids and not _forget(sessions, ids):
            self.add(ids)
        return len(ids)


def dispatch(handoffs: Iterable[Owed | Handoff], *, broker: dramatiq.Broker, sessions: sessionmaker[Session],
             taken: Taken | None = None) -> bool:
    """Enqueue committed hand-offs and delete their rows (or leave the deletion to ``taken``, when it
    defers); True when the broker took every one.

    A broker that is away leaves the rest to the relay: logged, not raised (the work is saved)."""
    handoffs = list(handoffs)
    sent: list[int] = []
    try:
        for handoff in handoffs:
            broker.get_actor(handoff.actor).send(*handoff.args)
            sent.append(handoff.id)
    except Exception as exc:
        if not outcomes.is_transient(exc):
            raise
        log.warning("the broker is away (%s: %s): %d next stage(s) wait in the database for the relay",
                    type(exc).__name__, exc, len(handoffs) - len(sent))
    if taken is not None and taken.deferring:
        taken.add(sent)
    else:
        _forget(sessions, sent)
    return len(sent) == len(handoffs)


def _forget(sessions: sessionmaker[Session], ids: list[int]) -> bool:
    """Delete the rows of enqueued hand-offs; False when the database is away.

    The commit does not wait for the disk (``skip_disk_sync``): these rows are promises to enqueue that
    the broker has kept. A DELETE lost with a PostgreSQL crash leaves the rows, and a relay enqueues them
    once more after GRACE, exactly as when this process dies before deleting them; every actor
    tolerates a message twice. Nothing else is in this transaction."""
    if not ids:
        return True
    try:
        with sessions() as session:
            skip_disk_sync(session)
            session.execute(delete(Handoff).where(Handoff.id.in_(ids)))
            session.commit()
    except Exception as exc:  # the database away: the relay enqueues them again, which is harmless
        if not outcomes.is_transient(exc):
            raise
        log.warning("could not clear %d enqueued hand-off(s); the relay will enqueue them again", len(ids))
        return False
    return True
