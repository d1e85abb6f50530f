"""Party blocks' address lines as OCR garbles them (pure: no tesseract): a state lost (known again from the ZIP code), a stray speck line, and a name line lost."""

from __future__ import annotations

import pytest

from pipeline.acord25 import postal
from pipeline.acord25.fieldkinds import split_party
from pipeline.textlayer import Word


def _block(*lines: str, confidence: float | None = 0.9) -> list[list[Word]]:
    """Lines of words, 12 pt apart, each word 6 pt a character and 3 pt apart."""
    out = []
    for i, text in enumerate(lines):
        x, line = 24.0, []
        for t in text.split():
            line.append(Word(t, x, 130 + 12 * i, x + 6 * len(t), 138 + 12 * i, confidence=confidence))
            x += 6 * len(t) + 3
        out.append(line)
    return out


@pytest.mark.parametrize("city, fixed", [("Madison, 53703", "Madison, WI 53703"),
                                         ("Springfield 62712", "Springfield, IL 62712"),
                                         ("Salem, 0R 97301", "Salem, OR 97301")])
def test_given_a_city_line_whose_state_ocr_lost_then_the_zip_codes_state_fills_it(city, fixed):
    got = split_party(_block("Harbor Authority", "12 Dock St", city), None)
    assert got["address"] == f"12 Dock St, {fixed}"


def test_given_a_zip_code_that_is_not_real_then_its_sectional_centres_state_is_taken():
    import zipcodes

    unreal = next(code for code in (f"537{n:02d}" for n in range(100)) if not zipcodes.is_real(code))
    assert postal.state_of_zip(unreal) == "WI"
    assert postal.state_of_zip("53703") == "WI"  # a real one: its own


def test_given_a_zip_code_of_a_centre_that_spans_states_then_no_state_is_guessed():
    import zipcodes

    unreal = next(code for code in (f"205{n:02d}" for n in range(100)) if not zipcodes.is_real(code))
    assert postal.state_of_zip(unreal) is None
    assert postal.with_state(f"Somewhere, {unreal}") == f"Somewhere, {unreal}"


def test_given_a_lost_state_then_the_zipcodes_library_is_not_loaded():
    """The library, asked anything, keeps its whole data set for the life of the process (~37 MB): a worker's
    lookups read the table written from it (``zip_states.json``) and never import it."""
    import subprocess
    import sys

    script = ("import sys; from pipeline.acord25 import postal; from pipeline.ocr import partylines; "
              "assert postal.with_state('Madison, 53798') == 'Madison, WI 53798'; "
              "assert partylines.line_score([]) == 0; assert postal.state_of_zip('97301') == 'OR'; "
              "assert postal.with_state('Salem, OR 97301') == 'Salem, OR 97301'; "
              "print('zipcodes' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_stored_zip_states_are_the_librarys():
    """``zip_states.json`` is the installed ``zipcodes``'s answer (written by ``python -m pipeline.acord25.postal``)."""
    import json
    from importlib import resources

    stored = json.loads(resources.files("pipeline.acord25").joinpath(postal.ZIP_STATES).read_text())
    assert stored == postal.library_table()


def test_given_a_city_line_with_its_state_then_it_is_left_as_read():
    assert postal.with_state("Madison, WI 53703") == "Madison, WI 53703"
    assert postal.with_state("Springfield, IL. 62776") == "Springfield, IL. 62776"
    assert postal.with_state("TN 37083") == "TN 37083"  # the city lost, not the state
    assert postal.with_state("Salem,OR 97301") == "Salem,OR 97301"  # no space after the comma
    assert postal.with_state("Springfield;-IL 62717") == "Springfield;-IL 62717"  # glued by OCR's punctuation


def test_given_a_text_layer_city_line_without_a_state_then_it_is_left_as_printed():
    """A text layer holds what was typed: only OCR's losses are repaired."""
    got = split_party(_block("Harbor Authority", "12 Dock St", "Madison, 53703", confidence=None), None)
    assert got["address"] == "12 Dock St, Madison, 53703"


def test_given_a_stray_one_or_two_letter_line_in_a_block_then_it_is_dropped():
    got = split_party(_block("Harbor Authority", "12 Dock St", "Mobile, AL 36602", "ie"), None)
    assert got["address"] == "12 Dock St, Mobile, AL 36602"
    got = split_party(_block("I", "Harbor Authority", "12 Dock St", "Mobile, AL 36602"), None)
    assert got["name"] == "Harbor Authority"


@pytest.mark.parametrize("lines", [("1931 Commerce Blvd", "Suite 921", "Madison, WI 53703"),
                                   ("Springfield, IL 62770",)])
def test_given_ocr_lost_the_name_line_then_the_block_gives_no_name(lines):
    got = split_party(_block(*lines), None)
    assert got["name"] is None
    assert got["address"] == ", ".join(lines)


def test_given_a_name_starting_with_a_number_above_a_street_then_it_stays_the_name():
    got = split_party(_block("84 Lumber Company", "123 Main St", "Eighty Four, PA 15330"), None)
    assert got["name"] == "84 Lumber Company"
    assert got["address"] == "123 Main St, Eighty Four, PA 15330"


def test_given_a_name_of_a_number_and_a_street_word_not_ending_it_then_it_stays_the_name():
    """'5000 Commerce Park Owner LLC' holds a street word, but does not end with it: a name, not a street."""
    got = split_party(_block("5000 Commerce Park Owner LLC", "5000 Commerce Park Dr", "Dallas, TX 75201"), None)
    assert got["name"] == "5000 Commerce Park Owner LLC"
    assert got["address"] == "5000 Commerce Park Dr, Dallas, TX 75201"
