"""Confidence on scans: values read from the wrong place must fall below review (0.9), or be read right.

Each case comes from a benchmark breach (a value given at >= 0.9 that was wrong): the form's printed
notice read as a producer name, a policy number taken from the next row, a neighbour's check mark, a
speck above the holder's name, a printed label at the end of the description, a misread month.
"""

from __future__ import annotations

import random

import pytest

from pipeline.acord25 import plausible
from pipeline.acord25.coverages import TableReader
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import Frame
from pipeline.acord25.header import _name_and_address, read_description
from pipeline.acord25.layout import Anchor, Box, Sheet
from pipeline.samples import random_certificate
from pipeline.textlayer import Mark, Page, Word
from readings import clean_evidence


@pytest.fixture()
def cert() -> dict:
    return random_certificate(random.Random(11))


# -- names that are the form's own printed prose ----------------------------------------------------

@pytest.mark.parametrize("name", [
    "this certificate does not confer rights to the certificate holder in lieu",  # the IMPORTANT notice
    "policies may require an endorsement. A statement on",
    "not",
    "rights",
    "of the",
])
def test_given_a_scan_whose_name_is_the_forms_printed_prose_then_it_falls_below_review(cert, name):
    cert["producer"]["name"] = name
    cert["producer"]["contact_name"] = name
    evidence = clean_evidence(cert)
    lowered = plausible.review(cert, evidence, ocr=True)
    assert {"/producer/name", "/producer/contact_name"} <= set(lowered)


@pytest.mark.parametrize("name", ["Insurance Office of America", "The Hartford", "AmeriAgency Inc.",
                                  "Certificate Desk", "Marsh & McLennan Agency LLC"])
def test_given_a_genuine_name_with_some_of_the_forms_words_then_it_keeps_its_confidence(cert, name):
    cert["producer"]["name"] = name
    evidence = clean_evidence(cert)
    assert "/producer/name" not in plausible.review(cert, evidence, ocr=True)


# -- policy numbers -----------------------------------------------------------------------------------

def test_given_a_scan_whose_policy_number_is_an_insurers_naic_code_then_it_is_doubted(cert):
    cert["policies"][0]["policy_number"] = cert["insurers"][0]["naic"] = "10403"
    evidence = clean_evidence(cert)
    assert "/policies/0/policy_number" in plausible.review(cert, evidence, ocr=True)


def test_given_a_scan_whose_policy_number_lies_rows_below_its_dates_then_number_and_dates_are_doubted(cert):
    """A band spanning two rows (the next line's label unread): the number came from the next row."""
    evidence = clean_evidence(cert)
    evidence["/policies/0/effective"]["bbox"] = [336.2, 302.5, 370.6, 312.1]
    evidence["/policies/0/expiration"]["bbox"] = [382.8, 302.5, 416.2, 312.1]
    evidence["/policies/0/policy_number"]["bbox"] = [244.8, 388.3, 270.5, 397.8]
    lowered = plausible.review(cert, evidence, ocr=True)
    assert {"/policies/0/policy_number", "/policies/0/effective", "/policies/0/expiration"} <= set(lowered)


def test_given_a_scan_whose_policy_number_and_dates_share_a_line_then_they_keep_their_confidence(cert):
    evidence = clean_evidence(cert)
    evidence["/policies/0/effective"]["bbox"] = [336.2, 302.5, 370.6, 312.1]
    evidence["/policies/0/expiration"]["bbox"] = [382.8, 302.5, 416.2, 312.1]
    evidence["/policies/0/policy_number"]["bbox"] = [220.0, 304.0, 258.0, 313.0]
    assert "/policies/0/policy_number" not in plausible.review(cert, evidence, ocr=True)


# -- policy terms -------------------------------------------------------------------------------------

def test_given_a_scan_whose_term_runs_22_months_then_a_misread_month_is_suspected(cert):
    policy = cert["policies"][0]
    policy["effective"], policy["expiration"] = "2023-01-04", "2024-11-04"  # '11' read as '1'
    evidence = clean_evidence(cert)
    lowered = plausible.review(cert, evidence, ocr=True)
    assert {"/policies/0/effective", "/policies/0/expiration"} <= set(lowered)


@pytest.mark.parametrize("effective, expiration", [
    ("2023-11-04", "2024-11-04"), ("2023-11-04", "2024-05-04"), ("2023-11-04", "2026-11-04"),
])
def test_given_a_scan_with_a_usual_term_then_the_dates_keep_their_confidence(cert, effective, expiration):
    policy = cert["policies"][0]
    policy["effective"], policy["expiration"] = effective, expiration
    evidence = clean_evidence(cert)
    assert "/policies/0/effective" not in plausible.review(cert, evidence, ocr=True)


# -- check boxes --------------------------------------------------------------------------------------

def _word(text, x0, y0, x1, y1, conf=0.96):
    return Word(text, x0, y0, x1, y1, confidence=conf)


def test_given_a_label_merged_over_two_lines_then_the_check_of_the_box_above_is_not_its_own():
    """'OWNED' read over 'OWNED|AUTOS ONLY' reaches the ANY AUTO box; its own (nearer) box is empty."""
    words = (_word("ANY", 54, 398, 65, 405), _word("AUTO", 67, 398, 82, 405), _word("OWNED", 54, 402, 75, 419))
    cross = Mark("cross", 39.1, 396.0, 50.6, 406.8, confidence=1.0)  # ANY AUTO's box, checked
    empty = Mark("box", 39.4, 408.5, 50.6, 419.3, confidence=1.0)  # OWNED's box
    sheet = Sheet(Page(1, 612, 792, words, (cross, empty)))
    reader = TableReader(sheet, Frame(612, 792, 1.0, table=Box(0, 250, 612, 500)))
    region = Box(20, 380, 200, 440)
    assert reader._checked_in(region, ("ANY AUTO",))[0] is True
    owned, _, confidence = reader._checked_in(region, ("OWNED",))
    assert owned is False and confidence < 0.9


# -- header zones -------------------------------------------------------------------------------------

def test_given_a_speck_above_the_holders_name_then_the_name_is_not_pushed_into_the_address():
    words = [_word("na", 182, 681.8, 195, 683.3, conf=0.03),
             _word("Granite", 74, 690, 103, 702), _word("Glass", 106, 690, 128, 702), _word("LLC", 132, 690, 147, 702),
             _word("6965", 74, 703, 93, 713), _word("Mill", 96, 703, 109, 713), _word("Rd", 113, 703, 123, 713)]
    name, address = _name_and_address(words)
    assert name.text == "Granite Glass LLC"
    assert address.text == "6965 Mill Rd"


def test_given_a_scan_whose_holder_label_was_not_found_then_the_description_drops_the_label_and_is_unsure():
    label = [_word("DESCRIPTION", 22, 566, 60, 573), _word("OF", 61, 566, 68, 573),
             _word("OPERATIONS", 70, 566, 106, 573)]
    text = [_word("Evidence", 24, 577, 58, 587), _word("of", 61, 577, 68, 587), _word("coverage.", 70, 577, 105, 587)]
    footer = [_word("CERTIFICATE", 22, 640, 75, 650), _word("HOLDER", 78, 636, 110, 654)]  # 'HOLDER' merged with a rule
    sheet = Sheet(Page(1, 612, 792, (*label, *text, *footer), ()))
    frame = Frame(612, 792, 1.0, anchors={"description": Anchor(tuple(label), Box.around(label))})
    ev = Evidence(1)
    assert read_description(sheet, frame, ev) == "Evidence of coverage."
    assert ev.items["/description_of_operations"]["confidence"] < 0.9
