"""The confidence function (pipeline/acord25/confidence.py), the evidence it is applied to, and the fit
bench/calibrate.py makes of it."""

import math
import random
from collections import defaultdict
from types import SimpleNamespace

import pytest

from pipeline.acord25.confidence import HOW, LOOSE_FIT, OCR_CEILING, Fit, confidence
from pipeline.acord25.evidence import calibrate


def _word(x, y, conf, kind=None):
    return SimpleNamespace(x0=x, y0=y, x1=x + 10, y1=y + 5, confidence=conf, kind=kind)


def test_without_a_fit_a_way_keeps_its_set_value_capped_by_a_borrowed_fit_and_the_ocr_words(monkeypatch):
    monkeypatch.setattr("pipeline.acord25.confidence.FIT", None)
    assert confidence("in_box", ocr=False, least=None, borrowed=False, fit=None) == HOW["in_box"]
    assert confidence("in_box", ocr=False, least=None, borrowed=True, fit=None) == LOOSE_FIT
    assert confidence("in_box", ocr=True, least=None, borrowed=False, fit=None) == OCR_CEILING
    assert confidence("in_box", ocr=True, least=0.9, borrowed=False, fit=None) == pytest.approx(0.81)


def test_a_fit_gives_a_way_its_own_intercept_and_lowers_unsure_words_and_borrowed_fits():
    fit = Fit({"in_box/ocr": 4.0}, ocr_slope=2.0, borrowed=1.5, ocr_offset=-1.0)
    sure = confidence("in_box", ocr=True, least=1.0, borrowed=False, fit=fit)
    assert sure == pytest.approx(1 / (1 + math.exp(-4.0)))
    assert confidence("in_box", ocr=True, least=0.6, borrowed=False, fit=fit) < sure
    assert confidence("in_box", ocr=True, least=1.0, borrowed=True, fit=fit) < sure
    # a way with no intercept of its own starts from its set value, moved by the OCR offset
    rare = confidence("care_of", ocr=True, least=1.0, borrowed=False, fit=fit)
    assert rare == pytest.approx(1 / (1 + math.exp(-(math.log(HOW["care_of"] / (1 - HOW["care_of"])) - 1.0))))


def test_calibrate_keeps_the_least_sure_ocr_word_in_each_box_and_ignores_empty_check_boxes():
    items = {"/a": {"bbox": [0, 0, 100, 20], "confidence": 0.5, "how": "in_box"},
             "/b": {"bbox": [200, 0, 300, 20], "confidence": 0.5, "how": "in_box"},
             "/c": {"bbox": [400, 0, 500, 20], "confidence": 0.5, "how": "in_box", "borrowed": True}}
    words = [_word(10, 5, 0.95), _word(40, 5, 0.7), _word(210, 5, 0.99), _word(410, 5, 0.99)]
    marks = [_word(60, 5, 0.1, kind="box")]
    calibrate(items, words, marks, ocr=True)
    assert (items["/a"]["ocr"], items["/b"]["ocr"]) == (0.7, 0.99)
    assert items["/a"]["confidence"] < items["/b"]["confidence"]
    assert items["/c"]["confidence"] <= items["/b"]["confidence"]


def test_calibrate_on_a_text_layer_records_no_ocr_confidence():
    items = {"/a": {"bbox": [0, 0, 100, 20], "confidence": 0.5, "how": "in_box"}}
    calibrate(items, [SimpleNamespace(x0=10, y0=5, x1=20, y1=10, confidence=None)], [], ocr=False)
    assert "ocr" not in items["/a"]


def test_the_fit_recovers_each_ways_error_rate_and_the_fall_with_the_ocr_words_confidence():
    from bench.calibrate import Sample, fit

    rng = random.Random(7)
    samples = []
    for _ in range(4000):  # in_box read from a text layer: 1 % wrong
        samples.append(Sample("in_box", False, None, False, rng.random() > 0.01, 0.0))
    for _ in range(4000):  # split_at_street by OCR: wrong more often the less sure its words
        least = rng.uniform(0.5, 1.0)
        p = 1 / (1 + math.exp(-(3.0 + 2.0 * math.log(least))))
        samples.append(Sample("split_at_street", True, least, False, rng.random() < p, 0.0))
    got = fit(samples)
    assert 1 / (1 + math.exp(-got.ways["in_box/text"])) == pytest.approx(0.99, abs=0.005)
    assert got.ways["split_at_street/ocr"] == pytest.approx(3.0, abs=0.4)
    for least in (0.55, 0.7, 0.85, 0.97):  # the fall with the words' confidence (slope and steps together)
        expected = 1 / (1 + math.exp(-(3.0 + 2.0 * math.log(least))))
        assert confidence("split_at_street", ocr=True, least=least, borrowed=False, fit=got) == \
            pytest.approx(expected, abs=0.03)
    assert got.borrowed >= 0


