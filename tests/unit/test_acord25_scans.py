"""Extraction safeguards for OCR readings, on a drawn certificate read as if by OCR (no tesseract)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from pipeline.acord25 import extract_certificate, plausible
from pipeline.acord25.cells import AMOUNT, BLOCK, DATE, FLAG, LONE_CHAR, strict_amount, value_cells
from pipeline.textlayer import Page, Word


def _without(page: Page, drop) -> Page:
    return dataclasses.replace(page, words=tuple(w for w in page.words if not drop(w)))


def _words(page: Page, text: str) -> list[Word]:
    return [w for w in page.words if w.text == text]


def _swapped(page: Page, word: Word, text: str, confidence: float) -> Page:
    return dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text=text, confidence=confidence) if w is word else w for w in page.words))


def test_given_the_naic_label_misread_then_the_codes_are_still_read_from_their_boxes(page, truth):
    scan = _without(page, lambda w: w.text in ("NAIC", "#"))
    got = extract_certificate([scan], None, "ocr")["insurers"]
    assert [(i["letter"], i["name"], i["naic"]) for i in got] == [
        (i["letter"], i["name"], i["naic"]) for i in truth["insurers"]]


def test_given_a_flag_cell_ocr_read_as_debris_then_it_is_listed_for_a_second_reading(page, truth):
    assert truth["policies"][0]["additional_insured"] is True
    gl_row_y = _words(page, truth["policies"][0]["policy_number"])[0].cy
    flag = next(w for w in page.words if w.text == "Y" and abs(w.cy - gl_row_y) < 2)
    before = {c.box for c in value_cells(page)}
    cells = [c for c in value_cells(_swapped(page, flag, "NY.", 0.4)) if c.box.contains(flag.cx, flag.cy)]
    assert [c.alphabet for c in cells] == [FLAG]
    assert cells[0].box not in before  # a cell already read as one valid letter is not read again


def test_given_no_date_read_in_its_box_then_the_box_is_listed_for_a_second_reading(page, truth):
    assert not [c for c in value_cells(page) if c.alphabet == DATE]
    iso = truth["date"]
    printed = f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}"
    [cell] = [c for c in value_cells(_without(page, lambda w: w.text == printed)) if c.alphabet == DATE]
    assert cell.accepts(printed)


def _email_cells(page: Page, address: Word, unread) -> list:
    return [c for c in value_cells(page, unread) if c.alphabet == BLOCK and c.box.contains(address.cx, address.cy)]


def test_given_a_one_line_box_whose_words_give_no_value_of_its_kind_then_it_is_listed_for_a_second_reading(
        page, truth):
    address = _words(page, truth["producer"]["email"])[0]
    assert _email_cells(page, address, lambda box, **_: True) == []  # read as an address: not read again
    name, domain = truth["producer"]["email"].split("@")
    broken = dataclasses.replace(page, words=tuple(w for w in page.words if w is not address) + (  # out of order
        dataclasses.replace(address, text="@" + domain, x0=address.x0 + 20),
        dataclasses.replace(address, text=name, x0=address.x1 - 1, confidence=0.4)))
    assert len(_email_cells(broken, address, lambda box, **_: False)) == 1


def test_given_a_one_line_box_with_no_word_read_then_it_is_listed_only_when_it_holds_print(page, truth):
    address = _words(page, truth["producer"]["email"])[0]
    emptied = _without(page, lambda w: w is address)
    asked = []

    def unread(box, **how):
        asked.append(how)
        return box.contains(address.cx, address.cy)

    assert len(_email_cells(emptied, address, unread)) == 1
    assert {"least": LONE_CHAR} in asked  # a lone character's worth of print is enough
    assert _email_cells(emptied, address, lambda box, **_: False) == []  # a blank box: nothing to read


def _accident(page: Page, truth: dict) -> tuple[Word, str]:
    wc = next(p for p in truth["policies"] if p["line"] == "workers_compensation")
    accident = f"{wc['limits']['el_each_accident']:,}"
    label = _words(page, "ACCIDENT")[0]
    return next(w for w in page.words if w.text == accident and abs(w.cy - label.cy) < 2), accident


def test_given_a_limit_amount_misread_then_its_box_is_listed_for_a_second_reading(page, truth):
    printed, accident = _accident(page, truth)
    # amounts read valid and sure are not read again (blank limits are listed: their cut-outs hold no ink)
    assert all(c.seen == "" for c in value_cells(page) if c.alphabet == AMOUNT)
    [cell] = [c for c in value_cells(_swapped(page, printed, "ihen.000", 0.45)) if c.seen]
    assert cell.alphabet == AMOUNT and cell.box.contains(printed.cx, printed.cy) and cell.seen == "ihen.000"
    assert cell.accepts(accident) and not cell.accepts("ihen.000") and strict_amount("$5,000") == 5000


def test_given_a_limit_box_that_holds_printed_words_then_it_is_not_read_again_as_an_amount(page, truth):
    printed, _ = _accident(page, truth)
    for text in ("SUBJECT", "01/02/2024"):  # text or a date where an amount should be: not an amount misread
        assert [c for c in value_cells(_swapped(page, printed, text, 0.45)) if c.seen] == []


def test_given_a_page_that_is_not_the_form_then_no_cell_is_listed():
    page = Page(number=1, width=612, height=792, words=(Word("hello", 10, 10, 40, 18, confidence=0.9),), marks=())
    assert value_cells(page) == []


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
