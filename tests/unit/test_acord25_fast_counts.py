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


def test_distinct_per_shift():
    rng = np.random.default_rng(16)
    cases = [(np.zeros(0, dtype=int), np.zeros(0, dtype=int), 3, 1)]
    for _ in range(60):
        shifts, span, n = int(rng.integers(1, 40)), int(rng.integers(1, 30)), int(rng.integers(0, 300))
        shift = np.sort(rng.integers(0, shifts, n))  # (each hypothesis's pairs together, as the windows give them)
        cases.append((shift, rng.integers(0, span, n), shifts, span))
    for shift, ids, shifts, span in cases:
        got = t._distinct_per_shift(shift, ids, shifts, span)
        assert got.tolist() == _plain_distinct(shift, ids, shifts)
        assert got.dtype.kind == "i"


def test_labels_near_many_counts_distinct_labels():
    """The labels agreeing with each shift, batched and one group at a time, against the test made pair by pair."""
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
    assert [c.tolist() for c in t._labels_near_many(groups)] == want
    assert [t._labels_near(*g).tolist() for g in groups] == want


def test_word_boxes_read_from_one_flat_list_are_the_tuples_array():
    """PageWords' boxes and the reader's word pairs, read from one flat list of edges: the array of each word's
    tuple of edges, value for value (integers, negative zeros and infinities as they were)."""
    from pipeline.acord25.reader import _overlapping
    from pipeline.textlayer import Page, Word

    edges = [(1, 2, 30, 12), (-0.0, 2.5, 29.75, 12.0), (5.0, 2.0, float("inf"), 11.0), (3.25, 40.0, 9.0, 50.5)]
    words = [Word(f"w{k}", *e) for k, e in enumerate(edges)]
    page = t.PageWords(Page(number=1, width=600.0, height=800.0, words=tuple(words)))
    want = np.array([(w.x0, w.y0, w.x1, w.y1) for w in words], dtype=float)
    assert page.boxes.shape == (4, 4) and page.boxes.tobytes() == want.tobytes()
    assert _overlapping(words) == [(0, 1), (0, 2), (1, 2)]
    assert t.PageWords(Page(number=1, width=600.0, height=800.0, words=())).boxes.shape == (0, 4)


def test_unique_rows_and_the_shared_empty_rules():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 40):
        rows = np.round(rng.normal(0, 2, (n, 2)), 0)
        rows[rows == 0] = -0.0 if n % 2 else 0.0
        assert t._unique_rows(rows).tolist() == np.unique(rows, axis=0).tolist()
    level, upright = t._NO_RULES  # shared by every fit without rules: nothing may write into it
    for array in (level.ids, level.src, level.dst, upright.ids):
        assert len(array) == 0 and not array.flags.writeable
