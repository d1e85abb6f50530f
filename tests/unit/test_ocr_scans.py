"""OCR end to end: scans in, certificate fields out (field values, not exact OCR text).

These run tesseract on whole pages (~6 s each on 2 cores); they are the slow part of
the OCR tests, kept to four pages.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.stages import extract, read
from samples.scans import Degradation, scanned_certificate

pytestmark = pytest.mark.tesseract  # every test here reads a whole page with tesseract


def _bench():
    """bench/accuracy.py (not an installed package: it is run from the checkout)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("bench_accuracy", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_accuracy", module)
    spec.loader.exec_module(module)
    return module


def _policy(cert: dict, line: str) -> dict:
    return next(p for p in cert["policies"] if p["line"] == line)


def test_given_a_generated_certificate_scanned_turned_skewed_and_noisy_then_key_fields_are_read():
    sample = scanned_certificate(
        random.Random(3),
        Degradation(dpi=300, turn=90, skew=4.0, noise=10, blur=0.4, speckle=0.0005, kind="image/png"),
    )
    truth = sample.truth
    reading = read(sample.data)
    got = extract(reading)

    assert reading.method == "ocr"
    assert got["insured"]["name"] == truth["insured"]["name"]
    assert got["certificate_holder"]["name"] == truth["certificate_holder"]["name"]
    gl, want = _policy(got, "general_liability"), _policy(truth, "general_liability")
    assert gl["limits"]["each_occurrence"] == want["limits"]["each_occurrence"]
    assert (gl["effective"], gl["expiration"]) == (want["effective"], want["expiration"])
    assert all(0 <= e["confidence"] <= 0.97 for e in got["evidence"].values())  # OCR is never text-layer sure


def test_given_a_generated_certificate_photographed_at_an_angle_in_uneven_light_then_key_fields_are_read():
    sample = scanned_certificate(random.Random(11), Degradation(dpi=250, blur=0.5, noise=5, jpeg_quality=85,
                                                                kind="image/jpeg", photo=True))
    truth = sample.truth
    got = extract(read(sample.data))
    assert got["insured"]["name"] == truth["insured"]["name"]
    assert got["certificate_holder"]["name"] == truth["certificate_holder"]["name"]
    gl, want = _policy(got, "general_liability"), _policy(truth, "general_liability")
    assert gl["policy_number"] == want["policy_number"]
    assert gl["limits"]["each_occurrence"] == want["limits"]["each_occurrence"]
    assert (gl["effective"], gl["expiration"]) == (want["effective"], want["expiration"])


@pytest.mark.corpus
@pytest.mark.parametrize("name, minimum", [
    ("real_acord25-2016_scan_coi-auditor_Sainz-Construction_2024-05-09", 0.94),
    ("real_acord25-2016_scan_coi-auditor_31W-Insulation_2023-11-06", 0.94),
])
def test_given_a_real_scan_then_most_fields_match_the_truth(real_corpus, name, minimum):
    truth = json.loads((real_corpus / "truth" / f"{name}.json").read_text())
    reading = read((real_corpus / f"{name}.pdf").read_bytes())
    got = extract(reading)

    result = _bench().score(truth, got, defaultdict(lambda: [0, 0]))
    assert reading.method == "ocr"
    assert result.accuracy >= minimum, "\n".join(result.wrong)
    assert result.wrong_high == 0, "\n".join(result.wrong)  # doubtful values stay below 0.9
