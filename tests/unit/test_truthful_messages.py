"""Messages that tell the truth (issue 18): a value read with low confidence is never called a
fault, in the rejection email or on the annotated page; a failing value is boxed and labelled in words."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from functools import lru_cache

import pytest

from infra.entry.demo import current, demo_requirements
from pipeline.annotate import failing_marks
from pipeline.notices import asks, render
from pipeline.scoring import evaluate
from pipeline.scoring.labels import fault, value_name
from pipeline.scoring.model import Reason
from pipeline.stages import Reading, extract
from pipeline.textlayer import read_text_layer
from samples.certificates import demo_certificate, draw_certificate
from tests.readings import as_ocr

AMOUNT = re.compile(r"^\$?\d{1,3}(,\d{3})+$")
CODES = {r.value for r in Reason}


@pytest.fixture(autouse=True)
def set_confidences(monkeypatch):
    """The messages are tested on one scan holding a confident fault (the holder's name) beside unsure
    values. The fitted confidence (confidence.json) sends every party name read by OCR to a person (the
    bench finds a third of them wrong), so the scan is read with the set confidences, where the name
    read from sure words is confident."""
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)


@lru_cache(maxsize=1)
def scanned_with_faint_limits() -> dict:
    """The demo certificate read as a scan whose limit amounts came out faint (OCR confidence 0.6)."""
    cert = current(demo_certificate())
    page = as_ocr(read_text_layer(draw_certificate(cert))[0])
    page = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, confidence=0.6) if AMOUNT.match(w.text) else w for w in page.words))
    return extract(Reading("ocr", (page,)))


def scored(**changes) -> list[dict]:
    certificate = scanned_with_faint_limits()
    requirements = demo_requirements(certificate)
    requirements["holder"]["name"] = "Someone Else Holdings LLC"  # a confident fault beside the faint limits
    requirements.update(changes)
    result = evaluate(certificate, requirements, date.fromisoformat(certificate["date"]))
    return [c.to_dict() for c in result.checks]


def test_given_a_scan_with_faint_passing_limits_then_they_are_unknown_read_as_pass_and_the_holder_fails():
    checks = scored()
    limits = [c for c in checks if c["code"] == "limit_below_minimum"]
    assert limits and all(c["outcome"] == "unknown" and c["read_as"] == "pass" for c in limits)
    assert [c["key"] for c in checks if c["outcome"] == "fail"] == ["name"]


def test_given_faint_passing_limits_then_the_rejection_names_no_fault_about_them():
    checks = scored()
    failed = [c for c in checks if c["outcome"] != "pass"]
    notice = render("decision_to_sender", {
        "filename": "scan.pdf", "insured": "Blue Heron", "holder": {"id": 1, "name": "Someone Else Holdings LLC"},
        "decision": "rejected", "failed_checks": failed, "asks": asks(failed, None), "has_image": True,
        "image_cid": "page", "reference": "doc1", "sender": None, "review_link": "x"})
    must_change = notice.text.split("What must change:")[1].split("Please ask")[0]
    assert "certificate holder name reads" in must_change
    for check in failed:
        if check["outcome"] == "unknown":
            assert check["message"] not in notice.text and check["message"] not in notice.html
    assert "A person will confirm them; you need not change anything for them." in notice.text
    assert "the general liability general aggregate limit" in notice.text
    assert asks(failed, None) == ["The certificate holder box to read exactly: Someone Else Holdings LLC."]


def test_given_faint_passing_limits_then_only_the_failing_holder_is_boxed_with_a_label_in_words():
    checks = scored()
    marks = failing_marks(checks)
    holder = next(c for c in checks if c["outcome"] == "fail")
    assert [m.bbox for m in marks] == [tuple(holder["evidence"]["bbox"])]
    assert marks[0].label == "Certificate holder name is not as required"
    faint = {tuple(c["evidence"]["bbox"]) for c in checks if c["outcome"] == "unknown" and c.get("evidence")}
    assert faint and not faint & {m.bbox for m in marks}


def test_given_a_signature_read_with_low_confidence_then_no_signature_box_is_drawn():
    check = {"code": "not_signed", "outcome": "unknown", "read_as": "fail", "message": "Not signed.",
             "evidence": {"page": 1, "bbox": [300, 400, 600, 760], "confidence": 0.8}}
    assert failing_marks([check]) == []


def test_given_every_kind_of_check_then_labels_and_value_names_are_words_not_codes():
    for code in CODES:
        check = {"code": code, "outcome": "fail", "line": "general_liability", "key": "each_occurrence",
                 "expected": 1_000_000}
        for text in (fault(check), value_name(check)):
            assert text and "_" not in text and code not in text
