"""Stage 5: check boxes and the signature, measured in pixels, as ``Page.marks``.

A check box is a small square hole in the page's straight strokes (its four sides
may be shared with table rules).  It is checked when the share of ink inside, away from
the sides, is high (an X or a tick fills far more than speckle) or when a mark lies
inside it (:func:`cell_mark`: an X of thin strokes fills little of the box).  A checked box becomes a
``cross`` mark, as the text-layer reader gives for a vector X, so the extractor's
check-box logic works unchanged.  Ink in the AUTHORIZED REPRESENTATIVE box that is
not print becomes a ``drawing`` mark.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.ocr.bitmask import PackedMask
from pipeline.ocr.rules import DASHED_GAP_PT, bridge_px, rule_masks

logger = logging.getLogger(__name__)

BOX_MIN_PT, BOX_MAX_PT = 6.0, 17.0
FILLED = 0.09  # share of the box's inside that is ink
EMPTY = 0.035  # at most this much ink: surely empty; between: unsure
# A box's or a check-box cell's mark (:func:`cell_mark`), measured in a found box too and in the cell the template places
STRAIGHT_PT = 6.0  # a level or upright ink run this long in a cell is print (a box's side, a rule), not a mark (an X is shorter)
CELL_INSET = 0.2  # share of a cell's width (height) at each side a mark's centre is not in (the box's sides, print beside it)
MARK_PT = 2.5  # measured on tuning pages (docs/accuracy.md): ink this wide and tall, straight runs left out, is a mark


@dataclass(frozen=True)
class CheckBox:
    """A box in pixels (x0, y0, x1, y1), the ink share inside, the size of the mark inside (points,
    :func:`cell_mark`), and how sure the reading is."""

    x0: int
    y0: int
    x1: int
    y1: int
    fill: float
    mark: float = 0.0

    @property
    def checked(self) -> bool:
        """A box filled, or holding a mark: an X or a tick of thin strokes fills little of the box (a hairline
        X in a 12 pt box: 8-9 % on tuning photos) but is a mark of 3.6 pt and more (docs/accuracy.md)."""
        return self.fill >= FILLED or self.mark >= MARK_PT

    @property
    def confidence(self) -> float:
        """1.0 far from the threshold, falling to 0.5 at it: by the measure that checks the box when one does,
        else by the less sure of the two (both say empty)."""
        by_fill = _fill_confidence(self.fill)
        if self.fill >= FILLED and self.mark >= MARK_PT:
            return max(by_fill, cell_confidence(self.mark))
        if self.fill >= FILLED:
            return by_fill
        if self.mark >= MARK_PT:
            return cell_confidence(self.mark)
        return min(by_fill, cell_confidence(self.mark))


def _fill_confidence(fill: float) -> float:
    if fill >= FILLED:
        return float(min(1.0, 0.5 + (fill - FILLED) / (2 * FILLED)))
    return float(min(1.0, 0.5 + (FILLED - fill) / (2 * (FILLED - EMPTY))))


def find_boxes(ink: np.ndarray, dpi: float, *, outline: np.ndarray | None = None) -> tuple[list[CheckBox], np.ndarray]:
    """Check boxes on a binarised page (ink 255), and a mask of their sides: :func:`check_boxes` and
    :func:`box_sides`."""
    boxes = check_boxes(ink, dpi, outline=outline)
    return boxes, box_sides(boxes, ink.shape)


def check_boxes(ink: np.ndarray, dpi: float, *, outline: np.ndarray | None = None) -> list[CheckBox]:
    """Check boxes on a binarised page (ink 255).

    The boxes' sides are looked for in ``outline`` when given (ink found against the paper around it,
    :func:`pipeline.ocr.deskew.binarise_local`: a box drawn in a faint hairline, blurred by a phone's
    lens and resampled by the squaring up, is lost to one page-wide ink level); what fills a box is
    measured on ``ink`` all the same. A scan may break a box's thin side ("|__ ___|"); boxes are looked
    for again with gaps of up to ``DASHED_GAP_PT`` bridged, and those found only then are added
    (bridging everywhere would run some stacked boxes' sides together)."""
    outline = ink if outline is None else outline
    boxes = _boxes(outline, ink, dpi, bridge=3)
    wide = bridge_px(DASHED_GAP_PT, dpi)
    boxes += [b for b in _boxes(outline, ink, dpi, bridge=wide) if not any(_overlap(b, a) for a in boxes)]
    logger.debug("found %s check boxes, %s checked", len(boxes), sum(b.checked for b in boxes))
    return boxes


def box_sides(boxes: list[CheckBox], shape: tuple[int, ...]) -> np.ndarray:
    """A mask (255) of the boxes' sides, a little beyond them, on a page of ``shape``: what is painted out with
    the rules. Drawn when it is painted out (pipeline/ocr/pages.py), not held while the rules are found."""
    sides = np.zeros(shape[:2], dtype=np.uint8)
    for box in boxes:
        w, h = box.x1 - box.x0, box.y1 - box.y0
        b = max(2, int(0.12 * min(w, h)))
        cv2.rectangle(sides, (box.x0 - b, box.y0 - b), (box.x1 + b, box.y1 + b), 255, thickness=2 * b)
    return sides


def _boxes(outline: np.ndarray, ink: np.ndarray, dpi: float, *, bridge: int) -> list[CheckBox]:
    horizontal, vertical = rule_masks(outline, dpi, min_length_pt=BOX_MIN_PT * 0.8, bridge=bridge)
    grid = cv2.bitwise_or(horizontal, vertical, dst=horizontal)  # (both masks are this function's own)
    del horizontal, vertical  # one page-sized image alive while the outlines are traced, not three
    contours, hierarchy = cv2.findContours(grid, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    px = dpi / 72.0
    lo, hi = BOX_MIN_PT * px, BOX_MAX_PT * px
    boxes = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0]):
        if parent < 0:
            continue  # outer outlines; holes (insides of closed shapes) have a parent
        x, y, w, h = cv2.boundingRect(contour)
        if not (lo <= w <= hi and lo <= h <= hi and 0.6 <= w / h <= 1.6):
            continue
        if cv2.contourArea(contour) < 0.9 * w * h or len(cv2.approxPolyDP(contour, 0.08 * min(w, h), True)) != 4:
            continue  # not a rectangle (the inside of an O is round)
        m = max(2, int(0.18 * min(w, h)))
        inside = ink[y + m: y + h - m, x + m: x + w - m]
        fill = float(np.count_nonzero(inside)) / max(inside.size, 1)
        boxes.append(CheckBox(x, y, x + w, y + h, fill, cell_mark(ink, (x, y, x + w, y + h), dpi)))
    return boxes


