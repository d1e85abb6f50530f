"""A one-character cell (an insurer letter, a Y/N answer) is read from its own box alone: each line of the cell's own
print cut out by itself and read by calls of its own, whatever the cells beside it hold
(pipeline.ocr.zones.read_alone, through reread_cells; a fake engine that reads bars of ink by their width)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.cells import FLAG, LETTER, Cell
from pipeline.acord25.layout import Box
from pipeline.ocr.engine import OcrWord, Orientation
from pipeline.ocr.labelink import Label
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import reread_cells
from pipeline.textlayer import Page, Word

DPI = 300
SCALE = 72 / DPI  # points per pixel
BAR_HEIGHT = 40  # pixels: a printed character, drawn as a bar whose width says which it is
WIDTHS = {20: "Y", 26: "N", 32: "D", 14: "/", 38: "A"}  # pixels at DPI


class _ReadsBars:
    """Reads each blot of ink in the image it is given as the character its width stands for (WIDTHS, at the
    resolution given: a cut-out read at twice its size has bars twice as wide), left to right, as one word;
    '?' for a blot of no known width. Records each image it is given. ``sizes``, when given, are the only
    resolutions it reads anything at."""

    def __init__(self, conf: float = 93.0, sizes: tuple[int, ...] | None = None, swap: dict[int, str] | None = None):
        self.conf, self.sizes, self.swap, self.images = conf, sizes, swap or {}, []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.images.append(image)
        if self.sizes is not None and dpi not in self.sizes:
            return []
        count, _, stats, _ = cv2.connectedComponentsWithStats((image < 128).astype(np.uint8), connectivity=8)
        blots = sorted(stats[1:count].tolist(), key=lambda s: s[0])
        if not blots:
            return []
        zoom = dpi / DPI
        text = "".join(self.swap.get(dpi) or WIDTHS.get(int(round(w / zoom)), "?") for _, _, w, _, _ in blots)
        left, top = min(b[0] for b in blots), min(b[1] for b in blots)
        right, bottom = max(b[0] + b[2] for b in blots), max(b[1] + b[3] for b in blots)
        return [OcrWord(text, left, top, right - left, bottom - top, self.conf, (1, 1, 1))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def _paper() -> np.ndarray:
    return np.full((1000, 1000), 255, dtype=np.uint8)


def _bar(image: np.ndarray, char: str, x: int, y: int) -> None:
    width = next(w for w, c in WIDTHS.items() if c == char)
    image[y:y + BAR_HEIGHT, x:x + width] = 0


def _cell(x0: int, y0: int, x1: int, y1: int, alphabet: str = FLAG) -> Cell:
    return Cell(Box(x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE), alphabet)


def _read(image, cells, engine, *words: Word, printed=()) -> Page:
    page = Page(1, 1000 * SCALE, 1000 * SCALE, tuple(words))
    return reread_cells(page, image, cells, engine, dpi=DPI, place=lambda w: _word(w, SCALE), printed=printed)


def _blots(image: np.ndarray) -> int:
    return cv2.connectedComponentsWithStats((image < 128).astype(np.uint8), connectivity=8)[0] - 1


def _texts(page: Page) -> list[tuple[str, int, int]]:
    """The page's words: text and middle (pixels, to the nearest ten)."""
    return sorted((w.text, round(w.cx / SCALE, -1), round(w.cy / SCALE, -1)) for w in page.words)


def _row() -> tuple[np.ndarray, list[Cell]]:
    """An insurer letter and the two Y/N answers of one row, side by side."""
    image = _paper()
    _bar(image, "D", 100, 300)
    _bar(image, "Y", 300, 300)
    _bar(image, "N", 420, 300)
    return image, [_cell(80, 200, 180, 500, LETTER), _cell(280, 200, 380, 500), _cell(400, 200, 500, 500)]


def test_given_a_cell_between_neighbours_then_what_it_is_read_from_does_not_depend_on_them():
    image, cells = _row()
    alone, beside = _ReadsBars(), _ReadsBars()
    _read(image, cells[1:2], alone)
    page = _read(image, cells, beside, Word("Y.N", 300 * SCALE, 295 * SCALE, 450 * SCALE, 345 * SCALE,
                                            confidence=0.4))  # two answers read as one word at page level
    assert all(_blots(i) == 1 for i in beside.images)  # every call reads one cell's print only
    mine = [i for i in beside.images if any(i.shape == a.shape and (i == a).all() for a in alone.images)]
    assert len(mine) == len(alone.images) >= 1  # the cell is read from the same images, its neighbours there or not
    assert _texts(page) == [("D", 120, 320), ("N", 430, 320), ("Y", 310, 320)]  # the debris gave way


