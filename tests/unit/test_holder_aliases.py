"""A holder's accepted alternative names in the holder check (pure scoring)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.scoring import evaluate, with_aliases

AS_OF = date(2024, 6, 1)
HOLDER = {"name": "Butler Homes LLC", "address": "1370 Hazelwood Dr, Smyrna, TN 37167"}


def certificate(holder_name: str) -> dict:
    return {"form": {"type": "ACORD 25", "edition": "2016/03"}, "insured": {"name": "Sainz Construction"},
            "policies": [], "certificate_holder": {"name": holder_name, "address": HOLDER["address"]},
            "signed": True}


def name_check(holder_name: str, requirements: dict):
    evaluation = evaluate(certificate(holder_name), requirements, AS_OF)
    return next(c for c in evaluation.checks if c.requirement == "holder.name")


@pytest.mark.parametrize(("printed", "alias"), [("Butler Homes", "Butler Homes"),
                                               ("BUTLER HOMES,  L.L.C.", "Butler Homes L.L.C.")])
def test_given_an_accepted_alternative_name_then_the_holder_check_passes_and_says_so(printed, alias):
    requirements = with_aliases({"holder": dict(HOLDER)}, ["Butler Homes", "Butler Homes L.L.C."])
    check = name_check(printed, requirements)
    assert check.outcome == "pass"
    assert check.message == f"The certificate holder name matches the accepted alternative name {alias!r}."


def test_given_no_alias_for_the_printed_name_then_the_holder_check_still_fails_with_the_difference():
    requirements = with_aliases({"holder": dict(HOLDER)}, ["Butler Homes"])
    check = name_check("Butler Homez", requirements)
    assert check.outcome == "fail" and check.code == "holder_mismatch"
    assert "accepted alternative" not in check.message and "'Butler Homes LLC'" in check.message


def test_given_the_exact_name_then_the_check_names_no_alias():
    check = name_check("Butler Homes LLC", with_aliases({"holder": dict(HOLDER)}, ["Butler Homes"]))
    assert check.outcome == "pass" and check.message == "The certificate holder name matches."


def test_given_aliases_in_the_set_and_on_the_holder_then_both_count_once_and_the_set_is_left_alone():
    body = {"holder": {**HOLDER, "aliases": ["Butler Homes"]}}
    merged = with_aliases(body, ["Butler Homes", "BH LLC"])
    assert merged["holder"]["aliases"] == ["Butler Homes", "BH LLC"]
    assert body["holder"]["aliases"] == ["Butler Homes"]
    assert name_check("BH, LLC", merged).outcome == "pass"
    assert name_check("BH, LLC", body).outcome == "fail"


def test_given_a_set_without_a_holder_name_then_aliases_add_nothing():
    assert with_aliases({"lines": {}}, ["Butler Homes"]) == {"lines": {}}
