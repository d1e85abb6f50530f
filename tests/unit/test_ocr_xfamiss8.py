"""A word cell's cut-out keeps its thin letters: an 'i' stem, its dot and a comma beside the word's other letters,
each alone smaller than a speck's square, are print when they stand within ``PRINT_JOIN_IN`` of the word (fake
pixels; docs/accuracy.md, xfamiss8)."""

from __future__ import annotations

import numpy as np

from pipeline.acord25.cells import BLOCK, Cell
from pipeline.acord25.layout import Box
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import MIN_STROKE_IN, _print_only, reread_cells
from pipeline.textlayer import Page
from tests.ocrfakes import ReadsBands

DPI = 300
SCALE = 72 / DPI  # points per pixel
PAPER, INK = 250, 10


def _word_crop() -> np.ndarray:
    """A word's print at 300 dpi: two letters' bowls (8 x 20 px), between them an 'i' (a 3 x 17 px stem, 2 px from
    each, its 3 x 3 px dot 4 px above it), a comma (3 x 8 px) 2 px after the last bowl, and a lone speck (3 x 3 px)
    far to the right."""
    crop = np.full((60, 200), PAPER, dtype=np.uint8)
    crop[20:40, 20:28] = INK  # a letter's bowl
    crop[23:40, 30:33] = INK  # the i's stem ...
    crop[16:19, 30:33] = INK  # ... and its dot
    crop[20:40, 35:43] = INK  # the next letter
    crop[36:44, 45:48] = INK  # a comma after it
    crop[28:31, 180:183] = INK  # a speck, far from any print
    return crop


def test_given_a_word_cell_then_its_thin_letter_its_dot_and_its_comma_are_kept():
    crop = _word_crop()
    assert 3 * 17 < (MIN_STROKE_IN * DPI) ** 2  # the stem alone is smaller than a speck's square
    (top, bottom, left, right), piece = _print_only(crop, DPI, words=True)
    kept = np.full(crop.shape, PAPER, dtype=np.uint8)
    kept[top:bottom, left:right] = piece
    assert (kept[23:40, 30:33] == INK).all() and (kept[16:19, 30:33] == INK).all()  # the i, whole
    assert (kept[36:44, 45:48] == INK).all()  # the comma
    assert right <= 48  # the lone speck far away is still painted out (and the cut-out ends at the comma)


def test_given_an_amount_or_date_cell_then_its_cut_out_is_as_before():
    (_, _, left, right), piece = _print_only(_word_crop(), DPI)
    assert (piece[23 - 20:40 - 20, 30 - left:33 - left] == 255).all()  # the lone thin stroke painted out, as before


def test_given_a_party_block_read_again_then_its_strip_holds_the_thin_letters():
    image = np.full((400, 400), 255, dtype=np.uint8)
    image[100:160, 100:300] = _word_crop()
    engine = ReadsBands(["Ai,"])
    block = Cell(Box(90 * SCALE, 90 * SCALE, 310 * SCALE, 170 * SCALE), BLOCK)
    reread_cells(Page(1, 400 * SCALE, 400 * SCALE, ()), image, [block], engine, dpi=DPI,
                 place=lambda w: _word(w, SCALE))
    (strip,) = engine.strips
    assert int((strip < 128).sum()) == 8 * 20 * 2 + 3 * 17 + 3 * 3 + 3 * 8  # the bowls, the i and the comma; no speck
