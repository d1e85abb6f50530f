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


def commits_of(app, run) -> int:
    """How many transactions ``run()`` commits on the app's database."""
    from sqlalchemy import event

    committed = []
    listener = lambda _conn: committed.append(1)  # noqa: E731
    event.listen(app.engine, "commit", listener)
    try:
        run()
    finally:
        event.remove(app.engine, "commit", listener)
    return len(committed)


@ONE_BACKEND
def test_given_events_of_two_accounts_when_published_then_one_transaction_marks_them_all_in_order(app):
    first = outbox(app, 3)
    with app.sessions() as session:
        other = add_account(session, "globex", "Globex").id
        add_event(session, account_id=other, type="coi.message.no_attachment", dedupe_key="g0",
                  data={"account": "globex", "message_id": "g0", "sender": None, "subject": None,
                        "reason": "no attachment"})
        session.commit()
    later = outbox(app, 2, first=3)

    assert commits_of(app, lambda: publish_all(app)) == 1  # was one an event

    assert on_stream(app) == first + later
    with app.sessions() as session:
        marked = {e.id: e.stream_id for e in session.scalars(select(OutboxEvent))}
        newest = dict(session.execute(select(Account.slug, Account.stream_entry_id)).all())
    assert all(marked.values())
    for slug in ("acme", "globex"):  # each account's newest entry, written once for the batch
        [(last_id, fields)] = app.redis.xrevrange(stream_name(slug), count=1)
        assert newest[slug] == last_id.decode() == marked[json.loads(fields[b"event"])["id"]]


@ONE_BACKEND
def test_given_the_lock_lost_mid_batch_then_none_of_it_is_marked_and_the_next_publisher_marks_it_once(app,
                                                                                                      monkeypatch):
    events = outbox(app, 3)
    real = publish.add_to_stream
    added = []

    def stalled(*args, **kwargs):
        added.append(real(*args, **kwargs))
        if len(added) == 2:  # the publisher stalled past the lock's time: another took the lock over
            app.redis.delete(PUBLISH_LOCK)
            assert app.redis.lock(PUBLISH_LOCK, timeout=publish.LOCK_SECONDS).acquire(blocking=False)
        return added[-1]

    monkeypatch.setattr(publish, "add_to_stream", stalled)
    assert publish_all(app) == 0
    with app.sessions() as session:
        assert session.scalars(select(OutboxEvent.id).where(OutboxEvent.published_at.is_not(None))).all() == []

    monkeypatch.setattr(publish, "add_to_stream", real)
    app.redis.delete(PUBLISH_LOCK)  # the other publisher done
    assert publish_all(app) == 3

    assert on_stream(app) == events  # the two added before the loss are found and marked, not added again
    with app.sessions() as session:
        kept = dict(session.execute(select(OutboxEvent.id, OutboxEvent.stream_id)).all())
    assert [kept[e] for e in events] == [_text(entry) for entry, _ in app.redis.xrange(stream_name("acme"))]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


@ONE_BACKEND
def test_given_a_publisher_killed_between_its_xadds_and_its_commit_then_the_next_marks_those_entries_once(app):
    events = outbox(app, 3)
    with app.sessions() as session:  # what the killed publisher did: two entries added, nothing committed
        for event in session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(events[:2]))
                                     .order_by(OutboxEvent.created_at)):
            publish.add_to_stream(app.redis, event, "acme", 1000)

    assert publish_all(app) == 3

    assert on_stream(app) == events
    with app.sessions() as session:
        kept = dict(session.execute(select(OutboxEvent.id, OutboxEvent.stream_id)).all())
    assert [kept[e] for e in events] == [_text(entry) for entry, _ in app.redis.xrange(stream_name("acme"))]


@ONE_BACKEND
def test_given_a_stream_ending_at_its_marked_entry_then_a_publish_does_not_read_it_again_for_unmarked_ones(app,
                                                                                                         monkeypatch):
    """The check for lost entries reads the stream's newest entry: when it is the one the outbox marked, there is
    nothing after it, and the look for entries added but not marked (``added_unmarked``: an XRANGE) is not sent."""
    outbox(app, 1)
    assert publish_all(app) == 1
    later = outbox(app, 2, first=1)
    ranges = []
    real = app.redis.xrange
    monkeypatch.setattr(app.redis, "xrange", lambda *args, **kwargs: ranges.append(args) or real(*args, **kwargs))

    assert publish_all(app) == 2

    assert ranges == []
    assert on_stream(app)[1:] == later


@ONE_BACKEND
def test_given_a_marked_stream_and_a_publisher_killed_between_its_xadds_and_its_commit_then_the_next_marks_them(app):
    """As above, on an account that published before: the entries added after its marked one are found (the
    stream's newest entry is not the marked one) and marked, not added again."""
    outbox(app, 1)
    assert publish_all(app) == 1
    events = outbox(app, 3, first=1)
    with app.sessions() as session:
        for event in session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(events[:2]))
                                     .order_by(OutboxEvent.created_at)):
            publish.add_to_stream(app.redis, event, "acme", 1000)

    assert publish_all(app) == 3

    assert on_stream(app)[1:] == events
    with app.sessions() as session:
        kept = dict(session.execute(select(OutboxEvent.id, OutboxEvent.stream_id)).all())
    assert [kept[e] for e in events] == [_text(entry) for entry, _ in app.redis.xrange(stream_name("acme"))][1:]
