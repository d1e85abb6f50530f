"""Corrections laid over what was read (pipeline/corrections.py): typed by the certificate schema, kept apart."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from pipeline.corrections import CorrectionRefused, Fix, apply_corrections, parse_value, read_value
from pipeline.scoring import evaluate
from samples.certificates import demo_certificate

LIMIT = "/policies/0/limits/each_occurrence"


@pytest.fixture
def certificate() -> dict:
    cert = copy.deepcopy(demo_certificate())
    cert["evidence"] = {LIMIT: {"page": 1, "bbox": [500.0, 300.0, 560.0, 310.0], "confidence": 0.6}}
    return cert


def test_given_a_limit_typed_as_printed_then_it_is_whole_dollars(certificate):
    assert parse_value(certificate, LIMIT, "$2,000,000") == 2_000_000
    assert parse_value(certificate, LIMIT, " 2000000 ") == 2_000_000
    assert parse_value(certificate, LIMIT, "") is None  # a blank limit is null, as the contract says


def test_given_text_that_is_no_amount_then_the_correction_is_refused_with_why(certificate):
    with pytest.raises(CorrectionRefused, match="whole number of dollars"):
        parse_value(certificate, LIMIT, "two million")


def test_given_dates_and_checkboxes_then_they_take_the_contract_types(certificate):
    assert parse_value(certificate, "/policies/0/expiration", "11/05/2027") == "2027-11-05"
    assert parse_value(certificate, "/policies/0/additional_insured", "N") is False
    assert parse_value(certificate, "/insured/name", "  Blue Heron Roofing  ") == "Blue Heron Roofing"
    with pytest.raises(CorrectionRefused, match="not a date"):
        parse_value(certificate, "/policies/0/expiration", "next year")


def test_given_a_pointer_to_nothing_then_it_is_refused(certificate):
    with pytest.raises(CorrectionRefused, match="no value at"):
        parse_value(certificate, "/policies/9/limits/each_occurrence", "1")
    with pytest.raises(CorrectionRefused, match="JSON pointer"):
        read_value(certificate, "policies")


def test_given_a_correction_then_the_copy_has_it_and_what_was_read_is_unchanged(certificate):
    read = copy.deepcopy(certificate)
    fixed = apply_corrections(certificate, [Fix(LIMIT, 1_500_000, "a@x"), Fix(LIMIT, 2_000_000, "b@x")])
    assert read_value(fixed, LIMIT) == 2_000_000  # the later correction of a pointer wins
    assert fixed["evidence"][LIMIT] == {"page": 1, "bbox": [500.0, 300.0, 560.0, 310.0], "confidence": 1.0,
                                        "corrected": True}
    assert certificate == read


def test_given_a_low_confidence_limit_corrected_then_scoring_trusts_it():
    """Given a limit read with low confidence (unknown), when a person corrects it, the check passes."""
    cert = copy.deepcopy(demo_certificate())
    cert["evidence"] = {LIMIT: {"page": 1, "bbox": [1, 2, 3, 4], "confidence": 0.4}}
    requirements = {"name": "Subs", "lines": {"general_liability": {"required": True,
                                                                    "limits": {"each_occurrence": 1_000_000}}}}

    def outcome(c):
        checks = evaluate(c, requirements, date(2026, 12, 1), []).to_dict()["checks"]
        return next(k["outcome"] for k in checks if k.get("key") == "each_occurrence")

    assert outcome(cert) == "unknown"
    assert outcome(apply_corrections(cert, [Fix(LIMIT, 1_000_000, "a@x")])) == "pass"


def test_given_values_of_each_kind_then_they_are_shown_as_a_person_reads_them():
    from pipeline.corrections import shown

    assert [shown(v) for v in (2_000_000, True, False, None, ["any", "hired"], "2027-11-05")] == [
        "2,000,000", "yes", "no", "", "any, hired", "2027-11-05"]