def test_the_path_fit_prices_an_amount_a_second_reading_did_not_confirm_from_its_set_value_and_the_data():
    from bench.calibrate import Sample, fit_path
    from pipeline.acord25.confidence import FIT, UNCONFIRMED_CEILING, confidence

    assert FIT is not None

    def sample(right: bool, confirmed: bool | None) -> Sample:
        return Sample("in_box", True, 0.96, False, right, 0.0, residual=0.2, by_rules=True, confirmed=confirmed)

    def priced(unconfirmed_right: bool, n: int) -> float:
        samples = [sample(True, None)] * 400 + [sample(True, True)] * 200 + [sample(unconfirmed_right, False)] * n
        fitted = fit_path(samples, FIT)
        return confidence("in_box", ocr=True, least=0.96, borrowed=False, residual=0.2, by_rules=True,
                          confirmed=False, fit=fitted)

    # few amounts not confirmed, none wrong: the cost stays near its set value's
    assert priced(True, 3) < 0.9 and priced(True, 3) == pytest.approx(UNCONFIRMED_CEILING, abs=0.05)
    # many, all wrong: the data takes it further down
    assert priced(False, 30) < priced(True, 3)


def test_the_path_fit_prices_a_date_a_second_reading_did_not_confirm_apart_from_the_amounts():
    from bench.calibrate import Sample, fit_path
    from pipeline.acord25.confidence import FIT, confidence

    assert FIT is not None

    def sample(right: bool, confirmed: bool | None = None, date_confirmed: bool | None = None) -> Sample:
        return Sample("in_box", True, 0.96, False, right, 0.0, residual=0.2, by_rules=True, confirmed=confirmed,
                      date_confirmed=date_confirmed)

    samples = [sample(True)] * 400 + [sample(True, True)] * 200 + [sample(True, None, True)] * 200
    samples += [sample(True, False)] * 5 + [sample(False, None, False)] * 30
    fitted = fit_path(samples, FIT)
    assert fitted.date_unconfirmed > fitted.unconfirmed > 0
    date_not = confidence("in_box", ocr=True, least=0.96, borrowed=False, residual=0.2, by_rules=True,
                          date_confirmed=False, fit=fitted)
    assert date_not < 0.5


def test_the_calibration_bench_takes_a_tuning_set_of_the_scans_of_the_seeds_listed(monkeypatch):
    """Given seeds listed for the tuning set, when it is drawn, then it is the scan of each seed, in order."""
    from bench import calibrate

    asked = []
    monkeypatch.setattr("bench.accuracy.official",
                        lambda split, counts, start: asked.append((split, counts, start)) or [("scan", f"s{start}", b"", {})])
    assert [name for _, name, _, _ in calibrate._scans([42, 7])] == ["s42", "s7"]
    assert asked == [("tuning", (0, 1, 0), 42), ("tuning", (0, 1, 0), 7)]


def test_the_calibration_bench_counts_a_document_it_cannot_extract_as_no_field_right(monkeypatch):
    """Given two documents, one read and one whose extraction fails, then the second is scored as a document
    that gave nothing (as bench.accuracy scores one), not left out."""
    from bench import calibrate
    from pipeline.errors import PipelineError

    truth = {"insured": {"name": "Acme Roofing LLC"}}

    def extract(reading):
        if reading == "unreadable":
            raise PipelineError("made up")
        return {"insured": {"name": "Acme Roofing LLC"}}

    monkeypatch.setattr("pipeline.stages.extract", extract)
    from bench.accuracy import score

    read, unread = (score(truth, got, defaultdict(lambda: [0, 0])) for got in (extract("read"), {}))
    assert unread.right < read.right  # the insured's name is missed when nothing was extracted
    assert calibrate._fields_right([("read", truth, ""), ("unreadable", truth, "")]) == \
        (read.right + unread.right, read.total + unread.total)
