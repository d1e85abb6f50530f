"""What the desk's document page names and links (inbox/desk/views.py), on plain data."""

from __future__ import annotations

import copy

from inbox.desk.views import Page, _pointer_by_line, label
from samples.certificates import demo_certificate


def test_given_pointers_then_values_are_named_as_a_person_says_them():
    cert = demo_certificate()
    assert label(cert, "/policies/0/limits/each_occurrence") == "General liability (row 1): each occurrence"
    assert label(cert, "/insurers/1/naic") == "Insurer 2: naic"
    assert label(cert, "/certificate_holder/name") == "Certificate holder: name"


def test_given_a_check_whose_value_was_not_read_then_it_still_points_at_its_line_and_key():
    cert = copy.deepcopy(demo_certificate())
    cert["policies"][0]["limits"]["each_occurrence"] = None
    check = {"code": "limit_below_minimum", "line": "general_liability", "key": "each_occurrence", "evidence": None}
    assert _pointer_by_line(cert, check) == "/policies/0/limits/each_occurrence"
    assert _pointer_by_line(cert, {**check, "key": "expiration"}) == "/policies/0/expiration"
    assert _pointer_by_line(cert, {**check, "line": "umbrella_liability"}) is None  # no such row to correct


def test_given_a_blank_value_without_a_box_then_the_page_can_still_offer_to_correct_it():
    cert = copy.deepcopy(demo_certificate())
    page = Page(document=None, status={}, data=cert)
    blank = page.value("/revision_number")
    assert blank is not None and blank.text == "" and blank.bbox is None
    assert page.value("/policies/0") is None and page.value("/no/such") is None  # only single values
