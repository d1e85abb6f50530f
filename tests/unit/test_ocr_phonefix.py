"""A phone box read again alone (pipeline.acord25.cells.ALONE_KINDS) whose own reading is not taken keeps the page's
number; its own reading is weighed against the page's words the number is read from, not its label's leftover
print; one that says another number is marked unconfirmed; a phone number stands alone (branch phonefix, a review
of xfamiss9)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import BLOCK, Cell
from pipeline.acord25.confidence import confidence
from pipeline.acord25.evidence import UNCONFIRMED
from pipeline.acord25.fieldkinds import read_phone
from pipeline.acord25.layout import Box, lines_of
from pipeline.acord25.template import load
from pipeline.ocr.engine import OcrWord
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import _Cut, _line, reread_cells
from pipeline.textlayer import Page, Word
from tests.ocrfakes import ReadsBands

KEY = "producer/phone"


def _box() -> tuple[float, float, float, float]:
    return next(f.box for f in load("2016/03").fields if f.key == KEY)


def _place(w: OcrWord) -> Word:  # the strip's words already moved to the page: pixels taken as points here
    return Word(w.text, w.left, w.top, w.left + w.width, w.top + w.height, confidence=w.conf / 100)


def _phone_after(page: list[tuple[str, float, float]], own: list[tuple[str, float, float]]) -> str | None:
    """The phone number the box gives after its own reading is taken in; words as (text, confidence, offset)."""
    x0, y0, x1, y1 = _box()
    cell = Cell(Box(x0, y0, x1, y1), BLOCK, line=True, kind="phone")
    words = [Word(t, x0 + dx, y0 + 1, x0 + dx + 4.5 * len(t), y1 - 1, confidence=c) for t, c, dx in page]
    got = [OcrWord(t, int(x0 + dx), int(y0) + 1, int(4.5 * len(t)), int(y1 - y0) - 2, c, (1, 1, 1)) for t, c, dx in own]
    found = read_phone(lines_of(_line(words, _Cut(cell, 0, 0, 0), got, _place)))
    return found[0] if found else None


def test_given_a_phone_read_on_the_page_and_a_word_read_alone_then_the_page_s_number_stays():
    assert _phone_after([("557-260-5194", 0.95, 2)], [("Ext", 90.0, 2)]) == "557-260-5194"


def test_given_a_phone_read_on_the_page_and_part_of_it_read_alone_then_the_page_s_number_stays():
    assert _phone_after([("557-260-5194", 0.95, 2)], [("260", 90.0, 20), ("5194", 90.0, 38)]) == "557-260-5194"


def test_given_a_phone_read_on_the_page_and_another_read_alone_less_surely_in_words_then_the_page_s_stays():
    assert _phone_after([("557-260-5194", 0.95, 2)],
                        [("957", 60.0, 2), ("260", 60.0, 20), ("5194", 60.0, 38)]) == "557-260-5194"


def test_given_a_doubtful_label_leftover_beside_a_sure_number_then_a_less_sure_reading_alone_does_not_replace_it():
    assert _phone_after([("wor", 0.30, 2), ("557-260-5194", 0.95, 20)], [("957-260-5194", 80.0, 20)]) \
        == "557-260-5194"


def test_given_a_run_of_thirteen_digits_then_it_is_no_phone_number():
    assert read_phone([[Word("5572605194123", 0, 0, 60, 10, confidence=0.96)]]) is None
    assert _phone_after([("957-260-5194", 0.79, 2)], [("5572605194123", 96.0, 2)]) == "957-260-5194"


DPI = 300
SCALE = 72 / DPI  # points per pixel


def _reread(page_text: str, own_text: str, page_confidence: float = 0.79) -> Page:
    """A phone box (pixels 100-700 across, 100-160 down) read on the page as ``page_text`` at ``page_confidence``
    and alone as ``own_text`` at 96 (the fake engine reads the box's ink as that)."""
    image = np.full((400, 800), 255, dtype=np.uint8)
    cv2.putText(image, "557-260-5194", (120, 145), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cell = Cell(Box(100 * SCALE, 100 * SCALE, 700 * SCALE, 160 * SCALE), BLOCK, line=True, kind="phone")
    word = Word(page_text, 120 * SCALE, 120 * SCALE, 400 * SCALE, 150 * SCALE, confidence=page_confidence)
    page = Page(1, 800 * SCALE, 400 * SCALE, (word,))
    return reread_cells(page, image, [cell], ReadsBands([own_text], conf=96.0), dpi=DPI,
                        place=lambda w: _word(w, SCALE))


def test_given_a_phone_read_alone_as_another_number_then_it_replaces_the_page_s_marked_unconfirmed():
    page = _reread("957-260-5194", "557-260-5194")
    assert [w.text for w in page.words] == ["557-260-5194"]
    assert [m.kind for m in page.marks] == [UNCONFIRMED]


def test_given_a_phone_read_alone_less_surely_as_another_number_then_the_page_s_stays_marked_unconfirmed():
    """The page's number, read more surely than the box alone, is kept; the box's own reading of another number
    says one of the two is wrong: the value is not trusted."""
    page = _reread("086-440-4678", "686-440-4678", page_confidence=0.98)
    assert [w.text for w in page.words] == ["086-440-4678"]
    assert [m.kind for m in page.marks] == [UNCONFIRMED]


def test_given_a_phone_read_alone_as_the_same_number_then_no_mark_is_left():
    page = _reread("(557) 260-5194", "557-260-5194")
    assert [w.text for w in page.words] == ["557-260-5194"]
    assert list(page.marks) == []


def test_given_an_unconfirmed_value_read_surely_then_its_confidence_stays_below_the_sure_band():
    assert confidence("in_box", ocr=True, least=0.97, borrowed=False, residual=1.0, confirmed=False) < 0.9
