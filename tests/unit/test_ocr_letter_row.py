"""An insurer letter the stacked letters' strip read nothing of is read once more, the letter cells left side by side
in one row strip held to the letter alphabet (pipeline.ocr.zones.reread_cells; fake engine)."""

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


class _ReadsWideStrips:
    """Reads nothing in a strip taller than wide (a stack of cut-outs); in one wider than tall, each blot of ink
    across it as one word, texts given in order. Records the characters each call was held to."""

    def __init__(self, texts: list[str], conf: float = 93.0) -> None:
        self.texts, self.conf, self.calls = texts, conf, []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.calls.append(chars)
        if image.shape[0] >= image.shape[1]:
            return []
        cols = np.nonzero((image < 200).any(axis=0))[0]
        rows = np.nonzero((image < 200).any(axis=1))[0]
        spans, start = [], cols[0]
        for a, b in zip(cols, cols[1:]):
            if b - a > 20:
                spans.append((start, a))
                start = b
        spans.append((start, cols[-1]))
        return [OcrWord(t, int(left), int(rows[0]), int(right - left + 1), int(rows[-1] - rows[0] + 1), self.conf,
                        (1, 1, i)) for i, (t, (left, right)) in enumerate(zip(self.texts, spans))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def _image() -> np.ndarray:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "B", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    cv2.putText(image, "D", (110, 440), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    cv2.putText(image, "Y", (310, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    return image


def _cell(x0: int, y0: int, alphabet: str = LETTER) -> Cell:
    return Cell(Box(x0 * SCALE, y0 * SCALE, (x0 + 100) * SCALE, (y0 + 80) * SCALE), alphabet)


def _read(engine, *words: Word) -> Page:
    page = Page(1, 1000 * SCALE, 1000 * SCALE, tuple(words))
    cells = [_cell(90, 190), _cell(90, 390), _cell(290, 190, FLAG)]
    return reread_cells(page, _image(), cells, engine, dpi=DPI, place=lambda w: _word(w, SCALE))


def test_given_letters_the_stacked_strip_read_nothing_of_then_a_row_of_them_held_to_the_letters_reads_them():
    engine = _ReadsWideStrips(["B", "D"])
    page = _read(engine)
    assert sorted((w.text, round(w.cy / SCALE, -2)) for w in page.words) == [("B", 200), ("D", 400)]
    assert engine.calls[-1] == LETTER  # the row strip: insurer letters only, not the Y/N answers


def test_given_letters_the_page_read_surely_then_no_row_strip_is_read():
    engine = _ReadsWideStrips(["B", "D"])
    sure = [Word(t, 110 * SCALE, y * SCALE, 140 * SCALE, (y + 40) * SCALE, confidence=0.95)
            for t, y in (("B", 205), ("D", 405))]
    _read(engine, *sure)
    assert LETTER not in engine.calls


def test_given_a_letter_the_row_strip_reads_unsurely_then_it_is_not_taken():
    engine = _ReadsWideStrips(["B", "D"], conf=0.0)  # held to the alphabet, tesseract reads a letter it does not see
    assert _read(engine).words == ()
