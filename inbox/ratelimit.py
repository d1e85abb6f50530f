"""Per-key limits over a moving window: at most ``limit`` events per key within any ``window_seconds``.

The message and request limits are the ``limits`` library's moving window. ``RateLimiter`` counts
in this process (its memory storage; the SMTP door keys it by the client's IP address): behind a
load balancer that spreads one client over N doors, the effective limit is up to N times the
setting. ``RedisRateLimiter`` keeps the window in Redis (its Redis storage, on the app's Redis
client), so every process that shares the Redis counts against one limit (the HTTP API, by upload
token and by client IP); while Redis cannot be reached it falls back to counting in this process,
and says so in the log.

``hit(key)`` counts one event and returns 0.0, or, when the event would pass the limit, the
seconds until the oldest counted event leaves the window (what ``Retry-After`` says); refused
events are not counted.

``ByteBudget`` stays written here: ``limits`` counts a cost of n as n entries of its window, so a
budget of 200 MB would be 200 million entries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)


class RateLimiter:
    """A moving window per key on a ``limits`` storage (this process's memory unless given one)."""

    def __init__(self, limit: int, window_seconds: float, storage: Storage | None = None, *, prefix: str = ""):
        self.limit, self.window, self.prefix = limit, window_seconds, prefix
        self._item = RateLimitItemPerSecond(limit, max(1, round(window_seconds))) if limit > 0 else None
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage()) if limit > 0 else None

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False when it would pass ``limit`` within the window."""
        return self.hit(key) == 0.0

    def hit(self, key: str) -> float:
        if self._item is None:
            return 0.0
        identifiers = (self.prefix, key) if self.prefix else (key,)
        if self._limiter.hit(self._item, *identifiers):
            return 0.0
        reset, _ = self._limiter.get_window_stats(self._item, *identifiers)
        return max(reset - time.time(), 0.001)


class RedisRateLimiter:
    """The moving window of ``RateLimiter`` in Redis, under keys that start with ``prefix``.

    ``redis`` is called on first use (building the limiter connects to nothing here); the window's
    times are the hosts' clocks (hosts sharing the limit keep them with NTP)."""

    def __init__(self, redis: Callable[[], Redis], limit: int, window_seconds: float, *, prefix: str):
        self.limit, self.window, self.prefix = limit, window_seconds, prefix
        self._redis = redis
        self._shared: RateLimiter | None = None
        self._fallback = RateLimiter(limit, window_seconds)
        self._degraded = False

    def allow(self, key: str) -> bool:
        return self.hit(key) == 0.0

    def hit(self, key: str) -> float:
        if self.limit <= 0:
            return 0.0
        try:
            if self._shared is None:
                storage = RedisStorage("redis://", connection_pool=self._redis().connection_pool,
                                       key_prefix=self.prefix.rstrip(":"))
                self._shared = RateLimiter(self.limit, self.window, storage)
            wait = self._shared.hit(key)
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                log.warning("rate limit %s: Redis is unavailable (%s); counting in this process until it is back",
                            self.prefix, exc)
            return self._fallback.hit(key)
        if self._degraded:
            self._degraded = False
            log.info("rate limit %s: Redis is back; counting there again", self.prefix)
        return wait


class ByteBudget:
    """At most ``limit`` bytes per key within any ``window_seconds`` (sliding), counted in this process
    (the SMTP door keys it by the client's IP address, like ``RateLimiter``).

    ``take(key, n)`` counts ``n`` bytes and returns 0.0, or, when they would pass the limit, the
    seconds until the oldest counted bytes leave the window (nothing is counted then). A key with
    nothing counted may always take one batch, however large: a limit below one message's size
    slows a client down to one message per window instead of stopping it for good."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._seen: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> deque[tuple[float, int]]:
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0][0] <= now - self.window:
            seen.popleft()
        return seen

    def left(self, key: str) -> int | None:
        """Bytes ``key`` may still send in the window (None: no limit)."""
        if self.limit <= 0:
            return None
        with self._lock:
            used = sum(n for _, n in self._current(key, self.clock()))
        return max(self.limit - used, 0)

    def take(self, key: str, n: int) -> float:
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            seen = self._current(key, now)
            if seen and sum(size for _, size in seen) + n > self.limit:
                return max(seen[0][0] + self.window - now, 0.001)
            seen.append((now, n))
            if len(self._seen) > 10_000:  # forget idle clients so the table stays small
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1][0] > now - self.window}
            return 0.0
