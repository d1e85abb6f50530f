"""The form's own printed phrases dropped from values (:class:`pipeline.acord25.template.FormPrint`)."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.acord25 import extract_certificate
from pipeline.acord25.template import FORM_PRINT_CHARS, editions, form_print, printed_phrases
from pipeline.textlayer import Word


def _line(*texts: str) -> list[Word]:
    words, x = [], 100.0
    for text in texts:
        words.append(Word(text, x, 200.0, x + 6 * len(text), 209.0, confidence=0.96))
        x += 6 * len(text) + 3
    return words


def _texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def test_given_a_label_before_a_value_then_only_the_value_is_left():
    assert _texts(form_print("2016/03").unprinted(_line("CERTIFICATE", "NUMBER:", "95195"))) == ["95195"]


def test_given_a_label_split_by_ocr_then_it_is_still_the_forms():
    assert _texts(form_print("2016/03").unprinted(_line("Ridge", "Co", "CERTIFICATE", "NUMBER", ":"))) == ["Ridge", "Co"]


def test_given_a_value_word_spelt_like_a_label_in_another_case_then_it_is_kept():
    assert _texts(form_print("2016/03").unprinted(_line("Insured", "Services", "Producer"))) == \
        ["Insured", "Services", "Producer"]


def test_given_a_short_printed_phrase_then_it_does_not_count():
    short = [p for p in printed_phrases("2016/03") if len("".join(p)) < FORM_PRINT_CHARS]
    assert ("LOC",) in short
    assert _texts(form_print("2016/03").unprinted(_line("LOC", "ER", "Main"))) == ["LOC", "ER", "Main"]


@pytest.mark.parametrize("edition", editions())
def test_given_each_edition_then_its_own_labels_are_its_print(edition):
    longest = max(printed_phrases(edition), key=lambda p: len("".join(p)) if len(p) <= 3 else 0)
    assert form_print(edition).unprinted(_line(*longest)) == []


def test_given_a_label_read_inside_a_party_block_then_it_is_no_part_of_the_name(page, truth):
    """A label printed where the template does not place it (another print of the form) is still print."""
    first = next(w for w in page.words if w.text == "Blue" and w.y0 > 180.0)
    label = dataclasses.replace(first, text="INSURED", y0=first.y0 - 9, y1=first.y1 - 9)
    cert = extract_certificate([dataclasses.replace(page, words=page.words + (label,))])
    assert cert["insured"]["name"] == truth["insured"]["name"]
