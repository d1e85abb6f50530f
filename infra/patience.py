"""Waiting out a short outage in place when the work already done is worth more than the wait.

A stage whose OCR took half a minute, then met storage or the database away for a few seconds at
the moment of keeping its result, would otherwise fail; its retry would go to the back of its queue
(behind every other scan's OCR) or do the OCR again. :func:`patiently` tries the action again,
backing off, for as long as the work it would throw away took (``worth_s``); past that, or for an
error that is not transient, the error goes up as before, to the stage's own retry.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_WAIT_S = 0.5  # the first wait; each next one doubles, up to the longest
LONGEST_WAIT_S = 8.0  # a service that is back is found within this of its return


def patiently(action: Callable[[], T], *, worth_s: float | Callable[[], float],
              transient: tuple[type[BaseException], ...], what: str, sleep=time.sleep, clock=time.monotonic) -> T:
    """``action()``, tried again on a ``transient`` error while the time spent waiting stays under
    ``worth_s`` (seconds, or a function giving them once the first try has failed)."""
    wait = FIRST_WAIT_S
    failed_at: float | None = None
    worth = 0.0
    while True:
        try:
            return action()
        except transient as exc:
            now = clock()
            if failed_at is None:  # the work done is what the first try cost
                failed_at, worth = now, worth_s() if callable(worth_s) else worth_s
            if now - failed_at + wait > worth:
                raise
            log.warning("%s: %s; trying again in %.1f s (the work it keeps took %.0f s)",
                        what, type(exc).__name__, wait, worth)
            sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_S)
