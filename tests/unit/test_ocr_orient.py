"""Orientation: a second, full-resolution look when OSD on the small copy is unsure or implausible."""

from __future__ import annotations

import numpy as np

from pipeline.ocr.engine import Orientation
from pipeline.ocr.orient import OSD_DPI, SECOND_LOOK_DPI, detect_orientation


class _OsdByResolution:
    """OSD that answers by the resolution it is asked at (as tesseract does on a blurred scan)."""

    def __init__(self, answers: dict[int, Orientation]) -> None:
        self.answers, self.asked = answers, []

    def orientation(self, image, *, dpi):
        self.asked.append(dpi)
        return self.answers[dpi]

    def words(self, image, *, dpi, psm=3, chars=None):
        return []


LYING = np.full((1700, 2200), 255, dtype=np.uint8)  # a letter page on its side, 200 dpi
STANDING = np.full((2200, 1700), 255, dtype=np.uint8)


def test_given_a_sure_answer_that_stands_the_page_upright_then_osd_is_asked_once():
    engine = _OsdByResolution({OSD_DPI: Orientation(270, 4.0)})
    assert detect_orientation(LYING, 200, engine).rotate == 270
    assert engine.asked == [OSD_DPI]


def test_given_an_unsure_first_look_then_a_sure_second_look_decides():
    engine = _OsdByResolution({OSD_DPI: Orientation(270, 0.7), 200: Orientation(270, 2.7)})
    assert detect_orientation(LYING, 200, engine).rotate == 270
    assert engine.asked == [OSD_DPI, min(200, SECOND_LOOK_DPI)]


def test_given_a_first_look_that_leaves_the_page_lying_then_the_second_look_overrules_it():
    engine = _OsdByResolution({OSD_DPI: Orientation(180, 3.4), 200: Orientation(90, 2.5)})
    assert detect_orientation(LYING, 200, engine).rotate == 90


def test_given_both_looks_sure_and_agreeing_then_they_are_trusted_over_the_proportions():
    engine = _OsdByResolution({OSD_DPI: Orientation(90, 6.0), 200: Orientation(90, 6.0)})
    assert detect_orientation(STANDING, 200, engine).rotate == 90


def test_given_both_looks_unsure_then_the_page_is_left_as_it_is():
    engine = _OsdByResolution({OSD_DPI: Orientation(90, 0.4), 200: Orientation(270, 0.6)})
    assert detect_orientation(LYING, 200, engine).rotate == 0
