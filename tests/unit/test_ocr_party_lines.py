"""A party's block read twice (the page's reading and the block's own), combined line by line."""

from __future__ import annotations

from pipeline.ocr.partylines import combined, line_score, plausible
from pipeline.textlayer import Word

LINE_PT = 12.0  # points between two lines of a block
WORD_H = 9.0


def _line(text: str, row: int, confidence: float = 0.9, *, shift: float = 0.0) -> list[Word]:
    """A line's words at ``row`` (0 = the block's first line), each 7 pt a character wide."""
    words, x = [], 40.0
    y = 100.0 + row * LINE_PT + shift
    for token in text.split():
        words.append(Word(token, x, y, x + 7 * len(token), y + WORD_H, confidence=confidence))
        x += 7 * len(token) + 4
    return words


def _texts(words: list[Word]) -> list[str]:
    rows: dict[float, list[Word]] = {}
    for w in sorted(words, key=lambda w: (w.y0, w.x0)):
        rows.setdefault(round((w.y0 - 100.0) / LINE_PT), []).append(w)
    return [" ".join(w.text for w in line) for _, line in sorted(rows.items())]


def test_given_words_then_misread_shapes_are_not_plausible_and_print_shapes_are():
    assert all(plausible(t) for t in ("Harbor", "LLC", "O'Neil", "Winston-Salem,", "12B", "#200", "97301-1234", "&"))
    assert not any(plausible(t) for t in ("rAter", "S358", "Sp|ringfield", "Mi11", "a,b"))


def test_given_a_line_misread_on_the_page_then_the_blocks_sure_reading_of_it_is_taken():
    page = _line("Harbor Authority", 0) + _line("S358 Mi11 Rd", 1, 0.6) + _line("Salem, OR 97301", 2)
    block = _line("Harbor Authority", 0) + _line("5358 Mill Rd", 1, 0.85) + _line("Salem, OR 97301", 2)
    assert _texts(combined(page, block)) == ["Harbor Authority", "5358 Mill Rd", "Salem, OR 97301"]


def test_given_a_city_line_whose_state_is_not_its_zip_codes_then_the_reading_whose_state_is_wins():
    page = _line("Salem, OH 97301", 0, 0.9)
    block = _line("Salem, OR 97301", 0, 0.9)
    assert line_score(block) > line_score(page)
    assert _texts(combined(page, block)) == ["Salem, OR 97301"]


def test_given_a_block_reading_no_better_than_the_pages_then_the_pages_line_stays():
    page = _line("Acme Roofing LLC", 0, 0.95)
    block = _line("Acme Rooflng LLC", 0, 0.5)
    assert _texts(combined(page, block)) == ["Acme Roofing LLC"]
    assert _texts(combined(page, _line("Acme Roofing LLC", 0, 0.95))) == ["Acme Roofing LLC"]


def test_given_a_line_only_the_block_reading_has_then_it_is_added_only_when_read_surely():
    page = _line("Harbor Authority", 0) + _line("Salem, OR 97301", 2)
    sure = _line("Harbor Authority", 0) + _line("12 Dock St", 1, 0.9) + _line("Salem, OR 97301", 2)
    assert _texts(combined(page, sure)) == ["Harbor Authority", "12 Dock St", "Salem, OR 97301"]
    junk = _line("Harbor Authority", 0) + _line("ee oa", 1, 0.3) + _line("Salem, OR 97301", 2)
    assert _texts(combined(page, junk)) == ["Harbor Authority", "Salem, OR 97301"]


def test_given_a_line_only_the_page_reading_has_then_it_stays():
    page = _line("Harbor Authority", 0) + _line("12 Dock St", 1) + _line("Salem, OR 97301", 2)
    block = _line("Harbor Authority", 0) + _line("Salem, OR 97301", 2)
    assert _texts(combined(page, block)) == ["Harbor Authority", "12 Dock St", "Salem, OR 97301"]


def test_given_two_lines_the_page_read_as_one_tall_blur_then_the_blocks_two_lines_replace_it():
    blur = [Word("Fl", 40, 100, 60, 100 + LINE_PT + WORD_H, confidence=0.37),
            Word("eVeARON", 64, 100, 130, 100 + LINE_PT + WORD_H, confidence=0.0)]
    block = _line("Acme Roofing", 0) + _line("12 Main St", 1)
    assert _texts(combined(blur, block)) == ["Acme Roofing", "12 Main St"]


def test_given_one_line_read_twice_then_each_word_is_the_better_read_of_its_pair():
    page = [Word("Redstone", 40, 100, 96, 109, confidence=0.9), Word("Concrete", 100, 100, 156, 109, confidence=0.9),
            Word("Comp", 160, 100, 188, 109, confidence=0.5)]
    block = [Word("Redstone", 40, 100, 96, 109, confidence=0.9), Word("Conciete", 100, 100, 156, 109, confidence=0.6),
             Word("Corp", 160, 100, 188, 109, confidence=0.9), Word("ass", 200, 100, 221, 109, confidence=0.29)]
    assert _texts(combined(page, block)) == ["Redstone Concrete Corp"]


def test_given_the_block_reading_placing_a_line_a_few_points_lower_then_it_is_the_same_row_not_a_new_line():
    page = _line("Bluewater Paving LLC", 0, 0.84)
    block = _line("Biuewater Paving LLC", 0, 0.88, shift=4.0)
    assert _texts(combined(page, block)) == ["Bluewater Paving LLC"]  # one line; the block's word no clearly surer
