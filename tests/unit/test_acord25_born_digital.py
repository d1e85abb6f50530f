"""Born-digital field reading, each mechanism for every field of its kind: the LIMITS area's amount, the
other row's limit box, fillers in form fields, the form's footer on a continuation page, a licence line
split by kerning, and a NAIC code spread by a comb field (pure, but for the real samples' checks)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pipeline.acord25.certificate import empty_certificate
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.fieldkinds import read_amount, read_naic, split_party
from pipeline.acord25.fields import apply_form_fields
from pipeline.acord25.remarks import remarks_of
from pipeline.acord25.template import editions, load
from pipeline.textlayer import Page, Word

SIZE = 8.0  # points: the words' height


def _line(*texts: str, x: float = 430.0, y: float = 530.0, gap: float = 4.0) -> list[Word]:
    """Words on one line, left to right from ``x``, 5 pt a character."""
    words = []
    for text in texts:
        words.append(Word(text, x, y, x + 5.0 * len(text), y + SIZE))
        x += 5.0 * len(text) + gap
    return words


def test_given_a_limit_qualified_before_its_amount_then_the_amount_printed_last_is_the_limit():
    """A LIMITS area prints what qualifies a limit at its left and the amount at its right."""
    assert read_amount([_line("Occur/$3M", "Agg", "$1,000,000", gap=40.0)])[0] == 1_000_000
    assert read_amount([_line("$500", "Ded", "$500,000/accident", gap=40.0)])[0] == 500_000


def test_given_two_amounts_in_one_word_then_the_first_is_the_limit():
    assert read_amount([_line("$2M/$10M")])[0] == 2_000_000


def test_given_a_stray_digit_after_an_amount_then_the_amount_is_the_limit():
    assert read_amount([_line("$1,000,000", "5")])[0] == 1_000_000


@pytest.mark.parametrize("edition", editions())
def test_given_each_editions_template_then_the_other_rows_limit_box_is_its_limits_area(edition):
    """The other row's limit is read in its LIMITS area (from where its dates end), not across the whole row,
    where a policy number or a description's figures would be read as the limit."""
    fields = {f.key: f for f in load(edition).fields}
    limit, expiration, policy = fields["other/limits/limit"], fields["other/expiration"], fields["other/policy_number"]
    assert limit.box[0] >= expiration.box[2] - 2.0 > policy.box[2]
    assert limit.box[1] <= expiration.box[1] and limit.box[3] >= expiration.box[3]  # the row's whole band


def test_given_the_pdffiller_sample_then_each_stacked_other_limit_is_its_amount_not_its_deductible(real_corpus):
    from pipeline.stages import extract, read_text

    name = "filled_acord25-2016_borndigital_pdffiller-flattened_sensible-config-lib_history_acord25_2016_03_sample_v2023.pdf"
    got = extract(read_text((real_corpus / name).read_bytes(), max_pages=1))
    assert [p["limits"]["limit"] for p in got["policies"] if p["line"] == "other"] == [500_000, 500_000]


def test_given_limits_written_in_the_limits_description_column_then_they_are_read(real_corpus):
    """Lockton writes the other rows' limits where the form describes them ("$50M per occ./agg.")."""
    from pipeline.stages import extract, read_text

    [path] = real_corpus.glob("real_acord25-2016-03_borndigital_lockton-abcpdf_3p_open-insurance_Grov*.pdf")
    truth = json.loads((real_corpus / "truth" / (path.stem + ".json")).read_text())
    got = extract(read_text(path.read_bytes(), max_pages=5))

    def limits(cert):
        return [p["limits"]["limit"] for p in cert["policies"] if p["line"] == "other"]

    assert limits(truth)[:2] == [50_000_000, 2_000_000]
    assert limits(got) == limits(truth)


def test_given_a_filler_in_a_form_field_then_it_gives_no_value():
    cert = empty_certificate()
    apply_form_fields(cert, {"Producer_FaxNumber_A": "N/A", "Producer_ContactPerson_PhoneNumber_A": "555-123-4567"},
                      Evidence(1))
    assert cert["producer"]["fax"] is None
    assert cert["producer"]["phone"] == "555-123-4567"


def test_given_a_continuation_page_then_the_forms_footer_line_and_what_follows_it_are_not_remarks():
    words = [*_line("CONTINUATION", "DESCRIPTION", "OF", "OPERATIONS", x=10.0, y=20.0),
             *_line("Named", "Insured", "includes:", "Harbor", "Holdings,", "LLC.", x=25.0, y=40.0),
             *_line("ACORD", "25", "(2016/03),", "Certificate", "Holder", "ID:", "21227071", x=10.0, y=750.0)]
    text, _, _ = remarks_of(Page(2, 612.0, 792.0, tuple(words)))
    assert text == "Named Insured includes: Harbor Holdings, LLC."


