"""Looking up a phrase on a page never fails on what OCR gives as words: a lone "|" (a rule read
as text) or an empty string find nothing."""

from __future__ import annotations

import pytest

from pipeline.acord25.layout import Sheet
from pipeline.textlayer import Page, Word


def test_a_blank_or_bar_only_phrase_finds_nothing_and_raises_nothing():
    words = (Word("|", 10, 10, 12, 20, 0.4), Word("PRODUCER", 20, 10, 80, 20, 0.9), Word(" ", 90, 10, 95, 20, 0.1))
    sheet = Sheet(Page(number=1, width=612, height=792, words=words))
    for phrase in ("|", "", " ", "PRODUCER|", "|PRODUCER"):
        assert sheet.find(phrase) == []
    assert [a.words[0].text for a in sheet.find("PRODUCER")] == ["PRODUCER"]


def test_given_words_and_marks_when_boxed_together_then_each_edge_is_the_builtins_min_or_max():
    """Box.around in one pass against min and max over each edge (ties, signed zeros, NaN, one item, none)."""
    import random

    from pipeline.acord25.layout import Box
    from pipeline.textlayer import Mark, Word

    rng = random.Random(4)
    values = (0.0, -0.0, 1.5, -2.25, 3.0, float("nan"), 1e300, -float("inf"))
    for size in (1, 2, 3, 7, 40):
        items = [rng.choice((Word, Mark))(*(("w",) if k % 2 else ("cross",)), *(rng.choice(values) for _ in range(4)))
                 for k in range(size)]
        got = Box.around(iter(items))
        want = (min(i.x0 for i in items), min(i.y0 for i in items), max(i.x1 for i in items), max(i.y1 for i in items))
        assert [repr(v) for v in (got.x0, got.y0, got.x1, got.y1)] == [repr(v) for v in want]
    with pytest.raises(ValueError):
        Box.around([])


def test_given_a_box_grown_then_it_meets_what_lies_within_that_reach_only():
    from pipeline.acord25.layout import Box

    grown = Box(10.0, 10.0, 20.0, 20.0).grown(3.0)
    assert grown == Box(7.0, 7.0, 23.0, 23.0)
    assert grown.meets(Box(22.0, 15.0, 30.0, 16.0))  # 2 pt right of the box: within the reach
    assert not grown.meets(Box(23.0, 15.0, 30.0, 16.0))  # touching the grown edge only: no overlap
