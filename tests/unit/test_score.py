"""Scoring an extracted certificate against a requirement set."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from pipeline.scoring import Waiver, decide, evaluate, no_requirements

AS_OF = date(2024, 6, 1)


@pytest.fixture
def certificate() -> dict:
    return {
        "form": {"type": "ACORD 25", "edition": "2016/03"},
        "date": "2024-05-09", "certificate_number": None, "revision_number": None,
        "producer": {"name": "Agency", "address": None, "contact_name": None, "phone": None, "fax": None,
                     "email": None},
        "insured": {"name": "Sain Gonzalez DBA Sainz Construction", "address": "1 Main St"},
        "insurers": [{"letter": "A", "name": "Mutual", "naic": "18988"}],
        "policies": [
            {"line": "general_liability", "description": None, "insurer_letter": "A", "policy_number": "P1",
             "effective": "2024-01-28", "expiration": "2025-01-28", "additional_insured": True,
             "subrogation_waived": True, "basis": "occurrence", "aggregate_applies_per": "policy",
             "limits": {"each_occurrence": 1_000_000, "damage_to_rented_premises": 300_000,
                        "medical_expense": 10_000, "personal_advertising_injury": 1_000_000,
                        "general_aggregate": 2_000_000, "products_completed_operations_aggregate": 2_000_000}},
        ],
        "description_of_operations": "Lot 14. Butler Homes is additional insured, primary and non-contributory.",
        "certificate_holder": {"name": "Butler Homes", "address": "1370 Hazelwood Dr, Ste 200, Smyrna, TN 37167"},
        "signed": True,
    }


@pytest.fixture
def requirements() -> dict:
    return {
        "holder": {"name": "Butler Homes", "address": "1370 Hazelwood Dr, Ste 200, Smyrna, TN 37167"},
        "insured_name": "Sainz Construction",
        "signature_required": True,
        "description_must_mention": ["Lot 14"],
        "lines": {"general_liability": {"required": True, "basis": "occurrence", "additional_insured": True,
                                        "subrogation_waived": True, "primary_noncontributory": True,
                                        "limits": {"each_occurrence": 1_000_000, "general_aggregate": 2_000_000}}},
    }


def failed(evaluation) -> list[tuple[str, str | None]]:
    return [(c.code, c.key) for c in evaluation.checks if c.outcome == "fail"]


def test_given_a_compliant_certificate_then_it_is_approved(certificate, requirements):
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "approved", failed(result)
    assert all(c.outcome == "pass" for c in result.checks)


def test_given_a_limit_one_dollar_short_then_rejected_with_a_plain_sentence(certificate, requirements):
    certificate["policies"][0]["limits"]["each_occurrence"] = 999_999
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "rejected"
    [check] = [c for c in result.checks if c.outcome == "fail"]
    assert (check.code, check.key, check.expected, check.actual) == ("limit_below_minimum", "each_occurrence",
                                                                     1_000_000, 999_999)
    assert check.message == "General liability each occurrence is $999,999; Butler Homes requires $1,000,000."


@pytest.mark.parametrize(("mutate", "code"), [
    (lambda c: c["certificate_holder"].update(name="Butler Home"), "holder_mismatch"),
    (lambda c: c["insured"].update(name="Someone Else LLC"), "insured_mismatch"),
    (lambda c: c.update(signed=False), "not_signed"),
    (lambda c: c.update(description_of_operations="Primary and non-contributory."), "description_missing_reference"),
    (lambda c: c["policies"][0].update(basis="claims_made"), "basis_mismatch"),
    (lambda c: c["policies"][0].update(additional_insured=None), "additional_insured_missing"),
    (lambda c: c["policies"][0].update(subrogation_waived=False), "subrogation_waiver_missing"),
    (lambda c: c.update(description_of_operations="Lot 14."), "primary_noncontributory_missing"),
    (lambda c: c["policies"][0].update(expiration="2024-06-01"), "policy_expired"),
    (lambda c: c.update(policies=[]), "line_missing"),
])
def test_given_one_rule_broken_then_that_check_fails(certificate, requirements, mutate, code):
    mutate(certificate)
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "rejected"
    assert code in {c.code for c in result.checks if c.outcome == "fail"}


def test_given_punctuation_and_case_differences_in_the_holder_then_it_still_matches(certificate, requirements):
    certificate["certificate_holder"]["address"] = "1370 HAZELWOOD DR., STE 200  SMYRNA TN 37167"
    assert evaluate(certificate, requirements, AS_OF).decision == "approved"


def test_given_a_low_confidence_value_then_a_pass_becomes_unknown_and_needs_review(certificate, requirements):
    certificate["evidence"] = {"/policies/0/limits/each_occurrence": {"page": 1, "bbox": [0, 0, 1, 1],
                                                                       "confidence": 0.5}}
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "needs_review"
    [unknown] = [c for c in result.checks if c.outcome == "unknown"]
    assert unknown.key == "each_occurrence"


def test_given_a_term_longer_than_the_policy_then_term_not_covered(certificate, requirements):
    requirements["term"] = {"start": "2024-06-01", "end": "2025-03-01"}
    result = evaluate(certificate, requirements, AS_OF)
    assert ("term_not_covered", "term") in failed(result)


def test_decide_without_checks_or_requirements_needs_review():
    assert decide([]) == "needs_review"
    assert no_requirements().decision == "needs_review"


def test_given_the_contract_example_then_the_output_has_its_keys(certificate, requirements):
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    output = evaluate(copy.deepcopy(certificate), requirements, AS_OF).to_dict()
    [check] = [c for c in output["checks"] if c["outcome"] == "fail"]
    assert output["decision"] == "rejected"
    assert {"code", "line", "key", "expected", "actual", "outcome", "message"} <= check.keys()


def test_given_a_one_letter_typo_in_the_holder_then_the_message_shows_where(certificate, requirements):
    certificate["certificate_holder"]["name"] = "Butler Hones"
    [check] = [c for c in evaluate(certificate, requirements, AS_OF).checks if c.outcome == "fail"]
    assert check.code == "holder_mismatch"
    assert '"butler ho"' in check.message and '"nes"' in check.message and '"mes"' in check.message


def umbrella(limit: int, expiration: str = "2025-01-28") -> dict:
    return {"line": "umbrella_liability", "description": None, "insurer_letter": "A", "policy_number": "U1",
            "effective": "2024-01-28", "expiration": expiration, "additional_insured": None,
            "subrogation_waived": None, "basis": "occurrence",
            "limits": {"each_occurrence": limit, "aggregate": limit, "retention": 10_000}}


def test_given_follow_form_then_an_umbrella_in_force_tops_up_the_underlying_limit(certificate, requirements):
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = 5_000_000
    certificate["policies"].append(umbrella(4_000_000))
    assert evaluate(certificate, requirements, AS_OF).decision == "rejected"  # not allowed by the set
    requirements["lines"]["general_liability"]["umbrella_follows_form"] = True
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "approved"
    [limit] = [c for c in result.checks if c.key == "each_occurrence"]
    assert "plus $4,000,000 umbrella/excess (follow form), $5,000,000" in limit.message


def test_given_follow_form_then_an_expired_umbrella_does_not_count(certificate, requirements):
    requirements["lines"]["general_liability"].update(umbrella_follows_form=True)
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = 5_000_000
    certificate["policies"].append(umbrella(4_000_000, expiration="2024-05-01"))
    assert ("limit_below_minimum", "each_occurrence") in failed(evaluate(certificate, requirements, AS_OF))


@pytest.mark.parametrize(("rating", "outcome"), [("A+", "pass"), ("A-", "pass"), ("B++", "fail"), (None, "unknown")])
def test_insurer_rating_against_the_holders_list(certificate, requirements, rating, outcome):
    requirements["minimum_insurer_rating"] = "A-"
    requirements["insurer_ratings"] = {"18988": rating} if rating else {}
    [check] = [c for c in evaluate(certificate, requirements, AS_OF).checks if c.code == "insurer_rating_below_minimum"]
    assert check.outcome == outcome


def test_given_a_waiver_for_the_failed_check_then_approved_and_the_waiver_is_shown(certificate, requirements):
    certificate["policies"][0]["limits"]["each_occurrence"] = 500_000
    waiver = Waiver("limit_below_minimum", by="rita@holder.test", reason="Owner accepted", line="general_liability",
                    key="each_occurrence", until=date(2024, 12, 31))
    result = evaluate(certificate, requirements, AS_OF, [waiver])
    assert result.decision == "approved"
    [check] = [c for c in result.checks if c.waiver]
    assert check.outcome == "fail" and check.waiver["by"] == "rita@holder.test"
    assert evaluate(certificate, requirements, date(2025, 1, 2), [waiver]).decision == "rejected"  # lapsed


def test_given_valid_days_ahead_then_a_policy_expiring_sooner_fails(certificate, requirements):
    requirements["valid_days_ahead"] = 30
    assert ("policy_expiring", "expiration") in failed(evaluate(certificate, requirements, date(2025, 1, 1)))
    assert evaluate(certificate, requirements, date(2024, 12, 1)).decision == "approved"


def test_given_a_policy_expiring_on_the_evaluation_date_then_it_is_expired(certificate, requirements):
    assert ("policy_expired", "expiration") in failed(evaluate(certificate, requirements, date(2025, 1, 28)))
