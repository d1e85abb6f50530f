"""The image work's cheaper steps give what the plain ones give (synthetic ink, no tesseract).

The OCR stage's rules, check boxes and skew are found with calls chosen for their CPU (one labelling
algorithm, the upright rules checked in place, OpenCV passes for numpy ones, the ruled turn's votes
counted for every scale at once). Each test holds one of them to the plain computation it replaced.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.ocr import deskew, ruled_turn
from pipeline.ocr.rules import (components, long_rules, printed_rule_masks, printed_rules, remove_rules,
                                standing_alone, standing_and_straight, standing_rules, straight_runs)

DPI = 300


def _ink(seed: int) -> np.ndarray:
    """Rules, bars of print run together, stroked runs with letters hanging from them, and speckle."""
    rng = np.random.default_rng(seed)
    ink = np.zeros((900, 700), dtype=np.uint8)
    for _ in range(12):
        y, x, length = int(rng.integers(10, 880)), int(rng.integers(0, 300)), int(rng.integers(40, 400))
        ink[y:y + int(rng.integers(1, 4)), x:x + length] = 255
        x, y = int(rng.integers(10, 680)), int(rng.integers(0, 400))
        ink[y:y + length, x:x + int(rng.integers(1, 4))] = 255
    for _ in range(6):
        y, x = int(rng.integers(0, 850)), int(rng.integers(0, 500))
        ink[y:y + int(rng.integers(3, 40)), x:x + int(rng.integers(60, 200))] = 255
    ink[rng.random(ink.shape) < 0.002] = 255
    return ink


@pytest.mark.parametrize("seed", range(4))
def test_given_ink_then_the_labelling_used_gives_opencvs_default_labels_and_stats(seed):
    ink = _ink(seed)
    count, labels, stats, _ = components(ink)
    want_count, want_labels, want_stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    assert count == want_count > 1
    assert np.array_equal(labels, want_labels) and np.array_equal(stats, want_stats)


@pytest.mark.parametrize("seed", range(4))
def test_given_upright_runs_when_checked_in_place_then_they_are_the_level_runs_of_the_page_turned(seed):
    ink = _ink(seed)
    _, vertical = straight_runs(ink, DPI)
    in_place = standing_alone(vertical, ink, DPI, upright=True)
    turned = standing_alone(np.ascontiguousarray(vertical.T), np.ascontiguousarray(ink.T), DPI).T
    assert in_place.any() and np.array_equal(in_place, turned)


@pytest.mark.parametrize("seed", range(4))
def test_given_straight_runs_found_once_then_the_rules_painted_out_are_those_found_afresh(seed):
    ink = _ink(seed)
    image = np.where(ink > 0, 0, 235).astype(np.uint8)
    shared = standing_rules(*straight_runs(ink, DPI), ink, DPI)
    assert np.array_equal(shared, printed_rules(ink, DPI))
    assert np.array_equal(remove_rules(image, ink, DPI, rules=shared), remove_rules(image, ink, DPI))


@pytest.mark.parametrize("seed", range(4))
def test_given_the_runs_found_one_direction_at_a_time_then_the_rules_and_runs_are_both_at_onces(seed):
    ink = _ink(seed)
    standing, straight = standing_and_straight(ink, DPI)
    assert np.array_equal(standing, standing_rules(*straight_runs(ink, DPI), ink, DPI))
    assert np.array_equal(straight.unpacked(), cv2.bitwise_or(*straight_runs(ink, DPI)))


def test_given_a_mask_of_ones_then_the_rules_are_painted_as_paper_all_the_same():
    ink = _ink(0)
    image = np.where(ink > 0, 0, 235).astype(np.uint8)
    extra = np.zeros_like(ink)
    extra[100:110, 100:300] = 1  # set, though not 255
    clean = remove_rules(image, ink, DPI, extra=extra)
    assert (clean[100:110, 100:300] == 255).all()


@pytest.mark.parametrize("seed", range(4))
def test_given_rules_then_the_long_upright_ones_masked_are_only_their_own_pixels(seed):
    level, upright = printed_rule_masks(_ink(seed), DPI)
    mask, segments = long_rules(level, upright, DPI)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(upright, connectivity=8)
    long = [i for i in range(1, count) if stats[i, cv2.CC_STAT_HEIGHT] >= 20.0 * DPI / 72.0]
    assert np.array_equal(mask > 0, np.isin(labels, long))
    assert len(segments) >= len(long)


def test_given_a_grey_page_then_the_fine_ink_is_every_pixel_at_or_below_the_level():
    image = np.tile(np.arange(256, dtype=np.uint8), (40, 4))
    image[:10] = 20  # print, so that the level falls between print and paper
    level, _ = cv2.threshold(cv2.medianBlur(image, 3), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    assert np.array_equal(deskew.binarise_fine(image), np.where(image <= level, 255, 0).astype(np.uint8))


def _votes_scale_by_scale(page: np.ndarray, template: np.ndarray) -> list[tuple[float, float]]:
    scored = []
    for s in ruled_turn.SCALES:
        bins = np.round((page[:, None] - s * template[None, :]).ravel() / ruled_turn.VOTE_BIN_PT).astype(np.int64)
        values, counts = np.unique(bins, return_counts=True)
        top = np.argsort(-counts, kind="stable")[:ruled_turn.CANDIDATES]
        scored += [(int(counts[i]), float(s), float(values[i] * ruled_turn.VOTE_BIN_PT)) for i in top]
    scored.sort(key=lambda c: -c[0])
    return [(s, t) for _, s, t in scored[:ruled_turn.CANDIDATES]]


@pytest.mark.parametrize("seed", range(20))
def test_given_rule_places_then_every_scales_votes_counted_at_once_pick_what_scale_by_scale_picks(seed):
    rng = np.random.default_rng(seed)
    template = np.sort(rng.uniform(20, 760, size=int(rng.integers(1, 40))))
    page = 0.9 * rng.choice(template, size=int(rng.integers(1, 40))) + rng.uniform(-40, 40)
    page = np.round(page) if seed % 2 else page  # whole points: many tied votes
    assert ruled_turn._axis_candidates(page, template) == _votes_scale_by_scale(page, template)


def test_given_a_page_shrunk_and_shifted_from_the_template_then_that_scale_and_shift_win_the_vote():
    template = np.array([36.0, 90.0, 200.0, 310.0, 455.0, 576.0])
    best = ruled_turn._axis_candidates(template * 0.9 + 12.0, template)[0]
    assert best == pytest.approx((0.9, 12.0), abs=ruled_turn.VOTE_BIN_PT / 2)


def test_given_a_page_when_its_skew_is_measured_then_the_row_score_is_the_plain_sum_of_squared_steps():
    ink = _ink(1)
    rows = deskew._rotate(ink, -2.5, border=0).sum(axis=1, dtype=np.float64)
    assert deskew._row_score(ink, 2.5) == float(np.sum(np.diff(rows) ** 2))


@pytest.mark.parametrize("seed", range(10))
def test_given_two_readings_then_their_shared_letters_bound_difflibs_ratio_from_above(seed):
    """The label snapping skips a label whose shared letters already put it below any use (labels.py
    ``_fuzzy``); that holds only if the ratio never exceeds that share."""
    import difflib
    import random
    from collections import Counter

    rng = random.Random(seed)
    for _ in range(200):
        a = "".join(rng.choice("ABCDEILMNOPRSTU") for _ in range(rng.randint(5, 14)))
        b = "".join(rng.choice("ABCDEILMNOPRSTU") for _ in range(rng.randint(5, 14)))
        share = 2.0 * sum((Counter(a) & Counter(b)).values()) / (len(a) + len(b))
        assert difflib.SequenceMatcher(None, a, b).ratio() <= share


@pytest.mark.parametrize("seed", range(4))
def test_given_rules_labelled_once_then_the_long_ones_are_those_of_the_masks_labelled_afresh(seed):
    from pipeline.ocr.rules import long_printed_rules

    ink = _ink(seed)
    mask, segments = long_printed_rules(ink, DPI, bridge_pt=1.5)
    want_mask, want_segments = long_rules(*printed_rule_masks(ink, DPI, bridge_pt=1.5), DPI)
    assert segments and segments == want_segments and np.array_equal(mask, want_mask)
