"""Per-key sliding-window limits: at most ``limit`` events per key within any ``window_seconds``.

``RateLimiter`` counts in this process (the SMTP door keys it by the client's IP address): behind
a load balancer that spreads one client over N doors, the effective limit is up to N times the
setting. ``RedisRateLimiter`` keeps the same window in Redis, so every process that shares the
Redis counts against one limit (the HTTP API, by upload token and by client IP); while Redis
cannot be reached it falls back to counting in this process, and says so in the log.

``hit(key)`` counts one event and returns 0.0, or, when the event would pass the limit, the
seconds until the oldest counted event leaves the window (what ``Retry-After`` says); refused
events are not counted.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False when it would pass ``limit`` within the window."""
        return self.hit(key) == 0.0

    def hit(self, key: str) -> float:
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return max(seen[0] + self.window - now, 0.001)
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle clients so the table stays small
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window}
            return 0.0


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


# One sorted set per key, scored by the time (ms) of each counted event; atomic, so concurrent
# processes cannot both take the last place. Returns 0, or the ms until a place frees up.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""


class RedisRateLimiter:
    """The sliding window of ``RateLimiter``, kept in Redis under ``prefix + key``.

    ``redis`` is called on first use (building the client connects to nothing here). Times come
    from ``clock`` (wall-clock seconds; hosts sharing the limit keep their clocks with NTP)."""

    def __init__(self, redis: Callable[[], Redis], limit: int, window_seconds: float, *, prefix: str,
                 clock: Callable[[], float] = time.time):
        self.limit, self.window, self.prefix, self.clock = limit, window_seconds, prefix, clock
        self._redis = redis
        self._script = None
        self._fallback = RateLimiter(limit, window_seconds)
        self._degraded = False

    def allow(self, key: str) -> bool:
        return self.hit(key) == 0.0

    def hit(self, key: str) -> float:
        if self.limit <= 0:
            return 0.0
        now_ms = int(self.clock() * 1000)
        try:
            if self._script is None:
                self._script = self._redis().register_script(_SLIDING_WINDOW)
            wait_ms = self._script(keys=[self.prefix + key], args=[now_ms, math.ceil(self.window * 1000), self.limit,
                                                                  f"{now_ms}:{secrets.token_hex(6)}"])
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                log.warning("rate limit %s: Redis is unavailable (%s); counting in this process until it is back",
                            self.prefix, exc)
            return self._fallback.hit(key)
        if self._degraded:
            self._degraded = False
            log.info("rate limit %s: Redis is back; counting there again", self.prefix)
        return int(wait_ms) / 1000