def test_given_a_licence_line_split_by_kerning_then_it_is_not_the_address():
    lines = [_line("Pinecrest", "Agency", x=60.0, y=120.0), _line("8890", "Oak", "Ave", x=60.0, y=130.0),
             _line("Springfield,", "IL", "62793", x=60.0, y=140.0), _line("NP", "N:", "1751435", x=60.0, y=150.0)]
    got = split_party(lines, None)
    assert got["address"] == "8890 Oak Ave, Springfield, IL 62793"


def test_given_a_naic_code_spread_a_digit_a_word_then_it_is_read_whole():
    assert read_naic([_line("1", "1", "1", "1", x=559.0, y=171.0, gap=-0.5)]) == ("1111", "in_box")


def test_given_a_four_digit_naic_code_then_it_is_read():
    assert read_naic([_line("4472", x=559.0, y=171.0)]) == ("4472", "in_box")


@pytest.fixture(scope="module")
def drawn() -> tuple[Page, dict]:
    """The demo certificate drawn as a born-digital page, and the places of its auto row's cells on it."""
    from pipeline.acord25.identify import registered
    from pipeline.acord25.reader import prepared
    from pipeline.stages import read_text
    from samples.certificates import demo_certificate, draw_certificate

    page = read_text(draw_certificate(demo_certificate())).pages[0]
    registration = registered(prepared(page))
    places: dict = {}
    for f in registration.template.fields:
        if f.key in ("automobile_liability/description", "automobile_liability/additional_insured"):
            places.setdefault(f.key, []).append(registration.place(f))
    return page, places


def _auto(page: Page, *words: Word) -> dict:
    from pipeline.acord25 import extract_certificate

    cert = extract_certificate([dataclasses.replace(page, words=page.words + words)])
    return next(p for p in cert["policies"] if p["line"] == "automobile_liability")


def test_given_a_text_value_run_past_its_box_into_no_box_then_its_end_is_read_with_it(drawn):
    page, places = drawn
    _, _, x1, y1 = places["automobile_liability/description"][0]  # the first blank line, then the gap after it
    words = _line("Hired", x=x1 - 26.0, y=y1 - SIZE - 1.5) + _line("Own", x=x1 + 5.0, y=y1 - SIZE - 1.5)
    assert _auto(page, *words)["description"] == "Hired Own"


def test_given_a_text_value_run_over_a_one_letter_cell_then_its_end_is_read_with_it_not_as_the_cell(drawn):
    page, places = drawn
    _, _, x1, y1 = places["automobile_liability/description"][1]  # the second blank line, ending at ADDL INSD
    cell = places["automobile_liability/additional_insured"][0]
    words = _line("Ded", x=x1 - 18.0, y=y1 - SIZE - 1.5) + _line("$1,000", x=cell[0] + 1.5, y=y1 - SIZE - 1.5)
    auto = _auto(page, *words)
    assert auto["description"] == "Ded $1,000"
    assert auto["additional_insured"] is True  # the demo's own "Y", on the row's first line


def test_given_values_on_two_blank_lines_side_by_side_then_they_are_joined_left_to_right(drawn):
    page, places = drawn
    (a0, _, _, a1), (b0, _, _, b1) = places["automobile_liability/description"]
    words = _line("Hired", x=a0 + 1, y=a1 - SIZE - 1.0) + _line("Symbol", "1", x=b0 + 1, y=b1 - SIZE - 2.5)
    assert _auto(page, *words)["description"] == "Hired Symbol 1"  # the right one set 1.5 pt higher


def test_given_a_client_line_whose_first_letter_kerning_set_apart_then_it_is_not_the_address():
    lines = [_line("Harbor", "Plumbing", "LLC", x=60.0, y=180.0), _line("4213", "River", "Rd", x=60.0, y=190.0),
             _line("Franklin,", "TN", "37025", x=60.0, y=200.0), _line("C", "lient:", "2777106", x=60.0, y=210.0)]
    assert split_party(lines, None)["address"] == "4213 River Rd, Franklin, TN 37025"


def test_given_a_care_of_line_under_the_name_then_it_heads_the_address():
    """A c/o line is the address's first line, as the form's own fields have it (MailingAddress_LineOne)."""
    lines = [_line("Harbor", "Holdings,", "LLC", x=60.0, y=120.0), _line("c/o", "Harbor", "Management", "Group",
                                                                          x=60.0, y=130.0),
             _line("4213", "River", "Rd", x=60.0, y=140.0), _line("Franklin,", "TN", "37025", x=60.0, y=150.0)]
    got = split_party(lines, None)
    assert (got["name"], got["address"]) == ("Harbor Holdings, LLC",
                                              "c/o Harbor Management Group, 4213 River Rd, Franklin, TN 37025")
    assert got["how"] == "care_of"
    in_fields = split_party(lines, 1)  # field by field: the c/o line is in the first address field already
    assert in_fields["address"].startswith("c/o") and in_fields["how"] == "in_box"

