"""Values after OCR repaired by field kind (branch ocrmiss4): a coverage row's two dates known again from the print
read across both its date cells (a date printed larger than its cell overrunning the rule, a year misread, a digit
too many, a speck read as a digit)."""

from __future__ import annotations

from pipeline.acord25.fieldkinds import row_dates
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word
from tests.readings import ocr_line


def _box(template, key: str) -> tuple[float, float, float, float]:
    return next(f.box for f in template.fields if f.key == key)


def _read(words: list[Word]) -> dict:
    """The certificate read from a 2016/03 page (OCR words) holding the form's print and ``words``."""
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *words], marks=[])
    return extract_module.extract_certificate([page], None, "ocr")


def _row_words(row: str, dates: list[tuple[str, str, float]], issued: str) -> list[Word]:
    """A coverage row's policy number, ``dates`` (text, the cell its print starts in, how far past that cell's left
    edge it ends in the cell's widths) and the certificate's date in its box."""
    template = load("2016/03")
    num = _box(template, f"{row}/policy_number")
    top = _box(template, "date")
    y = num[1] + 20.0
    words = [Word("GL-12345678", num[0] + 2, y, num[0] + 50, y + 8, confidence=0.95),
             Word(issued, top[0] + 4, top[1] + 3, top[0] + 40, top[1] + 11, confidence=0.95)]
    for text, key, widths in dates:
        box = _box(template, f"{row}/{key}")
        words.append(Word(text, box[0] + 3, y - 4, box[0] + widths * (box[2] - box[0]), y + 12, confidence=0.4))
    return words


def test_given_two_overlapping_dates_read_as_one_word_then_the_term_holding_the_certificates_date_is_read():
    # the effective date printed larger than its cell: its year and the expiration's month overprint each other
    assert row_dates("12/11/202@/11/20", "2025-02-01") == ("2024-12-11", "2025-12-11")
    assert row_dates("10/28/2024/28/20:", "2025-02-01") == ("2024-10-28", "2025-10-28")
    # every year explains that print alike: without the certificate's date, none is taken
    assert row_dates("12/11/202@/11/20", None) is None


def test_given_a_year_run_into_the_next_cell_then_both_dates_are_read_and_the_annual_term_preferred():
    # '12/20/20' (the year cut at the rule) and '22/20/2023' (its last digits over the expiration's month)
    assert row_dates("12/20/20 22/20/2023", "2023-05-01", ("2020-12-20", None)) == ("2022-12-20", "2023-12-20")


def test_given_a_year_misread_or_a_digit_too_many_then_the_rows_other_date_gives_it():
    assert row_dates("12/23/2624 12/23/2025", None, (None, "2025-12-23")) == ("2024-12-23", "2025-12-23")
    assert row_dates("08/17/2025 08/17/72026_~", "2025-10-10", ("2025-08-17", None)) == ("2025-08-17", "2026-08-17")
    assert row_dates("1 2/ 1 3/23 1 2/13/24", "2024-03-01", ("2023-12-13", "2024-02-13")) == \
        ("2023-12-13", "2024-12-13")  # a speck before the expiration read as its month's first digit


def test_given_a_term_read_right_or_too_little_read_then_no_pair_is_made_up():
    # a six-month policy read right stays as read (its own print is closest)
    assert row_dates("01/01/24 07/01/24", None, ("2024-01-01", "2024-07-01")) == ("2024-01-01", "2024-07-01")
    assert row_dates("05/01/2023", "2023-07-01", ("2023-05-01", None)) is None  # one date alone: its term unknown
    assert row_dates("4321/22 11/21/23", "2023-03-01", (None, "2023-11-21")) is None  # two digits off: guessing


def test_given_a_date_read_whole_then_it_is_kept_though_the_term_misses_the_certificates_date():
    # a renewal not yet in force on the certificate's date, and a policy that has ended: the dates read whole stay
    assert row_dates("01/01/2025 01/01/2O26", "2024-12-20", ("2025-01-01", None)) == ("2025-01-01", "2026-01-01")
    assert row_dates("03/15/2024 03/15/2O25", "2025-04-01", ("2024-03-15", None)) == ("2024-03-15", "2025-03-15")
    # a six-month term with a misread year: no whole-year pair holds the date read whole, so none is made up
    assert row_dates("01/01/2025 07/01/2O25", "2024-12-20", ("2025-01-01", None)) is None


def test_given_an_overrun_row_on_a_page_then_its_dates_are_rejoined_below_trust():
    words = _row_words("general_liability", [("12/11/202@/11/20", "effective", 1.9)], "02/01/2025")
    cert = _read(words)
    policy = next(p for p in cert["policies"] if p["line"] == "general_liability")
    assert (policy["effective"], policy["expiration"]) == ("2024-12-11", "2025-12-11")
    i = cert["policies"].index(policy)
    for key in ("effective", "expiration"):
        item = cert["evidence"][f"/policies/{i}/{key}"]
        assert item["how"] == "rejoined" and item["confidence"] < 0.9


def test_given_a_row_read_as_a_whole_year_term_then_it_is_left_as_read():
    words = _row_words("general_liability", [("03/27/23", "effective", 0.8), ("03/27/24", "expiration", 0.8)],
                       "02/01/2025")
    cert = _read(words)
    policy = next(p for p in cert["policies"] if p["line"] == "general_liability")
    i = cert["policies"].index(policy)
    assert (policy["effective"], policy["expiration"]) == ("2023-03-27", "2024-03-27")
    assert cert["evidence"][f"/policies/{i}/effective"]["how"] == "in_box"



