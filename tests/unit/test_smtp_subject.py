"""The SMTP door reads a stored message's Subject from its header section alone: a large message's
body is never decoded or copied for it (it once cost ~8x the message in memory)."""

from __future__ import annotations

import tracemalloc

from inbox.smtp import _subject


def test_the_subject_is_read_without_copying_the_body():
    raw = (b"From: a@example.test\r\nSubject: =?utf-8?q?COI_f=C3=BCr_Lot_14?=\r\n continued\r\n"
           b"MIME-Version: 1.0\r\n\r\n" + b"QUFBQUFB" * 1_250_000)  # a 10 MB body
    tracemalloc.start()
    try:
        subject = _subject(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert subject == "COI für Lot 14 continued"
    assert peak < 1_000_000


def test_a_message_without_a_header_end_or_subject_gives_none():
    assert _subject(b"no headers at all") is None
    assert _subject(b"From: a@example.test\r\n\r\nbody") is None
