"""An amount cell is its own row's: its cut-out stops where the next amount box of its column begins, and its second
reading replaces its own field's words, never a neighbouring field's (fake engine)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import AMOUNT, Cell, _own_rows
from pipeline.acord25.layout import Box
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import reread_cells
from pipeline.textlayer import Page, Word
from tests.ocrfakes import ReadsBands

DPI = 300
SCALE = 72 / DPI  # points per pixel


def test_given_amount_boxes_of_one_column_grown_into_each_other_then_each_stops_at_the_middle_of_the_overlap():
    # three rows of the form, 12 pt apart, each grown by 4 pt (a block's residual); a box of another column beside
    upper, middle, lower = Box(526, 488, 590, 508), Box(526, 500, 590, 520), Box(526, 512, 590, 532)
    beside = Box(133, 500, 173, 520)
    rows = _own_rows({"a": upper, "b": middle, "c": lower, "d": beside})
    assert rows["a"] == Box(526, 488, 590, 504) and rows["b"] == Box(526, 504, 590, 516)
    assert rows["c"] == Box(526, 516, 590, 532)
    assert rows["d"] == beside  # no amount box of its column overlaps it


def test_given_a_column_of_amounts_in_cells_grown_over_each_other_then_each_cut_out_is_read_as_its_own_line():
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    for i, text in enumerate(("1,000,000", "2,000,000")):  # two rows of 50 px, values at their middles
        cv2.putText(image, text, (110, 240 + 50 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    grown = [Box(80 * SCALE, (200 + 50 * i - 35) * SCALE, 700 * SCALE, (250 + 50 * i + 35) * SCALE) for i in range(2)]
    own = _own_rows(dict(enumerate(grown)))
    engine = ReadsBands(["1,000,000", "2,000,000"])
    page = reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, ()), image,
                        [Cell(own[i], AMOUNT, seen="", clear=own[i]) for i in range(2)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert sorted(w.text for w in page.words) == ["1,000,000", "2,000,000"]
    assert len(engine.strips) == 1 and _bands(engine.strips[0]) == 2  # one line of print in each cut-out


def _bands(strip: np.ndarray) -> int:
    rows = (strip < 128).any(axis=1)
    return int(np.count_nonzero(rows[1:] & ~rows[:-1]) + rows[0])


def test_given_a_neighbours_value_placed_across_the_rows_edge_then_a_cells_second_reading_leaves_it_alone():
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "500,000", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    box = Box(80 * SCALE, 190 * SCALE, 700 * SCALE, 262 * SCALE)
    # the next row's value, its box drawn tall by OCR so that its centre lies inside this cell's box
    neighbour = Word("$500,000.00", 110 * SCALE, 235 * SCALE, 330 * SCALE, 285 * SCALE, confidence=0.95)
    held = Cell(box, AMOUNT, seen="", clear=box, held=((neighbour.text, neighbour.x1),))
    page = reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, (neighbour,)), image, [held], ReadsBands(["500,000"]),
                        dpi=DPI, place=lambda w: _word(w, SCALE))
    assert sorted(w.text for w in page.words) == ["$500,000.00", "500,000"]
    free = Cell(box, AMOUNT, seen="", clear=box)  # a word no other field holds is the cell's own misreading
    page = reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, (neighbour,)), image, [free], ReadsBands(["500,000"]),
                        dpi=DPI, place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["500,000"]
