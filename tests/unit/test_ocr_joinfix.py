"""A word cell's cut-out keeps a small blot only beside a core blot of its word (print alone, or as tall as a
speck's square is wide), never through a chain of small blots: a faint rule's dark pieces under a word stay
specks past the one letter that comes near them (fake pixels; docs/accuracy.md, joinfix)."""

from __future__ import annotations

import numpy as np

from pipeline.ocr.zones import MIN_STROKE_IN, PRINT_JOIN_IN, _print_only, _strokes

DPI = 300
PAPER, INK = 250, 10
JOIN = round(PRINT_JOIN_IN * DPI)
SMALLEST = (MIN_STROKE_IN * DPI) ** 2  # a speck's square, in pixels


def _word_over_rule() -> np.ndarray:
    """Two letters (8 x 20 px) and a descender (3 x 26 px, down to row 45) over a faint rule's dark remains across
    the cell: 3 x 2 px dashes 3 px apart, 3 px under the descender, each alone a speck and each within ``JOIN`` of
    the next."""
    crop = np.full((60, 400), PAPER, dtype=np.uint8)
    crop[20:40, 20:28] = INK
    crop[20:40, 35:43] = INK
    crop[20:46, 50:53] = INK  # the descender
    for x in range(0, 400, 6):
        crop[49:51, x:x + 3] = INK
    return crop


def test_given_a_rule_s_pieces_under_a_descender_then_only_those_beside_it_are_kept():
    crop = _word_over_rule()
    assert 3 * 2 * 2 < SMALLEST and 3 < JOIN  # each dash a speck, each within JOIN of the next
    (top, bottom, left, right), piece = _print_only(crop, DPI, words=True)
    assert left >= 20 - JOIN and right <= 53 + JOIN  # the letters, plus at most JOIN: not the rule across the cell
    assert top == 20 and bottom <= 46 + JOIN
    kept = np.full(crop.shape, PAPER, dtype=np.uint8)
    kept[top:bottom, left:right] = piece
    assert int((kept[49:51] < 128).sum()) <= 3 * 2 * 3  # at most the dashes within JOIN of the descender


def test_given_a_short_group_cut_by_the_crop_s_top_then_its_height_is_its_own():
    """Two thin strokes (3 x 8 px, each as tall as a speck's square is wide, together with a dot more than a
    speck's pixels) standing on the crop's top row: the group is as tall as its strokes, kept."""
    dark = _strokes_on_top()
    assert _strokes(dark, dark, SMALLEST, join=JOIN).sum() == 3 * 8 * 2 + 9


def test_given_the_reach_as_0_1_pixels_then_the_groups_are_the_same():
    dark = _strokes_on_top()
    assert _strokes(dark, dark.astype(np.uint8), SMALLEST, join=JOIN).sum() == 3 * 8 * 2 + 9


def _strokes_on_top() -> np.ndarray:
    dark = np.zeros((30, 40), dtype=bool)
    dark[0:8, 10:13] = True
    dark[0:8, 15:18] = True
    dark[2:5, 20:23] = True  # a dot beside them, within JOIN
    assert 8 >= np.sqrt(SMALLEST) and 3 * 8 * 2 + 9 >= SMALLEST > 3 * 8
    return dark
