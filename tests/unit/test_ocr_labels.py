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
