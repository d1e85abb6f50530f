"""Plausibility checks and scan-only safeguards: a misread value must fall below review confidence."""

from __future__ import annotations

import copy
import random

import pytest

from pipeline.acord25 import plausible
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import read_insurers, read_producer
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.layout import Anchor, Box, Sheet
from pipeline.acord25.parse import parse_amount
from pipeline.samples import random_certificate
from pipeline.textlayer import Mark, Page, Word
from readings import clean_evidence


@pytest.fixture()
def cert() -> dict:
    return random_certificate(random.Random(11))


def test_given_a_plausible_certificate_when_reviewed_then_no_confidence_is_lowered(cert):
    evidence = clean_evidence(cert)
    assert plausible.review(cert, evidence, ocr=True) == []
    assert all(e["confidence"] == 0.97 for e in evidence.values())


@pytest.mark.parametrize("pointer, value", [
    ("/producer/fax", "(A/C, No):"),
    ("/producer/phone", "888-85"),
    ("/producer/email", "certificates ameriagency.com"),
    ("/date", "1899-01-01"),
    ("/insured/name", "Fairview, TX"),  # the city line taken for the name
    ("/description_of_operations", "CERTIFICATE HOLDER"),  # a printed label taken for a value
])
def test_given_a_header_value_that_does_not_look_like_its_field_then_it_falls_below_review(cert, pointer, value):
    _, key, *rest = pointer.split("/")
    if rest:
        cert[key][rest[0]] = value
    else:
        cert[key] = value
    evidence = clean_evidence(cert)
    assert pointer in plausible.review(cert, evidence, ocr=True)
    assert evidence[pointer]["confidence"] < 0.9


def test_given_coverage_values_misread_then_each_falls_below_review(cert):
    cert = copy.deepcopy(cert)
    policy = cert["policies"][0]
    policy["policy_number"] = "N, 6089057"  # a flag column read into the number
    policy["insurer_letter"] = "F" if all(i["letter"] != "F" for i in cert["insurers"]) else "G"
    key = next(iter(policy["limits"]))
    policy["limits"][key] = 5  # '5' for '500,000'
    cert["insurers"][0]["naic"] = "1893"
    evidence = clean_evidence(cert)
    lowered = set(plausible.review(cert, evidence, ocr=True))
    assert {"/policies/0/policy_number", "/policies/0/insurer_letter", f"/policies/0/limits/{key}",
            "/insurers/0/naic"} <= lowered


def test_given_an_unusual_policy_term_then_a_scan_doubts_the_dates_but_a_text_layer_does_not(cert):
    policy = cert["policies"][0]
    policy["effective"], policy["expiration"] = "2024-03-08", "2025-08-03"  # day and month swapped by OCR?
    scan, text = clean_evidence(cert), clean_evidence(cert)
    plausible.review(cert, scan, ocr=True)
    plausible.review(cert, text, ocr=False)
    assert scan["/policies/0/expiration"]["confidence"] < 0.9
    assert text["/policies/0/expiration"]["confidence"] == 0.97


def test_given_an_ocr_address_whose_zip_is_misread_then_it_is_doubted(cert):
    cert["producer"]["address"] = "HOME OFFICE: P.O. BOX 328, OWATONNA, MN SS060"
    evidence = clean_evidence(cert)
    assert "/producer/address" in plausible.review(cert, evidence, ocr=True)


def test_given_a_comma_read_as_a_period_then_the_amount_is_still_whole_dollars():
    assert parse_amount("$250.000") == 250_000
    assert parse_amount("1,000.000") == 1_000_000
    assert parse_amount("$1,500.00") == 1500


# -- scan geometry --------------------------------------------------------------------------------

def _w(text, x0, y0, size=6.0, conf=0.96):
    return Word(text, x0, y0, x0 + 0.55 * size * len(text), y0 + size, confidence=conf)


def _label(x0, y0, text):
    out, x = [], x0
    for part in text.split():
        out.append(_w(part, x, y0))
        x = out[-1].x1 + 1.5
    return out


def test_given_a_scan_with_an_empty_box_seen_then_unchecked_is_sure_and_unseen_is_a_guess():
    label = _label(60, 100, "OCCUR")
    page = Page(1, 612, 792, tuple(label), (Mark("box", 46, 97, 57, 108, confidence=0.97),))
    sheet = Sheet(page)
    anchor = Anchor(tuple(label), Box.around(label))
    assert sheet.box_state(anchor, 1.0) == (False, 0.97)
    bare = Sheet(Page(1, 612, 792, tuple(label), ()))
    assert bare.box_state(anchor, 1.0) == (False, 0.5)
    text_layer = Sheet(Page(1, 612, 792, tuple(Word(w.text, w.x0, w.y0, w.x1, w.y1) for w in label), ()))
    assert text_layer.box_state(Anchor(text_layer.words and tuple(text_layer.words), anchor.box), 1.0) == (False, None)


def _header_page(misread_b: bool) -> Page:
    words = [*_label(22, 120, "PRODUCER"), *_label(370, 160, "INSURER(S) AFFORDING COVERAGE"),
             *_label(558, 160, "NAIC #"), *_label(22, 250, "COVERAGES")]
    words += [_w("Harbor", 24, 131, 9), _w("Agency", 60, 131, 9)]
    words += [_w("NAME:", 310, 124), _w("Dana", 348, 121, 9), _w("Whitfield", 372, 121, 9)]
    words += [_w("{Ale,", 310, 133, conf=0.3), _w("519-943-6359", 354, 133, 9), _w("(A/C,", 486, 133),
              _w("No):", 501, 133), _w("824-807-8788", 519, 133, 9)]
    words += [_w("hopress:", 310, 145, conf=0.2), _w("certs@pinecrest-agency.com", 348, 145, 9)]
    for i, letter in enumerate("ABCDEF"):
        y = 170 + 12 * i
        if letter == "B" and misread_b:
            words.append(_w("wsurerb:", 310, y, conf=0.4))
        else:
            words += _label(310, y, f"INSURER {letter} :")
        if letter in "AB":
            words += [_w("Heritage", 351, y - 1, 9), _w(f"Mutual{letter}", 390, y - 1, 9), _w("20671", 553, y - 1, 9)]
    return Page(1, 612, 792, tuple(words), ())


def test_given_a_scan_whose_insurer_label_was_misread_then_the_row_is_placed_from_the_others():
    sheet = Sheet(_header_page(misread_b=True))
    frame = build_frame(sheet)
    insurers = read_insurers(sheet, frame, Evidence(1))
    assert [(i["letter"], i["name"]) for i in insurers] == [("A", "Heritage MutualA"), ("B", "Heritage MutualB")]


def test_given_a_scan_with_misread_contact_labels_then_values_are_told_apart_by_their_shape():
    sheet = Sheet(_header_page(misread_b=False))
    frame = build_frame(sheet)
    producer = read_producer(sheet, frame, Evidence(1))
    assert producer["contact_name"] == "Dana Whitfield"
    assert producer["phone"] == "519-943-6359"
    assert producer["fax"] == "824-807-8788"
    assert producer["email"] == "certs@pinecrest-agency.com"
