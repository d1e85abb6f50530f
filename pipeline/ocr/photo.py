"""Phone photos: the sheet found in the picture and squared up, and uneven lighting evened out.

A photographed certificate lies on a darker table, seen at an angle (its rectangle drawn as a
four-sided shape), and lit unevenly (a shadow across it, a darker corner).  Deskewing turns a
page but does not square it, and one global ink level does not fit a page half in shadow.
A scan needs neither: its page fills the picture and its paper is evenly white, and then
both steps leave it as it is.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from pipeline.ocr.raster import LETTER_H, LETTER_W

logger = logging.getLogger(__name__)

WORK_SIDE = 1000  # pixels: the page is looked for on a copy this large
MIN_PAGE_SHARE = 0.2  # of the picture's area: a smaller bright shape is not the sheet
FULL_PAGE_SHARE = 0.9  # a bright shape this large is the page of a scan, filling the picture
MIN_SQUARENESS = 0.85  # a sheet's outline fills this much of its four-sided shape
UNEVEN = 40  # grey levels between the paper's lightest and darkest parts: lighting to even out
PAPER = 245  # grey level evened-out paper is brought to


def find_page(image: np.ndarray) -> np.ndarray | None:
    """The four corners (pixels, clockwise from top left) of a sheet photographed on a darker
    ground, or None when the picture is all page (a scan) or no four-sided sheet stands out."""
    h, w = image.shape[:2]
    factor = WORK_SIDE / max(h, w)
    small = cv2.resize(image, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # the print inside the sheet
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(outline) / float(small.shape[0] * small.shape[1])
    if not MIN_PAGE_SHARE <= share <= FULL_PAGE_SHARE:
        return None
    hull = cv2.convexHull(outline)
    corners = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(corners) != 4 or cv2.contourArea(outline) < MIN_SQUARENESS * cv2.contourArea(corners):
        return None
    return _clockwise(corners.reshape(4, 2).astype(np.float32) / factor)


def square_up(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet inside ``corners`` drawn as the letter page it is: upright when its sides from top to
    bottom are the longer ones, landscape otherwise, at the resolution of its best-seen side.

    The picture's own side lengths are not the sheet's proportions: a sheet seen at an angle has its
    far side foreshortened. Drawn to the longest sides seen, a page came out up to 7 % taller or
    wider than the letter page it is then measured as, and the form's template met it at a scale
    that changes down the page. Drawn to letter's proportions, the page meets the template at one
    scale, its own."""
    tl, tr, br, bl = corners
    across = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    down = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    short, long = sorted((LETTER_W, LETTER_H))
    size_pt = (short, long) if down >= across else (long, short)  # (width, height) of the sheet
    per_pt = max(across / size_pt[0], down / size_pt[1])  # pixels per point: no side drawn smaller than seen
    width, height = int(round(size_pt[0] * per_pt)), int(round(size_pt[1] * per_pt))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def even_lighting(image: np.ndarray, dpi: float) -> np.ndarray:
    """``image`` with its paper brought to one white where lighting left it uneven (print kept dark
    relative to the paper around it); an evenly lit page is returned as it is."""
    h, w = image.shape[:2]
    factor = min(1.0, 600 / max(h, w))
    small = cv2.resize(image, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    k = max(3, int(dpi * factor / 6) | 1)  # a sixth of an inch: wider than any stroke of print
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))  # print filled in with paper
    paper = cv2.GaussianBlur(paper, (0, 0), k)
    lo, hi = np.percentile(paper, 2), np.percentile(paper, 98)
    if hi - lo < UNEVEN:
        return image
    logger.info("evening out lighting (paper %d..%d)", lo, hi)
    # image * (PAPER / max(paper, 1)) in 32-bit floats, worked out in place: two page-sized float arrays at
    # a time, not five (a 12 M pixel photo's are 48 MB each); the same operations in the same order
    gain = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    np.maximum(gain, np.float32(1.0), out=gain)
    np.divide(np.float32(PAPER), gain, out=gain)
    evened = image.astype(np.float32)
    np.multiply(evened, gain, out=evened)
    del gain
    np.clip(evened, 0, 255, out=evened)
    return evened.astype(np.uint8)


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Corners ordered top left, top right, bottom right, bottom left."""
    s, d = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]],
                    dtype=np.float32)
