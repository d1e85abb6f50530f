"""Which errors are retried, and for how long before a document is given up."""

from __future__ import annotations

import redis.exceptions
from sqlalchemy.exc import OperationalError

from infra.storage import StorageUnavailable
from pipeline.errors import EmptyDocument
from workers import outcomes


def shortest_total_wait_ms() -> int:
    """The least time dramatiq's retries can span: attempt k waits MIN·2^k stretched by a jitter of
    1-2×, and a stretched wait beyond MAX is redrawn at 50-100 % of MAX."""
    total = 0
    for attempt in range(outcomes.MAX_RETRIES):
        base = outcomes.MIN_BACKOFF_MS * 2 ** attempt
        total += base if 2 * base <= outcomes.MAX_BACKOFF_MS else min(base, outcomes.MAX_BACKOFF_MS // 2)
    return total


def test_a_transient_error_is_retried_for_at_least_half_an_hour_before_the_document_is_given_up():
    assert shortest_total_wait_ms() >= 30 * 60 * 1000


def test_the_waits_follow_dramatiqs_backoff_as_the_bound_assumes():
    from dramatiq.common import compute_backoff

    for attempt in range(outcomes.MAX_RETRIES):
        base = outcomes.MIN_BACKOFF_MS * 2 ** attempt
        for _ in range(50):
            _, wait = compute_backoff(attempt, factor=outcomes.MIN_BACKOFF_MS, max_backoff=outcomes.MAX_BACKOFF_MS)
            assert min(base, outcomes.MAX_BACKOFF_MS // 2) <= wait <= outcomes.MAX_BACKOFF_MS


def test_services_away_are_retried_and_bad_documents_are_not():
    transient = [StorageUnavailable("s3 down"), redis.exceptions.ConnectionError("refused"),
                 OperationalError("SELECT 1", {}, Exception("server closed the connection"))]
    for error in transient:
        assert outcomes.retry_when(0, error), error
        assert not outcomes.retry_when(outcomes.MAX_RETRIES, error), error
    assert not outcomes.retry_when(0, EmptyDocument("The file is empty."))
    assert not outcomes.retry_when(0, ValueError("a bug"))


def test_running_out_of_memory_fails_the_document_as_too_large_with_the_setting_named():
    import cv2

    opencv = cv2.error("Failed to allocate 225000000 bytes")
    opencv.code = -4  # cv::Error::StsNoMem, as OpenCV raises it
    for error in (MemoryError(), opencv):
        status, code, message = outcomes.final_status(error)
        assert (status.value, code) == ("failed", "too_large")
        assert "COI_WORKER_MEMORY_MB" in message
    other = cv2.error("bad argument")
    other.code = -5
    assert outcomes.final_status(other)[1] == "internal_error"


def test_only_failures_a_fresh_copy_mends_are_the_senders_to_hear_of():
    from pipeline.errors import codes_senders_mend
    from pipeline.ocr.errors import OcrFailed, OcrTimeout

    mends = codes_senders_mend()
    assert {"encrypted_document", "empty_document", "reader_crashed", "too_large"} <= mends
    assert not mends & {OcrTimeout.code, OcrFailed.code, "not_a_certificate", "service_unavailable"}
