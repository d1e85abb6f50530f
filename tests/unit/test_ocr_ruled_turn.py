"""pipeline/ocr/ruled_turn.py: a page's quarter turn from the form's ruled lines, or None when they do not say.

Pages: the 2016/03 template's own rules drawn on paper (always), a certificate scanned by
``bench.corpus`` on the official blank, and the real scans of ``../shared/corpus/real`` (both skip
when ``../shared`` is absent). Each is turned by every quarter turn, and the answer must turn it back.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.acord25.template import load
from pipeline.filetypes import sniff
from pipeline.ocr import raster
from pipeline.ocr.orient import rotate_clockwise
from pipeline.ocr.ruled_turn import MIN_FIT, MIN_MARGIN, find_turn, fit, turned

TURNS = (0, 90, 180, 270)
DPI = 150


def drawn_rules(scale: float = 1.0, shift: tuple[float, float] = (0.0, 0.0), skew: float = 0.0) -> np.ndarray:
    """A letter page at ``DPI`` with only the 2016/03 template's rules drawn, placed by ``scale`` and
    ``shift`` (points) and tilted by ``skew`` degrees."""
    px = DPI / 72.0
    page = np.full((int(792 * px), int(612 * px)), 255, dtype=np.uint8)
    for x0, y0, x1, y1 in load("2016/03").rules:
        a = (int((x0 * scale + shift[0]) * px), int((y0 * scale + shift[1]) * px))
        b = (int((x1 * scale + shift[0]) * px), int((y1 * scale + shift[1]) * px))
        cv2.rectangle(page, a, b, 0, thickness=-1)
    if skew:
        h, w = page.shape
        page = cv2.warpAffine(page, cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0), (w, h), borderValue=255)
    return page


def assert_turns_back(upright: np.ndarray, dpi: float) -> None:
    """Given ``upright`` turned clockwise by each quarter turn, the answer turns it back."""
    for turn in TURNS:
        found = find_turn(rotate_clockwise(upright, turn), dpi)
        assert found is not None, f"no answer for a page turned {turn}"
        assert found.rotate == (360 - turn) % 360, f"turned {turn}: answered {found.rotate}"
        assert found.fit >= MIN_FIT and found.fit - found.runner_up >= MIN_MARGIN


@pytest.mark.parametrize("scale, shift, skew", [(1.0, (0, 0), 0.0), (0.86, (30, 40), 0.0), (1.0, (-6, 8), 3.5)])
def test_given_the_forms_rules_turned_each_quarter_then_the_turn_back_is_found(scale, shift, skew):
    assert_turns_back(drawn_rules(scale, shift, skew), DPI)


# a 300 dpi scan's hairline as measured on a tuning scan (seed 30 forced to 300 dpi, the coverage table's
# column rules): about a scanned pixel wide and this dark on paper this light
HAIRLINE_GREY, PAPER_GREY, PRINT_GREY = 140, 250, 0


def hairline_page(dpi: float = 300.0) -> np.ndarray:
    """A letter page at ``dpi`` with the 2016/03 template's rules drawn as faint hairlines one pixel wide, and
    black dots of print (about a twentieth of the page, each a letter's size) everywhere at least 4 pt from a rule: the print sets a page-wide
    ink level darker than the hairlines print once the page is shrunk to ``RULE_DPI``."""
    px = dpi / 72.0
    page = np.full((int(792 * px), int(612 * px)), PAPER_GREY, dtype=np.uint8)
    ruled = np.zeros_like(page)
    for x0, y0, x1, y1 in load("2016/03").rules:
        a, b = (int(x0 * px), int(y0 * px)), (int(x1 * px), int(y1 * px))
        cv2.rectangle(ruled, a, b, 255, thickness=1)
    clear = cv2.dilate(ruled, np.ones((int(8 * px) | 1, int(8 * px) | 1), np.uint8)) == 0  # 4 pt from any rule
    dots = np.zeros_like(clear)
    dots[::24, ::24] = True
    dots = cv2.dilate(dots.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0  # 1.7 pt across: a letter's bowl
    page[dots & clear] = PRINT_GREY
    page[ruled > 0] = HAIRLINE_GREY
    return page


def test_given_a_300_dpi_page_of_faint_hairlines_and_dark_print_then_each_turn_is_found():
    """The hairlines are judged against the paper around them, not the page's ink level: shrunk to ``RULE_DPI``
    a one-pixel hairline of a 300 dpi scan prints half as dark, lighter than the level the print sets."""
    assert_turns_back(hairline_page(300.0), 300.0)


def test_given_a_blank_page_then_no_turn():
    assert find_turn(np.full((1650, 1275), 255, dtype=np.uint8), DPI) is None


def test_given_a_page_of_text_without_the_forms_rules_then_no_turn():
    """Lines of text (no ruled table) are not the form: the rules cannot say, OSD is asked."""
    page = np.full((1650, 1275), 255, dtype=np.uint8)
    for row in range(120, 1500, 36):
        cv2.putText(page, "The insured's operations are covered as the policy says.", (90, row),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    assert find_turn(page, DPI) is None


def test_given_one_rule_across_the_page_then_no_turn():
    """A page with a single rule fits no turn well enough: a form has dozens."""
    page = np.full((1650, 1275), 255, dtype=np.uint8)
    page[800:803, 100:1175] = 0
    assert find_turn(page, DPI) is None


def test_given_rules_turned_a_quarter_and_back_then_they_are_where_they_were():
    rules = [(10.0, 20.0, 200.0, 21.0), (50.0, 30.0, 51.0, 300.0)]
    size = (612.0, 792.0)
    once = turned(rules, size, 90)
    np.testing.assert_allclose(turned(once, (792.0, 612.0), 270), rules)
    np.testing.assert_allclose(turned(turned(rules, size, 180), size, 180), rules)


def test_given_the_template_itself_then_it_fits_whole_and_upside_down_it_does_not():
    rules = list(load("2016/03").rules)
    assert fit(rules, tuple(rules)) == pytest.approx(1.0)
    assert fit(turned(rules, (612.0, 792.0), 180), tuple(rules)) < 1.0 - MIN_MARGIN


def _first_page(data: bytes) -> tuple[np.ndarray, float]:
    """The page as the OCR stage sees it before the turn (a photographed sheet squared up)."""
    from pipeline.ocr import photo

    r = raster.rasterize(data, sniff(data), max_pages=1, dpi=300)[0]
    image, width = r.image, r.width_pt
    corners = photo.find_page(image)
    if corners is not None:
        image = photo.square_up(image, corners)
        width = 612.0 if image.shape[0] >= image.shape[1] else 792.0
    return image, image.shape[1] * 72.0 / width


@pytest.mark.corpus
@pytest.mark.parametrize("kind", ["scan", "photo"])
def test_given_a_generated_scan_on_the_official_blank_then_each_turn_is_found(kind, real_corpus):
    """A tuning seed's certificate, scanned or photographed by bench.corpus; its recipe's own turn and
    each further quarter turn are undone."""
    from bench import formfill
    from bench.corpus import certificate

    if not formfill.available():
        pytest.skip("the official blanks are not in ../shared")
    sample = certificate(0, kind)
    image, dpi = _first_page(sample.data)
    scanner_turn = (sample.recipe.degradation or {}).get("turn", 0)
    assert_turns_back(rotate_clockwise(image, (360 - scanner_turn) % 360), dpi)


@pytest.mark.parametrize("name", ["real_acord25-2016_scan_coi-auditor_Sainz-Construction_2024-05-09.pdf",
                                  "real_acord25-2016_scan_coi-auditor_31W-Insulation_2023-11-06.pdf"])
def test_given_a_real_scan_turned_each_quarter_then_the_turn_back_is_found(name, real_corpus):
    path = real_corpus / name
    if not path.exists():
        pytest.skip(f"{name} not in the real corpus")
    image, dpi = _first_page(path.read_bytes())
    assert_turns_back(image, dpi)
