"""The form's ruled lines: found by morphology, removed before OCR.

Table borders next to small print make tesseract read ``|`` and ``_`` into the
words and split labels; words read much better with the rules painted out.

On a blurred or low-resolution scan, binarised bold print runs together into
solid bars, and a morphological opening finds "rules" inside words; painting
those out strikes the words through.  A printed rule is thin and stands alone
(paper just beyond both of its edges along most of its length), so only runs
that look so are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.ocr.bitmask import PackedMask

RULE_PT = 14.0  # a level run this long is a rule, not a word
UPRIGHT_RULE_PT = 14.0  # an upright run this long is a rule: letters are far shorter
RULE_MAX_THICK_PT = 2.0  # thicker runs are print run together, not a rule
RULE_MAX_TOUCHING = 0.5  # share of a rule's length with ink just beyond its edges
COLUMN_RULE_PT = 20.0  # an upright rule this long is kept as a "rule" mark (longer than a check box's side)
ROW_RULE_PT = 40.0  # ... and a level one this long (longer than a word run together)
DASHED_GAP_PT = 1.5  # a scan's faint rule (or a box's side) broken by gaps up to this long is still one line
# OpenCV's block-based labelling (Grana's): the same labels and stats as its default (Spaghetti), in the same
# order, and about twice as fast on one thread
LABELLING = cv2.CCL_GRANA


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats(mask, connectivity=8)``: (count, labels, stats, centroids).

    The labels are 16-bit (a 300 dpi page's take 17 MB, not the 34 MB of 32-bit ones, and OpenCV writes them
    faster); a mask with more runs than 16 bits number (OpenCV refuses to overflow them) is labelled again in
    32 bits. The same labels, stats and centroids either way."""
    try:
        return cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_16U, LABELLING)
    except cv2.error:  # more (provisional) labels than 16 bits hold
        return cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, LABELLING)


def rule_masks(ink: np.ndarray, dpi: float, *, min_length_pt: float,
               min_height_pt: float | None = None, bridge: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) masks of straight ink runs at least ``min_length_pt`` long
    (``min_height_pt`` for the upright ones, when given), gaps narrower than ``bridge`` pixels closed."""
    return (_runs(ink, dpi, min_length_pt, bridge, upright=False),
            _runs(ink, dpi, min_height_pt or min_length_pt, bridge, upright=True))


def _runs(ink: np.ndarray, dpi: float, min_length_pt: float, bridge: int, *, upright: bool) -> np.ndarray:
    """One mask of :func:`rule_masks`: the level runs (the upright ones when ``upright``)."""
    length = max(5, int(min_length_pt * dpi / 72.0))
    along = (1, length) if upright else (length, 1)  # (width, height) of the opening's rectangle
    bridged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((bridge, 1) if upright else (1, bridge), np.uint8))
    return cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along), dst=bridged)


def printed_rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask of the page's printed rules: long straight runs that are thin and stand alone."""
    return cv2.bitwise_or(*printed_rule_masks(ink, dpi))


def bridge_px(gap_pt: float, dpi: float) -> int:
    """The closing kernel's length (odd, at least 3 pixels) that bridges gaps up to ``gap_pt`` in a line."""
    return max(3, int(gap_pt * dpi / 72.0) | 1)


def printed_rule_masks(ink: np.ndarray, dpi: float, *, bridge_pt: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(level, upright) masks of the page's printed rules, gaps up to ``bridge_pt`` in a rule closed
    (a hairline rule scanned faint comes out dashed)."""
    level, upright = printed_rule_runs(ink, dpi, bridge_pt=bridge_pt)
    return level.mask, upright.mask


@dataclass(frozen=True)
class RuleRuns:
    """The rules of one direction: their mask (255), the labels of the runs they were chosen among, and
    each rule's label and box (x, y, w, h) in pixels, in the labels' order.

    Dropping whole runs from a mask leaves the others' labels in the same order (a run's place in it is
    where its first 2 x 2 block is met, and no two runs share one), so the rules kept need no labelling of
    their own."""

    mask: np.ndarray
    labels: np.ndarray
    kept: tuple[tuple[int, tuple[int, int, int, int]], ...]


def printed_rule_runs(ink: np.ndarray, dpi: float, *, bridge_pt: float = 0.0) -> tuple[RuleRuns, RuleRuns]:
    """:func:`printed_rule_masks` with each rule's box: (level, upright)."""
    horizontal, vertical = straight_runs(ink, dpi, bridge_pt=bridge_pt)
    return _standing(horizontal, ink, dpi, upright=False), _standing(vertical, ink, dpi, upright=True)


