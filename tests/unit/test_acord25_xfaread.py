"""Values after OCR read by their field's kind and the form's structure (branch xfaread): an address ends at its
city line, a limit's lost first digits are no amount, a thousands comma read as a gap, two dates run across their
cells' rule, a date in a policy number's cell, a signature run past its box, an e-mail address split anywhere."""

from __future__ import annotations

from pipeline.acord25.cells import strict_amount
from pipeline.acord25.fieldkinds import read_amount, read_email, split_party
from pipeline.acord25.template import load
from pipeline.textlayer import Mark, Page, Word
from tests.readings import ocr_line



def test_given_ocr_lines_below_the_city_line_then_the_address_ends_at_the_city_line():
    lines = [ocr_line("Harbor Roofing LLC", 10), ocr_line("3955 Commerce Blvd", 20), ocr_line("Clinton, NJ 08812", 30),
             ocr_line("39", 40), ocr_line("Client. 1640836", 50)]
    got = split_party(lines, None)
    assert got["name"] == "Harbor Roofing LLC"
    assert got["address"] == "3955 Commerce Blvd, Clinton, NJ 08812"
    assert len(got["lines"][1]) == 2


def test_given_a_text_layer_block_then_lines_below_its_city_line_stay():
    lines = [ocr_line("Harbor Roofing LLC", 10, None), ocr_line("3955 Commerce Blvd", 20, None),
             ocr_line("Clinton, NJ 08812", 30, None), ocr_line("Building 39", 40, None)]
    assert split_party(lines, None)["address"].endswith("Building 39")


def test_given_a_limit_read_as_its_zeros_alone_then_it_is_no_amount_and_is_read_again():
    assert read_amount([[Word("000", 10.0, 10.0, 30.0, 18.0, confidence=0.92)]]) is None
    assert strict_amount("000") is None and strict_amount("00000") is None
    assert strict_amount("500,000") == 500_000 and strict_amount("$1,000") == 1_000


def test_given_a_thousands_comma_read_as_a_gap_then_the_words_are_one_amount():
    cell = [[Word("1,000", 10.0, 10.0, 30.0, 18.0, confidence=0.64), Word("000.00", 32.0, 10.0, 58.0, 18.0,
                                                                             confidence=0.64)]]
    assert read_amount(cell)[0] == 1_000_000
    two = [[Word("$500", 10.0, 10.0, 30.0, 18.0, confidence=0.9), Word("Ded", 32.0, 10.0, 48.0, 18.0, confidence=0.9),
            Word("$500,000", 50.0, 10.0, 80.0, 18.0, confidence=0.9)]]
    assert read_amount(two)[0] == 500_000


def test_given_two_dates_run_across_the_cells_rule_then_they_are_two_words():
    from pipeline.acord25.reader import _unglued

    w = Word("07/31/2023-07/31/2024", 334.0, 410.0, 424.0, 418.0, confidence=0.89)
    first, second = _unglued(w)
    assert (first.text, second.text) == ("07/31/2023", "07/31/2024")
    assert first.x1 <= 379.0 <= second.x0 + 1.0
    a, b = _unglued(Word("/21/2023|09/21/2024.", 343.0, 493.0, 420.0, 510.0, confidence=0.32))
    assert (a.text, b.text) == ("/21/2023", "09/21/2024")
    assert len(_unglued(Word("07/31/2023-07/31/2024", 334.0, 410.0, 424.0, 418.0))) == 1  # a text layer's, as printed


def test_given_a_date_in_a_policy_numbers_cell_then_it_is_not_part_of_the_number():
    from pipeline.acord25.reader import _without_dates

    line = ocr_line("XS 1251886 06/08/24", 10)
    assert [w.text for ln in _without_dates([line]) for w in ln] == ["XS", "1251886"]
    assert [w.text for ln in _without_dates([ocr_line("GL-2024-0101", 10)]) for w in ln] == ["GL-2024-0101"]