def test_given_a_neighbours_letter_inside_the_box_then_the_cells_own_print_is_read():
    image = _paper()
    _bar(image, "Y", 115, 300)  # the cell's own answer
    _bar(image, "N", 180, 300)  # the next cell's, taken in by a box placed a few points off
    engine = _ReadsBars()
    page = _read(image, [_cell(80, 200, 200, 500)], engine)
    assert _texts(page) == [("Y", 120, 320)]
    assert all(_blots(i) == 1 for i in engine.images)


def test_given_two_values_stacked_in_a_cell_then_each_line_is_read_alone_and_placed_on_its_row():
    image = _paper()
    _bar(image, "Y", 110, 220)
    _bar(image, "N", 110, 300)
    engine = _ReadsBars()
    page = _read(image, [_cell(80, 200, 200, 400)], engine)
    assert _texts(page) == [("N", 120, 320), ("Y", 120, 240)]
    assert all(_blots(i) == 1 for i in engine.images)


def test_given_the_forms_label_printed_in_the_cell_then_only_the_answer_is_read():
    image = _paper()
    _bar(image, "D", 110, 210)  # the form's own print ("(Y/N)" over the excluded-member answer)
    _bar(image, "N", 110, 300)
    label = Label("(Y/N)", 105 * SCALE, 205 * SCALE, 150 * SCALE, 255 * SCALE)
    engine = _ReadsBars()
    page = _read(image, [_cell(80, 200, 200, 400)], engine, printed=(label,))
    assert _texts(page) == [("N", 120, 320)]
    assert len(engine.images) == 2  # one line, read at two sizes


def test_given_a_filler_in_an_answer_cell_then_the_page_reading_stays():
    image = _paper()
    for char, x in (("N", 100), ("/", 130), ("A", 148)):  # "N/A", its characters close together
        _bar(image, char, x, 300)
    filler = Word("N/A", 100 * SCALE, 300 * SCALE, 186 * SCALE, 340 * SCALE, confidence=0.9)
    page = _read(image, [_cell(80, 200, 200, 500)], _ReadsBars(), filler)
    assert [w.text for w in page.words] == ["N/A"]


def test_given_a_letter_read_as_nothing_at_its_size_then_its_reading_at_twice_its_size_is_taken():
    image = _paper()
    _bar(image, "D", 100, 300)
    page = _read(image, [_cell(80, 200, 180, 500, LETTER)], _ReadsBars(sizes=(2 * DPI,)))
    assert _texts(page) == [("D", 120, 320)]


def test_given_the_two_sizes_read_as_different_letters_then_neither_is_taken():
    image = _paper()
    _bar(image, "D", 100, 300)
    first = Word("B", 100 * SCALE, 300 * SCALE, 132 * SCALE, 340 * SCALE, confidence=0.5)
    page = _read(image, [_cell(80, 200, 180, 500, LETTER)], _ReadsBars(swap={2 * DPI: "B"}), first)
    assert [w.text for w in page.words] == ["B"]  # the page's own reading stays


def test_given_a_letter_read_unsurely_then_it_is_not_taken():
    image = _paper()
    _bar(image, "D", 100, 300)
    assert _read(image, [_cell(80, 200, 180, 500, LETTER)], _ReadsBars(conf=20.0)).words == ()


def test_given_a_speck_beside_a_letter_then_the_letter_alone_is_read():
    image = _paper()
    _bar(image, "Y", 110, 300)
    image[330:333, 140:143] = 0  # a speck on the letter's line
    engine = _ReadsBars()
    page = _read(image, [_cell(80, 200, 200, 500)], engine)
    assert _texts(page) == [("Y", 120, 320)]
    assert all(_blots(i) == 1 for i in engine.images)


def test_given_the_other_rows_letter_read_as_debris_then_it_is_listed_for_a_second_reading():
    import dataclasses

    from pipeline.acord25.cells import value_cells
    from samples.certificates import demo_certificate
    from tests.readings import drawn_scan

    truth = demo_certificate()
    other = {**truth["policies"][0], "line": "other", "insurer_letter": "E", "policy_number": "PL-5551234",
             "description": "Professional Liability", "additional_insured": None, "subrogation_waived": None,
             "limits": {"limit": 1_000_000}}
    truth["policies"] = [*truth["policies"], other]
    page = drawn_scan(truth)
    number = next(w for w in page.words if w.text == "PL-5551234")
    letter = next(w for w in page.words if w.text == "E" and abs(w.cy - number.cy) < 3 and w.x1 < number.x0)
    debris = dataclasses.replace(page, words=tuple(dataclasses.replace(w, text="E|", confidence=0.4)
                                                   if w is letter else w for w in page.words))
    listed = [c for c in value_cells(debris) if c.box.contains(letter.cx, letter.cy)]
    assert [c.alphabet for c in listed] == [LETTER]
