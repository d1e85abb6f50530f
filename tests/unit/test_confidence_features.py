"""The evidence the confidence function reads besides how a value was found (issue 16): two readings
that agree or differ, the value's fit to its field's kind, its block's registration residual. Each
test fails when its feature stops moving a value's confidence the way it should, or stops being
recorded where the reader has it."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

from pipeline.acord25 import extract_certificate, plausible
from pipeline.acord25.confidence import HOW, LEAST_STEPS, MISFIT, Fit, confidence, logit, of_item
from pipeline.acord25.evidence import Evidence, calibrate
from pipeline.acord25.fields import agree_with_form_fields
from pipeline.acord25.layout import Box
from pipeline.acord25.reader import _differing, _read_once
from pipeline.textlayer import Page, Word

FIT = Fit({"in_box/ocr": 4.0, "in_box/text": 6.0}, ocr_slope=1.0, borrowed=1.0, residual=0.5, agree=1.5,
          differ=2.0, misfit=3.0, below=(0.5,) * len(LEAST_STEPS))


def _sure(**given) -> float:
    return confidence("in_box", ocr=True, least=0.95, borrowed=False, fit=FIT, **given)


# -- the function --------------------------------------------------------------------------------------

def test_given_a_fit_when_two_readings_agree_then_the_value_is_surer_and_when_they_differ_less_sure():
    assert _sure(agree=True) > _sure() > _sure(agree=False)


def test_given_a_fit_when_a_value_does_not_fit_its_kind_then_it_is_less_sure():
    assert _sure(fits=False) < _sure()
    assert _sure(fits=True) == _sure()  # only a failed check says something


def test_given_a_fit_when_its_block_registered_worse_then_an_ocr_value_is_less_sure_and_a_text_layers_is_not():
    assert _sure(residual=6.0) < _sure(residual=1.0) < _sure(residual=0.0)

    def text(residual):
        return confidence("in_box", ocr=False, least=None, borrowed=False, residual=residual, fit=FIT)

    assert text(6.0) == text(0.0)


def test_given_a_fit_when_the_least_sure_word_falls_below_a_step_then_the_value_is_less_sure_by_its_cost():
    steps = Fit({"in_box/ocr": 4.0}, ocr_slope=0.0, borrowed=0.0, below=(0.0, 3.0, 0.0, 0.0, 0.0))  # cost at 0.9

    def at(least):
        return confidence("in_box", ocr=True, least=least, borrowed=False, fit=steps)

    assert at(0.93) == at(0.99) > at(0.89) == at(0.5)
    assert math.log(at(0.93) / (1 - at(0.93))) - math.log(at(0.89) / (1 - at(0.89))) == pytest.approx(3.0)


def test_given_a_margin_then_every_value_is_less_sure_by_it_on_the_logit():
    shifted = dataclasses.replace(FIT, margin=2.0)
    z = math.log(_sure() / (1 - _sure()))
    got = confidence("in_box", ocr=True, least=0.95, borrowed=False, fit=shifted)
    assert math.log(got / (1 - got)) == pytest.approx(z - 2.0)


def test_without_a_fit_a_value_that_does_not_fit_its_kind_is_below_review_and_the_rest_is_as_before(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)
    plain = confidence("in_box", ocr=False, least=None, borrowed=False, fit=None)
    assert confidence("in_box", ocr=False, least=None, borrowed=False, fits=False, fit=None) == MISFIT < 0.9
    assert confidence("in_box", ocr=False, least=None, borrowed=False, agree=False, residual=5.0, fit=None) == plain
    assert plain == HOW["in_box"]


def test_the_fit_round_trips_through_its_json_form():
    again = Fit.from_dict(dataclasses.replace(FIT, margin=0.25).to_dict())
    assert again == dataclasses.replace(FIT, margin=0.25)


def test_of_item_reads_the_features_from_the_evidence_keys():
    item = {"how": "in_box", "ocr": 0.95, "residual": 6.0, "agree": False, "fits": False}
    assert of_item(item, ocr=True, fit=FIT) == pytest.approx(_sure(residual=6.0, agree=False, fits=False))


# -- the evidence: where each feature is recorded ---------------------------------------------------

def _w(text, x, conf=0.9):
    return Word(text, x, 100.0, x + 30.0, 110.0, conf)


def test_calibrate_records_the_agreement_of_readings_and_the_blocks_residual_and_scores_with_them(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", FIT)
    a, b, c = _w("Heron", 10), _w("Blue", 210), _w("Road", 410)
    items = {p: {"bbox": [x, 95, x + 40, 115], "confidence": 0.5, "how": "in_box"}
             for p, x in (("/a", 5), ("/b", 205), ("/c", 405))}
    calibrate(items, [a, b, c], [], ocr=True, agreed={id(a)}, differing={id(b)},
              residual_at=lambda x, y: 1.0 if x < 300 else 7.0)
    assert (items["/a"]["agree"], items["/b"]["agree"], "agree" in items["/c"]) == (True, False, False)
    assert (items["/a"]["residual"], items["/c"]["residual"]) == (1.0, 7.0)
    assert items["/a"]["confidence"] > items["/b"]["confidence"]
    assert items["/c"]["confidence"] < confidence("in_box", ocr=True, least=0.9, borrowed=False, residual=1.0)


def test_given_a_fit_a_block_fitted_on_rules_alone_is_priced_by_its_own_numbers_not_a_label_fits():
    rules_fit = dataclasses.replace(FIT, by_rules=-1.0, rules_residual=2.0)
    # a rules fit's residual of 0.2 pt is not a label fit's 0.2 pt: its own offset and cost apply instead
    unpriced = logit(confidence("in_box", ocr=True, least=0.95, borrowed=False, residual=0.0, fit=rules_fit))
    assert confidence("in_box", ocr=True, least=0.95, borrowed=False, residual=0.2, by_rules=True, fit=rules_fit) \
        == pytest.approx(1 / (1 + math.exp(-(unpriced - 1.0 - 2.0 * 0.2))))
    assert confidence("in_box", ocr=True, least=0.95, borrowed=False, residual=0.2, fit=rules_fit) == \
        pytest.approx(_sure(residual=0.2))  # a label fit is priced as before
    # a text layer is never fitted on rules alone
    assert confidence("in_box", ocr=False, least=None, borrowed=False, by_rules=True, fit=rules_fit) == \
        confidence("in_box", ocr=False, least=None, borrowed=False, fit=rules_fit)


def test_calibrate_records_a_block_fitted_on_rules_alone_and_scores_with_it(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", dataclasses.replace(FIT, by_rules=-2.0))
    a, b = _w("Heron", 10, 0.96), _w("Blue", 210, 0.96)
    items = {p: {"bbox": [x, 95, x + 40, 115], "confidence": 0.5, "how": "in_box"} for p, x in (("/a", 5), ("/b", 205))}
    calibrate(items, [a, b], [], ocr=True, residual_at=lambda x, y: 0.5, by_rules_at=lambda x, y: x < 100)
    assert (items["/a"].get("by_rules"), "by_rules" in items["/b"]) == (True, False)
    assert items["/a"]["confidence"] < items["/b"]["confidence"]
    assert of_item(items["/a"], ocr=True) == pytest.approx(items["/a"]["confidence"], abs=1e-3)


def test_calibrate_keeps_a_form_fields_agreement_where_ocr_says_nothing():
    items = {"/a": {"bbox": [0, 0, 50, 20], "confidence": 0.5, "how": "in_box", "agree": False}}
    calibrate(items, [], [], ocr=False)
    assert items["/a"]["agree"] is False


def test_a_second_reading_that_agrees_is_kept_once_and_marked_agreed():
    page_reading, second = _w("10403", 10, 0.7), _w("10403", 11, 0.95)
    agreed: set[int] = set()
    kept = _read_once([page_reading, second], agreed)
    assert kept == [second] and agreed == {id(second)}


def test_two_readings_of_one_place_that_differ_are_both_kept_and_marked_differing():
    one, other = _w("10403", 10), _w("16403", 11)
    agreed: set[int] = set()
    kept = _read_once([one, other], agreed)
    assert len(kept) == 2 and not agreed
    assert _differing(kept) == {id(one), id(other)}
    assert not _differing([_w("10403", 10), _w("Road", 100)])  # words side by side are not two readings


def test_a_form_fields_value_agrees_with_the_page_reading_of_the_same_text_and_not_with_another():
    cert = {"insured": {"name": "Blue Heron Landscaping, LLC", "address": None}, "producer": {"name": "Acme"}}
    ev = Evidence(1)
    ev.add("/insured/name", Box(0, 0, 10, 10), 0.99, "in_box")
    ev.add("/producer/name", Box(0, 20, 10, 30), 0.99, "in_box")
    agree_with_form_fields(cert, {"NamedInsured_FullName_A": "BLUE HERON LANDSCAPING LLC",
                                  "Producer_FullName_A": "Acme Insurance Agency"}, ev)
    assert ev.items["/insured/name"]["agree"] is True
    assert ev.items["/producer/name"]["agree"] is False


@pytest.mark.parametrize(("value", "fits"), [("NUMBER:", False), ("CERTIFICATE NUMBER", False), ("12345", True),
                                             ("A", True), ("2024-118", True)])
def test_a_certificate_or_revision_number_that_is_the_forms_label_words_does_not_fit(value, fits):
    cert = {"revision_number": value, "insurers": [], "policies": []}
    evidence = {"/revision_number": {"bbox": [0, 0, 10, 10], "confidence": 0.99, "how": "in_box"}}
    plausible.review(cert, evidence, ocr=False)
    assert (evidence["/revision_number"].get("fits") is not False) is fits


def test_a_value_that_fails_its_kinds_check_is_marked_and_lowered_by_the_fitted_function(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", FIT)
    cert = {"insurers": [{"letter": "A", "name": "Acme Mutual", "naic": "1O4O3"}], "policies": []}
    evidence = {"/insurers/0/naic": {"bbox": [0, 0, 10, 10], "confidence": 0.98, "how": "in_box", "ocr": 0.95}}
    assert plausible.review(cert, evidence, ocr=True) == ["/insurers/0/naic"]
    assert evidence["/insurers/0/naic"]["fits"] is False
    assert evidence["/insurers/0/naic"]["confidence"] == pytest.approx(_sure(fits=False), abs=0.001)


def test_given_an_ocr_page_whose_word_was_read_twice_alike_then_its_value_says_the_readings_agree(page, truth):
    heron = next(w for w in page.words if w.text == "Heron" and w.y0 > 180.0)
    again = dataclasses.replace(heron, x0=heron.x0 + 0.5, y0=heron.y0 + 0.3, confidence=0.8)
    cert = extract_certificate([dataclasses.replace(page, words=(*page.words, again))])
    assert cert["evidence"]["/insured/name"].get("agree") is True
    assert cert["evidence"]["/insured/name"]["residual"] >= 0


def test_given_an_ocr_page_read_twice_differently_then_its_value_says_the_readings_differ(page: Page):
    heron = next(w for w in page.words if w.text == "Heron" and w.y0 > 180.0)
    other = dataclasses.replace(heron, text="Hero", x0=heron.x0 + 0.5, confidence=0.8)  # 'Hero' is a piece: alike
    wrong = dataclasses.replace(heron, text="Herm", x0=heron.x0 + 0.5, confidence=0.8)
    alike = extract_certificate([dataclasses.replace(page, words=(*page.words, other))])
    unlike = extract_certificate([dataclasses.replace(page, words=(*page.words, wrong))])
    assert alike["evidence"]["/insured/name"].get("agree") is True
    assert unlike["evidence"]["/insured/name"].get("agree") is False


# -- the bench's fit ---------------------------------------------------------------------------------

def test_the_fit_finds_the_gain_of_agreeing_readings_and_the_costs_of_a_failed_check_and_a_residual():
    from bench.calibrate import Sample, fit

    rng = random.Random(5)
    samples = []
    for _ in range(6000):
        agree = rng.choice([True, False, None])
        fits = rng.choice([False, None, None])
        residual = rng.uniform(0.0, 6.0)
        z = 3.0 + 1.5 * (agree is True) - 2.0 * (agree is False) - 2.5 * (fits is False) - 0.4 * residual
        samples.append(Sample("in_box", True, None, False, rng.random() < 1 / (1 + math.exp(-z)), 0.0,
                              residual, agree, fits))
    got = fit(samples)
    assert got.agree == pytest.approx(1.5, abs=0.5)
    assert got.differ == pytest.approx(2.0, abs=0.5)
    assert got.misfit == pytest.approx(2.5, abs=0.5)
    assert got.residual == pytest.approx(0.4, abs=0.15)


def test_the_fit_finds_a_steep_step_in_the_ocr_words_confidence():
    """Tesseract's confidence is no probability: wrong readings gather below about 0.9 (bench figures)."""
    from bench.calibrate import Sample, fit

    rng = random.Random(9)
    samples = []
    for _ in range(6000):
        least = rng.uniform(0.3, 1.0)
        z = 6.0 if least >= 0.9 else 2.0
        samples.append(Sample("in_box", True, least, False, rng.random() < 1 / (1 + math.exp(-z)), 0.0))
    got = fit(samples)
    step = dict(zip(LEAST_STEPS, got.below))[0.9]
    assert step == pytest.approx(4.0, abs=1.0)
    assert sum(got.below) + got.ocr_slope * 1.2 < 5.5  # the rest of the drop is not put on the other terms


