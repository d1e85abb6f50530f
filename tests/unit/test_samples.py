"""The certificate generator: realistic truth data and a drawn, readable PDF."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.acord25 import empty_certificate
from pipeline.textlayer import has_usable_text, read_text_layer
from samples.certificates import demo_certificate, draw_certificate, random_certificate

LINES = {"general_liability", "automobile_liability", "umbrella_liability", "excess_liability",
         "workers_compensation", "other"}
LIMIT_KEYS = {
    "general_liability": {"each_occurrence", "damage_to_rented_premises", "medical_expense",
                          "personal_advertising_injury", "general_aggregate",
                          "products_completed_operations_aggregate"},
    "automobile_liability": {"combined_single_limit", "bodily_injury_per_person",
                             "bodily_injury_per_accident", "property_damage"},
    "umbrella_liability": {"each_occurrence", "aggregate", "retention"},
    "excess_liability": {"each_occurrence", "aggregate", "retention"},
    "workers_compensation": {"el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"},
    "other": {"limit"},
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.mark.parametrize("seed", range(25))
def test_random_certificate_has_the_contract_shape(seed):
    cert = random_certificate(random.Random(seed))
    assert set(cert) == set(empty_certificate()) - {"evidence"}
    assert set(cert["producer"]) == set(empty_certificate()["producer"])
    assert ISO.match(cert["date"])
    letters = [i["letter"] for i in cert["insurers"]]
    assert letters == sorted(set(letters)) and all(re.fullmatch(r"\d{5}", i["naic"]) for i in cert["insurers"])
    assert cert["policies"]
    for policy in cert["policies"]:
        assert policy["line"] in LINES
        assert policy["insurer_letter"] in letters
        assert ISO.match(policy["effective"]) and policy["effective"] < policy["expiration"]
        assert set(policy["limits"]) == LIMIT_KEYS[policy["line"]]
        assert all(v is None or (isinstance(v, int) and v > 0) for v in policy["limits"].values())


def test_random_certificate_is_determined_by_the_seed():
    assert random_certificate(random.Random(3)) == random_certificate(random.Random(3))
    assert random_certificate(random.Random(3)) != random_certificate(random.Random(4))


def test_demo_certificate_is_fixed_and_fictitious():
    assert demo_certificate() == demo_certificate()
    assert demo_certificate()["insured"]["name"] == "Blue Heron Roofing LLC"


def test_drawn_certificate_is_a_one_page_pdf_whose_text_layer_holds_labels_and_values():
    cert = demo_certificate()
    pdf = draw_certificate(cert)
    assert pdf.startswith(b"%PDF")
    pages = read_text_layer(pdf)
    assert len(pages) == 1 and has_usable_text(pages)
    text = " ".join(w.text for w in pages[0].words)
    for expected in ("CERTIFICATE OF LIABILITY INSURANCE", "COMMERCIAL GENERAL LIABILITY", "ACORD 25 (2016/03)",
                     cert["insured"]["name"], cert["certificate_holder"]["name"], "CGL1234567", "1,000,000",
                     "03/14/2025"):
        assert expected in text


def test_checked_boxes_are_drawn_as_crosses_and_a_signature_as_a_drawing():
    cert = demo_certificate()
    page = read_text_layer(draw_certificate(cert))[0]
    crosses = [m for m in page.marks if m.kind == "cross"]
    # GL box, OCCUR, PROJECT, ANY AUTO, PER STATUTE
    assert len(crosses) == 5
    assert any(m.kind == "drawing" for m in page.marks)
    unsigned = dict(cert, signed=False)
    assert not any(m.kind == "drawing" for m in read_text_layer(draw_certificate(unsigned))[0].marks)
