"""Party blocks (producer, insured, certificate holder) read from OCR words: words that overlap, a piece
of print read twice, stray fragments at a block's edges, and sure words that only look like a label
(no tesseract: the demo certificate drawn and read as if by OCR, then disturbed the way scans are)."""

from __future__ import annotations

import dataclasses

from pipeline.acord25 import extract_certificate
from pipeline.acord25.identify import registered
from pipeline.acord25.reader import FieldWords
from pipeline.textlayer import Page, Word


def _word(page: Page, text: str, below: float = 0.0) -> Word:
    """The first OCR word ``text`` lower on the page than ``below`` points."""
    return next(w for w in page.words if w.text == text and w.y0 > below)


def _with(page: Page, *words: Word, replacing: tuple[Word, ...] = ()) -> Page:
    kept = [w for w in page.words if w not in replacing]
    return dataclasses.replace(page, words=tuple(kept + list(words)))


INSURED_BLOCK = 180.0  # points: the demo's insured block starts below this (its name line is its first)


def test_given_two_ocr_words_of_an_address_overlapping_then_both_are_kept(page, truth):
    """OCR boxes of neighbouring words often overlap; that is no hidden text (a text layer's rule)."""
    street = _word(page, "Sample", INSURED_BLOCK)
    road = _word(page, "Road", INSURED_BLOCK)
    wide = dataclasses.replace(street, x1=road.x0 + 0.6 * road.width)
    cert = extract_certificate([_with(page, wide, replacing=(street,))])
    assert cert["insured"]["address"] == truth["insured"]["address"]
    assert cert["evidence"]["/insured/address"]["how"] != "overlapped"


def test_given_a_word_of_the_name_read_twice_then_the_surer_reading_is_kept_once(page, truth):
    heron = _word(page, "Heron", INSURED_BLOCK)
    again = dataclasses.replace(heron, x0=heron.x0 + 0.5, y0=heron.y0 + 0.3, confidence=0.8)
    cert = extract_certificate([_with(page, again)])
    once = extract_certificate([page])
    assert cert["insured"]["name"] == truth["insured"]["name"]
    # the 0.96 reading's confidence, not the 0.8 one's: no lower than the name read once
    assert cert["evidence"]["/insured/name"]["confidence"] >= once["evidence"]["/insured/name"]["confidence"]
    assert cert["evidence"]["/insured/name"]["ocr"] == once["evidence"]["/insured/name"]["ocr"]


def test_given_a_piece_of_a_name_word_read_again_over_it_then_the_whole_word_is_kept(page, truth):
    blue = _word(page, "Blue", INSURED_BLOCK)
    piece = dataclasses.replace(blue, text="lue", x0=blue.x0 + 0.3 * blue.width, confidence=0.9)
    cert = extract_certificate([_with(page, piece)])
    assert cert["insured"]["name"] == truth["insured"]["name"]


def test_given_a_doubtful_fragment_after_the_name_then_it_is_cut_off(page, truth):
    last = _word(page, "LLC", INSURED_BLOCK)
    stray = dataclasses.replace(last, text="dene", x0=last.x1 + 3, x1=last.x1 + 20, confidence=0.33)
    cert = extract_certificate([_with(page, stray)])
    assert cert["insured"]["name"] == truth["insured"]["name"]
    assert cert["evidence"]["/insured/name"]["confidence"] < 0.9  # cut off, but still seen by the cap


def test_given_a_line_of_doubtful_fragments_above_the_name_then_it_is_no_part_of_the_name(page, truth):
    first = _word(page, "Blue", INSURED_BLOCK)
    stray = dataclasses.replace(first, text="Mue", y0=first.y0 - 9, y1=first.y1 - 9, confidence=0.4)
    cert = extract_certificate([_with(page, stray)])
    assert cert["insured"]["name"] == truth["insured"]["name"]


def test_given_a_doubtful_zip_then_it_stays_in_the_address(page, truth):
    """A fragment with a digit is a value's, however doubtful: only letters are stray."""
    zip_code = _word(page, "37064", INSURED_BLOCK)
    cert = extract_certificate([_with(page, dataclasses.replace(zip_code, confidence=0.3),
                                      replacing=(zip_code,))])
    assert cert["insured"]["address"] == truth["insured"]["address"]


def test_given_a_sure_word_one_letter_off_a_label_at_its_place_then_it_is_a_value(page):
    """A word tesseract reads at 0.95 or more is what it reads: never a misread of the label printed there."""
    label = _word(page, "PRODUCER", 100.0)
    for confidence, print_ in ((0.97, False), (0.6, True)):
        misread = dataclasses.replace(label, text="PRODUCES", confidence=confidence)
        disturbed = _with(page, misread, replacing=(label,))
        found = registered(disturbed)
        index = disturbed.words.index(misread)
        assert (index in found.printed_words) is print_, confidence


def test_given_a_sure_word_lying_on_a_label_print_then_it_is_a_value(page):
    label = _word(page, "PRODUCER", 100.0)
    for confidence, print_ in ((0.97, False), (0.6, True)):
        over = dataclasses.replace(label, text="Harbor", confidence=confidence)
        disturbed = _with(page, over, replacing=(label,))
        index = disturbed.words.index(over)
        assert (index in registered(disturbed).printed_words) is print_, confidence


def test_given_a_sure_word_spelt_like_other_print_lying_on_a_label_then_it_is_a_value(page):
    """'OR' of an address is printed elsewhere on the form; lying on 'PRODUCER' it is no misreading of it."""
    label = _word(page, "PRODUCER", 100.0)
    over = dataclasses.replace(label, text="OR", confidence=0.97)
    disturbed = _with(page, over, replacing=(label,))
    assert disturbed.words.index(over) not in registered(disturbed).printed_words


def test_given_a_sure_piece_of_a_label_lying_on_it_then_it_is_print(page):
    """OCR splits a label's word ("A" "NY" of "ANY"): a piece read surely is still the label's print."""
    label = _word(page, "PRODUCER", 100.0)
    piece = dataclasses.replace(label, text="DUCER", x0=label.x0 + 0.4 * label.width, confidence=0.97)
    disturbed = _with(page, piece, replacing=(label,))
    assert disturbed.words.index(piece) in registered(disturbed).printed_words


def test_given_a_party_blocks_last_line_just_below_its_box_then_it_is_still_the_blocks(page, truth):
    """A photo's fit may end a block's box a little short: the line right under its last line runs on."""
    holder = FieldWords(page, registered(page))
    field = next(f for f in holder.fields if f.key == "certificate_holder")
    *_, street, city = holder.lines(field)
    bottom = holder.boxes[field].y1
    street_down = bottom - 1 - street[0].y1  # the street line's bottom just inside the box ...
    city_down = bottom + 1 - city[0].y0  # ... and the city line just under it, its middle outside
    moved = [dataclasses.replace(w, y0=w.y0 + street_down, y1=w.y1 + street_down) for w in street] + \
        [dataclasses.replace(w, y0=w.y0 + city_down, y1=w.y1 + city_down) for w in city]
    cert = extract_certificate([_with(page, *moved, replacing=tuple(street + city))])
    assert cert["certificate_holder"]["address"] == truth["certificate_holder"]["address"]