def _overlap(a: CheckBox, b: CheckBox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def signature_ink(ink: np.ndarray | PackedMask, rules: np.ndarray | PackedMask, zone: tuple[int, int, int, int],
                  dpi: float, print_boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | None:
    """Bounding box (pixels) of hand-made ink in ``zone`` (print and rules left out), or None. ``ink`` and ``rules``
    as bytes or as bits (:class:`~pipeline.ocr.bitmask.PackedMask`): only the zone is looked at."""
    x0, y0, x1, y1 = (max(0, v) for v in zone)
    x1, y1 = min(x1, ink.shape[1]), min(y1, ink.shape[0])
    if x1 - x0 < 10 or y1 - y0 < 10:
        return None
    part = cv2.bitwise_and(ink[y0:y1, x0:x1], cv2.bitwise_not(rules[y0:y1, x0:x1]))
    for bx0, by0, bx1, by1 in print_boxes:
        part[max(0, by0 - y0): max(0, by1 - y0), max(0, bx0 - x0): max(0, bx1 - x0)] = 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(part, connectivity=8)
    px = dpi / 72.0
    keep = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 4 * px * px
            and max(s[cv2.CC_STAT_WIDTH], s[cv2.CC_STAT_HEIGHT]) >= 6 * px]
    if not keep or sum(int(s[cv2.CC_STAT_AREA]) for s in keep) < 40 * px * px:
        return None
    left = min(int(s[0]) for s in keep) + x0
    top = min(int(s[1]) for s in keep) + y0
    right = max(int(s[0] + s[2]) for s in keep) + x0
    bottom = max(int(s[1] + s[3]) for s in keep) + y0
    return left, top, right, bottom




def cell_mark(ink: np.ndarray | PackedMask, box: tuple[int, int, int, int], dpi: float) -> float:
    """Points: the size (the lesser of width and height) of the largest blot of ink centred inside ``box``
    (pixels; ``CELL_INSET`` of each side left out), straight runs (``STRAIGHT_PT`` and longer, level or
    upright: a box's own sides, a rule through it; gaps of a few pixels closed) taken away first. An X or a tick is
    diagonal strokes and stays whole; what is left of a broken or dashed side is thin or short. ``ink`` as bytes or
    as bits (:class:`~pipeline.ocr.bitmask.PackedMask`): only the cell and its border are looked at."""
    x0, y0, x1, y1 = box
    pad = int(round(STRAIGHT_PT * dpi / 72.0))  # straight runs and blots are found with a border round the cell
    ax0, ay0 = max(0, x0 - pad), max(0, y0 - pad)
    ax1, ay1 = min(ink.shape[1], x1 + pad), min(ink.shape[0], y1 + pad)
    if ax1 - ax0 < 3 or ay1 - ay0 < 3:
        return 0.0
    part = ink[ay0:ay1, ax0:ax1]
    level, upright = rule_masks(part, dpi, min_length_pt=STRAIGHT_PT)
    straight = cv2.dilate(cv2.bitwise_or(level, upright), np.ones((3, 3), np.uint8))
    _, _, stats, centres = cv2.connectedComponentsWithStats(cv2.bitwise_and(part, cv2.bitwise_not(straight)),
                                                            connectivity=8)
    dx, dy = CELL_INSET * (x1 - x0), CELL_INSET * (y1 - y0)
    sizes = [min(int(s[cv2.CC_STAT_WIDTH]), int(s[cv2.CC_STAT_HEIGHT])) for s, (cx, cy) in zip(stats[1:], centres[1:])
             if x0 + dx <= cx + ax0 <= x1 - dx and y0 + dy <= cy + ay0 <= y1 - dy]
    return max(sizes, default=0) * 72.0 / dpi


def cell_confidence(size: float) -> float:
    """As :attr:`CheckBox.confidence`, for a cell's mark size: 1.0 far from ``MARK_PT``, falling to 0.5 at it."""
    return float(min(1.0, 0.5 + abs(size - MARK_PT) / (2 * MARK_PT)))
