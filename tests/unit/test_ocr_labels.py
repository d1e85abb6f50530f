"""Snapping OCR words back onto the form's printed labels."""

from __future__ import annotations

from pipeline.ocr.labels import snap_labels
from pipeline.textlayer import Word


def _line(*texts: str, x0: float = 400.0, gap: float = 2.0, conf: float = 0.9) -> list[Word]:
    out, x = [], x0
    for t in texts:
        out.append(Word(t, x, 100.0, x + 3.3 * len(t), 106.0, confidence=conf))
        x = out[-1].x1 + gap
    return out


def test_given_a_label_read_in_the_wrong_case_then_it_takes_the_forms_own_words():
    got = snap_labels([_line("personal", "&", "ADV", "INJURY")])
    assert [w.text for w in got] == ["PERSONAL", "&", "ADV", "INJURY"]


def test_given_the_labels_words_inside_running_text_then_their_case_is_kept():
    prose = _line("covers", "each", "occurrence", "of", "loss", x0=40.0)
    got = snap_labels([prose])
    assert [w.text for w in got] == ["covers", "each", "occurrence", "of", "loss"]


def test_given_a_label_whose_words_ocr_ran_together_then_it_is_split_into_the_templates_words():
    got = snap_labels([_line("INSURERA:")])
    assert [w.text for w in got] == ["INSURER", "A", ":"]


def test_given_a_filler_spelled_like_the_forms_y_n_heading_then_it_is_left_as_read():
    """Two-letter print ("Y / N", "N / A") is no label to snap to: a value "N/A" stays one word."""
    got = snap_labels([_line("N/A")])
    assert [w.text for w in got] == ["N/A"]


def test_the_label_vocabulary_is_the_templates_print():
    from pipeline.acord25.template import printed_phrases
    from pipeline.ocr.labels import vocabulary

    assert set(vocabulary()) <= set(printed_phrases())
    assert ("COMMERCIAL", "GENERAL", "LIABILITY") in vocabulary()


def test_given_another_editions_footer_then_its_digits_are_not_snapped_onto_the_templates_edition():
    """Given the 2001/08 footer read well, when labels are snapped, then it stays 2001/08: a label's digits are data."""
    got = snap_labels([_line("ACORD", "25", "(2001/08)", x0=20.0, conf=0.9)])
    assert [w.text for w in got] == ["ACORD", "25", "(2001/08)"]


def test_given_the_templates_footer_with_a_digit_read_as_a_letter_then_it_is_still_snapped():
    got = snap_labels([_line("ACORD", "25", "(2016/O3)", x0=20.0, conf=0.9)])
    assert [w.text for w in got] == ["ACORD", "25", "(2016/03)"]
