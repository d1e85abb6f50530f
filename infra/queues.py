"""What waits on the broker's queues, read for the metrics (docs/metrics.md).

dramatiq keeps a queue on Redis as a list of message ids (``dramatiq:<queue>``, taken from the
front) beside a hash of their bodies (``<queue>.msgs``); delayed messages (retries, webhook
backoffs) live in ``<queue>.DQ`` the same way, dead-lettered ones in the sorted set ``<queue>.XQ``.
On RabbitMQ a passive ``queue.declare`` gives the count of messages ready in a queue, and
nothing about their age, so the age of the oldest message and the delayed count are left out
there (unknown is not zero).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.redis import RedisBroker

# The message at the front of a queue (the next one a worker takes), read in one step so a worker
# taking it between two commands cannot make the id point at nothing.
_FRONT_MESSAGE = """
local id = redis.call('lindex', KEYS[1], 0)
if id then return redis.call('hget', KEYS[2], id) end
return false
"""


@dataclass(frozen=True)
class QueueReading:
    queue: str
    waiting: int  # ready for a worker, not yet taken
    dead: int  # dead-lettered, kept by dramatiq for a week
    oldest_age_seconds: float | None = None  # None: the broker cannot say (RabbitMQ)
    delayed: int | None = None  # waiting for their time; None: the broker cannot say (RabbitMQ)


def queue_names(broker: dramatiq.Broker) -> list[str]:
    """The queues the actors use (``default``, ``ocr``), without their delay and dead-letter twins."""
    return sorted(q for q in broker.get_declared_queues() if not q.endswith((".DQ", ".XQ")))


def read_queues(broker: dramatiq.Broker, now: float | None = None) -> list[QueueReading]:
    now = time.time() if now is None else now
    if isinstance(broker, RedisBroker):
        return [_redis_queue(broker, queue, now) for queue in queue_names(broker)]
    return _rabbitmq_queues(broker)


def _redis_queue(broker: RedisBroker, queue: str, now: float) -> QueueReading:
    client, key = broker.client, f"{broker.namespace}:{queue}"
    with client.pipeline(transaction=False) as pipe:
        pipe.llen(key)
        pipe.hlen(f"{key}.DQ.msgs")
        pipe.zcard(f"{key}.XQ")
        waiting, delayed, dead = pipe.execute()
    front = client.eval(_FRONT_MESSAGE, 2, key, f"{key}.msgs")
    return QueueReading(queue, waiting, dead, _age(front, now) if front else 0.0, delayed)


def _age(body: bytes, now: float) -> float:
    """Seconds since the message became due: since it was sent, or since its delay ran out."""
    message = dramatiq.Message.decode(body)
    due_ms = max(message.message_timestamp, message.options.get("eta") or 0)
    return max(0.0, now - due_ms / 1000)


def _rabbitmq_queues(broker) -> list[QueueReading]:
    import pika
    from dramatiq.common import xq_name

    connection = pika.BlockingConnection(broker.parameters)  # a throwaway: the broker's are per thread
    try:
        channel = connection.channel()
        readings = []
        for queue in queue_names(broker):
            counts = []
            for name in (queue, xq_name(queue)):
                try:
                    counts.append(channel.queue_declare(name, passive=True).method.message_count)
                except pika.exceptions.ChannelClosedByBroker as exc:
                    if exc.reply_code != 404:
                        raise
                    counts.append(0)  # not declared yet: nothing was ever sent to it
                    channel = connection.channel()
            readings.append(QueueReading(queue, counts[0], counts[1]))
        return readings
    finally:
        connection.close()