def long_printed_rules(ink: np.ndarray, dpi: float, *, bridge_pt: float = 0.0) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """:func:`long_rules` of :func:`printed_rule_masks`, the rules labelled once. Of the level rules only
    their boxes are needed: their runs' mask and labels are let go before the upright runs are found. Each mask
    is this function's own, so it is narrowed in place (three page-sized images alive at most, with the labels,
    not six); ``ink`` is let go once both are found (a caller that keeps it keeps it)."""
    bridge = bridge_px(bridge_pt, dpi)
    level = _standing(_runs(ink, dpi, RULE_PT, bridge, upright=False), ink, dpi, upright=False, own=True).kept
    upright = _standing(_runs(ink, dpi, UPRIGHT_RULE_PT, bridge, upright=True), ink, dpi, upright=True, own=True)
    del ink
    return _long(level, upright, dpi, own=True)


def straight_runs(ink: np.ndarray, dpi: float, *, bridge_pt: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) masks of the straight runs :func:`printed_rule_masks` looks among: at least
    ``RULE_PT`` long (``UPRIGHT_RULE_PT`` upright), gaps up to ``bridge_pt`` closed."""
    return rule_masks(ink, dpi, min_length_pt=RULE_PT, min_height_pt=UPRIGHT_RULE_PT, bridge=bridge_px(bridge_pt, dpi))


def standing_rules(horizontal: np.ndarray, vertical: np.ndarray, ink: np.ndarray, dpi: float, *,
                   own: bool = False) -> np.ndarray:
    """:func:`printed_rules` of :func:`straight_runs` found already: the runs of both that stand alone. When
    ``own`` (the caller has no other use for the two masks), they are narrowed in place and the result is
    ``horizontal``: two page-sized images fewer while the runs are labelled."""
    level = _standing(horizontal, ink, dpi, upright=False, own=own).mask
    return cv2.bitwise_or(level, _standing(vertical, ink, dpi, upright=True, own=own).mask, dst=level)


def standing_and_straight(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, PackedMask]:
    """``standing_rules(*straight_runs(ink, dpi), ink, dpi)`` and the straight runs themselves, both directions
    joined (what ``cv2.bitwise_or(*straight_runs(ink, dpi))`` gives) as bits. One direction at a time: the level
    runs are found, kept as bits and narrowed before the upright ones are found, so two page-sized masks are alive
    while runs are labelled (with the labels), not four; the same masks, by construction."""
    level = _runs(ink, dpi, RULE_PT, bridge_px(0.0, dpi), upright=False)
    straight = PackedMask.of(level)
    level = _standing(level, ink, dpi, upright=False, own=True).mask
    upright = _runs(ink, dpi, UPRIGHT_RULE_PT, bridge_px(0.0, dpi), upright=True)
    straight.include(upright)
    return cv2.bitwise_or(level, _standing(upright, ink, dpi, upright=True, own=True).mask, dst=level), straight


def rule_segments(level: np.ndarray, upright: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) in pixels of each upright rule at least ``COLUMN_RULE_PT`` long and each level
    rule at least ``ROW_RULE_PT`` long.

    The coverage table's columns are ruled from its heading down and its rows are ruled across it;
    where OCR garbles the headings' and rows' small print, these rules still say where each column
    and row is."""
    return long_rules(level, upright, dpi)[1]


