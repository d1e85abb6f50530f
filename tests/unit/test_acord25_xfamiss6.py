"""2016-xfa scans after OCR (xfamiss6): an e-mail address's last dot read as a mark; a date's lost slash."""

from __future__ import annotations

from pipeline.acord25.fieldkinds import read_email
from pipeline.textlayer import Word


def _line(*texts: str) -> list[Word]:
    words, x = [], 348.0
    for t in texts:
        words.append(Word(t, x, 146.0, x + 5 * len(t), 154.0, confidence=0.6))
        x += 5 * len(t) + 2
    return words


def test_given_an_address_whose_last_dot_ocr_read_as_a_dash_or_comma_then_the_dot_is_put_back_below_trust():
    assert read_email([_line("certs@pinecrest-agency", "-com")]) == ("certs@pinecrest-agency.com", "rejoined")
    assert read_email([_line("coi@harbor-agency,net")]) == ("coi@harbor-agency.net", "rejoined")


def test_given_an_address_with_a_dot_or_no_top_level_domain_then_no_mark_is_taken_for_a_dot():
    assert read_email([_line("certs@pinecrest-agency.com")]) == ("certs@pinecrest-agency.com", "in_box")
    assert read_email([_line("certs@pinecrest-agency")]) is None
    assert read_email([_line("certs@smith-company")]) is None  # a word ending in a domain's letters is no domain


def test_given_a_date_ocr_read_with_one_slash_lost_then_the_slash_is_put_back_below_trust():
    from pipeline.acord25.fieldkinds import read_date

    assert read_date([_line("0526/24")]) == ("2024-05-26", "rejoined")
    assert read_date([_line("05/262024.")]) == ("2024-05-26", "rejoined")


def test_given_digits_that_are_no_date_with_a_slash_put_back_then_no_date_is_read():
    from pipeline.acord25.fieldkinds import read_date

    assert read_date([_line("4321/22")]) is None  # month 43
    assert read_date([_line("052624")]) is None  # no slash left to say where the year starts
    assert read_date([_line("10526/24")]) is None  # five digits before the slash: not two and two


def test_given_a_month_and_its_year_then_no_day_is_made_up_from_the_year():
    from pipeline.acord25.fieldkinds import read_date

    assert read_date([_line("11/2025")]) is None  # November 2025, not 20 November 2025
    assert read_date([_line("06/2030")]) is None
    assert read_date([_line("05/1925")]) == ("2025-05-19", "rejoined")  # the 19th, its second slash lost
    assert read_date([_line("05/202024")]) == ("2024-05-20", "rejoined")  # six digits after the slash: a day, a year


def test_given_a_hyphenated_domain_ending_in_a_word_that_is_also_a_top_level_domain_then_it_is_left_a_name():
    assert read_email([_line("certs@acme-info")]) is None  # acme-info.com cut, not acme.info
    assert read_email([_line("ops@hub-us")]) is None
