"""Insurer rows of a scan whose 'INSURER X :' labels OCR lost, placed by the form's fixed spacing."""

from __future__ import annotations

import dataclasses

from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import read_insurers
from pipeline.acord25.layout import Sheet
from pipeline.acord25.parties import PLACED
from pipeline.textlayer import Page, Word


def _labels_lost(page: Page) -> Page:
    """Every 'INSURER X :' row label gone, as when OCR misreads the column's small print."""
    first = min(w.x0 for w in page.words if w.text == "INSURER")
    heading = next(w for w in page.words if w.text == "INSURER(S)")
    return dataclasses.replace(page, words=tuple(
        w for w in page.words
        if not (w.cy > heading.y1 and first - 1 <= w.x0 and w.x1 <= first + 36 and w.y0 < heading.y1 + 80)))


def _read(page: Page) -> tuple[list[dict], Evidence]:
    sheet = Sheet(page)
    ev = Evidence(1)
    return read_insurers(sheet, build_frame(sheet), ev), ev


def test_given_every_insurer_label_lost_then_rows_are_placed_under_the_heading_and_read_unsure(page, truth):
    got, ev = _read(_labels_lost(page))
    assert [(i["letter"], i["name"], i["naic"]) for i in got] == [
        (i["letter"], i["name"], i["naic"]) for i in truth["insurers"]]
    placed = [v["confidence"] for k, v in ev.items.items() if k.startswith("/insurers/")]
    assert placed and max(placed) <= PLACED


def test_given_a_placed_row_holding_only_ocr_debris_then_no_insurer_is_made_of_it(page, truth):
    scan = _labels_lost(page)
    pitch = 12.0
    row_b = next(w for w in scan.words if w.text == truth["insurers"][1]["name"].split()[0])
    speck = Word("ae", row_b.x0 + 5, row_b.y0 + 2 * pitch, row_b.x0 + 14, row_b.y1 + 2 * pitch, confidence=0.3)
    got, _ = _read(dataclasses.replace(scan, words=(*scan.words, speck)))
    assert [i["letter"] for i in got] == [i["letter"] for i in truth["insurers"]]


def test_given_a_naic_code_read_with_the_cells_rule_as_a_trailing_dot_then_the_code_is_kept(page, truth):
    code = truth["insurers"][0]["naic"]
    scan = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text=code + ".") if w.text == code else w for w in page.words))
    got, _ = _read(scan)
    assert (got[0]["name"], got[0]["naic"]) == (truth["insurers"][0]["name"], code)


def test_given_a_rule_read_as_a_bar_after_a_name_then_the_name_is_without_it(page, truth):
    name = truth["insurers"][0]["name"]
    last = next(w for w in page.words if w.text == name.split()[-1])
    bar = Word("|", last.x1 + 40, last.y0, last.x1 + 41, last.y1, confidence=0.76)
    got, _ = _read(dataclasses.replace(page, words=(*page.words, bar)))
    assert got[0]["name"] == name
