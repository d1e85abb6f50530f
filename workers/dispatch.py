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
FLUSH_SECONDS = 1.0  # how often a door's flush deletes the rows of what it enqueued (well inside handoffs.GRACE)


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
    by the relay when the worker boots), or a door whose :class:`Flushed` runs: anywhere else ``dispatch``
    deletes at once."""

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


class Flushed:
    """A door's ``SendOn`` (``Actors.flushed_send_on``): it enqueues at once, as ``dispatch`` does, and
    leaves the deletion of the rows to a thread of its own that deletes, every FLUSH_SECONDS, the rows of
    everything enqueued since its last round in one statement (:class:`Taken`), instead of a transaction
    of its own after each message. The door answers 250 once the row and the message are committed, as
    before: what waits here is only the deletion of a promise the broker has kept.

    Crash-safe for the same reason as the workers' deferral: a row not yet deleted when the door dies
    (or while the database is away) is enqueued once more by a worker's relay after GRACE, and the split
    it calls for finds its message split already (a re-check, no second document). While it is not
    running (before ``start``, after ``stop``) it deletes at once, as ``dispatch`` does."""

    def __init__(self, broker: dramatiq.Broker, sessions: sessionmaker[Session], interval: float = FLUSH_SECONDS):
        self.broker = broker
        self.sessions = sessions
        self.interval = interval
        self.taken = Taken()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, handoffs: Iterable[Owed | Handoff], /) -> bool:
        return dispatch(handoffs, broker=self.broker, sessions=self.sessions, taken=self.taken)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="coi-door-flush", daemon=True)
        self._thread.start()
        self.taken.deferring = True

    def stop(self) -> None:
        """Stop deferring, stop the thread and delete what is left (a database away leaves it to the relay)."""
        self.taken.deferring = False
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        try:
            self.taken.flush(self.sessions)
        except Exception:
            log.warning("could not clear the door's enqueued hand-offs at shutdown; the relay enqueues them "
                        "again, which is harmless", exc_info=True)

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.interval):
            try:
                self.taken.flush(self.sessions)  # a database away keeps the ids for the next round
            except Exception:
                if not failing:  # once per outage, not every round
                    log.warning("the door cannot delete its enqueued hand-offs; it keeps trying every %.0f s",
                                self.interval, exc_info=True)
                failing = True
                continue
            failing = False
