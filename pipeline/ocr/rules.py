"""The form's ruled lines: found by morphology, removed before OCR.

Table borders next to small print make tesseract read ``|`` and ``_`` into the
words and split labels; words read much better with the rules painted out.
"""

from __future__ import annotations

import cv2
import numpy as np

RULE_PT = 14.0  # a level run this long is a rule, not a word
UPRIGHT_RULE_PT = 14.0  # an upright run this long is a rule: letters are far shorter


def rule_masks(ink: np.ndarray, dpi: float, *, min_length_pt: float,
               min_height_pt: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) masks of straight ink runs at least ``min_length_pt`` long
    (``min_height_pt`` for the upright ones, when given)."""
    length = max(5, int(min_length_pt * dpi / 72.0))
    height = max(5, int((min_height_pt or min_length_pt) * dpi / 72.0))
    bridged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, 3), np.uint8))
    horizontal = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    bridged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
    vertical = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, height)))
    return horizontal, vertical


def remove_rules(image: np.ndarray, ink: np.ndarray, dpi: float, extra: np.ndarray | None = None) -> np.ndarray:
    """``image`` with long ruled lines (and ``extra`` ink, e.g. checkbox sides) painted as paper."""
    horizontal, vertical = rule_masks(ink, dpi, min_length_pt=RULE_PT, min_height_pt=UPRIGHT_RULE_PT)
    mask = cv2.bitwise_or(horizontal, vertical)
    if extra is not None:
        mask = cv2.bitwise_or(mask, extra)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=1)  # the rule's grey fringe
    out = image.copy()
    out[mask > 0] = 255
    return out
