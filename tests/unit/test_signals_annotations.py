"""Annotations on a certificate: when they are a finding and when they are how the form was filled (pure)."""

from __future__ import annotations

import pytest

from pipeline.signals.annotations import annotation_signals
from pipeline.signals.hidden import hidden_signals
from pipeline.signals.model import Code, Severity
from pipeline.textlayer import Page, Word


@pytest.fixture
def certificate() -> dict:
    evidence = {f"/policies/0/limits/k{i}": {"page": 1, "bbox": [400, 100 + 20 * i, 450, 110 + 20 * i],
                                             "confidence": 1.0} for i in range(6)}
    evidence["/signed"] = {"page": 1, "bbox": [300, 700, 560, 740], "confidence": 1.0}
    return {"policies": [{"limits": {f"k{i}": 1_000_000 for i in range(6)}}], "signed": True, "evidence": evidence}


def annot(box, text="2,000,000", subtype="FreeText") -> dict:
    return {"page": 1, "subtype": subtype, "bbox": box, "text": text, "object": "9 0 R"}


def severities(found) -> list[tuple[str, str]]:
    return [(s.code.value, s.severity.value) for s in found]


def test_given_a_typed_value_over_a_value_of_a_flattened_certificate_then_tamper_naming_the_value(certificate):
    [signal] = annotation_signals([annot((398, 98, 452, 112))], certificate, live_fields=False)
    assert signal.severity == Severity.TAMPER and signal.evidence["pointer"] == "/policies/0/limits/k0"
    assert "2,000,000" in signal.message


def test_given_text_typed_in_an_empty_spot_of_a_flattened_certificate_then_tamper(certificate):
    assert severities(annotation_signals([annot((50, 300, 120, 310), "X")], certificate, live_fields=False)) == [
        ("annotation_added", "tamper")]


def test_given_text_typed_beside_live_form_fields_then_a_notice(certificate):
    assert severities(annotation_signals([annot((50, 300, 120, 310), "X")], certificate, live_fields=True)) == [
        ("annotation_added", "notice")]


def test_given_an_annotation_repeating_the_value_under_it_then_a_notice(certificate):
    found = annotation_signals([annot((398, 98, 452, 112), "1000000")], certificate, live_fields=False)
    assert severities(found) == [("annotation_added", "notice")]


def test_given_an_ocr_reading_then_a_repeated_value_is_still_tamper(certificate):
    found = annotation_signals([annot((398, 98, 452, 112), "1000000")], certificate, live_fields=False, ocr=True)
    assert severities(found) == [("annotation_added", "tamper")]


def test_given_a_signature_stamped_in_the_signature_box_then_a_notice(certificate):
    found = annotation_signals([annot((320, 710, 400, 730), None, "Ink")], certificate, live_fields=False)
    assert severities(found) == [("annotation_added", "notice")]


def test_given_an_agency_that_writes_every_value_as_an_annotation_then_nothing(certificate):
    certificate["evidence"] = {}  # the page's content holds only the form's print
    assert annotation_signals([annot((398, 98, 452, 112))], certificate, live_fields=False) == []


def test_given_links_and_widgets_then_nothing(certificate):
    assert annotation_signals([annot((398, 98, 452, 112), None, "Link")], certificate, live_fields=False) == []


def test_given_words_the_page_does_not_show_then_a_notice_listing_them_but_not_the_margin_marks():
    shown = [Page(1, 612, 792, (Word("2,000,000", 400, 100, 440, 108),))]
    layer = [Page(1, 612, 792, (Word("1,000,000", 400, 100, 440, 108), Word("2,000,000", 400, 100, 440, 108),
                                Word("Acroform", 1, 785, 10, 791)))]
    [signal] = hidden_signals(shown, layer, {})
    assert signal.code == Code.HIDDEN_TEXT and signal.severity == Severity.NOTICE
    assert signal.evidence["detail"]["hidden"] == ["1,000,000"]
    assert hidden_signals(shown, layer, {1: [[395, 95, 445, 112]]}) == []



def test_given_a_page_filled_with_typed_annotations_and_read_with_them_then_nothing(certificate):
    """A PDF editor's typewriter text on a blank form: every value was read from an annotation."""
    typed = [annot(e["bbox"], "1,000,000") for p, e in certificate["evidence"].items() if p != "/signed"]
    assert annotation_signals(typed, certificate, live_fields=False, merged=frozenset({1})) == []


def test_given_a_finished_certificate_read_with_a_few_annotations_then_each_is_tamper(certificate):
    """Annotations typed in empty spots of a finished certificate, read with its page: still an alteration."""
    certificate["evidence"]["/description_of_operations"] = {"page": 1, "bbox": [40, 600, 300, 610],
                                                              "confidence": 1.0}
    added = [annot((40, 598, 300, 612), "Holder is additional insured")]
    [signal] = annotation_signals(added, certificate, live_fields=False, merged=frozenset({1}))
    assert signal.severity == Severity.TAMPER and signal.evidence["pointer"] == "/description_of_operations"


def test_given_a_page_filled_with_annotations_and_one_laid_over_another_then_tamper(certificate):
    typed = [annot(e["bbox"], "1,000,000") for p, e in certificate["evidence"].items() if p != "/signed"]
    over = annot((398, 98, 452, 112), "5,000,000")  # over the first limit's annotation
    found = annotation_signals(typed + [over], certificate, live_fields=False, merged=frozenset({1}))
    assert {s.severity for s in found} == {Severity.TAMPER}
    assert any(s.evidence["detail"]["text"] == "5,000,000" for s in found)