def test_the_margin_is_the_least_that_holds_the_share_wrong_at_high_confidence_to_the_target():
    from bench.calibrate import HIGH, TARGET, Sample, margin

    rng = random.Random(3)
    samples = [Sample("in_box", True, None, False, rng.random() > 0.02, 0.0) for _ in range(3000)]
    samples += [Sample("in_box", True, None, False, True, 0.0, agree=True) for _ in range(3000)]
    base = Fit({"in_box/ocr": 4.0}, ocr_slope=0.0, borrowed=0.0, agree=3.0)
    shifted = margin(base, samples)
    assert shifted.margin > 0
    given = [confidence(s.how, ocr=True, least=None, borrowed=False, agree=s.agree, fit=shifted) for s in samples]
    high = [s for s, c in zip(samples, given) if c >= HIGH]
    assert high and sum(not s.right for s in high) <= TARGET * len(high)
    smaller = dataclasses.replace(shifted, margin=shifted.margin - 0.05)
    given = [confidence(s.how, ocr=True, least=None, borrowed=False, agree=s.agree, fit=smaller) for s in samples]
    assert sum(not s.right for s, c in zip(samples, given) if c >= HIGH) > 0


def test_given_amount_boxes_the_ocr_stage_read_again_then_each_value_records_whether_it_was_confirmed(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", dataclasses.replace(FIT, unconfirmed=3.0))
    from pipeline.acord25.evidence import CONFIRMED, UNCONFIRMED
    from pipeline.textlayer import Mark

    a, b, c = _w("4,000,000", 10, 0.95), _w("1,000,000", 210, 0.95), _w("5,000", 410, 0.95)
    items = {p: {"bbox": [x, 98, x + 34, 112], "confidence": 0.5, "how": "in_box"}
             for p, x in (("/a", 8), ("/b", 208), ("/c", 408))}
    marks = [Mark(UNCONFIRMED, 0, 90, 100, 120), Mark(CONFIRMED, 200, 90, 300, 120), Mark("box", 400, 90, 500, 120)]
    calibrate(items, [a, b, c], marks, ocr=True)
    assert (items["/a"]["confirmed"], items["/b"]["confirmed"], "confirmed" in items["/c"]) == (False, True, False)
    assert items["/a"]["confidence"] < items["/b"]["confidence"]
    assert "ocr" in items["/a"] and items["/a"]["ocr"] == 0.95  # the marks are no OCR measure of their own


def test_given_a_fit_an_amount_a_second_reading_did_not_confirm_costs_its_own_number(monkeypatch):
    fitted = dataclasses.replace(FIT, by_rules=0.0, unconfirmed=5.0)
    sure = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, fit=fitted)
    not_confirmed = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, confirmed=False,
                               fit=fitted)
    assert logit(sure) - logit(not_confirmed) == pytest.approx(5.0)
    assert confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, confirmed=True, fit=fitted) == \
        pytest.approx(sure)
    assert Fit.from_dict(fitted.to_dict()).unconfirmed == 5.0
    # the unfitted set values: an amount not confirmed is below trust
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)
    assert confidence("in_box", ocr=True, least=0.99, borrowed=False, confirmed=False) < 0.9


