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
