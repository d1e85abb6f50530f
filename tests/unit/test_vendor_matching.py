"""pipeline/vendors.py: which vendor a certificate is, where a vendor stands, what a reply answers."""

from __future__ import annotations

from datetime import date

from pipeline.vendors import Candidate, Filed, answered, fold, match_vendor, message_ids, standing

VENDORS = [
    Candidate(1, "Blue Heron Roofing LLC", aliases=("BHR Contracting",), contacts=("office@blueheron.example",)),
    Candidate(2, "Harbor Paving Inc.", contacts=("ap@harbor.example",)),
    Candidate(3, "Harbor Paving Co", contacts=("billing@harbor2.example",)),
]
TODAY = date(2026, 12, 5)


def test_a_name_matches_ignoring_case_punctuation_legal_form_and_word_order():
    assert fold("Blue Heron Roofing, L.L.C.") == fold("blue heron roofing") == "blue heron roofing"
    found = match_vendor("ROOFING BLUE HERON INC", None, VENDORS)
    assert (found.vendor_id, found.by) == (1, "name")


def test_an_alias_matches_and_says_so():
    found = match_vendor("B.H.R. Contracting, Inc.", None, VENDORS)
    assert found is not None and (found.vendor_id, found.by) == (1, "alias")


def test_a_name_near_two_vendors_matches_neither_unless_the_sender_picks_one():
    assert match_vendor("Harbor Paving", None, VENDORS) is None
    assert match_vendor("Harbor Paving", "AP@harbor.example", VENDORS).vendor_id == 2


def test_an_unknown_name_matches_by_a_confirmed_sender_only():
    assert match_vendor("Northgate Paving", None, VENDORS) is None
    found = match_vendor("Northgate Paving", "office@blueheron.example", VENDORS)
    assert (found.vendor_id, found.by) == (1, "sender")
    assert match_vendor("Northgate Paving", "stranger@example.org", VENDORS) is None
    assert match_vendor(None, None, VENDORS) is None


def test_standing_is_compliant_only_with_an_approved_certificate_in_force():
    assert standing([], TODAY).reason == "No certificate has been received."
    old = Filed("d1", None, "approved", date(2026, 12, 1), "2025-12-01T00:00:00")
    assert standing([old], TODAY).status == "missing"
    assert "expired on 2026-12-01" in standing([old], TODAY).reason
    rejected = Filed("d2", None, "rejected", date(2027, 12, 1), "2026-12-02T00:00:00")
    assert standing([old, rejected], TODAY).reason == "The newest certificate was not accepted."
    good = Filed("d3", "depot-7", "approved", date(2027, 12, 1), "2026-12-03T00:00:00")
    assert standing([old, rejected, good], TODAY).document_id == "d3"
    assert standing([old, rejected, good], TODAY, tag="other-project").reason == "No certificate has been received."


def test_a_reply_answers_only_our_own_message_ids():
    refs = message_ids("<notification-12.ab12cd@coi.test>",
                       "<x@mail.example> <notification-12.ab12cd@coi.test> <notification-9.ff@evil.example>")
    assert refs == ["<notification-12.ab12cd@coi.test>", "<x@mail.example>", "<notification-9.ff@evil.example>"]
    assert answered(refs, "coi.test") == [(12, "ab12cd")]
    assert message_ids(None, "not an id") == []


def test_a_certificate_by_a_vendors_thread_must_not_name_another_company():
    from pipeline.vendors import names_agree

    assert names_agree("Blue Heron Roofing, LLC", VENDORS[0]) and names_agree(None, VENDORS[0])
    assert names_agree("BHR Contracting Inc", VENDORS[0])
    assert not names_agree("Northgate Paving Inc.", VENDORS[0])
