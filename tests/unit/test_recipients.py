"""Whom we may mail: one valid address or none, never one a certificate's print chooses unread."""

from __future__ import annotations

import pytest

from pipeline.addresses import one_mailbox
from workers.notify import printed_producer_email, replyable

OURS = "coi.example"


@pytest.mark.parametrize("text", [
    "agent@x.example, victim-one@example.org, victim-two@example.net",
    "agent@x.example; victim@example.org",
    "agent@x.example victim@example.org",
    "Agent <agent@x.example>",
    "agent@x.example\r\nBcc: victim@example.org",
    "agent@localhost",
    "agent@contractor.test",
    "agent",
    "",
    None,
])
def test_anything_but_one_deliverable_address_is_refused(text):
    assert one_mailbox(text) is None


def test_one_address_is_taken_trimmed_and_lower_cased():
    assert one_mailbox("  Certificates@AmeriAgency.com ") == "certificates@ameriagency.com"


@pytest.mark.parametrize(("address", "expected"), [
    ("agent@contractor.example", "agent@contractor.example"),
    ("acme@coi.example", None),  # our own door: mail would loop
    ("noreply@contractor.example", None),
    ("postmaster@contractor.example", None),
    ("agent@x.example, victim@example.org", None),
])
def test_a_sender_is_replied_to_only_at_one_outside_address(address, expected):
    assert replyable(address, OURS) == expected


def certificate(email: str, confidence: float | None) -> dict:
    evidence = {} if confidence is None else {"/producer/email": {"page": 1, "confidence": confidence}}
    return {"producer": {"email": email}, "evidence": evidence}


def test_the_printed_producer_email_counts_only_when_read_with_confidence():
    assert printed_producer_email(certificate("agent@x.example", 0.99)) == "agent@x.example"
    assert printed_producer_email(certificate("agent@x.example", 0.6)) is None  # a misread address
    assert printed_producer_email(certificate("agent@x.example", None)) is None  # no evidence for it
