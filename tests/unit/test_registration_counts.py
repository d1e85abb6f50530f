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


@pytest.mark.parametrize("seed", range(20))
def test_given_several_blocks_then_counting_them_at_once_gives_each_blocks_own_count(seed):
    rng = np.random.default_rng(100 + seed)
    groups = []
    for _ in range(int(rng.integers(1, 16))):  # a template's blocks: some with no pairs, some far apart
        n, k = int(rng.integers(0, 60)), int(rng.integers(0, 40))
        centre = rng.uniform(-300, 300, 2)
        ids = rng.integers(0, 50, n)
        label_shift = centre + np.round(rng.uniform(-20, 20, (n, 2)), 1)
        shifts = centre + np.round(rng.uniform(-20, 20, (k, 2)), 1)
        m = min(n, k)  # shifts at exactly INLIER_PT from a pair
        shifts[:m] = label_shift[rng.integers(0, n, m)] + rng.choice([0.0, 3.0, -3.0], (m, 2)) if m else shifts[:m]
        groups.append((ids, label_shift, shifts))
    many = template._labels_near_many(groups)
    assert [c.tolist() for c in many] == [template._labels_near(*g).tolist() for g in groups]


def test_given_blocks_whose_shifts_overlap_then_no_pair_counts_for_another_block():
    one = (np.array([0, 1]), np.array([[5.0, 5.0], [6.0, 5.0]]), np.array([[5.0, 5.0]]))
    other = (np.array([0]), np.array([[50.0, 5.0]]), np.array([[5.0, 5.0], [50.0, 5.0]]))
    assert [c.tolist() for c in template._labels_near_many([one, other])] == [[2], [0, 1]]
