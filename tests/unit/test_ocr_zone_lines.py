"""One-line value boxes read again alone (a lone revision digit): their own strip, a lone sure character taken
where the page read nothing, and a thin stroke the dark level broke into speck-sized pieces (fake engine)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import BLOCK, Cell
from pipeline.acord25.layout import Box
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import _print_only, reread_cells
from pipeline.textlayer import Page, Word
from tests.ocrfakes import ReadsBands

DPI = 300
SCALE = 72 / DPI  # points per pixel


def _page(*words: Word) -> Page:
    return Page(1, 1000 * SCALE, 1000 * SCALE, tuple(words))


def _digit_image() -> np.ndarray:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "6", (120, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    cv2.putText(image, "ACME ROOFING", (110, 520), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    return image


def _line_cell() -> Cell:
    return Cell(Box(80 * SCALE, 200 * SCALE, 400 * SCALE, 260 * SCALE), BLOCK, line=True)


def test_given_a_one_line_box_the_page_read_nothing_in_then_a_lone_digit_read_surely_is_its_value():
    engine = ReadsBands(["6"])
    page = reread_cells(_page(), _digit_image(), [_line_cell()], engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["6"]
    assert 200 < page.words[0].cy / SCALE < 260


def test_given_a_lone_digit_read_doubtfully_then_nothing_is_taken():
    engine = ReadsBands(["6"], conf=40.0)
    page = reread_cells(_page(), _digit_image(), [_line_cell()], engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert page.words == ()


def test_given_a_party_block_whose_lone_character_only_the_second_reading_has_then_it_is_left_out_as_a_speck():
    engine = ReadsBands(["6"])
    block = Cell(Box(80 * SCALE, 200 * SCALE, 400 * SCALE, 260 * SCALE), BLOCK)
    page = reread_cells(_page(), _digit_image(), [block], engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert page.words == ()


def test_given_a_line_cell_and_a_party_block_then_each_is_read_in_a_strip_of_its_own():
    engine = ReadsBands(["6", "ACME ROOFING"])
    party = Cell(Box(80 * SCALE, 470 * SCALE, 600 * SCALE, 560 * SCALE), BLOCK)
    reread_cells(_page(), _digit_image(), [party, _line_cell()], engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert len(engine.strips) == 2
    assert all(len(np.unique(np.nonzero((s < 200).any(axis=1))[0] // 100)) <= 2 for s in engine.strips)


def test_given_a_thin_grey_digit_broken_into_speck_sized_pieces_then_its_cut_out_is_not_blank():
    crop = np.full((50, 80), 250, dtype=np.uint8)
    cv2.putText(crop, "2", (30, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 150, 2)  # a grey stroke (a blurred scan) ...
    rows, cols = np.indices(crop.shape)
    crop[(crop < 200) & (rows % 3 == 0) & (cols % 3 == 0)] = 20  # ... dark only in lone pixels along it
    dark_pieces = cv2.connectedComponentsWithStats((crop < 128).astype(np.uint8), connectivity=8)[2][1:, 4]
    assert dark_pieces.max() < (0.025 * DPI) ** 2  # every dark piece alone is speck-sized
    found = _print_only(crop, DPI)
    assert found is not None
    (top, bottom, left, right), _ = found
    assert 10 <= top and bottom <= 42 and 25 <= left and right <= 60


def test_given_only_a_faint_flat_rule_remnant_and_specks_then_the_cut_out_is_blank():
    crop = np.full((60, 300), 250, dtype=np.uint8)
    crop[2:5, 10:290] = 170  # a rule's faint remains (painted out, not wholly) ...
    crop[2:5, 10:290:4] = 40  # ... dark in speck-sized pieces along it, as much ink as a letter's in all
    crop[30:33, 150:153] = 10  # a speck
    assert _print_only(crop, DPI) is None
