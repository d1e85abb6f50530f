"""Looking up a phrase on a page never fails on what OCR gives as words: a lone "|" (a rule read
as text) or an empty string find nothing."""

from __future__ import annotations

from pipeline.acord25.layout import Sheet
from pipeline.textlayer import Page, Word


def test_a_blank_or_bar_only_phrase_finds_nothing_and_raises_nothing():
    words = (Word("|", 10, 10, 12, 20, 0.4), Word("PRODUCER", 20, 10, 80, 20, 0.9), Word(" ", 90, 10, 95, 20, 0.1))
    sheet = Sheet(Page(number=1, width=612, height=792, words=words))
    for phrase in ("|", "", " ", "PRODUCER|", "|PRODUCER"):
        assert sheet.find(phrase) == []
    assert [a.words[0].text for a in sheet.find("PRODUCER")] == ["PRODUCER"]
