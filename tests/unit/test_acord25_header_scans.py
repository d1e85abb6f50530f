"""Header names on a scan: the notice's last line or OCR debris above a name is not the name (no tesseract)."""

from __future__ import annotations

from pipeline.acord25.header import _name_and_address
from pipeline.textlayer import Word


def _line(y: float, *texts: str, confidence: float = 0.96) -> list[Word]:
    words, x = [], 20.0
    for t in texts:
        words.append(Word(t, x, y, x + 6 * len(t), y + 8, confidence=confidence))
        x += 6 * len(t) + 4
    return words


def test_given_the_notices_last_line_read_into_the_producer_zone_then_the_name_is_the_line_below():
    words = [*_line(100, "this", "certificate", "does", "not", "confer", "rights", "to", "the", "certificate",
                    "holder", "in", "lieu", "of", "such"),
             *_line(112, "Pinecrest", "Insurance", "Services"),
             *_line(124, "7679", "Market", "St")]
    name, address = _name_and_address(words)
    assert name.text == "Pinecrest Insurance Services"
    assert address.text == "7679 Market St"


def test_given_unsure_debris_above_the_name_then_it_is_skipped():
    words = [*_line(100, "ey", confidence=0.3), *_line(112, "ABC", "Insurance"), *_line(124, "100", "Producer", "Ave")]
    name, _ = _name_and_address(words)
    assert name.text == "ABC Insurance"


def test_given_a_line_without_letters_or_digits_above_the_name_then_it_is_skipped():
    words = [*_line(100, "°", confidence=0.9), *_line(112, "Bluewater", "Agency")]
    name, _ = _name_and_address(words)
    assert name.text == "Bluewater Agency"


def test_given_a_short_name_read_surely_then_it_is_kept():
    words = [*_line(100, "AB", confidence=0.95), *_line(112, "1 Main St")]
    name, address = _name_and_address(words)
    assert name.text == "AB"
    assert address.text == "1 Main St"


def test_given_a_name_made_of_a_few_form_words_then_it_is_kept():
    words = [*_line(100, "Certificate", "Desk"), *_line(112, "1", "Main", "St")]
    name, _ = _name_and_address(words)
    assert name.text == "Certificate Desk"
