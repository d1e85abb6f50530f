"""How the template reader treats doubtful OCR words in value boxes (pure: the 2016/03 template, no shared corpus).

Each test puts a few OCR words in registered field boxes of the blank's own print, as tesseract gives
them on a scan, and reads the page with the template reader."""

from pipeline.acord25.reader import _speck
from pipeline.textlayer import Word
from tests.readings import field_box as _box, in_box as _word, read_over_print as _read


def _policy(cert, line):
    return next(p for p in cert["policies"] if p["line"] == line)


def test_given_a_party_names_first_word_read_very_doubtfully_inside_its_box_then_it_stays_in_the_name():
    cert = _read(_word("Harbor", "insured", dx=40, confidence=0.07, line=1),
                 _word("Heating", "insured", dx=72, line=1), _word("LLC", "insured", dx=109, line=1),
                 _word("12", "insured", dx=40, line=2), _word("Main", "insured", dx=55, line=2),
                 _word("St", "insured", dx=80, line=2))
    assert cert["insured"]["name"] == "Harbor Heating LLC"
    assert cert["evidence"]["/insured/name"]["confidence"] < 0.9  # its doubt still counts


def test_given_a_date_broken_in_pieces_in_each_date_column_then_each_column_reads_its_own_date():
    """'12/1.' '1/2023' in the effective column run on to '12/1' '1/2024' in the expiration column: the
    expiration's first piece is no date alone, yet it begins the next column's value."""
    eff, exp = _box("general_liability/effective"), _box("general_liability/expiration")
    y = eff[1] + 2.0
    pieces = [("12/1.", eff[0] + 4, 16), ("1/2023", eff[0] + 21, 25), ("12/1", exp[0] + 2, 14), ("1/2024", exp[0] + 19, 25)]
    words = [Word(t, x, y, x + w, y + 8.0, confidence=0.9) for t, x, w in pieces]
    number = _word("CGL1234567", "general_liability/policy_number", dx=4)
    policy = _policy(_read(number, *words), "general_liability")
    assert (policy["effective"], policy["expiration"]) == ("2023-12-11", "2024-12-11")


def test_given_a_filler_in_a_yn_cell_just_before_the_policy_number_then_the_number_is_read_without_it():
    sub, number = _box("general_liability/subrogation_waived"), _box("general_liability/policy_number")
    y = number[1] + 2.0
    filler = Word("N/A", sub[0] + 4, y, sub[0] + 19, y + 8.0, confidence=0.94)
    value = Word("BOP25575209", filler.x1 + 3, y, filler.x1 + 60, y + 8.0, confidence=0.92)
    assert _policy(_read(filler, value), "general_liability")["policy_number"] == "BOP25575209"


def test_given_a_flat_doubted_ocr_word_then_it_is_a_speck_and_a_sure_one_is_not():
    assert _speck(Word("rea", 288.0, 365.6, 302.0, 368.8, confidence=0.3))
    assert not _speck(Word("rea", 288.0, 365.6, 302.0, 368.8, confidence=0.9))


def test_given_lines_of_stray_fragments_around_a_policy_number_then_the_number_alone_is_read():
    cert = _read(_word("tee", "automobile_liability/policy_number", confidence=0.34),
                 _word("BA20314287", "automobile_liability/policy_number", confidence=0.91, line=1),
                 _word("ete", "automobile_liability/policy_number", dx=40, confidence=0.33, line=2))
    assert _policy(cert, "automobile_liability")["policy_number"] == "BA20314287"


def test_given_one_letter_read_very_doubtfully_in_a_one_letter_cell_then_it_is_that_cells_value():
    cert = _read(_word("WC20147545", "workers_compensation/policy_number", confidence=0.9),
                 _word("B", "workers_compensation/insurer_letter", dx=8, width=6, confidence=0.0),
                 _word("X", "workers_compensation/check:statutory", dx=4, width=6, confidence=0.2))
    policy = _policy(cert, "workers_compensation")
    assert policy["insurer_letter"] == "B"
    assert policy["statutory"] is True


def test_given_a_policy_number_read_with_no_confidence_then_its_run_of_digits_is_still_read():
    cert = _read(_word("WCV44301771", "workers_compensation/policy_number", dx=4, confidence=0.0))
    policy = _policy(cert, "workers_compensation")
    assert policy["policy_number"] == "WCV44301771"
    assert cert["evidence"]["/policies/0/policy_number"]["confidence"] < 0.9


def test_given_doubted_letters_alone_in_a_coverage_cell_then_they_are_speckle():
    cert = _read(_word("ae", "workers_compensation/policy_number", dx=4, confidence=0.2),
                 _word("oe", "workers_compensation/policy_number", dx=17, confidence=0.1))
    assert not any(p["line"] == "workers_compensation" for p in cert["policies"])


def test_given_an_email_ocr_split_after_a_hyphen_and_around_the_at_then_it_is_read_whole():
    from pipeline.acord25.fieldkinds import read_email

    line = [Word(t, 10.0 * i, 0, 10.0 * i + 8, 8, confidence=0.9)
            for i, t in enumerate(("service", "@", "pinecrest-", "agency.", "com"))]
    assert read_email([line]) == ("service@pinecrest-agency.com", "in_box")


def test_given_letters_ocr_split_off_the_front_of_a_policy_number_then_they_stay_with_it():
    prefix = _word("WC", "workers_compensation/policy_number", dx=4, width=9, confidence=0.2)
    digits = _word("20147545", "workers_compensation/policy_number", dx=15, width=32, confidence=0.9)
    apart = _word("WC", "workers_compensation/policy_number", dx=4, width=9, confidence=0.2)
    far = _word("20147545", "workers_compensation/policy_number", dx=17, width=32, confidence=0.9)
    assert _policy(_read(prefix, digits), "workers_compensation")["policy_number"] == "WC 20147545"
    assert _policy(_read(apart, far), "workers_compensation")["policy_number"] == "20147545"  # one phrase, but a gap: a speck before it
