"""pipeline/annotate.py: failing values boxed in red where their evidence says, on PDFs and scans."""

from __future__ import annotations

import io
import random
from functools import lru_cache

import numpy as np
import pytest
from PIL import Image

from pipeline.annotate import annotate_failures, registrations_of
from pipeline.filetypes import PNG
from pipeline.ocr.engine import Orientation
from pipeline.registration import PageRegistration
from pipeline.stages import extract, read
from samples.certificates import demo_certificate, draw_certificate
from samples.scans import Degradation, scan_pdf

DPI = 110
POINTER = "/insured/name"


@lru_cache(maxsize=1)
def born_digital() -> tuple[bytes, dict]:
    pdf = draw_certificate(demo_certificate())
    return pdf, extract(read(pdf))["evidence"]


def failing(evidence: dict, **extra) -> dict:
    return {"code": "insured_mismatch", "outcome": "fail", "message": "The insured's name differs.",
            "evidence": evidence, **extra}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def red_mask(image: np.ndarray) -> np.ndarray:
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return (r > 180) & (g < 60) & (b < 60)


def box_px(bbox: list[float], margin: float = 0.0) -> tuple[int, int, int, int]:
    s = DPI / 72.0
    return (int((bbox[0] - margin) * s), int((bbox[1] - margin) * s),
            int(np.ceil((bbox[2] + margin) * s)), int(np.ceil((bbox[3] + margin) * s)))


