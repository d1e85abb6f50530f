"""The registration's count of labels agreeing with each shift, found by bisection over the pairs sorted
across, is the count of the full pairs-by-shifts test (``_distinct``), boundaries included."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

template = importlib.import_module("pipeline.acord25.template")


def _full_table(ids: np.ndarray, label_shift: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    agree = (np.abs(label_shift[:, None, 0] - shifts[None, :, 0]) <= template.INLIER_PT) & \
        (np.abs(label_shift[:, None, 1] - shifts[None, :, 1]) <= template.INLIER_PT)
    return template._distinct(ids, agree)


@pytest.mark.parametrize("seed", range(40))
def test_given_pairs_and_shifts_then_the_windowed_count_is_the_full_tables(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 250)), int(rng.integers(1, 300))
    ids = rng.integers(0, int(rng.integers(1, 80)), n)
    label_shift = np.round(rng.uniform(-40, 40, (n, 2)), int(rng.integers(0, 3)))
    label_shift[rng.random(n) < 0.3] = label_shift[0]  # many pairs of one shift, as a page at the form's place gives
    shifts = np.round(rng.uniform(-40, 40, (k, 2)), 1)
    m = min(n, k)  # shifts at exactly INLIER_PT from a pair, and a hair inside and outside it
    offsets = rng.choice([0.0, template.INLIER_PT, -template.INLIER_PT, 2.9999999, -3.0000001], (m, 2))
    shifts[:m] = label_shift[rng.integers(0, n, m)] + offsets
    assert template._labels_near(ids, label_shift, shifts).tolist() == _full_table(ids, label_shift, shifts).tolist()


def test_given_no_pairs_or_no_shifts_then_nothing_agrees():
    none = np.zeros((0, 2))
    assert template._labels_near(np.zeros(0, dtype=int), none, np.ones((3, 2))).tolist() == [0, 0, 0]
    assert template._labels_near(np.array([1, 2]), np.ones((2, 2)), none).tolist() == []


def test_given_two_pairs_of_one_label_near_a_shift_then_it_counts_once():
    ids = np.array([4, 4, 7])
    label_shift = np.array([[10.0, 5.0], [11.0, 6.0], [30.0, 5.0]])
    assert template._labels_near(ids, label_shift, np.array([[10.5, 5.5], [30.0, 8.0], [30.0, 8.1]])).tolist() == [1, 1, 0]
