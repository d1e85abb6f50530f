"""An amount's page-level reading outvoted by two readings of its cell alone (xfamiss6; fake engine)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import AMOUNT, Cell
from pipeline.acord25.evidence import UNCONFIRMED
from pipeline.acord25.layout import Box
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import CONFIRM_CHARS, DOUBTED, OUTVOTE_SURE, OUTVOTE_ZOOM, reread_cells
from pipeline.textlayer import Page, Word
from tests.ocrfakes import ReadsBands

DPI = 300
SCALE = 72 / DPI  # points per pixel
BOX = Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE)


class _ReadsInTurn(ReadsBands):
    """Reads each call's strip as the next of ``turns`` (a list of texts, one per band), at ``conf``."""

    def __init__(self, turns: list[list[str]], conf: float = 93.0) -> None:
        super().__init__([], conf)
        self.turns = turns

    def words(self, image, *, dpi, psm=3, chars=None):
        self.texts = self.turns[min(self.calls, len(self.turns) - 1)]
        return super().words(image, dpi=dpi, psm=psm, chars=chars)


def _read(seen: str, engine: ReadsBands, *, confirm: bool, confidence: float) -> Page:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "1,000,000", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    first = Word(seen, 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=confidence)
    cell = Cell(BOX, AMOUNT, seen=seen, clear=BOX, confirm=confirm)
    return reread_cells(Page(1, 1000 * SCALE, 1000 * SCALE, (first,)), image, [cell], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))


def test_given_a_sure_amount_that_two_readings_alone_read_as_another_then_that_one_replaces_it_below_trust():
    engine = _ReadsInTurn([["1,000,000"], ["$1,000,000"]])
    page = _read("4,000,000", engine, confirm=True, confidence=0.95)
    assert [w.text for w in page.words] == ["1,000,000"]
    assert page.words[0].confidence <= DOUBTED / 100 and [m.kind for m in page.marks] == [UNCONFIRMED]
    assert engine.calls == 2 and engine.allowed[-1] == CONFIRM_CHARS  # the third reading: digits and signs only
    assert engine.strips[-1].shape[0] >= OUTVOTE_ZOOM * engine.strips[0].shape[0] - 1  # on an enlarged strip


def test_given_a_doubtful_valid_amount_that_two_readings_alone_read_as_another_then_that_one_replaces_it():
    page = _read("4,000,000", _ReadsInTurn([["1,000,000"], ["1,000,000"]]), confirm=False, confidence=0.6)
    assert [w.text for w in page.words] == ["1,000,000"]
    assert [m.kind for m in page.marks] == [UNCONFIRMED]  # as an unconfirmed sure amount: never trusted


def test_given_a_third_reading_that_says_the_page_amount_then_the_page_reading_stays():
    for confirm, confidence in ((True, 0.95), (False, 0.6)):
        page = _read("4,000,000", _ReadsInTurn([["1,000,000"], ["4,000,000"]]), confirm=confirm,
                     confidence=confidence)
        assert [(w.text, w.confidence) for w in page.words] == [("4,000,000", confidence)]


def test_given_a_doubtful_second_reading_then_no_third_is_read_and_the_page_reading_stays():
    engine = _ReadsInTurn([["1,000,000"]], conf=OUTVOTE_SURE - 1)
    page = _read("4,000,000", engine, confirm=False, confidence=0.6)
    assert [w.text for w in page.words] == ["4,000,000"] and engine.calls == 1


def test_given_a_third_reading_doubtful_then_the_page_reading_stays():
    class _DoubtfulThird(_ReadsInTurn):
        def words(self, image, *, dpi, psm=3, chars=None):
            self.conf = 93.0 if self.calls == 0 else OUTVOTE_SURE - 1
            return super().words(image, dpi=dpi, psm=psm, chars=chars)

    page = _read("4,000,000", _DoubtfulThird([["1,000,000"], ["1,000,000"]]), confirm=True, confidence=0.95)
    assert [w.text for w in page.words] == ["4,000,000"]


def test_given_a_rules_end_read_with_a_valid_amount_then_a_differing_second_reading_alone_does_not_replace_it():
    """'-$1,000,000' (the cell's rule read as a dash) is a valid amount read: a second reading '51,000,000' (its "$"
    read as a 5) that a third does not say leaves it."""
    engine = _ReadsInTurn([["51,000,000"], ["1,000,000"]])
    page = _read("-$1,000,000", engine, confirm=False, confidence=0.6)
    assert [w.text for w in page.words] == ["-$1,000,000"]
