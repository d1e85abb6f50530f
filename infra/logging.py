"""A correlation id (the document or message id being worked on) on every log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")

# Libraries that tell at INFO what an operator has no use for: Alembic its plugins and the database's
# dialect on every `coi migrate`; aiosmtpd ("mail.log") each connection, each command and each
# client's hang-up after a clean QUIT ("Connection lost during _handle_client()"). At INFO and above
# they say only their warnings and errors; COI_LOG_LEVEL=DEBUG shows all they say.
CHATTY_LIBRARIES = ("alembic", "mail.log")


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


@contextmanager
def correlated(value: str) -> Iterator[None]:
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)


def quiet_chatty_libraries(level: int | str) -> None:
    """Keep ``CHATTY_LIBRARIES`` to their warnings and errors unless ``level`` is DEBUG or lower."""
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    quiet = not (isinstance(numeric, int) and numeric <= logging.DEBUG)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
