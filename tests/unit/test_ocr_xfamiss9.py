"""A phone box is read again alone however surely the page read it, and its own reading replaces the page's when
it reads a phone number more surely (pipeline.acord25.cells.ALONE_KINDS, pipeline.ocr.zones._line; branch
xfamiss9): on the page the number is read on one line with its label's leftover print, and its first digits were
misread there ('957-260-5194' for 557-260-5194 at 0.79)."""

from __future__ import annotations

from pipeline.acord25.cells import BLOCK, Cell, value_cells
from pipeline.acord25.layout import Box
from pipeline.acord25.template import load
from pipeline.ocr.engine import OcrWord
from pipeline.ocr.zones import _Cut, _line
from pipeline.textlayer import Page, Word


def _field_box(key: str) -> tuple[float, float, float, float]:
    return next(f.box for f in load("2016/03").fields if f.key == key)


def _in_box(key: str, text: str, confidence: float) -> Word:
    x0, y0, x1, y1 = _field_box(key)
    return Word(text, x0 + 2, y0 + 1, x0 + 2 + 4.5 * len(text), y1 - 1, confidence=confidence)


def _listed(word: Word) -> list:
    template = load("2016/03")
    words = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*words, word], marks=[])
    cells = value_cells(page, lambda box, **_: False)  # no print left unread
    return [c for c in cells if c.alphabet == BLOCK and c.line and c.box.contains(word.cx, word.cy)]


def test_given_a_phone_read_surely_on_the_page_then_its_box_is_still_read_again_alone():
    assert [c.kind for c in _listed(_in_box("producer/phone", "957-260-5194", 0.95))] == ["phone"]


def test_given_another_one_line_box_read_surely_then_it_is_not_read_again():
    assert _listed(_in_box("insurers/A/naic", "12345", 0.95)) == []


def _place(w: OcrWord) -> Word:  # the strip's words already moved to the page: pixels taken as points here
    return Word(w.text, w.left, w.top, w.left + w.width, w.top + w.height, confidence=w.conf / 100)


def _after(kind: str, page_text: str, page_conf: float, own_text: str, own_conf: float) -> list[str]:
    key = {"phone": "producer/phone", "text": "general_liability/policy_number"}[kind]
    x0, y0, x1, y1 = _field_box(key)
    cell = Cell(Box(x0, y0, x1, y1), BLOCK, line=True, kind=kind)
    page = [_in_box(key, page_text, page_conf)]
    got = [OcrWord(own_text, int(x0) + 2, int(y0) + 1, int(4.5 * len(own_text)), int(y1 - y0) - 2, own_conf, (1, 1, 1))]
    return [w.text for w in _line(page, _Cut(cell, 0, 0, 0), got, _place)]


def test_given_a_phone_read_alone_more_surely_than_on_the_page_then_the_own_reading_replaces_the_page_s():
    assert _after("phone", "957-260-5194", 0.79, "557-260-5194", 96.0) == ["557-260-5194"]


def test_given_a_phone_read_alone_less_surely_than_on_the_page_then_the_page_s_reading_stays():
    assert _after("phone", "557-260-5194", 0.95, "957-260-5194", 90.0) == ["557-260-5194"]


def test_given_a_phone_read_alone_as_no_phone_number_then_the_page_s_reading_stays():
    assert _after("phone", "957-260-5194", 0.79, "557-260-519", 96.0) == ["957-260-5194"]


def test_given_a_text_box_read_alone_more_surely_then_the_page_s_valid_reading_stays_as_before():
    assert _after("text", "GL-1234567", 0.79, "GL-7234567", 96.0) == ["GL-1234567"]
