"""Second readings of small zones: one-letter cells, amounts and party blocks cut out, read, mapped back (fake engine)."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from pipeline.acord25.cells import BLOCK, FLAG, LETTER, Cell
from pipeline.acord25.evidence import CONFIRMED, UNCONFIRMED
from pipeline.acord25.layout import Box
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import reread_cells
from pipeline.textlayer import Page, Word
from tests.ocrfakes import ReadsBands

DPI = 300
SCALE = 72 / DPI  # points per pixel


class _ReadsLines(ReadsBands):
    """Reads each band of ink as a line of words: its text given, split into words across the band."""

    def words(self, image, *, dpi, psm=3, chars=None):
        out = []
        for band in super().words(image, dpi=dpi, psm=psm, chars=chars):
            tokens = band.text.split()
            step = band.width // len(tokens)
            out += [dataclasses.replace(band, text=t, left=band.left + i * step, width=step - 2)
                    for i, t in enumerate(tokens)]
        return out


class _SecondOnly(ReadsBands):
    """Reads its texts on its first call only: a third reading (zones._outvoted) reads nothing, so a second reading
    that differs from the page's stands alone."""

    def words(self, image, *, dpi, psm=3, chars=None):
        got = super().words(image, dpi=dpi, psm=psm, chars=chars)
        return got if self.calls == 1 else []


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

    class _ByCell(ReadsBands):  # each cut-out read alone: the first cell's as N, the second's as Y
        def words(self, image, *, dpi, psm=3, chars=None):
            self.texts = ["N"] if self.calls < 2 else ["Y"]
            return super().words(image, dpi=dpi, psm=psm, chars=chars)

    engine = _ByCell([])
    page = reread_cells(_page(debris), image, cells, engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert engine.calls == 4  # each cell alone, at two sizes (pipeline.ocr.zones.LETTER_ZOOMS)
    got = sorted((w.text, round(w.cx / SCALE)) for w in page.words)
    assert [t for t, _ in got] == ["N", "Y"]
    assert 100 < got[0][1] < 150 and 300 < got[1][1] < 350  # each back where it was printed


def test_given_a_second_reading_that_is_no_valid_letter_then_the_first_reading_stays():
    image = _image_with_letters(("G", 110, 240))
    first = Word("C", 110 * SCALE, 200 * SCALE, 140 * SCALE, 245 * SCALE, confidence=0.5)
    page = reread_cells(_page(first), image, [_cell(80, 150, 200, 300, LETTER)], ReadsBands(["G"]), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["C"]


def test_given_only_speckle_in_a_cell_then_it_is_not_read_at_all():
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    image[200:202, 120:122] = 0
    image[260:261, 150:152] = 0
    engine = ReadsBands(["X"])
    page = reread_cells(_page(), image, [_cell(80, 150, 200, 300, FLAG)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert engine.calls == 0 and page.words == ()


# --- limit amounts ---------------------------------------------------------------------------------

from pipeline.acord25.cells import AMOUNT  # noqa: E402
from pipeline.ocr.zones import agree  # noqa: E402


def _amount_cell(seen: str) -> Cell:
    return Cell(Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE), AMOUNT, seen=seen)


def test_given_an_amount_misread_on_the_page_then_the_second_reading_replaces_it_below_trust():
    image = _image_with_letters(("1,000,000", 110, 240))
    garbage = [Word(",", 100 * SCALE, 200 * SCALE, 110 * SCALE, 245 * SCALE, confidence=0.3),
               Word("ihen.000", 120 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.4)]
    dollar = Word("$", 40 * SCALE, 200 * SCALE, 60 * SCALE, 245 * SCALE, confidence=0.9)
    page = reread_cells(_page(dollar, *garbage), image, [_amount_cell(",ihen.000")], ReadsBands(["1,000,000"]),
                        dpi=DPI, place=lambda w: _word(w, SCALE))
    assert sorted(w.text for w in page.words) == ["$", "1,000,000"]
    [amount] = [w for w in page.words if w.text == "1,000,000"]
    assert amount.confidence < 0.9  # the two readings disagree: shown, not trusted


def test_given_two_readings_of_an_amount_that_agree_then_the_confidence_is_kept():
    image = _image_with_letters(("1,000,000", 110, 240))
    doubtful = Word("l,OOO,000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.5)
    page = reread_cells(_page(doubtful), image, [_amount_cell("l,OOO,000")], ReadsBands(["$1,000,000"]),
                        dpi=DPI, place=lambda w: _word(w, SCALE))
    assert [(w.text, w.confidence) for w in page.words] == [("1,000,000", 0.93)]


def test_given_a_second_reading_of_an_amount_that_is_not_an_amount_then_the_page_reading_stays():
    image = _image_with_letters(("1,000,000", 110, 240))
    first = Word("1,0O0,000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.5)
    page = reread_cells(_page(first), image, [_amount_cell("1,0O0,000")], ReadsBands(["1.O00,0oo"]),
                        dpi=DPI, place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["1,0O0,000"]


def test_amount_readings_agree_only_on_the_same_digits():
    assert agree("l,OOO,000", "1,000,000") and agree("$1.000.000", "1,000,000")
    assert not agree(",", "1,000,000") and not agree("ihen.000", "1,000,000") and not agree("", "5,000")
    assert not agree("100,000", "1,000,000")


def test_given_a_misreading_left_of_the_amount_cell_in_its_row_then_it_goes_with_the_rest():
    image = _image_with_letters(("1,000,000", 110, 240))
    cell = Cell(Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE), AMOUNT, seen="36",
                clear=Box(10 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE))
    stray = Word("36", 20 * SCALE, 200 * SCALE, 60 * SCALE, 245 * SCALE, confidence=0.6)  # the "$" misread
    page = reread_cells(_page(stray), image, [cell], ReadsBands(["1.000 000"]), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["1,000,000"]  # commas lost by the cut-out's speck removal: regrouped


def test_strict_amounts_accept_only_groups_of_three_after_the_first():
    from pipeline.acord25.cells import strict_amount

    assert strict_amount("1.000.000") == strict_amount("1,000 000") == strict_amount("$1,000,000") == 1000000
    assert strict_amount("1.00.000") is None and strict_amount("ihen.000") is None and strict_amount("5") is None


def test_given_letter_and_amount_cells_then_the_amounts_are_read_in_a_strip_of_their_own():
    image = _image_with_letters(("N", 110, 240), ("1,000,000", 110, 640))
    cells = [_cell(80, 150, 200, 300, FLAG), Cell(Box(80 * SCALE, 560 * SCALE, 700 * SCALE, 700 * SCALE), AMOUNT)]

    class _Strips(ReadsBands):
        def __init__(self):
            super().__init__([])
            self.heights = []

        def words(self, image, *, dpi, psm=3, chars=None):
            self.heights.append(image.shape[0])
            self.texts = ["N"] if len(self.heights) <= 2 else ["1,000,000"]
            return super().words(image, dpi=dpi, psm=psm)

    engine = _Strips()
    page = reread_cells(_page(), image, cells, engine, dpi=DPI, place=lambda w: _word(w, SCALE))
    assert engine.calls == 3 and sorted(w.text for w in page.words) == ["1,000,000", "N"]  # the letter at two sizes
    assert engine.heights[2] < 200  # the amounts' strip holds one cut-out: no letter


def test_given_a_valid_but_doubtful_amount_and_a_differing_second_reading_then_the_page_reading_stays():
    image = _image_with_letters(("2,000,000", 110, 240))
    first = Word("2,000,000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.6)
    page = reread_cells(_page(first), image, [_amount_cell("2,000,000")], _SecondOnly(["2.900.000"]), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert [(w.text, w.confidence) for w in page.words] == [("2,000,000", 0.6)]


# -- a party's block read again as lines -------------------------------------------------------------


def _block_scan() -> tuple[np.ndarray, Page]:
    """Two typed lines in a block, read at page level as one tall run of garbage (lines run together)."""
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "ACME ROOFING", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    cv2.putText(image, "12 MAIN ST", (110, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    garbage = (Word("Fl", 110 * SCALE, 200 * SCALE, 160 * SCALE, 305 * SCALE, confidence=0.37),
               Word("eVeARON", 170 * SCALE, 200 * SCALE, 330 * SCALE, 305 * SCALE, confidence=0.0))
    return image, _page(*garbage)


def test_given_a_block_read_as_garbage_then_its_second_reading_as_lines_replaces_it():
    image, page = _block_scan()
    engine = _ReadsLines(["ACME ROOFING", "12 MAIN ST"])
    page = reread_cells(page, image, [_cell(80, 150, 600, 350, BLOCK)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    words = sorted(page.words, key=lambda w: (round(w.cy), w.x0))
    assert [w.text for w in words] == ["ACME", "ROOFING", "12", "MAIN", "ST"]
    assert words[0].cy < words[2].cy and 180 < words[0].cy / SCALE < 260


def test_given_a_second_reading_of_a_block_that_loses_a_line_then_the_first_reading_stays():
    image, page = _block_scan()
    page2 = reread_cells(page, image, [_cell(80, 150, 600, 350, BLOCK)], ReadsBands(["A"]), dpi=DPI,
                         place=lambda w: _word(w, SCALE))
    assert [w.text for w in page2.words] == ["Fl", "eVeARON"]


def test_given_a_second_reading_of_a_block_less_sure_than_the_first_then_the_first_reading_stays():
    image, _ = _block_scan()
    sure = _page(Word("ACME", 110 * SCALE, 205 * SCALE, 200 * SCALE, 245 * SCALE, confidence=0.95),
                 Word("ROOFING", 210 * SCALE, 205 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.95),
                 Word("12", 110 * SCALE, 265 * SCALE, 150 * SCALE, 305 * SCALE, confidence=0.95),
                 Word("MAIN", 160 * SCALE, 265 * SCALE, 240 * SCALE, 305 * SCALE, confidence=0.95),
                 Word("ST", 250 * SCALE, 265 * SCALE, 290 * SCALE, 305 * SCALE, confidence=0.95))
    engine = _ReadsLines(["ACNE ROQFING", "I2 MAlN ST"], conf=30.0)
    page2 = reread_cells(sure, image, [_cell(80, 150, 600, 350, BLOCK)], engine, dpi=DPI,
                         place=lambda w: _word(w, SCALE))
    assert [w.text for w in page2.words] == ["ACME", "ROOFING", "12", "MAIN", "ST"]


def _party_cells(page, unread=None):
    from pipeline.acord25.cells import value_cells

    return [c for c in value_cells(page, unread) if c.alphabet == BLOCK]


def test_given_party_blocks_read_then_each_is_a_block_to_read_again(page, truth):
    cells = _party_cells(page)
    name = next(w for w in page.words if w.text == truth["insured"]["name"].split()[0] and w.y0 > 180)
    assert len(cells) >= 2 and all(c.alphabet == BLOCK for c in cells)
    assert sum(c.box.contains(name.cx, name.cy) for c in cells) == 1


def test_given_a_faint_letter_in_a_tall_cell_and_noise_read_there_then_the_letter_replaces_the_noise():
    image = np.full((1000, 1000), 245, dtype=np.uint8)
    cv2.putText(image, "Y", (120, 500), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 150, 2)  # grey: a blurred, upsampled scan
    noise = Word("Seles", 110 * SCALE, 200 * SCALE, 170 * SCALE, 230 * SCALE, confidence=0.03)
    engine = ReadsBands(["Y"])
    page = reread_cells(_page(noise), image, [_cell(100, 150, 175, 850, FLAG)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    assert engine.calls == 2  # the cell was not taken for blank (read alone at two sizes)
    assert [w.text for w in page.words] == ["Y"]


def _two_lines() -> np.ndarray:
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "TEST INSURED LLC", (110, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    cv2.putText(image, "123 MAIN ST", (110, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    return image


def test_given_a_line_of_a_block_that_no_word_was_read_from_then_the_block_holds_unread_print():
    from pipeline.ocr.zones import unread_print

    second = Word("123 MAIN ST", 105 * SCALE, 265 * SCALE, 330 * SCALE, 305 * SCALE, confidence=0.96)
    first = Word("TEST INSURED LLC", 105 * SCALE, 205 * SCALE, 440 * SCALE, 245 * SCALE, confidence=0.96)
    zone = Box(80 * SCALE, 150 * SCALE, 600 * SCALE, 350 * SCALE)
    assert unread_print(_page(second), _two_lines(), zone, scale=SCALE, dpi=DPI)
    assert not unread_print(_page(first, second), _two_lines(), zone, scale=SCALE, dpi=DPI)


def test_given_a_block_whose_first_reading_left_a_line_out_then_the_reading_with_it_replaces_it():
    second = Word("123 MAIN ST", 105 * SCALE, 265 * SCALE, 330 * SCALE, 305 * SCALE, confidence=0.96)
    engine = _ReadsLines(["TEST INSURED LLC", "123 MAIN ST"])
    page = reread_cells(_page(second), _two_lines(), [_cell(80, 150, 600, 350, BLOCK)], engine, dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    words = sorted(page.words, key=lambda w: (round(w.cy), w.x0))
    assert [w.text for w in words][:3] == ["TEST", "INSURED", "LLC"]


def test_given_a_party_block_no_word_was_read_from_but_print_left_unread_then_it_is_read_again(page):
    insured = next(w for w in page.words if w.text == "INSURED" and w.x0 < 60)
    inside = lambda zone, **_: zone.contains(insured.x1 + 30, insured.y1 + 12)  # noqa: E731 (the insured's block only)
    box = next(c.box for c in _party_cells(page) if inside(c.box))
    unread = dataclasses.replace(page, words=tuple(
        w for w in page.words if w is insured or not box.contains(w.cx, w.cy)))
    assert not any(inside(c.box) for c in _party_cells(unread))
    assert [inside(c.box) for c in _party_cells(unread, inside)].count(True) == 1


def test_given_words_then_layoutparser_blocks_say_which_lie_in_a_zone():
    from pipeline.ocr.blocks import layout_of, words_in

    words = [Word("A", 10, 10, 20, 20, confidence=0.9), Word("B", 100, 100, 120, 110, confidence=0.5)]
    layout = layout_of(words)
    assert [(b.text, b.score, b.id) for b in layout] == [("A", 0.9, 0), ("B", 0.5, 1)]
    assert words_in(words, Box(0, 0, 50, 50)) == words[:1]
    assert words_in(words, Box(0, 0, 95, 95)) == words[:1] and words_in(words, Box(0, 0, 95, 95), margin=20) == words


# -- a sure amount read again to confirm it (a page read by its value boxes) ---------------------------------


def _confirm_cell(seen: str) -> Cell:
    return Cell(Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE), AMOUNT, seen=seen,
                clear=Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE), confirm=True)


def _confirmed(read_as: list[str]) -> tuple[list[tuple[str, float]], list[str]]:
    image = _image_with_letters(("1,000,000", 110, 240))
    sure = Word("4,000,000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.95)
    page = reread_cells(_page(sure), image, [_confirm_cell("4,000,000")], _SecondOnly(read_as), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    return [(w.text, w.confidence) for w in page.words], [m.kind for m in page.marks]


def test_given_a_sure_amount_whose_second_reading_differs_then_its_words_stay_and_a_mark_says_unconfirmed():
    words, marks = _confirmed(["1,000,000"])
    assert words == [("4,000,000", 0.95)] and marks == [UNCONFIRMED]


def test_given_a_sure_amount_whose_second_reading_says_the_same_then_a_mark_says_confirmed():
    words, marks = _confirmed(["$4.000,000"])
    assert words == [("4,000,000", 0.95)] and marks == [CONFIRMED]


def test_given_a_sure_amount_whose_second_reading_is_no_amount_then_nothing_is_said_of_it():
    assert _confirmed(["4,0O0,0o"]) == ([("4,000,000", 0.95)], [])


def test_given_a_sure_amount_whose_second_reading_is_no_amount_but_other_digits_then_a_mark_says_unconfirmed():
    # the first digit misread surely on the page ("1,000,000" read "4,000,000"), the marks misread the second time
    assert _confirmed(["1.000000"]) == ([("4,000,000", 0.95)], [UNCONFIRMED])
    assert _confirmed(["$1.000000"]) == ([("4,000,000", 0.95)], [UNCONFIRMED])  # the form's "$" aside


def test_given_a_sure_amount_whose_second_reading_is_no_amount_with_its_digits_or_a_digit_more_then_nothing_is_said():
    assert _confirmed(["4.000000"]) == ([("4,000,000", 0.95)], [])  # the same digits: no second valid reading
    assert _confirmed(["1.00000"]) == ([("4,000,000", 0.95)], [])  # a digit lost: it says nothing of which is wrong
    assert _confirmed(["54.000000"]) == ([("4,000,000", 0.95)], [])  # a "$" read as a digit


def test_given_a_sure_amount_printed_with_its_cents_then_it_is_confirmed_by_the_same_dollars():
    from pipeline.acord25.cells import _amount_cell, dollars

    assert dollars("16,600.00") == 16600 and dollars("1,000000.00") is None and dollars("5,000") == 5000
    sure = Word("16,600.00", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.92)
    box = Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE)
    assert _amount_cell(box, [sure], confirm=True).confirm
    assert not _amount_cell(box, [sure]).confirm  # read whole, a cents amount is read again as doubtful, as before
    image = _image_with_letters(("16,600.00", 110, 240))
    for read_as, said in ((["$16,600.00"], CONFIRMED), (["10,000.00"], UNCONFIRMED)):
        page = reread_cells(_page(sure), image, [_confirm_cell("16,600.00")], _SecondOnly(read_as), dpi=DPI,
                            place=lambda w: _word(w, SCALE))
        assert [m.kind for m in page.marks] == [said] and [w.text for w in page.words] == ["16,600.00"]


# -- sure amounts and dates read again, held to their own characters (zonecal) --------------------------------


def test_given_a_sure_amount_to_confirm_then_its_second_reading_may_read_only_an_amounts_characters():
    """Given an amount cell to confirm beside a doubtful one, when they are read again, then the one to confirm
    is read in a strip of its own with only digits and an amount's signs allowed (the doubtful one as before)."""
    from pipeline.acord25.cells import AMOUNT
    from pipeline.ocr.zones import CONFIRM_CHARS

    image = _image_with_letters(("1,000,000", 110, 240), ("5,000", 110, 640))
    sure = Word("1,000,000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.95)
    doubtful = Cell(Box(80 * SCALE, 550 * SCALE, 700 * SCALE, 700 * SCALE), AMOUNT, seen="5,0O0",
                    clear=Box(80 * SCALE, 550 * SCALE, 700 * SCALE, 700 * SCALE))
    engine = ReadsBands(["1,000,000"])
    reread_cells(_page(sure), image, [_confirm_cell("1,000,000"), doubtful], engine, dpi=DPI,
                 place=lambda w: _word(w, SCALE))
    assert engine.allowed == [None, CONFIRM_CHARS]
    assert set(CONFIRM_CHARS) >= set("0123456789,/") and not any(c.isalpha() for c in CONFIRM_CHARS)


def _date_confirmed(read_as: list[str]) -> list[str]:
    from pipeline.acord25.cells import DATE

    image = _image_with_letters(("01/15/2026", 110, 240))
    sure = Word("01/15/2026", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.95)
    box = Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE)
    page = reread_cells(_page(sure), image, [Cell(box, DATE, seen="01/15/2026", confirm=True)],
                        ReadsBands(read_as), dpi=DPI, place=lambda w: _word(w, SCALE))
    assert [w.text for w in page.words] == ["01/15/2026"]  # the page's words stay, whatever the second reading
    return [m.kind for m in page.marks]


def test_given_a_sure_date_whose_second_reading_says_another_day_then_a_mark_says_unconfirmed():
    from pipeline.acord25.evidence import DATE_UNCONFIRMED

    assert _date_confirmed(["01/16/2026"]) == [DATE_UNCONFIRMED]


def test_given_a_sure_date_whose_second_reading_says_the_same_day_then_a_mark_says_confirmed():
    from pipeline.acord25.evidence import DATE_CONFIRMED

    assert _date_confirmed(["1/15/26"]) == [DATE_CONFIRMED]
    assert _date_confirmed(["01/15/ 2026"]) == [DATE_CONFIRMED]  # a gap read inside it


def test_given_a_sure_date_whose_second_reading_is_no_date_then_nothing_is_said_of_it():
    assert _date_confirmed(["0115,2026"]) == []


def test_given_a_date_box_read_surely_then_it_is_a_cell_to_confirm_and_a_doubtful_one_is_not():
    from pipeline.acord25.cells import DATE, _date_cell

    box = Box(0, 0, 100, 20)
    sure = Word("03/01/2026", 2, 4, 60, 16, confidence=0.93)
    cell = _date_cell(box, [sure])
    assert cell is not None and cell.confirm and cell.alphabet == DATE and cell.seen == "03/01/2026"
    assert _date_cell(box, [dataclasses.replace(sure, confidence=0.5)]) is None  # doubtful: not a value to confirm
    assert _date_cell(box, [dataclasses.replace(sure, text="03/41/2026")]) is None  # no valid date
    assert _date_cell(box, []) is None


# -- amounts printed with their cents, the form's "$" inside an amount's box, digits read as two words (amounts9) --


def test_given_an_amount_misread_on_the_page_and_read_again_with_its_cents_then_its_dollars_replace_it_below_trust():
    image = _image_with_letters(("$500,000.00", 110, 240))
    cut = Word("$500,", 110 * SCALE, 200 * SCALE, 250 * SCALE, 245 * SCALE, confidence=0.97)
    page = reread_cells(_page(cut), image, [_amount_cell("$500,")], _SecondOnly(["$500,000.00"]), dpi=DPI,
                        place=lambda w: _word(w, SCALE))
    [amount] = page.words
    assert amount.text == "500,000" and amount.confidence < 0.9  # one reading alone: shown, not trusted


def test_amount_readings_agree_on_the_same_dollars_whether_or_not_the_cents_are_printed():
    assert agree("$500,000.00", "500,000") and agree("l,OOO,OOO.OO", "1,000,000")
    assert not agree("$500,000.00", "50,000")


SIGN_AT = (100, 205)  # pixels: where the form's "$" is drawn, inside the amount cell's box (x 80-700)


def _with_sign(image: np.ndarray) -> np.ndarray:
    """``image`` with the form's "$" drawn at SIGN_AT in the form's own typeface."""
    from pathlib import Path

    import reportlab
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr.labelink import FONTS

    out = Image.fromarray(image)
    face = ImageFont.truetype(str(Path(reportlab.__file__).with_name("fonts") / FONTS[0]), 40)
    ImageDraw.Draw(out).text(SIGN_AT, "$", font=face, fill=0)
    return np.asarray(out)


def _ink_columns(strip: np.ndarray) -> int:
    cols = np.nonzero((strip < 200).any(axis=0))[0]
    return int(cols[-1] - cols[0])


def test_given_the_forms_dollar_sign_printed_inside_an_amounts_box_then_the_cut_out_read_holds_only_the_value():
    from pipeline.ocr.labelink import Label

    rows, cols = np.nonzero(_with_sign(np.full((1000, 1000), 255, dtype=np.uint8)) < 128)
    sign = Label("$", cols.min() * SCALE, rows.min() * SCALE, (cols.max() + 1) * SCALE, (rows.max() + 1) * SCALE)
    value = _image_with_letters(("1,000,000", 300, 240))
    widths = {}
    for printed in ((), (sign,)):  # the sign's registered place (the template's print) given, or not
        engine = ReadsBands(["1,000,000"])
        reread_cells(_page(), _with_sign(value), [_amount_cell("")], engine, dpi=DPI,
                     place=lambda w: _word(w, SCALE), printed=printed)
        widths[printed] = _ink_columns(engine.strips[0])
    assert widths[(sign,)] == _ink_columns(value)  # the value's print, all of it and nothing else
    assert widths[()] > widths[(sign,)]


def test_given_an_amounts_digits_read_surely_as_two_words_then_it_is_read_again_as_doubtful():
    from pipeline.acord25.cells import _amount_cell

    box = Box(80 * SCALE, 150 * SCALE, 700 * SCALE, 300 * SCALE)
    one = [Word("500000", 110 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.94)]
    two = [Word("5", 110 * SCALE, 200 * SCALE, 130 * SCALE, 245 * SCALE, confidence=0.93),
           Word("00000", 160 * SCALE, 200 * SCALE, 330 * SCALE, 245 * SCALE, confidence=0.94)]
    assert _amount_cell(box, one) is None and _amount_cell(box, one, confirm=True).confirm  # sure: read to confirm
    for confirm in (False, True):  # the reader reads no amount from "5 00000": its words are no sure reading
        cell = _amount_cell(box, two, confirm=confirm)
        assert cell is not None and not cell.confirm and cell.seen == "500000"


def test_given_an_amount_read_with_cents_that_are_not_zeros_then_it_is_no_valid_reading():
    from pipeline.acord25.cells import dollars

    assert dollars("1.000.009.09") is None and dollars("$1,000,000.00".removeprefix("$")) == 1_000_000
    assert dollars("1.000.000.00") == 1_000_000  # a digits-only reading's marks, every one read as a period


def test_given_a_page_reading_with_cents_that_are_not_zeros_then_it_agrees_with_no_reading():
    assert not agree("1,000.50", "1,000") and not agree("1.000.009.09", "1,000,009")
    assert agree("1,000.00", "1,000")
