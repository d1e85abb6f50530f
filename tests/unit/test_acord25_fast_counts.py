"""Registration's exact shortcuts (bdspeed8) give what their plain definitions give (pure)."""

from __future__ import annotations

import numpy as np

from pipeline.acord25 import template as t


def _plain_distinct(shift, ids, shifts):
    """For each hypothesis, the number of distinct ids among its pairs, one by one."""
    seen = [set() for _ in range(shifts)]
    for s, i in zip(shift.tolist(), ids.tolist()):
        seen[s].add(i)
    return [len(s) for s in seen]


def test_distinct_per_shift_by_table_and_by_sort(monkeypatch):
    rng = np.random.default_rng(16)
    cases = [(np.zeros(0, dtype=int), np.zeros(0, dtype=int), 3, 1)]
    for _ in range(60):
        shifts, span, n = int(rng.integers(1, 40)), int(rng.integers(1, 30)), int(rng.integers(0, 300))
        shift = np.sort(rng.integers(0, shifts, n))  # (each hypothesis's pairs together, as the windows give them)
        cases.append((shift, rng.integers(0, span, n), shifts, span))
    for cells in (t._SEEN_CELLS, 0):  # the table, then the sort a hostile page's many hypotheses take
        monkeypatch.setattr(t, "_SEEN_CELLS", cells)
        for shift, ids, shifts, span in cases:
            got = t._distinct_per_shift(shift, ids, shifts, span)
            assert got.tolist() == _plain_distinct(shift, ids, shifts)
            assert got.dtype.kind == "i"


def test_labels_near_many_counts_distinct_labels(monkeypatch):
    """The labels agreeing with each shift, by the table and by the sort, against the test made pair by pair."""
    rng = np.random.default_rng(8)
    groups = []
    for _ in range(5):
        n = int(rng.integers(1, 80))
        ids = rng.integers(0, 25, n)
        label_shift = np.round(rng.normal(0, 4, (n, 2)), 1)
        shifts = np.round(rng.normal(0, 4, (int(rng.integers(1, 30)), 2)), 1)
        groups.append((ids, label_shift, shifts))
    want = [[len({i for i, p in zip(ids.tolist(), ls.tolist())
                  if abs(p[0] - s[0]) <= t.INLIER_PT and abs(p[1] - s[1]) <= t.INLIER_PT}) for s in shifts.tolist()]
            for ids, ls, shifts in groups]
    for cells in (t._SEEN_CELLS, 0):
        monkeypatch.setattr(t, "_SEEN_CELLS", cells)
        assert [c.tolist() for c in t._labels_near_many(groups)] == want
        assert [t._labels_near(*g).tolist() for g in groups] == want
