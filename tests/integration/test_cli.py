"""The ``coi`` command line against a real SQLite database and the real corpus."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from infra.entry.cli import main
from schemas import validate

pytestmark = pytest.mark.integration

SG_SIDING = "real_acord25-2016_borndigital_coi-auditor_SG-Siding-Gutters_2023-10-18.pdf"


@pytest.fixture
def coi(tmp_path, monkeypatch):
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COI_INBOUND_DOMAIN", "coi.test")
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run


def test_extract_prints_the_contract_shape(coi, real_corpus):
    output = coi("extract", str(real_corpus / SG_SIDING), "--json").stdout
    certificate = json.loads(output)
    assert validate("certificate", certificate) == []
    assert certificate["certificate_holder"]["name"] == "Butler Homes"


def test_extract_of_a_non_certificate_says_so(coi, real_corpus):
    result = coi("extract", str(real_corpus / "filled_nonacord_sample-coi_reportlab_pulsio-coi-copilot.pdf"),
                 "--json", ok=False)
    assert "not_a_certificate" in result.output


def test_extract_of_several_files_prints_one_line_each_and_goes_on_past_a_failure(coi, real_corpus):
    not_a_certificate = real_corpus / "filled_nonacord_sample-coi_reportlab_pulsio-coi-copilot.pdf"
    result = coi("extract", str(real_corpus / SG_SIDING), str(not_a_certificate), str(real_corpus / SG_SIDING),
                 "--json", ok=False)
    first, failed, again = [json.loads(line) for line in result.stdout.splitlines()]
    assert first.pop("file") == str(real_corpus / SG_SIDING)
    assert validate("certificate", first) == [] and first["certificate_holder"]["name"] == "Butler Homes"
    assert failed == {"file": str(not_a_certificate), "error": {"code": "not_a_certificate",
                                                                  "message": failed["error"]["message"]}}
    assert failed["error"]["message"]
    assert again["certificate_holder"] == first["certificate_holder"]


def test_evaluate_prints_the_contract_evaluation(coi, real_corpus, tmp_path):
    requirements = tmp_path / "req.yaml"
    requirements.write_text("holder: {name: Butler Homes}\n"
                            "lines: {general_liability: {required: true, limits: {each_occurrence: 2000000}}}\n")
    output = coi("evaluate", str(real_corpus / SG_SIDING), "--requirements", str(requirements),
                 "--as-of", "2024-01-15", "--json").stdout
    evaluation = json.loads(output)
    assert evaluation["decision"] == "rejected"
    [failure] = [c for c in evaluation["checks"] if c["outcome"] == "fail"]
    assert failure["message"] == "General liability each occurrence is $1,000,000; Butler Homes requires $2,000,000."


def test_accounts_holders_and_requirements_from_the_cli(coi, tmp_path):
    coi("migrate")
    assert "mail certificates to acme@coi.test" in coi("account", "add", "acme", "--name", "Acme").output
    coi("holder", "add", "Butler Homes", "--account", "acme", "--address", "1 Main St")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"lines": {"general_liability": {"required": True}}}))
    coi("requirements", "set", "Butler Homes", str(good), "--account", "acme", "--tag", "lot-14")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lines": {"general_liability": {"limits": {"each_occurrence": "lots"}}}}))
    refused = coi("requirements", "set", "Butler Homes", str(bad), "--account", "acme", ok=False)
    assert "does not match" in refused.output
    assert "No document or message" in coi("status", "nope", ok=False).output


def test_templates_are_listed_copied_and_valid(coi, tmp_path):
    from schemas import templates

    listed = coi("requirements", "templates").output
    assert "general-contractor" in listed
    for name, body in templates().items():
        assert validate("requirements", body) == [], name
    out = tmp_path / "gc.yaml"
    coi("requirements", "copy", "general-contractor", str(out))
    import yaml

    assert yaml.safe_load(out.read_text()) == templates()["general-contractor"]
    assert "No template" in coi("requirements", "copy", "nope", str(out), ok=False).output


def test_review_commands_refuse_unknown_documents(coi):
    coi("migrate")
    result = coi("review", "override", "nope", "approved", "--by", "x", "--reason", "y", ok=False)
    assert "No document" in result.output
