"""The registration's array helpers give what their plain definitions give (pure)."""

from __future__ import annotations

import numpy as np

from pipeline.acord25.template import _agreeing_labels, _unique_rows


def test_given_shift_hypotheses_with_repeats_and_signed_zeros_when_made_unique_then_as_numpys_unique_rows():
    rng = np.random.default_rng(3)
    rows = np.round(rng.normal(0, 2, (400, 2)), 1)
    rows[:50] = rows[50:100]  # repeats
    rows[100:110] = -0.0
    assert np.array_equal(_unique_rows(rows), np.unique(rows, axis=0))
    assert np.array_equal(_unique_rows(rows[:1]), rows[:1]) and len(_unique_rows(rows[:0])) == 0


def test_given_scale_hypotheses_when_agreeing_anchors_are_counted_then_each_anchor_counts_once_per_hypothesis():
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 40, 150)
    src = rng.uniform(0, 600, (150, 2))
    dst = src * 1.02 + rng.normal(0, 3, (150, 2))
    scales = rng.uniform(0.98, 1.06, (300, 2))
    shifts = rng.normal(0, 4, (300, 2))
    expected = [len({i for i, s, d in zip(ids, src, dst) if (np.abs(s * sc + sh - d) <= 6.0).all()})
                for sc, sh in zip(scales, shifts)]
    assert _agreeing_labels(ids, src, dst, scales, shifts, 6.0, chunk=64).tolist() == expected