def assert_boxed(image: np.ndarray, bbox: list[float]) -> None:
    """Red frames the value: on each side of the box, none well inside it, none far outside (but the label)."""
    red = red_mask(image)
    x0, y0, x1, y1 = box_px(bbox)
    ox0, oy0, ox1, oy1 = box_px(bbox, margin=4)
    assert red[oy0:oy1, ox0:x0 + 1].any() and red[oy0:oy1, x1 - 1:ox1].any()  # left and right sides
    assert red[oy0:y0 + 1, ox0:ox1].any() and red[y1 - 1:oy1, ox0:ox1].any()  # top and bottom
    inner = red[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
    assert not inner.any()  # the value's ink stays visible
    label_height = int(20 * DPI / 72)
    outside = red.copy()
    outside[max(0, oy0 - label_height):oy1, :] = False  # the box and its label band
    assert not outside.any()
    grey = image[y0:y1, x0:x1].mean(axis=2)
    assert (grey < 100).any()  # the value's ink is inside the box: the box is where the text is


def test_given_a_failing_check_with_evidence_then_its_value_is_boxed_in_red():
    pdf, evidence = born_digital()
    png = annotate_failures(pdf, [failing(evidence[POINTER])], dpi=DPI)
    assert png is not None and png.startswith(b"\x89PNG")
    image = pixels(png)
    assert image.shape[1] == round(612 * DPI / 72)
    assert_boxed(image, evidence[POINTER]["bbox"])


def test_given_passing_waived_or_boxless_checks_then_no_image():
    pdf, evidence = born_digital()
    checks = [
        {**failing(evidence[POINTER]), "outcome": "pass"},
        failing(evidence[POINTER], waiver={"by": "ops", "reason": "known", "until": None}),
        {"code": "line_missing", "outcome": "fail", "message": "No auto liability."},
    ]
    assert annotate_failures(pdf, checks, dpi=DPI) is None


def test_given_an_unknown_check_then_it_is_not_boxed_and_neither_are_passing_ones():
    """A value read with low confidence is for a person to confirm, not a fault to show."""
    pdf, evidence = born_digital()
    passing = {**failing(evidence["/certificate_number"]), "outcome": "pass"}
    unclear = failing(evidence["/certificate_holder/name"], outcome="unknown", read_as="pass")
    png = annotate_failures(pdf, [failing(evidence[POINTER]), unclear, passing], dpi=DPI)
    image = pixels(png)
    assert_boxed(image, evidence[POINTER]["bbox"])
    for pointer in ("/certificate_number", "/certificate_holder/name"):
        x0, y0, x1, y1 = box_px(evidence[pointer]["bbox"], margin=3)
        assert not red_mask(image)[y0:y1, x0:x1].any()
    assert annotate_failures(pdf, [unclear], dpi=DPI) is None


class TurnedUpright:
    """A fake OCR engine whose orientation detection says how far the scan is turned."""

    def __init__(self, rotate: int) -> None:
        self.rotate = rotate

    def orientation(self, image, *, dpi):
        return Orientation(self.rotate, 20.0)

    def words(self, image, *, dpi, psm=3, chars=None):
        raise AssertionError("annotating reads no words")


@pytest.mark.parametrize("turn", [0, 90])
def test_given_a_scan_lying_sideways_then_the_box_lands_on_the_upright_page(turn):
    """OCR evidence is in the upright page's frame (points, top-left), the same as the born-digital one."""
    pdf, evidence = born_digital()
    scan = scan_pdf(pdf, Degradation(dpi=150, turn=turn, kind=PNG), random.Random(1))
    png = annotate_failures(scan, [failing(evidence[POINTER])], dpi=DPI, engine=TurnedUpright((360 - turn) % 360))
    image = pixels(png)
    assert abs(image.shape[1] - 612 * DPI / 72) <= 2 and abs(image.shape[0] - 792 * DPI / 72) <= 2
    assert_boxed(image, evidence[POINTER]["bbox"])


def test_given_checks_on_two_pages_then_the_page_with_most_failures_is_drawn():
    pdf, evidence = born_digital()
    elsewhere = failing({**evidence[POINTER], "page": 2})
    png = annotate_failures(pdf, [elsewhere, failing(evidence[POINTER])], dpi=DPI)  # a tie: the first page
    assert_boxed(pixels(png), evidence[POINTER]["bbox"])
    two_on_page_two = [elsewhere, elsewhere, failing(evidence[POINTER])]
    with pytest.raises(Exception, match="no page 2"):
        annotate_failures(pdf, two_on_page_two, dpi=DPI)


class NeverAsked:
    """An OCR engine that fails the test if asked anything: a stored registration makes it unneeded."""

    def orientation(self, image, *, dpi):
        raise AssertionError("orientation detection ran again though the registration was stored")

    def words(self, image, *, dpi, psm=3, chars=None):
        raise AssertionError("annotating reads no words")


@pytest.mark.parametrize("turn, skew", [(90, 0.0), (180, 2.5), (270, -3.0)])
def test_given_a_stored_registration_then_the_scan_is_drawn_by_it_without_detecting_the_turn(turn, skew):
    """The OCR stage stored the page's turn and levelling: the picture applies them, it detects nothing."""
    pdf, evidence = born_digital()
    scan = scan_pdf(pdf, Degradation(dpi=150, turn=turn, skew=skew, kind=PNG), random.Random(1))
    stored = PageRegistration(turn=(360 - turn) % 360, turned_by="rules", skew=skew, size=(612.0, 792.0))
    png = annotate_failures(scan, [failing(evidence[POINTER])], dpi=DPI, registrations={1: stored},
                            engine=NeverAsked())
    image = pixels(png)
    assert abs(image.shape[1] - 612 * DPI / 72) <= 2 and abs(image.shape[0] - 792 * DPI / 72) <= 2
    assert_boxed(image, evidence[POINTER]["bbox"])


def test_given_a_stored_reading_then_its_registrations_are_found_by_page():
    stored = PageRegistration(turn=90, turned_by="osd", skew=1.2, size=(612.0, 792.0))
    reading = {"method": "ocr", "pages": [
        {"number": 1, "width": 612, "height": 792, "words": [], "registration": stored.to_dict()},
        {"number": 2, "width": 612, "height": 792, "words": []}]}
    assert registrations_of(reading) == {1: stored}
