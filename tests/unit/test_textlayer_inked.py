"""The ink check's minimum over each word's pixel box (``textlayer._inked``) is the box's own minimum."""

from __future__ import annotations

import numpy as np

from pipeline.textlayer import _INK_LEVEL, _inked


def _each_on_its_own(ink, lefts, tops, rights, bottoms):
    return [bool(x1 > x0 and y1 > y0 and ink[y0:y1, x0:x1].min() < _INK_LEVEL)
            for x0, y0, x1, y1 in zip(lefts, tops, rights, bottoms)]


def _boxes(rng, shape, count):
    height, width = shape
    lefts, tops, rights, bottoms = [], [], [], []
    for _ in range(count):
        top = int(rng.integers(0, height))
        if rng.random() < 0.6:  # most of a line's words share its band
            top = int(rng.choice([3, 20, 41]))
        left = int(rng.integers(-3, width + 3))
        lefts.append(max(left, 0))
        tops.append(top)
        rights.append(min(left + int(rng.integers(-2, 40)), width))  # some empty, some to the edge
        bottoms.append(min(top + int(rng.integers(0, 14)), height))
    return lefts, tops, rights, bottoms


def test_given_scattered_dark_pixels_when_boxes_are_checked_then_each_answer_is_its_box_minimum():
    rng = np.random.default_rng(16)
    for _ in range(40):
        ink = np.full((60, 90), 255, dtype=np.uint8)
        dots = rng.integers(0, 60 * 90, size=int(rng.integers(0, 30)))
        ink.reshape(-1)[dots] = rng.integers(0, 256, size=len(dots))  # some light, some dark
        boxes = _boxes(rng, ink.shape, int(rng.integers(0, 60)))
        assert _inked(ink, *boxes) == _each_on_its_own(ink, *boxes)


def test_given_ink_in_the_last_column_and_row_when_a_box_reaches_them_then_it_is_inked():
    ink = np.full((10, 12), 255, dtype=np.uint8)
    ink[9, 11] = 0
    assert _inked(ink, [11, 0, 5], [9, 0, 9], [12, 11, 11], [10, 10, 10]) == [True, False, False]


def test_given_many_tall_bands_when_boxes_are_checked_then_the_answers_are_the_same():
    rng = np.random.default_rng(7)
    ink = rng.integers(150, 256, size=(30, 40)).astype(np.uint8)
    lefts, tops, rights, bottoms = [], [], [], []
    for top in range(25):  # more bands' rows than the page has, several times over
        for bottom in range(top + 1, 30, 3):
            lefts.append(top % 40)
            tops.append(top)
            rights.append(min(top % 40 + 5, 40))
            bottoms.append(bottom)
    assert _inked(ink, lefts, tops, rights, bottoms) == _each_on_its_own(ink, lefts, tops, rights, bottoms)
