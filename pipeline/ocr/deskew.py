"""Stage 3: measure and remove a small skew (up to +-10 degrees).

Two estimators over the page's ink:

* ``projection``: the angle at which the rows of a binarised, downscaled page are
  most uneven (ruled forms and text lines give sharp peaks when level);
  coarse-to-fine over +-10 degrees.  Robust to speckle and dark scan borders.
* ``min_area_rect``: median blur + Otsu + ``cv2.minAreaRect`` around the text pixels
  (FIELD-NOTES); fast, but any dark border or stray mark tilts the rectangle.

``estimate_skew`` uses the projection method (see tests/unit/test_ocr_deskew.py for
how the two compare on synthetic pages).
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from pipeline.ocr.rules import components

logger = logging.getLogger(__name__)

MAX_SKEW = 10.0
LOCAL_SPAN_PT = 7.5  # the neighbourhood a pixel's ink is judged against: wider than a check box's side is thick
LOCAL_CONTRAST = 20  # grey levels darker than that neighbourhood's mean: a faint hairline, not paper grain
_WORK_WIDTH = 900  # pixels: enough resolution for ~0.05 degree steps over a page
# the search's first stage (0.5 degree steps over +-MAX_SKEW: 41 of its 67 rotations) looks at the copy shrunk by
# this: it need only land within the next stage's +-0.6 degrees, and a level page's rows still stand out at half
# the width; the finer stages look at the whole copy (a quarter of the pixels: about 0.1 s of CPU a page less)
COARSE_SCALE = 0.5


def binarise(image: np.ndarray) -> np.ndarray:
    """Ink as 255, paper as 0 (median blur removes speckle before Otsu picks the level)."""
    return binarised(image)[1]


def binarised(image: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`binarise`'s ink and the level Otsu picked for it: (level, ink). The level is what
    :func:`binarise_fine` needs of the same image (its own median blur and Otsu pick the same)."""
    blurred = cv2.medianBlur(image, 3)
    # (in place: Otsu's level is measured on the whole blurred page before any pixel is written)
    level, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU, dst=blurred)
    return level, ink


def binarise_fine(image: np.ndarray, level: float | None = None) -> np.ndarray:
    """Ink as 255 at :func:`binarise`'s level, without its median blur, which wipes out a thin, faint
    rule (a scan's hairline rules come out as dots); for finding the rules only. ``level``: that level, when the
    caller has it from :func:`binarised` on the same image (else it is picked here, the same way)."""
    if level is None:
        level, _ = cv2.threshold(cv2.medianBlur(image, 3), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return cv2.threshold(image, level, 255, cv2.THRESH_BINARY_INV)[1]  # 255 where image <= level


def binarise_local(image: np.ndarray, dpi: float) -> np.ndarray:
    """Ink as 255 wherever the page is ``LOCAL_CONTRAST`` grey levels darker than the mean of the paper
    around it (``LOCAL_SPAN_PT`` across): a faint hairline, which one page-wide level (:func:`binarise`)
    breaks into dots or loses, comes out whole. Print comes out too, and so does some grain: for finding
    outlines (check boxes' sides), not for measuring ink."""
    span = max(3, int(LOCAL_SPAN_PT * dpi / 72.0) | 1)
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, span, LOCAL_CONTRAST)


def estimate_skew(image: np.ndarray) -> float:
    """Angle in degrees (counter-clockwise positive, as cv2 rotations) the page is tilted by."""
    return skew_by_projection(image)


def skew_by_projection(image: np.ndarray) -> float:
    ink = binarise(_small(image))
    if cv2.countNonZero(ink) < 50:
        return 0.0
    coarse = cv2.resize(ink, None, fx=COARSE_SCALE, fy=COARSE_SCALE, interpolation=cv2.INTER_AREA)
    best = 0.0
    for copy, span, step in ((coarse, MAX_SKEW, 0.5), (ink, 0.6, 0.1), (ink, 0.12, 0.02)):
        angles = np.arange(best - span, best + span + step / 2, step)
        scores = [_row_score(copy, a) for a in angles]
        best = float(angles[int(np.argmax(scores))])
    return round(best, 2)


