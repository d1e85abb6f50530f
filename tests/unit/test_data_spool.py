"""The SMTP door's DATA spool (inbox/spool.py) and the aiosmtpd DATA it replaces."""

from __future__ import annotations

import pytest

from inbox.spool import DataSpool


def test_given_a_spool_being_read_when_it_is_closed_then_the_reader_finishes_and_the_file_goes_after():
    """A client hanging up while its message is stored must not pull the file from under the store."""
    spool = DataSpool(memory_bytes=16)
    spool.write(b"Subject: x\r\n\r\n" + b"y" * 100 + b"\r\n")  # past 16 bytes: in a file
    with spool.reading() as file:
        spool.close()  # the door's side, on the hang-up
        assert not spool.closed
        assert file.read().startswith(b"Subject: x")
    assert spool.closed
    with pytest.raises(ValueError):
        spool.head(10)


def test_given_a_discarded_spool_then_it_keeps_nothing_of_what_still_arrives():
    spool = DataSpool(memory_bytes=16)
    spool.write(b"a" * 100)
    spool.discard()
    spool.write(b"b" * 100)
    assert (spool.closed, spool.discarded, spool.size) == (True, True, 0)


def test_given_a_spool_then_it_reads_back_from_the_start_each_time():
    spool = DataSpool(memory_bytes=1024)
    spool.write(b"line one\r\n")
    spool.write(b"line two\r\n")
    assert spool.head(8) == b"line one"
    assert spool.getvalue() == b"line one\r\nline two\r\n"
    spool.close()


def test_the_door_overrides_the_aiosmtpd_data_it_was_read_against():
    """GatedSMTP.smtp_DATA copies aiosmtpd's DATA (checks, replies, limits): when aiosmtpd's changes,
    read it again, carry the change over, and record its new digest (inbox/smtp.py)."""
    from inbox.smtp import AIOSMTPD_DATA_SHA256, aiosmtpd_data_digest

    assert aiosmtpd_data_digest() == AIOSMTPD_DATA_SHA256