def test_given_date_boxes_the_ocr_stage_read_again_then_each_date_records_whether_it_was_confirmed(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", dataclasses.replace(FIT, date_unconfirmed=3.0))
    from pipeline.acord25.evidence import CONFIRMED, DATE_CONFIRMED, DATE_UNCONFIRMED
    from pipeline.textlayer import Mark

    a, b = _w("01/15/2026", 10, 0.95), _w("01/16/2026", 210, 0.95)
    items = {p: {"bbox": [x, 98, x + 34, 112], "confidence": 0.5, "how": "in_box"} for p, x in (("/a", 8), ("/b", 208))}
    marks = [Mark(DATE_UNCONFIRMED, 0, 90, 100, 120), Mark(DATE_CONFIRMED, 200, 90, 300, 120),
             Mark(CONFIRMED, 400, 90, 500, 120)]
    calibrate(items, [a, b], marks, ocr=True)
    assert (items["/a"]["date_confirmed"], items["/b"]["date_confirmed"]) == (False, True)
    assert "confirmed" not in items["/a"] and "confirmed" not in items["/b"]  # an amount's key stays an amount's
    assert items["/a"]["confidence"] < items["/b"]["confidence"]


def test_given_a_fit_a_date_a_second_reading_did_not_confirm_costs_its_own_number_not_an_amounts(monkeypatch):
    fitted = dataclasses.replace(FIT, by_rules=0.0, unconfirmed=1.0, date_unconfirmed=4.0)
    sure = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, fit=fitted)
    date_not = confidence("in_box", ocr=True, least=0.95, borrowed=False, by_rules=True, date_confirmed=False,
                          fit=fitted)
    assert logit(sure) - logit(date_not) == pytest.approx(4.0)
    assert Fit.from_dict(fitted.to_dict()).date_unconfirmed == 4.0
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)
    assert confidence("in_box", ocr=True, least=0.99, borrowed=False, date_confirmed=False) < 0.9
