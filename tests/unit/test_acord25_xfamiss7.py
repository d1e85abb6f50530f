"""2016-xfa scans after OCR (xfamiss7): an insurer letter read twice over itself or with a speck beside it."""

from __future__ import annotations

from pipeline.acord25.confidence import HOW
from pipeline.acord25.fieldkinds import read_letter
from pipeline.textlayer import Word


def _cell(*texts: str, confidence: float | None = 0.5) -> list[list[Word]]:
    words, x = [], 24.0
    for t in texts:
        words.append(Word(t, x, 459.0, x + 5 * len(t), 466.0, confidence=confidence))
        x += 5 * len(t) + 2
    return [words]


def test_given_an_insurer_letter_ocr_read_twice_or_with_a_speck_then_the_letter_is_read_below_trust():
    assert read_letter(_cell("Cc")) == ("C", "first_of_stack")
    assert read_letter(_cell("A.")) == ("A", "first_of_stack")
    assert read_letter(_cell("bB", "|")) == ("B", "first_of_stack")
    assert HOW["first_of_stack"] < 0.9  # the way's ceiling: never trusted


def test_given_a_letter_read_alone_then_it_is_read_in_its_box_as_before():
    assert read_letter(_cell("C")) == ("C", "in_box")
    assert read_letter(_cell("d", "Cc")) == ("D", "in_box")


def test_given_no_word_that_reads_as_one_letter_or_two_that_disagree_then_no_letter_is_read():
    assert read_letter(_cell("Fe")) is None  # two letters that differ: not one read twice
    assert read_letter(_cell("Gg")) is None  # no insurer letter
    assert read_letter(_cell("Ree")) is None
    assert read_letter(_cell("Cc", "A.")) is None  # two letters that disagree
    assert read_letter(_cell("Cc", confidence=None)) is None  # a text layer's word is as printed
