"""A one-line value box whose page-level words were all too doubtful to be taken is listed for a second reading
(pipeline.acord25.cells.value_cells; branch lineread)."""

from __future__ import annotations

from pipeline.acord25.cells import BLOCK, value_cells
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word


def _page(template, extra=()):
    words = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    return Page(number=1, width=612, height=792, words=[*words, *extra], marks=[])


def _listed(word: Word) -> list:
    template = load("2016/03")
    # unread: no print left out by the page's reading (its words cover the box's ink)
    cells = value_cells(_page(template, extra=[word]), lambda box, **_: False)
    return [c for c in cells if c.alphabet == BLOCK and c.line and c.box.contains(word.cx, word.cy)]


def _in_revision_box(text: str, confidence: float) -> Word:
    box = next(f.box for f in load("2016/03").fields if f.key == "revision_number")
    x0 = box[0] + 8.0  # clear of the label's colon
    return Word(text, x0, box[1] + 1, x0 + 4.5 * len(text), box[3] - 1, confidence=confidence)


def test_given_a_one_line_box_whose_only_word_was_too_doubtful_to_take_then_it_is_read_again():
    """Given the revision box's print read as '3)' at 0.2 (dropped by the reader as noise), when the value boxes
    to read again are listed, then the revision box is one."""
    assert len(_listed(_in_revision_box("3)", 0.2))) == 1


def test_given_a_one_line_box_read_surely_then_it_is_not_read_again():
    assert _listed(_in_revision_box("3", 0.96)) == []
