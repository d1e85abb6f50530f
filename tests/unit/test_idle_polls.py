"""An idle consumer of the OCR queue looks for work less often than one of the fast queue (workers/actors.py
``IdlePolls``, infra/broker.py ``RecoveringRedisBroker.idle_polls``): each look is a Lua script call."""

from __future__ import annotations

from dramatiq.common import dq_name

from infra.broker import RecoveringRedisBroker
from workers.actors import OCR_QUEUE, IdlePolls


class _Worker:
    worker_threads = 4


def test_given_the_ocr_poll_when_a_worker_boots_then_its_ocr_consumers_pause_that_long_and_the_fast_ones_as_asked():
    broker = RecoveringRedisBroker(url="redis://127.0.0.1:1/0")  # no connection is made: consume is not asked to fetch
    broker.client.smembers = lambda _key: set()  # nothing held from an earlier consumer
    IdlePolls(700).before_worker_boot(broker, _Worker())

    assert broker.consume(OCR_QUEUE, prefetch=2, timeout=100).timeout == 700
    assert broker.consume(dq_name(OCR_QUEUE), prefetch=2, timeout=100).timeout == 700
    assert broker.consume("default", prefetch=8, timeout=100).timeout == 100
    assert broker.consume(dq_name("default"), prefetch=8, timeout=100).timeout == 100


def test_given_a_broker_without_idle_polls_when_a_worker_boots_then_nothing_is_set():
    class Pushing:  # a broker that is not the Redis one (RabbitMQ pushes messages: no polling)
        pass

    broker = Pushing()
    IdlePolls(700).before_worker_boot(broker, _Worker())
    assert not hasattr(broker, "idle_polls")


def test_given_an_ocr_consumer_whose_threads_hold_all_it_may_then_it_looks_again_at_the_workers_pause(monkeypatch):
    broker = RecoveringRedisBroker(url="redis://127.0.0.1:1/0")
    broker.client.smembers = lambda _key: set()
    IdlePolls(700).before_worker_boot(broker, _Worker())
    consumer = broker.consume(OCR_QUEUE, prefetch=2, timeout=100)
    fetched = []
    broker.do_fetch = lambda queue, count: fetched.append(count) or []  # an empty queue
    slept: list[float] = []
    monkeypatch.setattr("dramatiq.brokers.redis.time.sleep", slept.append)

    consumer.queued_message_ids.update({"a", "b"})  # both its threads busy: no look would fetch
    for _ in range(12):
        next(consumer)
    assert not fetched and max(slept) <= 0.1  # (dramatiq's backoff climbs to the pause it is given, no further)

    consumer.queued_message_ids.clear()  # idle: it looks at the OCR queue's longer pause
    slept.clear()
    for _ in range(12):
        next(consumer)
    assert fetched and 0.1 < max(slept) <= 0.7
