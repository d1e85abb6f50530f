"""Stage 2: turn a page upright (90/180/270 degrees): from the form's ruled lines, else tesseract's OSD.

:func:`find_upright` asks the ruled lines first (:mod:`pipeline.ocr.ruled_turn`: cheap, and right on
the form whatever its text says); only when they do not settle the turn (not a ruled form, or two turns
fit alike) is OSD run, a second full tesseract run (:func:`detect_orientation`).

OSD runs on a small copy of the page (fast).  On a blurred or low-resolution scan
that copy can mislead it, so the page is looked at again at full resolution when
the first answer is unsure, or when it would leave a page of letter-size
proportions lying on its side (a certificate is printed upright on portrait paper).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.ocr.engine import OcrEngine, Orientation
from pipeline.ocr.errors import OcrFailed

logger = logging.getLogger(__name__)

OSD_DPI = 150  # plenty for script/orientation detection on a clean page, and ~2x faster than 300
SECOND_LOOK_DPI = 300  # the second look, when the first is unsure or implausible
MIN_CONFIDENCE = 1.0  # below this OSD is guessing; leave the page as it is
PORTRAIT = 1.15  # height / width of a page standing upright (letter: 1.29); its inverse, lying

_osd_runs = 0  # tesseract OSD runs in this process (a metric the bench reports per page)


def osd_runs() -> int:
    """How many OSD runs this process has made so far (each is a full tesseract run)."""
    return _osd_runs


@dataclass(frozen=True)
class Upright:
    """How far a page must be turned clockwise to stand upright, and what said so."""

    rotate: int  # 0, 90, 180 or 270
    by: str  # "rules" (the form's ruled lines) or "osd" (tesseract's orientation detection)
    confidence: float  # the rules' fit (0-1), or OSD's own confidence


def find_upright(image: np.ndarray, dpi: float, engine: OcrEngine, *, skew: float | None = None) -> Upright:
    """The page's turn: from its ruled lines when they settle it, else from OSD. ``skew``: the page's tilt as it
    lies, when measured already (the rules are levelled by it before they are looked for)."""
    from pipeline.ocr.ruled_turn import find_turn

    ruled = find_turn(image, dpi, skew=skew)
    if ruled is not None:
        logger.info("turn %s from the ruled lines (fit %.2f, next best %.2f)", ruled.rotate, ruled.fit,
                    ruled.runner_up)
        return Upright(ruled.rotate, "rules", ruled.fit)
    found = detect_orientation(image, dpi, engine)
    return Upright(found.rotate, "osd", found.confidence)


def detect_orientation(image: np.ndarray, dpi: float, engine: OcrEngine) -> Orientation:
    """How far ``image`` must be turned clockwise to be upright (0 when unsure)."""
    found = _osd(image, dpi, OSD_DPI, engine)
    if _sure(found) and _upright_after(image, found.rotate) is not False:
        return _decided(found)
    again = _osd(image, dpi, SECOND_LOOK_DPI, engine)
    logger.info("OSD at %s dpi said %s (%.2f); at %s dpi %s (%.2f)", OSD_DPI, found.rotate, found.confidence,
                SECOND_LOOK_DPI, again.rotate, again.confidence)
    if _sure(again) and _upright_after(image, again.rotate) is not False:
        return _decided(again)
    if _sure(found) and again.rotate == found.rotate:
        return _decided(found)  # both looks agree: trust them over the page's proportions
    if _sure(again) and not _sure(found):
        return _decided(again)
    return _decided(found)


def _osd(image: np.ndarray, dpi: float, target: float, engine: OcrEngine) -> Orientation:
    global _osd_runs
    _osd_runs += 1
    try:
        found = engine.orientation(_scaled(image, dpi, target), dpi=int(min(dpi, target)))
    except OcrFailed as e:
        # OSD refuses pages with little text ("Too few characters"); such a page is left as it is,
        # and the full OCR that follows decides what it holds.
        logger.info("orientation not detected (%s); not turning", e.message)
        return Orientation(0, 0.0)
    return found if found.rotate in (0, 90, 180, 270) else Orientation(0, 0.0)


def _sure(found: Orientation) -> bool:
    return found.confidence >= MIN_CONFIDENCE


def _decided(found: Orientation) -> Orientation:
    if found.rotate and not _sure(found):
        logger.info("OSD suggests %s degrees with low confidence %.2f; not turning", found.rotate, found.confidence)
        return Orientation(0, found.confidence)
    return found


def _upright_after(image: np.ndarray, rotate: int) -> bool | None:
    """True when turning by ``rotate`` leaves the page portrait, False when landscape, None when square-ish."""
    h, w = image.shape[:2]
    if rotate in (90, 270):
        h, w = w, h
    if h >= PORTRAIT * w:
        return True
    if w >= PORTRAIT * h:
        return False
    return None


def rotate_clockwise(image: np.ndarray, degrees: int) -> np.ndarray:
    """``image`` turned clockwise by a multiple of 90 degrees (no resampling)."""
    turns = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def _scaled(image: np.ndarray, dpi: float, target: float) -> np.ndarray:
    if dpi <= target * 1.1:
        return image
    f = target / dpi
    return cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
