"""Notification texts (pipeline/notices) and the expiry rules (pipeline/expiry): pure."""

from __future__ import annotations

from datetime import date

from pipeline.expiry import due_mark, relevant_expiry
from pipeline.notices import asks, render

HOLDER = {"id": 1, "name": "Harbor Logistics <HQ>"}
FAILED = [
    {"code": "limit_below_minimum", "outcome": "fail", "line": "general_liability", "key": "each_occurrence",
     "expected": 2_000_000, "actual": 1_000_000, "message": "General liability each occurrence is $1,000,000; "
     "$2,000,000 is required."},
    {"code": "additional_insured_missing", "outcome": "fail", "line": "general_liability",
     "message": "General liability does not show the holder as additional insured."},
    {"code": "not_signed", "outcome": "unknown", "message": "The signature could not be read with confidence."},
]


def context(**extra) -> dict:
    return {"filename": "coi.pdf", "insured": "Blue Heron Roofing", "holder": HOLDER, "decision": "rejected",
            "failed_checks": FAILED, "asks": asks(FAILED, HOLDER), "has_image": True, "image_cid": "page",
            "reference": "doc1", "sender": None, "review_link": "coi status doc1", **extra}


def test_a_rejection_names_every_failure_and_what_to_ask_the_agent_for():
    notice = render("decision_to_sender", context())
    assert notice.subject == "Certificate of insurance not accepted: coi.pdf"
    for check in FAILED[:2]:
        assert check["message"] in notice.text
    assert FAILED[2]["message"] not in notice.text  # not read clearly: not a fault
    assert "We could not read this value clearly: the signature. A person will confirm it" in notice.text
    assert "General liability with a each occurrence limit of at least $2,000,000." in notice.text
    assert "An additional insured endorsement naming Harbor Logistics <HQ> on the general liability policy." \
        in notice.text
    assert "A clearer copy" not in notice.text  # a faint value is a person's to confirm, not the sender's fault
    assert "Harbor Logistics &lt;HQ&gt;" in notice.html and "<HQ>" not in notice.html  # escaped
    assert 'src="cid:page"' in notice.html


def test_the_same_request_is_asked_once():
    assert len(asks(FAILED + FAILED, HOLDER)) == 2


def test_an_approval_is_short_and_lists_nothing():
    notice = render("decision_to_sender", context(decision="approved", failed_checks=[], asks=[]))
    assert notice.subject == "Certificate of insurance accepted: coi.pdf"
    assert "has been accepted by Harbor Logistics <HQ>" in notice.text
    assert "ask your insurance agent" not in notice.text


def test_a_renewal_request_counts_the_days():
    policies = [{"line": "workers_compensation", "policy_number": "WC1", "expiration": "2026-12-01"}]
    soon = render("renewal_request", context(days_left=7, expires_on="2026-12-01", policies=policies))
    assert "in 7 days" in soon.text and "workers' compensation and employers' liability, policy WC1" in soon.text
    gone = render("renewal_request", context(days_left=0, expires_on="2026-12-01", policies=policies))
    assert "expired on 2026-12-01" in gone.text


CERTIFICATE = {"policies": [
    {"line": "general_liability", "policy_number": "GL1", "expiration": "2027-03-01"},
    {"line": "automobile_liability", "policy_number": "AU1", "expiration": "2026-12-15"},
    {"line": "workers_compensation", "policy_number": "WC1", "expiration": None},
]}


def test_the_expiry_that_counts_is_of_the_lines_the_holder_checked():
    checks = [{"code": "policy_expired", "line": "general_liability", "key": "expiration", "outcome": "pass"}]
    assert relevant_expiry(CERTIFICATE, checks).expires_on == date(2027, 3, 1)
    unchecked = relevant_expiry(CERTIFICATE, [])  # no requirement set: every dated policy counts
    assert unchecked.expires_on == date(2026, 12, 15)
    assert unchecked.policies == ({"line": "automobile_liability", "policy_number": "AU1",
                                   "expiration": "2026-12-15"},)
    assert relevant_expiry({"policies": []}, []) is None


def test_the_warning_due_is_the_smallest_threshold_crossed():
    expires, marks = date(2026, 12, 31), [30, 14, 7]
    assert due_mark(expires, date(2026, 11, 30), marks) is None  # 31 days left
    assert due_mark(expires, date(2026, 12, 1), marks) == 30
    assert due_mark(expires, date(2026, 12, 20), marks) == 14
    assert due_mark(expires, date(2026, 12, 30), marks) == 7
    assert due_mark(expires, expires, marks) == 0  # a policy ending today no longer covers today
