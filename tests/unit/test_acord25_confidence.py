"""Confidence on scans: values read from the wrong place must fall below review (0.9), or be read right.

Each case comes from a benchmark breach (a value given at >= 0.9 that was wrong): the form's printed
notice read as a producer name, a policy number taken from the next row, a neighbour's check mark, a
speck above the holder's name, a printed label at the end of the description, a misread month.
"""

from __future__ import annotations

import random

import pytest

from pipeline.acord25 import plausible
from samples.certificates import random_certificate
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
