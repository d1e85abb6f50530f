"""A waiver must name a line or key the document's checks carry (infra/review.py), else the valid ones are listed."""

from __future__ import annotations

import pytest

from infra.admin import AdminError
from infra.admin import check_waiver_target, waivable

CHECKS = [
    {"code": "limit_below_minimum", "outcome": "fail", "line": "general_liability", "key": "each_occurrence"},
    {"code": "limit_below_minimum", "outcome": "pass", "line": "workers_compensation", "key": "el_each_accident"},
    {"code": "holder_mismatch", "outcome": "pass", "key": "name"},
]


def test_given_checks_then_the_lines_and_keys_of_a_code_are_the_valid_targets():
    assert waivable(CHECKS, "limit_below_minimum").lines == ("general_liability", "workers_compensation")
    assert waivable(CHECKS, "holder_mismatch").keys == ("name",) and waivable(CHECKS, "holder_mismatch").lines == ()


def test_given_a_misspelt_line_or_key_then_the_waiver_is_refused_with_the_valid_ones():
    with pytest.raises(AdminError, match="valid lines: general_liability, workers_compensation"):
        check_waiver_target(CHECKS, "limit_below_minimum", "general_liabilty", None)
    with pytest.raises(AdminError, match="valid keys: each_occurrence, el_each_accident"):
        check_waiver_target(CHECKS, "limit_below_minimum", None, "each_occurence")
    with pytest.raises(AdminError, match=r"none \(leave --line out\)"):
        check_waiver_target(CHECKS, "holder_mismatch", "general_liability", None)


def test_given_a_code_the_document_was_not_checked_for_then_its_checks_are_listed():
    with pytest.raises(AdminError, match="its checks are: holder_mismatch, limit_below_minimum"):
        check_waiver_target(CHECKS, "policy_expired", None, None)


def test_given_a_line_and_key_the_checks_carry_then_the_waiver_is_accepted():
    check_waiver_target(CHECKS, "limit_below_minimum", "general_liability", "each_occurrence")
    check_waiver_target(CHECKS, "limit_below_minimum", None, None)
