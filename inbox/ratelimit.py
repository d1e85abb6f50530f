"""A per-key sliding-window limit (the SMTP door keys it by the client's IP address).

In-process: each door process counts its own clients. Behind a load balancer that spreads one
client over N doors, the effective limit is up to N times the setting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False when it would pass ``limit`` within the window."""
        if self.limit <= 0:
            return True
        now = self.clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle clients so the table stays small
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window}
            return True
