"""Low-resolution scans (docs/accuracy.md, lowdpi): a lone digit of a 150 dpi scan, blurred and upsampled to the
OCR stage's 300 dpi, prints fainter than DARK over most of its strokes; it is still print that no word was read from."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import LONE_CHAR
from pipeline.acord25.layout import Box
from pipeline.ocr.zones import unread_print
from pipeline.textlayer import Page, Word

SCANNED_DPI = 150  # the page as scanned
DPI = 300  # the page as the OCR stage reads it (upsampled)
SCALE = 72 / DPI  # points per pixel


def _faint_digit() -> np.ndarray:
    """A '7' about 8 pt high, scanned at 150 dpi with a scanner's blur of 0.8 pixel, upsampled two times."""
    scanned = np.full((250, 250), 255, dtype=np.uint8)
    cv2.putText(scanned, "7", (100, 120), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    scanned = cv2.GaussianBlur(scanned, (0, 0), 0.8)
    return cv2.resize(scanned, None, fx=DPI / SCANNED_DPI, fy=DPI / SCANNED_DPI, interpolation=cv2.INTER_CUBIC)


def _page(*words: Word) -> Page:
    return Page(1, 500 * SCALE, 500 * SCALE, tuple(words))


def test_given_a_faint_lone_digit_of_an_upsampled_scan_that_no_word_was_read_from_then_its_box_holds_unread_print():
    image = _faint_digit()
    assert int((image < 128).sum()) < LONE_CHAR * DPI * DPI  # (its strokes mostly fainter than DARK)
    box = Box(180 * SCALE, 200 * SCALE, 300 * SCALE, 260 * SCALE)
    assert unread_print(_page(), image, box, scale=SCALE, dpi=DPI, least=LONE_CHAR)
    read = Word("7", 195 * SCALE, 215 * SCALE, 220 * SCALE, 245 * SCALE, confidence=0.96)
    assert not unread_print(_page(read), image, box, scale=SCALE, dpi=DPI, least=LONE_CHAR)
