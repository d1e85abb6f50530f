"""The outbox relay recovers by itself: a publisher killed while holding the publish lock holds up the
others for seconds, not minutes; a stream that Redis lost is filled again from the outbox, loudly."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from infra.admin import add_account
from infra.models import Account, OutboxEvent
from infra.repo import add_event
from services import wait_for
from workers import publish
from workers.publish import PUBLISH_LOCK, publish_pending, stream_name

pytestmark = pytest.mark.integration
ONE_BACKEND = pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)


def publish_all(app) -> int:
    """``publish_pending`` with the app's collaborators, as the ``publish_events`` actor runs it."""
    return publish_pending(broker=app.broker_handle.broker, sessions=app.sessions, settings=app.settings,
                           redis=app.redis)


def outbox(app, count: int, first: int = 0) -> list[str]:
    """``count`` unpublished events of account acme (made on the first call); their ids."""
    with app.sessions() as session:
        account_id = session.scalars(select(Account.id).where(Account.slug == "acme")).one_or_none()
        if account_id is None:
            account_id = add_account(session, "acme", "Acme").id
        keys = [f"e{n}" for n in range(first, first + count)]
        for key in keys:
            add_event(session, account_id=account_id, type="coi.message.no_attachment", dedupe_key=key,
                      data={"account": "acme", "message_id": key, "sender": None, "subject": None,
                            "reason": "no attachment"})
        session.commit()
        return list(session.scalars(select(OutboxEvent.id).where(OutboxEvent.dedupe_key.in_(keys))
                                    .order_by(OutboxEvent.created_at)))


def on_stream(app) -> list[str]:
    return [json.loads(fields[b"event"])["id"] for _, fields in app.redis.xrange(stream_name("acme"))]


@ONE_BACKEND
def test_given_a_publisher_killed_holding_the_lock_then_another_publishes_within_seconds(app):
    [waiting] = outbox(app, 1)
    # a worker took the lock as publish_pending does, then was killed: nobody lets go of it or renews it
    assert app.redis.lock(PUBLISH_LOCK, timeout=publish.LOCK_SECONDS).acquire(blocking=False)
    assert publish_all(app) == 0  # held: the others leave at once

    wait_for(lambda: publish_all(app) == 1, timeout=30, interval=0.5)  # was up to 300 s

    assert on_stream(app) == [waiting]


@ONE_BACKEND
def test_given_redis_lost_a_stream_then_the_next_publish_adds_the_lost_entries_again_and_says_so(app, caplog):
    published = outbox(app, 3)
    assert publish_all(app) == 3
    app.redis.flushdb()  # Redis restarted without its data
    newer = outbox(app, 1, first=3)

    with caplog.at_level(logging.ERROR, logger="workers.publish"):
        assert publish_all(app) == 1

    assert on_stream(app) == published + newer  # in their order
    [loud] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "coi:events:acme lost 3 entries" in loud.getMessage()


@ONE_BACKEND
def test_given_redis_lost_a_stream_and_no_new_event_then_the_relay_adds_the_entries_again(app):
    from workers.handoffs import relay_once

    published = outbox(app, 2)
    assert publish_all(app) == 2
    app.redis.delete(stream_name("acme"))  # lost with no event to publish afterwards

    relay_once(check_streams=True, broker=app.broker_handle.broker, sessions=app.sessions,
               settings=app.settings, redis=app.redis)  # what each worker's relay does every half minute

    assert on_stream(app) == published
    relay_once(check_streams=True, broker=app.broker_handle.broker, sessions=app.sessions,
               settings=app.settings, redis=app.redis)
    assert on_stream(app) == published  # nothing added twice


@ONE_BACKEND
def test_given_a_publisher_slower_than_the_lock_then_it_renews_the_lock_and_keeps_it(app, monkeypatch):
    import threading
    import time

    monkeypatch.setattr(publish, "LOCK_SECONDS", 2)
    real = publish.add_to_stream

    def slow(*args, **kwargs):
        time.sleep(0.5)  # 1.5 s of slack per event before the lock would lapse: a busy machine is no fault
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "add_to_stream", slow)
    events = outbox(app, 8)  # about 4 s of publishing, twice the lock's time
    publisher = threading.Thread(target=publish_all, args=(app,))
    publisher.start()
    wait_for(lambda: on_stream(app), timeout=10, interval=0.02)  # the publisher holds the lock now
    taken_over = 0
    while publisher.is_alive():
        probe = app.redis.lock(PUBLISH_LOCK, timeout=2)
        if probe.acquire(blocking=False):
            # free while events still wait: the publisher lost its lock mid-run (once it is done, it
            # lets go and looks for late events before it returns: the lock is then free by right)
            taken_over += len(on_stream(app)) < len(events)
            probe.release()
        time.sleep(0.1)
    publisher.join()

    assert taken_over == 0
    assert on_stream(app) == events
