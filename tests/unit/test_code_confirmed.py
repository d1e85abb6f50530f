"""Sure policy and phone numbers read again alone, held to a code's characters, to confirm them (zoneread):
the cells listed, the marks, the evidence key and its cost, and the path fit's price of it (fake engine)."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from pipeline.acord25.cells import CODE, DATE, Cell, _code_cell
from pipeline.acord25.confidence import FIT, Fit, confidence, logit
from pipeline.acord25.evidence import (CODE_CONFIRMED, CODE_UNCONFIRMED, DATE_CONFIRMED, calibrate)
from pipeline.acord25.layout import Box
from pipeline.ocr.engine import OcrWord, Orientation
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import CODE_CHARS, CONFIRM_CHARS, reread_cells
from pipeline.textlayer import Mark, Page, Word

DPI = 300
SCALE = 72 / DPI  # points per pixel


class _ReadsBands:
    """Reads each band of ink of the strip it is given as one word, texts given in order; records what it allowed."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.allowed = texts, []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.allowed.append(chars)
        rows = np.nonzero((image < 200).any(axis=1))[0]
        bands, start = [], rows[0]
        for a, b in zip(rows, rows[1:]):
            if b - a > 5:
                bands.append((start, a))
                start = b
        bands.append((start, rows[-1]))
        cols = np.nonzero((image < 200).any(axis=0))[0]
        return [OcrWord(t, int(cols[0]), int(top), int(cols[-1] - cols[0] + 1), int(bottom - top + 1), 95.0,
                        (1, 1, i)) for i, (t, (top, bottom)) in enumerate(zip(self.texts, bands))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def _code_confirmed(read_as: list[str]) -> tuple[list[str], list[str]]:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "GL-1742748", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    sure = Word("GL-1742748", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.95)
    box = Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE)
    page = reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, (sure,)), image,
                        [Cell(box, CODE, seen="GL-1742748", confirm=True)], _ReadsBands(read_as), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    return [w.text for w in page.words], [m.kind for m in page.marks]


def test_given_a_sure_policy_number_whose_second_reading_says_the_same_code_then_a_mark_says_confirmed():
    assert _code_confirmed(["GL1742748"]) == (["GL-1742748"], [CODE_CONFIRMED])  # its signs left aside


def test_given_a_sure_policy_number_whose_second_reading_says_another_code_then_its_words_stay_unconfirmed():
    assert _code_confirmed(["GL-1242748"]) == (["GL-1742748"], [CODE_UNCONFIRMED])


def test_given_a_second_reading_with_too_few_digits_to_be_a_code_then_nothing_is_said_of_it():
    assert _code_confirmed(["GL-17"]) == (["GL-1742748"], [])


def test_given_a_code_and_a_date_to_confirm_then_the_code_is_read_in_its_own_strip_held_to_a_codes_characters():
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "01/15/2026", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    cv2.putText(image, "WC-20147545", (110, 640), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    date = Cell(Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE), DATE, seen="01/15/2026", confirm=True)
    code = Cell(Box(80 * SCALE, 550 * SCALE, 700 * SCALE, 700 * SCALE), CODE, seen="WC-20147545", confirm=True)
    engine = _ReadsBands(["01/15/2026"])
    reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, ()), image, [code, date], engine, dpi=DPI,
                 place=lambda w: _word(w, SCALE))
    assert engine.allowed == [CONFIRM_CHARS, CODE_CHARS]
    assert set(CODE_CHARS) >= set("0123456789ACGLWX-()") and not any(c.islower() for c in CODE_CHARS)


def test_given_a_policy_number_box_read_surely_then_it_is_a_cell_to_confirm_and_a_doubtful_one_is_not():
    box = Box(0, 0, 100, 20)
    sure = Word("WC-20147545", 2, 4, 60, 16, confidence=0.93)
    cell = _code_cell(box, [sure])
    assert cell is not None and cell.confirm and cell.alphabet == CODE and cell.seen == "WC-20147545"
    assert _code_cell(box, [dataclasses.replace(sure, confidence=0.5)]) is None  # doubtful: read as before
    assert _code_cell(box, [dataclasses.replace(sure, text="WC-201")]) is None  # too few digits for a code
    assert _code_cell(box, [sure, Word("XX-1234567", 2, 24, 60, 36, confidence=0.93)]) is None  # two lines


def test_given_code_boxes_read_again_then_each_value_records_whether_it_was_confirmed(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", dataclasses.replace(FIT, code_unconfirmed=3.0))
    a = Word("GL-1742748", 10, 100, 40, 110, confidence=0.95)
    b = Word("(555) 123-4567", 210, 100, 240, 110, confidence=0.95)
    items = {p: {"bbox": [x, 98, x + 34, 112], "confidence": 0.5, "how": "in_box"} for p, x in (("/a", 8), ("/b", 208))}
    marks = [Mark(CODE_UNCONFIRMED, 0, 90, 100, 120), Mark(CODE_CONFIRMED, 200, 90, 300, 120),
             Mark(DATE_CONFIRMED, 400, 90, 500, 120)]
    calibrate(items, [a, b], marks, ocr=True)
    assert (items["/a"]["code_confirmed"], items["/b"]["code_confirmed"]) == (False, True)
    assert "date_confirmed" not in items["/a"] and "confirmed" not in items["/b"]  # the other kinds' keys stay theirs
    assert items["/a"]["confidence"] < items["/b"]["confidence"]


def test_given_a_fit_a_code_a_second_reading_did_not_confirm_costs_its_own_number(monkeypatch):
    fitted = dataclasses.replace(FIT, by_rules=0.0, unconfirmed=1.0, date_unconfirmed=2.0, code_unconfirmed=4.0)
    sure = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, fit=fitted)
    code_not = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, code_confirmed=False,
                          fit=fitted)
    assert logit(sure) - logit(code_not) == pytest.approx(4.0)
    assert Fit.from_dict(fitted.to_dict()).code_unconfirmed == 4.0
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)
    assert confidence("in_box", ocr=True, least=0.99, borrowed=False, code_confirmed=False) < 0.9


def test_the_path_fit_prices_a_code_a_second_reading_did_not_confirm_apart_from_amounts_and_dates():
    from bench.calibrate import Sample, fit_path

    def sample(right: bool, confirmed=None, date_confirmed=None, code_confirmed=None) -> Sample:
        return Sample("in_box", True, 0.96, False, right, 0.0, residual=0.2, by_rules=True, confirmed=confirmed,
                      date_confirmed=date_confirmed, code_confirmed=code_confirmed)

    samples = [sample(True)] * 400 + [sample(True, True)] * 200 + [sample(True, None, True)] * 200
    samples += [sample(True, None, None, True)] * 200
    samples += [sample(True, False)] * 5 + [sample(True, None, False)] * 5 + [sample(False, None, None, False)] * 30
    fitted = fit_path(samples, FIT)
    assert fitted.code_unconfirmed > fitted.unconfirmed > 0
    assert confidence("in_box", ocr=True, least=0.96, borrowed=False, residual=0.2, by_rules=True,
                      code_confirmed=False, fit=fitted) < 0.5