def long_rules(level: np.ndarray, upright: np.ndarray, dpi: float) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A mask of the upright rules :func:`rule_segments` keeps, and the segments of all it keeps."""
    return _long(_all_runs(level).kept, _all_runs(upright), dpi)


def _all_runs(mask: np.ndarray) -> RuleRuns:
    count, labels, stats, _ = components(mask)
    return RuleRuns(mask, labels, tuple((i, tuple(int(v) for v in stats[i, :4])) for i in range(1, count)))


def _long(level: tuple[tuple[int, tuple[int, int, int, int]], ...], upright: RuleRuns,
          dpi: float, *, own: bool = False) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """``level``: the level rules' labels and boxes (:attr:`RuleRuns.kept`); only the upright ones are masked
    (in ``upright``'s own mask when ``own``: the caller has no other use for it)."""
    mask = upright.mask if own else upright.mask.copy()
    out = []
    for kept, shortest, upright_rule in ((upright.kept, COLUMN_RULE_PT, True), (level, ROW_RULE_PT, False)):
        for i, (x, y, w, h) in kept:
            if (h if upright_rule else w) >= shortest * dpi / 72.0:
                out.append((x, y, x + w, y + h))
            elif upright_rule:  # too short: out of the mask (only its own pixels: boxes may overlap)
                box = mask[y:y + h, x:x + w]
                box[upright.labels[y:y + h, x:x + w] == i] = 0
    return mask, out


def standing_alone(mask: np.ndarray, ink: np.ndarray, dpi: float, *, upright: bool = False) -> np.ndarray:
    """The level runs of ``mask`` (the upright ones when ``upright``) that are thin and have paper just
    beyond both edges: above and below a level run, left and right of an upright one.

    A run found inside print run together (a bold word binarised into a bar) is thick, or
    has the letters' ink just beyond its edges along much of its length."""
    return _standing(mask, ink, dpi, upright=upright).mask


def _standing(mask: np.ndarray, ink: np.ndarray, dpi: float, *, upright: bool, own: bool = False) -> RuleRuns:
    """:func:`standing_alone`'s runs, the others dropped from a copy of ``mask`` (from ``mask`` itself when ``own``:
    the caller has no other use for it; a page-sized image fewer)."""
    count, labels, stats, _ = components(mask)
    px = dpi / 72.0
    gap = max(2, int(round(0.7 * px)))
    across = 1 if upright else 0  # the axis its thickness is summed along: columns of a level run, rows of an upright
    out = mask if own else mask.copy()
    kept = []
    thickest = RULE_MAX_THICK_PT * px
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        # a run's thickness (the median of its pixel counts across it) is at most its box's extent across it:
        # a run no thicker than a rule across its whole box needs no count (most runs; the same decision)
        thick = (w if upright else h) > thickest and _thickness(labels[y:y + h, x:x + w] == i, across) > thickest
        if not thick:
            if upright:
                before = ink[y:y + h, max(0, x - gap)] > 0
                after = ink[y:y + h, min(ink.shape[1] - 1, x + w - 1 + gap)] > 0
            else:
                before = ink[max(0, y - gap), x:x + w] > 0
                after = ink[min(ink.shape[0] - 1, y + h - 1 + gap), x:x + w] > 0
            if float(np.mean(before | after)) < RULE_MAX_TOUCHING:
                kept.append((i, (x, y, w, h)))
                continue
        out[y:y + h, x:x + w][labels[y:y + h, x:x + w] == i] = 0
    return RuleRuns(out, labels, tuple(kept))


def _thickness(own: np.ndarray, across: int) -> float:
    """A run's thickness in pixels: the median of its pixel counts across it (``own``: the run's pixels in its box)."""
    return float(np.median(own.sum(axis=across)))


def remove_rules(image: np.ndarray, ink: np.ndarray, dpi: float, extra: np.ndarray | None = None,
                 rules: np.ndarray | None = None) -> np.ndarray:
    """``image`` with long ruled lines (``rules``, found when not given, and ``extra`` ink, e.g.
    checkbox sides) painted as paper."""
    mask = printed_rules(ink, dpi) if rules is None else rules
    if extra is not None:
        mask = cv2.bitwise_or(mask, extra)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=1)  # the rule's grey fringe
    cv2.threshold(mask, 0, 255, cv2.THRESH_BINARY, dst=mask)  # (the dilated mask is this function's own)
    return cv2.bitwise_or(image, mask)  # paper where the mask is set, the image as it is elsewhere
