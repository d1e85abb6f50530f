"""The bench's confidence fit: a way of finding values may claim no more than validation supports."""

from __future__ import annotations

import pytest

from bench.report import Bench, Value, lower_bound


def test_the_lower_bound_is_wilsons_and_grows_with_the_evidence():
    assert lower_bound(10, 10) == pytest.approx(0.7225, abs=1e-4)  # ten of ten right claims only 0.72
    assert lower_bound(0, 10) == pytest.approx(0.0, abs=1e-12)
    assert lower_bound(100, 100) > lower_bound(10, 10)
    assert lower_bound(90, 100) < lower_bound(100, 100) < 1


def test_the_by_how_table_fits_each_way_per_reading_and_only_with_enough_validation_values():
    bench = Bench()
    many = [Value("/x", None, 0.99, True, "in_box")] * 30 + [Value("/x", "wrong", 0.99, True, "in_box")]
    few = [Value("/y", "wrong", 0.8, True, "overlapped")] * 3
    bench.add("validation", "born-digital", many + few, 1.0, 1)
    bench.add("validation", "scan", [Value("/z", "wrong", 0.99, True, "in_box")] * 25, 1.0, 1)
    rows = {line.split("|")[0].strip(): line for line in bench.by_how().splitlines() if "|" in line}
    assert rows["in_box / digital"].rstrip().endswith(f"{lower_bound(30, 31):.3f}")
    assert rows["in_box / scan/photo"].rstrip().endswith(f"{lower_bound(0, 25):.3f}")  # OCR earns its own figure
    assert rows["overlapped / digital"].rstrip().endswith("-")  # three values fit nothing
