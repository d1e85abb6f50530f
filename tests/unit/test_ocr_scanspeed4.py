"""A scanned page's image work for less CPU, the same images (docs/accuracy.md, scanspeed4): despeckle's blots painted
in their own boxes, the long rules' ink level taken from the page's binarising, and the ruled turn's best-voted
shifts taken by argmax; each gives what the work it replaces gave."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.ocr import deskew, ruled_turn
from pipeline.ocr.rules import components


def _speckled(seed: int) -> np.ndarray:
    """A grey page with print, rules, blots of one to a dozen pixels (some on the page's edges and corners) and
    blots beside the print."""
    rng = np.random.default_rng(seed)
    page = np.full((400, 300), 235, dtype=np.uint8)
    cv2.putText(page, "CERTIFICATE 25", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2)
    cv2.line(page, (10, 200), (290, 200), 30, 2)
    for _ in range(400):
        y, x = int(rng.integers(0, 399)), int(rng.integers(0, 299))
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        page[y:y + h, x:x + w] = int(rng.integers(0, 90))
    page[0:2, 0:2] = page[-2:, -3:] = page[-1:, 150:152] = page[200:203, -2:] = 10  # on the edges
    return page


def _despeckled_by_gather(image: np.ndarray, dpi: float) -> np.ndarray:
    """Despeckle as it was: every pixel's label looked up in a page-sized gather."""
    count, labels, stats, _ = components(deskew.binarise(image))
    limit = max(2, int((dpi / 300.0) ** 2 * 6))
    small = np.where(stats[:, cv2.CC_STAT_AREA] <= limit)[0]
    small = small[small != 0]
    if len(small) == 0:
        return image
    drop = np.zeros(count, dtype=np.uint8)
    drop[small] = 255
    return cv2.bitwise_or(image, drop[labels])


@pytest.mark.parametrize("seed, dpi", [(0, 300.0), (1, 300.0), (2, 150.0), (3, 420.0)])
def test_given_speckled_page_when_despeckled_then_the_blots_painted_in_their_boxes_are_the_gathers(seed, dpi):
    page = _speckled(seed)
    count, labels, stats, _ = components(deskew.binarise(page))
    limit = max(2, int((dpi / 300.0) ** 2 * 6))
    blots = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] <= limit) + 1
    assert len(blots) > 20
    rows, cols = deskew._blot_pixels(labels, stats, blots)
    met = np.unique(rows * page.shape[1] + cols)  # (a window held inside the page meets its edge pixels again)
    assert len(met) == int(stats[blots, cv2.CC_STAT_AREA].sum())  # every pixel of every blot
    assert np.isin(labels[rows, cols], blots).all()
    assert np.array_equal(deskew.despeckle(page, dpi), _despeckled_by_gather(page, dpi))


def test_given_page_when_binarised_then_its_level_gives_the_fine_ink_binarise_fine_picks_itself():
    page = _speckled(4)
    level, ink = deskew.binarised(page)
    assert np.array_equal(ink, deskew.binarise(page))
    assert np.array_equal(deskew.binarise_fine(page, level), deskew.binarise_fine(page))


@pytest.mark.parametrize("seed", range(6))
def test_given_votes_with_ties_when_the_most_are_taken_then_they_are_a_stable_sorts_first(seed):
    rng = np.random.default_rng(seed)
    for width in (1, 2, 3, 7, 40):
        votes = rng.integers(0, 4, (27, width))  # few distinct counts: many ties
        expected = np.argsort(-votes, axis=1, kind="stable")[:, :ruled_turn.CANDIDATES]
        assert np.array_equal(ruled_turn._most(votes, ruled_turn.CANDIDATES), expected)


def test_given_blots_whose_windows_outgrow_the_page_then_every_pixel_is_looked_up_with_the_same_result():
    """A page crowded with one-pixel specks and one long thin blot: every blot's window as large as that blot's box
    would hold more pixels than the page (the memory a speckled high-resolution scan ran up); the page-wide
    look-up finds the same pixels, each once."""
    ink = np.zeros((60, 80), dtype=np.uint8)
    ink[:45:3, ::3] = 255  # specks one pixel each, apart
    ink[55, 10:16] = 255  # and one six pixels long, below them
    count, labels, stats, _ = components(ink)
    blots = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] <= 6) + 1
    windows = len(blots) * stats[blots, cv2.CC_STAT_WIDTH].max() * stats[blots, cv2.CC_STAT_HEIGHT].max()
    assert windows > deskew.WINDOWS_PAGE_SHARE * labels.size
    rows, cols = deskew._blot_pixels(labels, stats, blots)
    assert sorted(zip(rows.tolist(), cols.tolist())) == sorted(zip(*(a.tolist() for a in np.nonzero(ink))))
