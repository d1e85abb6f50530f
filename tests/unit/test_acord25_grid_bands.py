"""The coverage table's rows and cells when a scan's line label was not read, or a value overran its cell.

A drawn certificate is read as if by OCR (every word carries a confidence); words are then garbled
or moved the way a scan or an agency's typing leaves them."""

from __future__ import annotations

import dataclasses

from pipeline.acord25 import extract_certificate
from readings import garbled, policy


def test_given_the_automobile_line_label_unread_then_its_row_is_split_from_general_liability(page, truth):
    """Given AUTOMOBILE LIABILITY misread, when the table is read, then the auto row is still its own
    band (opened by COMBINED SINGLE LIMIT) and GL keeps its own policy number."""
    cert = extract_certificate([garbled(page, {"AUTOMOBILE", "LIABILITY"}, x_to=120)])
    _, gl = policy(cert, "general_liability")
    _, auto = policy(cert, "automobile_liability")
    _, want_gl = policy(truth, "general_liability")
    _, want_auto = policy(truth, "automobile_liability")
    assert gl["policy_number"] == want_gl["policy_number"]
    assert auto["policy_number"] == want_auto["policy_number"]
    assert auto["limits"] == want_auto["limits"]


def test_given_the_workers_compensation_label_unread_then_its_row_is_found_by_its_limits(page, truth):
    cert = extract_certificate([garbled(page, {"WORKERS", "COMPENSATION"}, x_to=120)])
    _, wc = policy(cert, "workers_compensation")
    _, want = policy(truth, "workers_compensation")
    assert wc["policy_number"] == want["policy_number"]
    assert wc["limits"] == want["limits"]


def test_given_a_policy_number_typed_over_the_subr_column_then_its_first_words_are_kept_below_review(page, truth):
    """Given '73 TRS BA7654321' with '73 TRS' overrunning the ADDL / SUBR cells, then the number is read
    whole, with a confidence that asks for review."""
    _, want = policy(truth, "automobile_liability")
    number = next(w for w in page.words if w.text == want["policy_number"])
    spill = [dataclasses.replace(number, text="73", x0=190.0, x1=199.0),
             dataclasses.replace(number, text="TRS", x0=201.5, x1=213.5)]
    spilled = dataclasses.replace(page, words=tuple([*page.words, *spill]))
    cert = extract_certificate([spilled])
    i, auto = policy(cert, "automobile_liability")
    assert auto["policy_number"] == f"73 TRS {want['policy_number']}"
    assert cert["evidence"][f"/policies/{i}/policy_number"]["confidence"] < 0.9
