"""Memory a worker gives back after an OCR: glibc keeps what a thread freed for its next allocation.

An OCR draws a page at 300 dots an inch and works on copies of it (grey, binarised, deskewed, each zone
cut out: tens of MB a page), and tesseract allocates its own while it reads. Freed, those blocks stay in
the process: glibc raises its mmap threshold after freeing a large mapped block (up to 32 MB on 64-bit),
so the next page's images come from the heap and stay there, held in the arena of the thread that
freed them. A worker then keeps its largest scan's memory for good. ``malloc_trim(0)`` hands the free
pages of every arena back to the system (glibc >= 2.8 releases free pages inside the heap too, not only at
its top); it costs a walk of the free lists (milliseconds), next to an OCR's seconds. It is asked for
after messages of the OCR queue only: born-digital work (the default queue) frees a few MB a message and
would pay the page faults of getting them back each time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable, Iterable

import dramatiq
from dramatiq.common import q_name

log = logging.getLogger(__name__)


def glibc_trim() -> Callable[[], object] | None:
    """``malloc_trim(0)`` of this process's C library, or None where there is none (not glibc)."""
    path = ctypes.util.find_library("c")
    if path is None:
        return None
    try:
        trim = ctypes.CDLL(path).malloc_trim
    except (OSError, AttributeError):  # musl, macOS: no malloc_trim
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


class ReturnFreedMemory(dramatiq.Middleware):
    """After each message of ``queues`` (however it ended), the memory it freed goes back to the system."""

    def __init__(self, queues: Iterable[str], trim: Callable[[], object] | None = None):
        self.queues = frozenset(queues)
        self.trim = trim if trim is not None else glibc_trim()

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        if self.trim is not None and q_name(message.queue_name) in self.queues:
            self.trim()

    after_skip_message = after_process_message
