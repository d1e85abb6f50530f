"""Enqueueing committed hand-offs (workers/handoffs.py tells the whole story): apart from the relay, so
that what publishes (workers/publish.py) and what relays can both use it without importing each other."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

import dramatiq
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from infra.models import Handoff
from workers import outcomes

log = logging.getLogger(__name__)


class SendOn(Protocol):
    """What a door, the desk or an admin command needs of the actors: enqueue hand-offs it committed
    (``dispatch`` on the broker the actors are declared on; ``Actors.send_on``). True when the
    broker took every one; False when it is away and the relay will send them on its return."""

    def __call__(self, handoffs: Iterable[Handoff], /) -> bool: ...


def dispatch(handoffs: Iterable[Handoff], *, broker: dramatiq.Broker, sessions: sessionmaker[Session]) -> bool:
    """Enqueue committed hand-offs and delete their rows; True when the broker took every one.

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
    _forget(sessions, sent)
    return len(sent) == len(handoffs)


def _forget(sessions: sessionmaker[Session], ids: list[int]) -> None:
    if not ids:
        return
    try:
        with sessions() as session:
            session.execute(delete(Handoff).where(Handoff.id.in_(ids)))
            session.commit()
    except Exception as exc:  # the database away: the relay enqueues them again, which is harmless
        if not outcomes.is_transient(exc):
            raise
        log.warning("could not clear %d enqueued hand-off(s); the relay will enqueue them again", len(ids))
