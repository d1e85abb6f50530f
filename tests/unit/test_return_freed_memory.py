"""A worker hands the memory an OCR freed back to the system after each message of the OCR queue, and
only then (workers/memory.py)."""

from __future__ import annotations

from types import SimpleNamespace

from workers.memory import ReturnFreedMemory, glibc_trim


def test_given_messages_of_both_queues_when_they_end_then_only_the_ocr_ones_trim():
    trims = []
    middleware = ReturnFreedMemory(["ocr"], trim=lambda: trims.append(1))

    middleware.after_process_message(None, SimpleNamespace(queue_name="default"))
    middleware.after_process_message(None, SimpleNamespace(queue_name="ocr"))
    middleware.after_process_message(None, SimpleNamespace(queue_name="ocr.DQ"), exception=RuntimeError())
    middleware.after_skip_message(None, SimpleNamespace(queue_name="ocr"))

    assert trims == [1, 1, 1]


def test_given_glibc_when_trimmed_then_it_answers():
    trim = glibc_trim()
    assert trim is None or trim() in (0, 1)  # 1: memory was given back; 0: there was none to give