def _signed(mark: Mark) -> bool:
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    words = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=words, marks=[mark])
    return extract_module.extract_certificate([page], None, "ocr")["signed"]


def test_given_a_signature_run_past_its_boxs_bottom_then_the_certificate_is_signed():
    box = next(f.box for f in load("2016/03").fields if f.kind == "signature")
    x0, y0, _, y1 = box
    top = y0 + 0.4 * (y1 - y0)  # drawn from the box's upper half past its bottom, joined to the print below
    assert _signed(Mark("drawing", x0 + 10.0, top, x0 + 90.0, y1 + 20.0, confidence=0.9))


def test_given_a_drawing_that_starts_at_the_signature_boxs_bottom_then_it_does_not_sign():
    box = next(f.box for f in load("2016/03").fields if f.kind == "signature")
    x0, _, _, y1 = box
    assert not _signed(Mark("drawing", x0 + 10.0, y1 - 0.5, x0 + 90.0, y1 + 12.0, confidence=0.9))


def test_given_an_email_address_ocr_split_inside_a_word_then_its_pieces_are_joined():
    line = [Word("certs", 348.0, 139.0, 368.0, 157.0, confidence=0.93), Word("@", 372.0, 139.0, 376.0, 157.0,
                                                                              confidence=0.89),
            Word("granite-agenc", 378.0, 143.0, 430.0, 155.0, confidence=0.81),
            Word("y.com", 431.0, 139.0, 463.0, 157.0, confidence=0.81)]
    assert read_email([line]) == ("certs@granite-agency.com", "rejoined")
    assert read_email([ocr_line("Certificate Desk", 10)]) is None


def test_given_a_yn_cell_read_twice_then_the_word_that_reads_as_an_answer_gives_it():
    from pipeline.acord25.fieldkinds import read_yn

    cell = [[Word("N", 178.0, 338.0, 182.0, 347.0, confidence=0.93), Word("Nosy", 178.5, 338.0, 199.0, 345.0,
                                                                          confidence=0.44)]]
    assert read_yn(cell) == (False, "first_of_stack")
    both = [[Word("N", 178.0, 338.0, 182.0, 347.0, confidence=0.93), Word("Y", 185.0, 338.0, 190.0, 347.0,
                                                                       confidence=0.7)]]
    assert read_yn(both) is None  # two answers that disagree: none


def test_given_a_coverage_date_misread_to_no_date_then_its_rows_other_date_mends_it():
    from pipeline.acord25.fieldkinds import mended_date

    assert mended_date("0327/24", "2023-03-27", later=True) == "2024-03-27"  # a slash lost
    assert mended_date("42/08/2022", "2023-12-08", later=False) == "2022-12-08"  # a 1 read as 4
    assert mended_date("0327/23", "2025-03-27", later=False) == "2023-03-27"  # a two-year term: the closest
    assert mended_date("4321/22", "2023-11-21", later=False) is None  # two digits off: not known again
    assert mended_date("salsa", "2023-02-02", later=True) is None


def test_given_a_row_with_one_date_misread_then_the_policy_has_it_mended():
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    eff = next(f.box for f in template.fields if f.key == "general_liability/effective")
    exp = next(f.box for f in template.fields if f.key == "general_liability/expiration")
    num = next(f.box for f in template.fields if f.key == "general_liability/policy_number")
    y = eff[1] + 40.0
    words = [Word("GL-12345678", num[0] + 2, y, num[0] + 50, y + 8, confidence=0.95),
             Word("03/27/23", eff[0] + 3, y, eff[0] + 30, y + 8, confidence=0.9),
             Word("0327/24", exp[0] + 3, y, exp[0] + 28, y + 8, confidence=0.85)]
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *words], marks=[])
    cert = extract_module.extract_certificate([page], None, "ocr")
    policy = next(p for p in cert["policies"] if p["line"] == "general_liability")
    assert (policy["effective"], policy["expiration"]) == ("2023-03-27", "2024-03-27")
