"""put_patiently: a result that took long to make is not lost to a short storage outage."""

from __future__ import annotations

import pytest

from infra.storage import StorageUnavailable, put_patiently


class Clock:
    """A fake clock that sleeping moves forward: no real time passes in these tests."""

    def __init__(self):
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class AwayFor:
    """Storage that is unavailable until the clock reaches ``back_at`` seconds."""

    def __init__(self, clock: Clock, back_at: float):
        self.clock, self.back_at = clock, back_at
        self.stored: dict[str, bytes] = {}

    def put(self, key, data, content_type="application/octet-stream"):
        if self.clock.now < self.back_at:
            raise StorageUnavailable("connection refused")
        self.stored[key] = data


def test_given_storage_back_before_the_result_would_be_made_again_then_it_is_stored():
    clock = Clock()
    storage = AwayFor(clock, back_at=9.0)  # a 9 s outage, as in the chaos run
    put_patiently(storage, "reading.json", b"{}", "application/json", worth_s=34.0,  # a 34 s OCR
                  sleep=clock.sleep, clock=lambda: clock.now)
    assert storage.stored == {"reading.json": b"{}"}
    assert sum(clock.waits) < 9.0 + 8.0  # found within the longest wait of its return


def test_given_storage_away_longer_than_the_result_took_then_the_error_goes_up_to_the_stage():
    clock = Clock()
    storage = AwayFor(clock, back_at=600.0)
    with pytest.raises(StorageUnavailable):
        put_patiently(storage, "reading.json", b"{}", "application/json", worth_s=20.0,
                      sleep=clock.sleep, clock=lambda: clock.now)
    assert storage.stored == {}
    assert sum(clock.waits) <= 20.0  # never waits longer than making it again would take


def test_given_a_cheap_result_then_a_storage_error_goes_up_at_once():
    clock = Clock()
    storage = AwayFor(clock, back_at=1.0)
    with pytest.raises(StorageUnavailable):
        put_patiently(storage, "reading.json", b"{}", "application/json", worth_s=0.05,
                      sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.waits == []
