"""Stage 2: turn a page upright (90/180/270 degrees) using tesseract's OSD."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from pipeline.ocr.engine import OcrEngine, Orientation
from pipeline.ocr.errors import OcrFailed

logger = logging.getLogger(__name__)

OSD_DPI = 150  # plenty for script/orientation detection, and ~2x faster than 300
MIN_CONFIDENCE = 1.0  # below this OSD is guessing; leave the page as it is


def detect_orientation(image: np.ndarray, dpi: float, engine: OcrEngine) -> Orientation:
    """How far ``image`` must be turned clockwise to be upright (0 when unsure)."""
    small = _scaled(image, dpi, OSD_DPI)
    try:
        found = engine.orientation(small, dpi=OSD_DPI)
    except OcrFailed as e:
        # OSD refuses pages with little text ("Too few characters"); such a page is left as it is,
        # and the full OCR that follows decides what it holds.
        logger.info("orientation not detected (%s); not turning", e.message)
        return Orientation(0, 0.0)
    if found.rotate not in (0, 90, 180, 270):
        return Orientation(0, 0.0)
    if found.rotate and found.confidence < MIN_CONFIDENCE:
        logger.info("OSD suggests %s degrees with low confidence %.2f; not turning", found.rotate, found.confidence)
        return Orientation(0, found.confidence)
    return found


def rotate_clockwise(image: np.ndarray, degrees: int) -> np.ndarray:
    """``image`` turned clockwise by a multiple of 90 degrees (no resampling)."""
    turns = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def _scaled(image: np.ndarray, dpi: float, target: float) -> np.ndarray:
    if dpi <= target * 1.1:
        return image
    f = target / dpi
    return cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
