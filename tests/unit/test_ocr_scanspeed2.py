"""A scanned page's tilt for less CPU (docs/accuracy.md, scanspeed2): measured once on a page its rules leave
unturned, and the search's first, coarse stage made on a copy half as wide; the angles found are those of the
search at full width."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.ocr import deskew
from pipeline.ocr.deskew import COARSE_SCALE, MAX_SKEW, binarise, skew_by_projection
from pipeline.ocr.orient import rotate_clockwise


def _full_width_search(image: np.ndarray) -> float:
    """The search as it was: every stage on the whole working copy."""
    ink = binarise(deskew._small(image))
    if cv2.countNonZero(ink) < 50:
        return 0.0
    best = 0.0
    for span, step in ((MAX_SKEW, 0.5), (0.6, 0.1), (0.12, 0.02)):
        angles = np.arange(best - span, best + span + step / 2, step)
        best = float(angles[int(np.argmax([deskew._row_score(ink, a) for a in angles]))])
    return round(best, 2)


def _tilted_form(angle: float, dpi: float = 150.0) -> np.ndarray:
    from tests.unit.test_ocr_ruled_turn import drawn_rules

    page = drawn_rules(skew=angle)
    h, w = page.shape
    for row in range(60, h - 60, 25):  # lines of print between the rules
        cv2.line(page, (80, row), (w - 80 - (row * 7) % 300, row), 0, 2)
    if angle:
        page = cv2.warpAffine(page, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=255)
    return page


@pytest.mark.parametrize("angle", [-9.3, -4.0, -0.74, 0.0, 0.36, 2.5, 7.9])
def test_given_a_tilted_form_when_its_skew_is_measured_then_it_is_the_full_width_searchs_angle(angle):
    page = _tilted_form(angle)
    assert skew_by_projection(page) == _full_width_search(page)


def test_given_a_page_when_its_skew_is_measured_then_the_coarse_stage_looks_at_a_copy_half_as_wide(monkeypatch):
    widths = []
    score = deskew._row_score

    def noted(ink, angle):
        widths.append(ink.shape[1])
        return score(ink, angle)

    monkeypatch.setattr(deskew, "_row_score", noted)
    skew_by_projection(_tilted_form(1.5))
    full = max(widths)
    assert widths.count(int(full * COARSE_SCALE)) == 41  # the 0.5-degree stage over +-MAX_SKEW
    assert widths.count(full) == 26  # the two finer stages


def _tilts_measured(monkeypatch, data: bytes) -> list[int]:
    """The widths of the images whose tilt the OCR stage measured while reading ``data`` (a PNG)."""
    from pipeline.filetypes import PNG
    from pipeline.ocr import ocr_pages
    from tests.unit.test_zoned import StripEngine

    measured = []
    estimate = deskew.estimate_skew

    def noted(image):
        measured.append(image.shape[1])
        return estimate(image)

    monkeypatch.setattr(deskew, "estimate_skew", noted)
    ocr_pages(data, PNG, max_pages=1, engine=StripEngine())
    return measured


def _png(image: np.ndarray) -> bytes:
    import io

    from PIL import Image

    from tests.unit.test_zoned import DPI

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def test_given_an_upright_ruled_form_when_ocred_then_its_tilt_is_measured_once(monkeypatch):
    from tests.unit.test_zoned import _ruled_png

    assert _tilts_measured(monkeypatch, _ruled_png("2016/03")) == [2550]  # the page itself, not a coarse copy too


def test_given_a_ruled_form_lying_on_its_side_when_ocred_then_its_tilt_is_measured_again_once_turned(monkeypatch):
    from PIL import Image

    from tests.unit.test_zoned import _ruled_png

    import io

    upright = np.array(Image.open(io.BytesIO(_ruled_png("2016/03"))))
    lying = rotate_clockwise(upright, 90)
    assert _tilts_measured(monkeypatch, _png(lying)) == [3300, 2550]  # as it lay, then as it stands
