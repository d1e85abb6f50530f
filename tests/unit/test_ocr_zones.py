"""Second readings of one-letter cells: cut out, read in one strip, mapped back (fake engine)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import FLAG, LETTER, Cell
from pipeline.acord25.layout import Box
from pipeline.ocr.engine import OcrWord, Orientation
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import reread_cells
from pipeline.textlayer import Page, Word

DPI = 300
SCALE = 72 / DPI  # points per pixel


class _ReadsEachPiece:
    """Reads the strip it is given: one word per band of ink, texts given in order."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.calls = texts, 0

    def words(self, image, *, dpi, psm=3):
        self.calls += 1
        rows = np.nonzero((image < 128).any(axis=1))[0]
        bands, start = [], rows[0]
        for a, b in zip(rows, rows[1:]):
            if b - a > 5:
                bands.append((start, a))
                start = b
        bands.append((start, rows[-1]))
        cols = np.nonzero((image < 128).any(axis=0))[0]
        return [OcrWord(t, int(cols[0]), int(top), int(cols[-1] - cols[0] + 1), int(bottom - top + 1), 93.0,
                        (1, 1, i)) for i, (t, (top, bottom)) in enumerate(zip(self.texts, bands))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def _image_with_letters(*spots: tuple[str, int, int]) -> np.ndarray:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    for text, x, y in spots:
        cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    return image


def _cell(x0, y0, x1, y1, alphabet) -> Cell:
    return Cell(Box(x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE), alphabet)


def _page(*words: Word) -> Page:
    return Page(1, 1000 * SCALE, 1000 * SCALE, tuple(words))


def test_given_two_flag_cells_read_together_as_debris_then_each_gets_its_own_letter():
    image = _image_with_letters(("N", 110, 240), ("Y", 310, 240))
    debris = Word("NY.", 110 * SCALE, 200 * SCALE, 340 * SCALE, 245 * SCALE, confidence=0.41)
    cells = [_cell(80, 150, 200, 300, FLAG), _cell(280, 150, 400, 300, FLAG)]
    engine = _ReadsEachPiece(["N", "Y"])
    page = reread_cells(_page(debris), image, cells, engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert engine.calls == 1  # all cells in one strip
    got = sorted((w.text, round(w.cx / SCALE)) for w in page.words)
    assert [t for t, _ in got] == ["N", "Y"]
    assert 100 < got[0][1] < 150 and 300 < got[1][1] < 350  # each back where it was printed


def test_given_a_second_reading_that_is_no_valid_letter_then_the_first_reading_stays():
    image = _image_with_letters(("G", 110, 240))
    first = Word("C", 110 * SCALE, 200 * SCALE, 140 * SCALE, 245 * SCALE, confidence=0.5)
    page = reread_cells(_page(first), image, [_cell(80, 150, 200, 300, LETTER)], _ReadsEachPiece(["G"]), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["C"]


def test_given_only_speckle_in_a_cell_then_it_is_not_read_at_all():
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    image[200:202, 120:122] = 0
    image[260:261, 150:152] = 0
    engine = _ReadsEachPiece(["X"])
    page = reread_cells(_page(), image, [_cell(80, 150, 200, 300, FLAG)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert engine.calls == 0 and page.words == ()
