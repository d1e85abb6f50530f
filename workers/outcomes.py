"""Where every error meets its outcome: retry, or a final recorded status with a reason."""

from __future__ import annotations

import smtplib

import redis.exceptions
from dramatiq.errors import BrokerConnectionError
from sqlalchemy.exc import DBAPIError, OperationalError

from infra.storage import StorageUnavailable
from pipeline.errors import NotACertificate, PipelineError
from pipeline.states import DocumentStatus

# A transient error (storage, database or broker away) is retried for at least half an hour: waits of
# 1 s doubling, then 5 to 10 minutes each (dramatiq's jitter), before the document is failed with
# ``service_unavailable``. A service restart or a short outage costs nothing but time.
MAX_RETRIES = 14
MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 600_000

TRANSIENT = (StorageUnavailable, OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
             BrokerConnectionError,  # RabbitMQ away: dramatiq's ConnectionClosed
             ConnectionError, TimeoutError, smtplib.SMTPException)  # SMTP: 4xx answers, lost relay


class RetriesExhausted(Exception):
    """A transient error outlasted every retry."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, PipelineError):
        return exc.transient
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


def retry_when(retries: int, exc: BaseException) -> bool:
    """dramatiq's retry predicate: transient errors only, up to MAX_RETRIES times."""
    return retries < MAX_RETRIES and is_transient(exc)


def out_of_memory(exc: BaseException) -> bool:
    """Python's MemoryError, or OpenCV's "Insufficient memory" (cv::Error::StsNoMem, -4)."""
    return isinstance(exc, MemoryError) or (type(exc).__module__ == "cv2" and getattr(exc, "code", None) == -4)


def final_status(exc: BaseException) -> tuple[DocumentStatus, str, str]:
    """(status, code, message) for an error that retrying will not mend."""
    if isinstance(exc, NotACertificate):
        return DocumentStatus.NOT_A_CERTIFICATE, exc.code, exc.message
    if isinstance(exc, PipelineError):
        return DocumentStatus.FAILED, exc.code, exc.message
    if out_of_memory(exc):
        return (DocumentStatus.FAILED, "too_large",
                "Reading the document needed more memory than a worker may use (COI_WORKER_MEMORY_MB), so it "
                "was stopped; send a smaller file or a lower resolution scan.")
    if isinstance(exc, RetriesExhausted):
        return (DocumentStatus.FAILED, "service_unavailable",
                "A storage or database service stayed unavailable through every retry; "
                "send the document through again with `coi retry` once the service is back.")
    return (DocumentStatus.FAILED, "internal_error",
            f"An unexpected error stopped processing ({type(exc).__name__}); the operators have the details in the log.")


# Every actor's retry policy (dramatiq options), in one place.
RETRY_OPTIONS = {"max_retries": MAX_RETRIES, "min_backoff": MIN_BACKOFF_MS, "max_backoff": MAX_BACKOFF_MS,
                 "retry_when": retry_when}
