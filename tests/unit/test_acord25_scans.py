"""Extraction safeguards for OCR readings, on a drawn certificate read as if by OCR (no tesseract)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from pipeline.acord25 import extract_certificate, plausible
from pipeline.acord25.cells import DATE, FLAG, date_cell, letter_cells
from pipeline.acord25.coverages import policy_tokens
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import read_date, read_insurers
from pipeline.acord25.layout import Sheet
from pipeline.textlayer import Page, Word
from readings import drawn_scan


def _without(page: Page, drop) -> Page:
    return dataclasses.replace(page, words=tuple(w for w in page.words if not drop(w)))


def _words(page: Page, text: str) -> list[Word]:
    return [w for w in page.words if w.text == text]


def test_given_label_boxes_ocr_read_three_times_too_tall_then_the_form_scale_stays_within_the_page(page):
    tall = {"EACH", "OCCURRENCE", "INSURER"}
    inflated = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, y1=w.y0 + 18.0) if w.text in tall else w for w in page.words))
    assert build_frame(Sheet(page)).unit == pytest.approx(1.0, abs=0.1)
    assert build_frame(Sheet(inflated)).unit <= 1.2 * page.width / 612


def test_given_the_date_label_misread_then_the_date_is_read_from_the_corner_as_a_guess(page, truth):
    label = _words(page, "DATE")[0]
    scan = _without(page, lambda w: abs(w.cy - label.cy) < 2 and w.x0 >= label.x0)  # 'DATE (MM/DD/YYYY)' lost
    sheet = Sheet(scan)
    frame = build_frame(sheet)
    ev = Evidence(1)
    assert frame.get("date") is None or frame.get("date").box.y0 < frame.get("coverages").box.y0
    assert read_date(sheet, frame, ev) == truth["date"]
    assert ev.items["/date"]["confidence"] < 0.9


def test_given_the_naic_label_misread_then_the_codes_are_still_read_from_their_column(page, truth):
    scan = _without(page, lambda w: w.text in ("NAIC", "#"))
    sheet = Sheet(scan)
    got = read_insurers(sheet, build_frame(sheet), Evidence(1))
    assert [(i["letter"], i["name"], i["naic"]) for i in got] == [
        (i["letter"], i["name"], i["naic"]) for i in truth["insurers"]]


@pytest.mark.parametrize("texts, kept", [
    (["nee", "WCV19029574"], ["WCV19029574"]),
    (["24%", "i", "GL-13166052", "«i"], ["GL-13166052"]),
    (["WCV41839125", "P", "."], ["WCV41839125"]),
    (["BOP", "1234567"], ["BOP", "1234567"]),  # a number printed in two parts stays whole
])
def test_given_ocr_debris_around_a_policy_number_then_only_the_number_is_kept(texts, kept):
    words = [Word(t, 10.0 * i, 0, 10.0 * i + 8, 10, confidence=0.6) for i, t in enumerate(texts)]
    assert [w.text for w in policy_tokens(words)] == kept


def test_given_a_blank_limit_beside_an_amount_nearer_the_next_label_then_it_stays_blank(truth):
    truth = copy.deepcopy(truth)
    truth["policies"][0]["limits"]["medical_expense"] = None
    page = drawn_scan(truth)
    med = _words(page, "MED")[0]
    label = [w for w in page.words if abs(w.cy - med.cy) < 1 and med.x0 <= w.x0 < med.x0 + 60]
    tall = dataclasses.replace(page, words=tuple(  # OCR boxed the label with ink below it: its centre sinks
        dataclasses.replace(w, y1=w.y0 + 2.6 * w.height) if w in label else w for w in page.words))
    gl = extract_certificate([tall])["policies"][0]
    assert gl["limits"]["medical_expense"] is None
    assert gl["limits"]["personal_advertising_injury"] == truth["policies"][0]["limits"]["personal_advertising_injury"]


def test_given_a_flag_cell_ocr_read_as_debris_then_it_is_listed_for_a_second_reading(page, truth):
    assert truth["policies"][0]["additional_insured"] is True
    gl_row_y = _words(page, truth["policies"][0]["policy_number"])[0].cy
    flag = next(w for w in page.words if w.text == "Y" and abs(w.cy - gl_row_y) < 2)
    debris = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="NY.", confidence=0.4) if w is flag else w for w in page.words))
    before = {c.box for c in letter_cells(page)}
    cells = [c for c in letter_cells(debris) if c.box.contains(flag.cx, flag.cy)]
    assert [c.alphabet for c in cells] == [FLAG]
    assert cells[0].box not in before  # a cell already read as one valid letter is not read again


def test_given_no_date_read_in_its_box_then_the_box_is_listed_for_a_second_reading(page, truth):
    assert date_cell(page) is None
    iso = truth["date"]
    printed = f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}"
    cell = date_cell(_without(page, lambda w: w.text == printed))
    assert cell is not None and cell.alphabet == DATE and cell.accepts(printed)


@pytest.fixture()
def cert(truth) -> dict:
    return copy.deepcopy(truth)


def _review(cert: dict, pointer: str) -> float:
    evidence = {pointer: {"page": 1, "bbox": [0, 0, 1, 1], "confidence": 0.97}}
    plausible.review(cert, evidence, ocr=True)
    return evidence[pointer]["confidence"]


def test_given_a_certificate_date_years_before_its_policies_then_it_is_doubted(cert):
    assert _review(cert, "/date") == 0.97
    cert["date"] = "2020" + cert["date"][4:]  # '2024' misread as '2020'
    assert _review(cert, "/date") < 0.9


def test_given_a_date_in_the_policy_number_column_then_number_and_dates_are_doubted(cert):
    policy = cert["policies"][0]
    policy["policy_number"] = "08/31/2024"
    evidence = {f"/policies/0/{k}": {"page": 1, "bbox": [0, 0, 1, 1], "confidence": 0.97}
                for k in ("policy_number", "effective", "expiration")}
    plausible.review(cert, evidence, ocr=True)
    assert all(e["confidence"] < 0.9 for e in evidence.values())


def test_given_a_limit_amount_misread_then_its_row_is_listed_for_a_second_reading(page, truth):
    from pipeline.acord25.cells import AMOUNT, limit_cells, strict_amount

    wc = next(p for p in truth["policies"] if p["line"] == "workers_compensation")
    accident = f"{wc['limits']['el_each_accident']:,}"
    label = _words(page, "ACCIDENT")[0]
    printed = next(w for w in page.words if w.text == accident and abs(w.cy - label.cy) < 2)
    # amounts read valid and sure are not read again (blank limits are listed: their cut-outs hold no ink)
    assert all(c.seen == "" and not c.box.contains(printed.cx, printed.cy) for c in limit_cells(page))
    misread = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="ihen.000", confidence=0.45) if w is printed else w for w in page.words))
    [cell] = [c for c in limit_cells(misread) if c.seen]
    assert cell.alphabet == AMOUNT and cell.box.contains(printed.cx, printed.cy) and cell.seen == "ihen.000"
    assert cell.accepts(accident) and not cell.accepts("ihen.000") and strict_amount("$5,000") == 5000


def test_given_a_misread_limit_whose_dollar_sign_was_not_read_then_its_cell_starts_right_of_the_dollar_column(page, truth):
    from pipeline.acord25.cells import limit_cells

    wc = next(p for p in truth["policies"] if p["line"] == "workers_compensation")
    accident = f"{wc['limits']['el_each_accident']:,}"
    label = _words(page, "ACCIDENT")[0]
    printed = next(w for w in page.words if w.text == accident and abs(w.cy - label.cy) < 2)
    dollar = max((w for w in page.words if w.text == "$" and abs(w.cy - printed.cy) < 2), key=lambda w: w.x0)
    misread = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="5l,O00,000", confidence=0.45) if w is printed else w
        for w in page.words if w is not dollar))
    [cell] = [c for c in limit_cells(misread) if c.seen]
    assert dollar.x1 - 0.5 < cell.box.x0 < printed.x0  # the "$" printed is left out of the cut-out


def test_given_a_limit_row_that_holds_printed_words_then_it_is_not_read_again_as_an_amount(page, truth):
    from pipeline.acord25.cells import limit_cells

    wc = next(p for p in truth["policies"] if p["line"] == "workers_compensation")
    accident = f"{wc['limits']['el_each_accident']:,}"
    label = _words(page, "ACCIDENT")[0]
    printed = next(w for w in page.words if w.text == accident and abs(w.cy - label.cy) < 2)
    for text in ("SUBJECT", "01/02/2024"):  # text or a date where an amount should be: the row is misplaced
        other = dataclasses.replace(page, words=tuple(
            dataclasses.replace(w, text=text, confidence=0.45) if w is printed else w for w in page.words))
        assert [c for c in limit_cells(other) if c.seen] == []
