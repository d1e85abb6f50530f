"""One SMTP message's DATA as it arrives: kept in memory up to a threshold, then in an unnamed
temporary file (``tempfile.SpooledTemporaryFile``), so a large message costs the door disk, not
memory. No SMTP here: the door (``inbox/smtp.py``) feeds it lines, the handler reads it back.

The file has no name on disk (Linux ``O_TMPFILE``, or unlinked at once elsewhere): closing it, or
the process dying, frees it; nothing is ever left in the spool folder to clean up.
"""

from __future__ import annotations

import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

class DataSpool:
    """The message's bytes (after dot-unstuffing), as they arrive.

    A message the door refuses (too large, a line too long) is *discarded* at once (file closed,
    bytes freed) and what still comes is not kept, so it is never held whole. A spool being read by
    :meth:`reading` (the handler storing it, in a thread) is closed when the last reader is done, so
    a client hanging up while its message is being stored cannot pull the file from under the store.
    """

    def __init__(self, memory_bytes: int, directory: Path | None = None):
        self.memory_bytes = memory_bytes
        self.size = 0  # bytes kept
        self.discarded = False
        self.spilled = False  # went past ``memory_bytes`` into the file (stays True once closed)
        self._file: tempfile.SpooledTemporaryFile | None = tempfile.SpooledTemporaryFile(
            max_size=memory_bytes, dir=directory)
        self._lock = threading.Lock()
        self._readers = 0
        self._closing = False

    # -- writing, on the event loop --------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.discarded:
            return
        self._file.write(data)
        self.size += len(data)
        if not self.spilled and self.size > self.memory_bytes:
            self.spilled = True  # SpooledTemporaryFile rolls over past max_size, as here

    def discard(self) -> None:
        """Drop what is held (too large, a line too long); later writes keep nothing."""
        self.discarded = True
        self.size = 0
        self.close()

    # -- state ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._file is None

    # -- reading, in the handler's thread ---------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[BinaryIO]:
        """The message as a file, from its first byte; the spool stays open until the block ends."""
        with self._lock:
            if self._file is None:
                raise ValueError("the message's spool is closed")
            self._readers += 1
        try:
            self._file.flush()
            self._file.seek(0)
            yield self._file
        finally:
            with self._lock:
                self._readers -= 1
                last = self._readers == 0 and self._closing
            if last:
                self._close_now()

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (the header section, for the Subject)."""
        with self.reading() as file:
            return file.read(size)

    def getvalue(self) -> bytes:
        """The whole message in memory (only for a server set to decode DATA, which needs it whole)."""
        with self.reading() as file:
            return file.read()

    # -- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Free the memory or file; at once, or when the last reader is done. Safe to call twice."""
        with self._lock:
            self._closing = True
            if self._readers:
                return
        self._close_now()

    def _close_now(self) -> None:
        with self._lock:
            file, self._file = self._file, None
        if file is not None:
            file.close()

    def __enter__(self) -> DataSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
