"""A worker's consumer that loses Redis gives back what it held: a retry waiting out its backoff in
the worker's memory runs once Redis is back, not after the sweep."""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq import Worker

from infra.broker import make_broker
from outages import PrivateRedis
from services import wait_for

pytestmark = pytest.mark.integration


def test_given_a_delayed_message_held_by_a_live_worker_when_redis_restarts_then_it_still_runs(tmp_path):
    redis_server = PrivateRedis(tmp_path, persistent=True)
    redis_server.start()
    handle = make_broker(redis_server.url)
    broker = handle.broker
    ran: list[str] = []
    actor = dramatiq.actor(ran.append, broker=broker, actor_name="remember", max_retries=0)
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        actor.send_with_options(args=("later",), delay=4000)
        held = f"{broker.namespace}:__acks__.{broker.broker_id}.default.DQ"
        wait_for(lambda: broker.client.smembers(held), timeout=10)  # fetched, waiting in the worker

        redis_server.stop()
        redis_server.start()  # the append-only file keeps the message, marked as this worker's

        wait_for(lambda: ran == ["later"], timeout=30)
    finally:
        worker.stop()
        handle.close()
        redis_server.stop()


def test_given_a_message_running_in_a_worker_thread_when_redis_restarts_then_it_runs_once(tmp_path, caplog):
    """Only what the worker lost is put back: a message its thread is running stays with it (a scan
    whose OCR was running when Redis restarted was OCR'd a second time by another thread)."""
    import threading

    redis_server = PrivateRedis(tmp_path, persistent=True)
    redis_server.start()
    handle = make_broker(redis_server.url)
    broker = handle.broker
    release = threading.Event()
    ran: list[str] = []

    def remember(what: str) -> None:
        ran.append(what)
        if what == "long":
            release.wait(60)

    actor = dramatiq.actor(remember, broker=broker, actor_name="remember", max_retries=0)
    worker = Worker(broker, worker_threads=3, worker_timeout=100)  # threads to spare for a second run
    worker.start()
    queue, held = f"{broker.namespace}:default", f"{broker.namespace}:__acks__.{broker.broker_id}.default"
    try:
        actor.send("long")
        wait_for(lambda: ran == ["long"], timeout=10)  # running, held by this worker

        redis_server.stop()
        wait_for(lambda: any(record.name == "dramatiq.worker.ConsumerThread(default)" and
                             "connection error" in record.getMessage() for record in caplog.records),
                 timeout=30)  # the consumer has lost Redis: it starts again, and puts back, when Redis is back
        redis_server.start()  # the append-only file keeps it marked as this worker's
        actor.send("after")
        wait_for(lambda: "after" in ran, timeout=30)  # the consumer is back (it puts back before it fetches)
        release.set()
        wait_for(lambda: broker.client.llen(queue) == 0 and not broker.client.smembers(held), timeout=30)
        worker.join()

        assert sorted(ran) == ["after", "long"]  # before: "long" put back and run a second time
    finally:
        release.set()
        worker.stop()
        handle.close()
        redis_server.stop()