def test_given_a_names_capital_i_read_as_a_lookalike_then_it_is_put_back():
    from pipeline.acord25.fieldkinds import split_party, with_capital_i

    got = split_party([ocr_line("lronwood Roofing LLC", 10), ocr_line("12 Main St", 20),
                       ocr_line("Clinton, NJ 08812", 30)], None)
    assert got["name"] == "Ironwood Roofing LLC"
    assert with_capital_i("Jronwood Services |sland 1ndemnity") == "Ironwood Services Island Indemnity"
    # a word that may start so ('Lloyd', 'Lyle', 'Jr.'), a house number or street ordinal, a capital I already
    assert with_capital_i("Lloyd Lyle Jr. 1st Ave Ivy") == "Lloyd Lyle Jr. 1st Ave Ivy"


def test_given_a_text_layer_name_then_it_is_kept_as_printed():
    from pipeline.acord25.fieldkinds import split_party

    lines = [[Word("lronwood", 20.0, 10.0, 60.0, 18.0), Word("LLC", 64.0, 10.0, 80.0, 18.0)],
             [Word("12", 20.0, 20.0, 30.0, 28.0), Word("Main", 34.0, 20.0, 50.0, 28.0), Word("St", 54.0, 20.0, 62.0, 28.0)]]
    assert split_party(lines, None)["name"] == "lronwood LLC"


def test_given_an_insurers_name_read_by_ocr_with_a_lookalike_capital_i_then_it_is_put_back():
    template = load("2016/03")
    box = _box(template, "insurers/A/name")
    name = [Word(t, box[0] + 2 + 40 * i, box[1] + 2, box[0] + 38 + 40 * i, box[1] + 10, confidence=0.9)
            for i, t in enumerate(("lndemnity", "Mutual", "Co"))]
    cert = _read(name)
    assert cert["insurers"][0]["name"] == "Indemnity Mutual Co"


def _policy_cell(words: list[tuple[str, float, float, float]]) -> dict:
    """The general liability policy read from a 2016/03 page whose policy number cell holds ``words`` (text, left
    edge past the cell's left edge in points, line offset, width in points), and the row's dates."""
    template = load("2016/03")
    num, eff, exp = (_box(template, f"general_liability/{k}") for k in ("policy_number", "effective", "expiration"))
    y = num[1] + 20.0
    page = [Word("03/27/23", eff[0] + 3, y, eff[0] + 30, y + 8, confidence=0.9),
            Word("03/27/24", exp[0] + 3, y, exp[0] + 30, y + 8, confidence=0.9)]
    for text, dx, dy, width in words:
        page.append(Word(text, num[0] + dx, y + dy, num[0] + dx + width, y + dy + 8, confidence=0.7))
    return next(p for p in _read(page)["policies"] if p["line"] == "general_liability")


def test_given_a_code_line_between_specks_then_the_policy_number_is_that_line_alone():
    got = _policy_cell([("de", 60.0, -10.0, 6.0), ("BOP", 2.0, 0.0, 15.0), ("68993864", 19.0, 0.0, 34.0),
                        ("7", 8.0, 12.0, 3.0)])
    assert got["policy_number"] == "BOP 68993864"


def test_given_a_code_glued_across_the_cells_left_rule_then_it_is_cut_at_the_rules_mark():
    # the column before printed 'N/A', read with the rule as '|' and glued to the code (4.9 pt a character)
    assert _policy_cell([("INVA|-CGL68355831", -16.0, 0.0, 84.0)])["policy_number"] == "CGL68355831"
    assert _policy_cell([("N_.BOP72325885", -14.0, 0.0, 69.0)])["policy_number"] == "BOP72325885"


def test_given_a_wrapped_code_then_its_second_line_is_kept_with_it():
    got = _policy_cell([("WC-0123456-", 2.0, 0.0, 50.0), ("REN", 2.0, 9.0, 15.0), ("01", 19.0, 9.0, 9.0)])
    assert got["policy_number"] == "WC-0123456- REN 01"


def test_given_a_codes_own_prefix_left_of_the_rule_then_it_is_not_cut_at_its_separator():
    # the box placed a few points off: the code's own print starts left of the rule, its prefix holds a digit
    assert _policy_cell([("01-CGL-1234567", -16.0, 0.0, 70.0)])["policy_number"] == "01-CGL-1234567"


def test_given_a_code_just_off_its_cells_edge_then_it_is_kept_whole():
    # less than a character left of the rule: its own print ('CA-' is the code's, not the column before)
    assert _policy_cell([("CA-91486766", -1.9, 0.0, 52.0)])["policy_number"] == "CA-91486766"


def test_given_a_phones_digit_read_as_a_lookalike_then_the_phone_is_read():
    from pipeline.acord25.fieldkinds import read_phone_lookalikes

    template = load("2016/03")
    box = _box(template, "producer/phone")
    words = [Word(t, box[0] + 4 + 20 * i, box[1] + 3, box[0] + 20 + 20 * i, box[1] + 11, confidence=c)
             for i, (t, c) in enumerate((("905", 0.95), ("895", 0.9), ("4'27", 0.06)))]
    cert = _read(words)
    assert cert["producer"]["phone"] == "905 895 4127"
    assert cert["evidence"]["/producer/phone"]["confidence"] < 0.9  # its look-alike word was read doubtfully
    assert read_phone_lookalikes([ocr_line("2S6-390-7131", 10)])[0] == "256-390-7131"
    # words that are no phone's groups stay no phone
    assert read_phone_lookalikes([ocr_line("Suite 100 Main", 10)]) is None
    assert read_phone_lookalikes([ocr_line("ZOO BIG BOSS", 10)]) is None  # letters alone: words, not digits
