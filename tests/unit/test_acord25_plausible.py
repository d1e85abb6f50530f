"""Plausibility checks and scan-only safeguards: a misread value must fall below review confidence."""

from __future__ import annotations

import copy
import random

import pytest

from pipeline.acord25 import plausible
from pipeline.acord25.parse import parse_amount
from samples.certificates import random_certificate
from readings import clean_evidence


@pytest.fixture()
def cert() -> dict:
    return random_certificate(random.Random(11))


def test_given_a_plausible_certificate_when_reviewed_then_no_confidence_is_lowered(cert):
    evidence = clean_evidence(cert)
    assert plausible.review(cert, evidence, ocr=True) == []
    assert all(e["confidence"] == 0.97 for e in evidence.values())


@pytest.mark.parametrize("pointer, value", [
    ("/producer/fax", "(A/C, No):"),
    ("/producer/phone", "888-85"),
    ("/producer/email", "certificates ameriagency.com"),
    ("/date", "1899-01-01"),
    ("/insured/name", "Fairview, TX"),  # the city line taken for the name
    ("/description_of_operations", "CERTIFICATE HOLDER"),  # a printed label taken for a value
])
def test_given_a_header_value_that_does_not_look_like_its_field_then_it_falls_below_review(cert, pointer, value):
    _, key, *rest = pointer.split("/")
    if rest:
        cert[key][rest[0]] = value
    else:
        cert[key] = value
    evidence = clean_evidence(cert)
    assert pointer in plausible.review(cert, evidence, ocr=True)
    assert evidence[pointer]["confidence"] < 0.9


def test_given_coverage_values_misread_then_each_falls_below_review(cert):
    cert = copy.deepcopy(cert)
    policy = cert["policies"][0]
    policy["policy_number"] = "N, 6089057"  # a flag column read into the number
    policy["insurer_letter"] = "F" if all(i["letter"] != "F" for i in cert["insurers"]) else "G"
    key = next(iter(policy["limits"]))
    policy["limits"][key] = 5  # '5' for '500,000'
    cert["insurers"][0]["naic"] = "1893"
    evidence = clean_evidence(cert)
    lowered = set(plausible.review(cert, evidence, ocr=True))
    assert {"/policies/0/policy_number", "/policies/0/insurer_letter", f"/policies/0/limits/{key}",
            "/insurers/0/naic"} <= lowered


@pytest.mark.parametrize("description", ["i", "1.", "-"])
def test_given_an_ocr_coverage_description_of_one_letter_then_it_falls_below_review(cert, description):
    cert["policies"][0]["description"] = description  # a speck or a rule's end beside the cell read as a letter
    evidence = clean_evidence(cert)
    assert "/policies/0/description" in plausible.review(cert, evidence, ocr=True)
    assert evidence["/policies/0/description"]["confidence"] < 0.9


def test_given_an_ocr_coverage_description_of_two_letters_then_it_is_not_doubted(cert):
    cert["policies"][0]["description"] = "XS"
    evidence = clean_evidence(cert)
    assert "/policies/0/description" not in plausible.review(cert, evidence, ocr=True)


def test_given_an_unusual_policy_term_then_a_scan_doubts_the_dates_but_a_text_layer_does_not(cert):
    policy = cert["policies"][0]
    policy["effective"], policy["expiration"] = "2024-03-08", "2025-08-03"  # day and month swapped by OCR?
    scan, text = clean_evidence(cert), clean_evidence(cert)
    plausible.review(cert, scan, ocr=True)
    plausible.review(cert, text, ocr=False)
    assert scan["/policies/0/expiration"]["confidence"] < 0.9
    assert text["/policies/0/expiration"]["confidence"] == 0.97


def test_given_an_ocr_address_whose_zip_is_misread_then_it_is_doubted(cert):
    cert["producer"]["address"] = "HOME OFFICE: P.O. BOX 328, OWATONNA, MN SS060"
    evidence = clean_evidence(cert)
    assert "/producer/address" in plausible.review(cert, evidence, ocr=True)


def test_given_a_comma_read_as_a_period_then_the_amount_is_still_whole_dollars():
    assert parse_amount("$250.000") == 250_000
    assert parse_amount("1,000.000") == 1_000_000
    assert parse_amount("$1,500.00") == 1500
