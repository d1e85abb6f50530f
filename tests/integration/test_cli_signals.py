"""``coi extract --json`` prints the trust signals; ``coi evaluate`` does not approve a tampered file."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from bench import tamper
from infra.entry.cli import main
from pipeline.stages import extract, read
from samples.certificates import demo_certificate, draw_certificate
from schemas import validate

pytestmark = pytest.mark.integration


@pytest.fixture
def coi(tmp_path, monkeypatch):
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


@pytest.fixture
def files(tmp_path):
    genuine = draw_certificate(demo_certificate())
    reading = read(genuine)
    altered = tamper.overdraw(genuine, extract(reading), random.Random(3), incremental=True)
    (tmp_path / "genuine.pdf").write_bytes(genuine)
    (tmp_path / "altered.pdf").write_bytes(altered)
    requirements = tmp_path / "req.yaml"
    requirements.write_text("holder: {name: Riverside Depot Partners LP}\n"
                            "lines: {general_liability: {required: true}}\n")
    return tmp_path / "genuine.pdf", tmp_path / "altered.pdf", requirements


def test_extract_json_lists_the_signals_under_a_top_level_key(coi, files):
    genuine, altered, _ = files
    clean = json.loads(coi("extract", str(genuine), "--json"))
    assert clean["signals"] == [] and validate("certificate", clean) == []
    found = json.loads(coi("extract", str(altered), "--json"))
    assert validate("certificate", found) == []
    assert {s["code"] for s in found["signals"] if s["severity"] == "tamper"} >= {"edited_after_save", "drawn_over"}


def test_evaluate_turns_a_tampered_approval_into_needs_review_with_the_reason(coi, files):
    genuine, altered, requirements = files
    args = ("--requirements", str(requirements), "--as-of", "2025-06-01", "--json")
    assert json.loads(coi("evaluate", str(genuine), *args))["decision"] == "approved"
    evaluation = json.loads(coi("evaluate", str(altered), *args))
    assert evaluation["decision"] == "needs_review"
    reasons = [c for c in evaluation["checks"] if c["code"] == "tamper_signal"]
    assert reasons and all(c["outcome"] == "unknown" and c["message"] for c in reasons)
    assert {s["code"] for s in evaluation["signals"]} >= {"edited_after_save", "drawn_over"}
