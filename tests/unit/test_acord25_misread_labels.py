"""Labels OCR misread past recognition: the page is registered by the labels and rules it did read, so
each value is still read from its own box (no tesseract: a drawn certificate read as if by OCR)."""

from __future__ import annotations

import pytest

from pipeline.acord25 import extract_certificate
from pipeline.textlayer import Page, read_text_layer
from samples.certificates import draw_certificate
from readings import as_ocr, garbled, policy

LIMIT_COLUMN = 420.0  # points: the limit labels' column of the drawn form starts right of this


@pytest.fixture(scope="module")
def drawn(truth) -> Page:
    return read_text_layer(draw_certificate(truth))[0]


def test_given_limit_labels_misread_on_a_scan_then_their_amounts_are_read_from_their_boxes(drawn, truth):
    scan = garbled(as_ocr(drawn), {"PERSONAL", "ADV", "INJURY", "POLICY", "LIMIT"}, x_from=LIMIT_COLUMN)
    cert = extract_certificate([scan])
    for line in ("general_liability", "workers_compensation"):
        assert policy(cert, line)[1]["limits"] == policy(truth, line)[1]["limits"]


def test_given_every_label_of_the_wc_row_misread_then_the_row_is_still_read(drawn, truth):
    scan = garbled(as_ocr(drawn), {"WORKERS", "COMPENSATION", "AND", "EMPLOYERS'", "LIABILITY", "STATUTE",
                                   "ANY", "PROPRIETOR/PARTNER/EXECUTIVE", "OFFICER/MEMBER", "EXCLUDED?"})
    _, wc = policy(extract_certificate([scan]), "workers_compensation")
    _, want = policy(truth, "workers_compensation")
    assert (wc["policy_number"], wc["effective"], wc["expiration"]) == \
        (want["policy_number"], want["effective"], want["expiration"])


def test_given_the_covered_autos_labels_misread_then_the_checked_boxes_are_read_from_their_places(drawn, truth):
    scan = garbled(as_ocr(drawn), {"ANY", "AUTO", "OWNED", "SCHEDULED", "HIRED", "NON-OWNED", "AUTOS", "ONLY"},
                   x_to=LIMIT_COLUMN)
    _, auto = policy(extract_certificate([scan]), "automobile_liability")
    assert auto["covered_autos"] == policy(truth, "automobile_liability")[1]["covered_autos"]