def skew_by_min_area_rect(image: np.ndarray) -> float:
    ink = binarise(image)
    points = cv2.findNonZero(ink)
    if points is None or len(points) < 50:
        return 0.0
    angle = cv2.minAreaRect(points)[-1]
    if angle > 45:
        angle -= 90
    elif angle < -45:
        angle += 90
    return round(-float(angle), 2)


def _row_score(ink: np.ndarray, angle: float) -> float:
    # each row's ink summed exactly in integers (at most 255 x the width), then squared differences in float64
    rows = cv2.reduce(_rotate(ink, -angle, border=0), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel().astype(np.float64)
    return float(np.sum(np.diff(rows) ** 2))


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """``image`` rotated by ``-angle`` so its lines run level; paper fills the corners."""
    if abs(angle) < 0.05 or abs(angle) > MAX_SKEW + 0.5:
        return image
    return _rotate(image, -angle, border=255)


def _rotate(image: np.ndarray, angle: float, *, border: int) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=border)


def _small(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= _WORK_WIDTH:
        return image
    f = _WORK_WIDTH / w
    return cv2.resize(image, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)


def despeckle(image: np.ndarray, dpi: float) -> np.ndarray:
    """Mild denoise: blots of ink far smaller than a full stop become paper.

    The blots are painted where they lie, each looked at in its own box, not by a page-sized look-up of every
    pixel's label (that gather alone was about a third of this step's CPU on a 300 dpi page): the same pixels
    become paper."""
    count, labels, stats, _ = components(binarise(image))  # (the ink itself is let go once labelled)
    limit = max(2, int((dpi / 300.0) ** 2 * 6))
    small = np.where(stats[:, cv2.CC_STAT_AREA] <= limit)[0]
    small = small[small != 0]
    if len(small) == 0:
        return image
    out = image.copy()
    out[_blot_pixels(labels, stats, small)] = 255
    return out  # the blots' pixels paper, the rest as it is


# the blots' windows (:func:`_blot_pixels`), as a share of the page's pixels, above which a page-wide look-up of every
# pixel's label costs less: a window's pixel holds two int64 indexes, its label and a flag (21 bytes), a page's
# look-up about 5 a pixel (a speckled 600 dpi page: 389 MB by windows, 178 MB by the look-up; review of scanspeed4)
WINDOWS_PAGE_SHARE = 0.25


def _blot_pixels(labels: np.ndarray, stats: np.ndarray, blots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of every pixel labelled one of ``blots`` (a pixel on the page's edge may come more than once):
    each blot looked at in a window from its box's corner (``stats``' left and top) as large as the largest box,
    all blots at once, and only its own label's pixels kept. A window running off the page is held inside it.
    Where the windows would hold more than WINDOWS_PAGE_SHARE of the page's pixels, every pixel's label is looked
    up instead."""
    left, top = stats[blots, cv2.CC_STAT_LEFT], stats[blots, cv2.CC_STAT_TOP]
    wide, high = int(stats[blots, cv2.CC_STAT_WIDTH].max()), int(stats[blots, cv2.CC_STAT_HEIGHT].max())
    if len(blots) * wide * high > WINDOWS_PAGE_SHARE * labels.size:  # (a speckled page at a high resolution)
        painted = np.zeros(len(stats), dtype=bool)
        painted[blots] = True
        return np.nonzero(painted[labels])  # the page-wide look-up: the same pixels, once each
    rows = np.minimum(top[:, None, None] + np.arange(high)[None, :, None], labels.shape[0] - 1)
    cols = np.minimum(left[:, None, None] + np.arange(wide)[None, None, :], labels.shape[1] - 1)
    rows, cols = np.broadcast_arrays(rows, cols)
    own = labels[rows, cols] == blots[:, None, None]
    return rows[own], cols[own]
