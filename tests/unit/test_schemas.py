"""The JSON Schemas stay in step with the contracts in ../shared/contract."""

from __future__ import annotations

import json
import re

import pytest

from schemas import validate


def contract_example(real_corpus, name: str) -> dict:
    text = (real_corpus.parents[1] / "contract" / name).read_text()
    return json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))


def test_the_contract_examples_validate(real_corpus):
    assert validate("certificate", contract_example(real_corpus, "certificate.md")) == []
    assert validate("requirements", contract_example(real_corpus, "requirements.md")) == []


def test_every_value_a_hand_checked_truth_file_states_has_the_contracts_type(real_corpus):
    """A truth file may leave out a key it could not settle (the bench then does not score it), but
    every value it does state must fit the schema: the schema and the contract agree."""
    truths = sorted((real_corpus / "truth").glob("*.json"))
    assert truths
    for path in truths:
        errors = validate("certificate", json.loads(path.read_text()))
        assert [e for e in errors if not e.endswith("is a required property")] == [], path.name


@pytest.mark.parametrize(("change", "where"), [
    (lambda c: c.pop("signed"), "(top)"),
    (lambda c: c["policies"][0]["limits"].update(each_occurrence="1,000,000"), "policies/0"),
    (lambda c: c.update(date="05/09/2024"), "date"),
])
def test_a_certificate_that_bends_the_contract_is_refused(real_corpus, change, where):
    certificate = contract_example(real_corpus, "certificate.md")
    change(certificate)
    errors = validate("certificate", certificate)
    assert errors and errors[0].startswith(where)


def test_a_requirement_set_with_an_unknown_line_is_refused():
    assert validate("requirements", {"lines": {"general_liabilty": {"required": True}}})
