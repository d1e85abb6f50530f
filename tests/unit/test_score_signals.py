"""Scoring a certificate that carries trust signals: never approved unseen."""

from __future__ import annotations

from datetime import date

from pipeline.notices import asks
from pipeline.scoring import Waiver, evaluate
from tests.unit.test_score import AS_OF, certificate, requirements  # noqa: F401 - fixtures

TAMPER = {"code": "drawn_over", "severity": "tamper",
          "message": "On page 1, something drawn after the certificate was made covers what was printed there.",
          "evidence": {"page": 1, "bbox": [380.0, 300.0, 430.0, 312.0], "object": "14 0 R"}}
INCONSISTENT = {"code": "aggregate_below_occurrence", "severity": "inconsistent",
                "message": "General liability shows a general aggregate below its each occurrence.",
                "evidence": {"pointer": "/policies/0/limits/general_aggregate"}}
NOTICE = {"code": "hidden_text", "severity": "notice", "message": "Page 1 holds 2 words it does not show.",
          "evidence": {"page": 1}}


def test_given_a_tamper_signal_on_a_compliant_certificate_then_needs_review_with_its_sentence(certificate,
                                                                                             requirements):
    certificate["signals"] = [TAMPER]
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "needs_review"
    [check] = [c for c in result.checks if c.outcome != "pass"]
    assert (check.code, check.outcome, check.key) == ("tamper_signal", "unknown", "drawn_over")
    assert check.message == TAMPER["message"] and check.evidence == TAMPER["evidence"]
    assert result.to_dict()["signals"] == [TAMPER]


def test_given_a_tamper_signal_and_a_failed_check_then_still_rejected(certificate, requirements):
    certificate["signals"] = [TAMPER]
    certificate["policies"][0]["limits"]["each_occurrence"] = 500_000
    assert evaluate(certificate, requirements, AS_OF).decision == "rejected"


def test_given_inconsistent_and_notice_signals_only_then_approved_and_the_inconsistent_one_listed(certificate,
                                                                                                 requirements):
    certificate["signals"] = [INCONSISTENT, NOTICE]
    result = evaluate(certificate, requirements, AS_OF)
    assert result.decision == "approved"
    assert result.to_dict()["signals"] == [INCONSISTENT]


def test_given_a_reviewer_waived_the_tamper_signal_then_approved(certificate, requirements):
    certificate["signals"] = [TAMPER]
    waiver = Waiver("tamper_signal", "ana@holder.test", "called the agent: the value is right", key="drawn_over")
    assert evaluate(certificate, requirements, AS_OF, [waiver]).decision == "approved"


def test_given_a_tamper_check_then_the_contractor_is_asked_for_the_agents_own_copy(certificate, requirements):
    certificate["signals"] = [TAMPER]
    failed = [c.to_dict() for c in evaluate(certificate, requirements, AS_OF).checks if c.outcome != "pass"]
    assert asks(failed, {"name": "Butler Homes"}) == [
        "The certificate sent to us directly by your insurance agent or broker, exactly as they issued it."]


def test_given_a_certificate_read_before_the_stage_then_scored_as_before(certificate, requirements):
    assert "signals" not in certificate
    result = evaluate(certificate, requirements, date(2024, 6, 1))
    assert result.decision == "approved" and result.to_dict()["signals"] == []
