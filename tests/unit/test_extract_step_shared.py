"""What the extract step finds once and shares (the form, each earlier certificate's keys), and the read
step's label look asked only when it can change anything: each answer is the one found the long way."""

from __future__ import annotations

import copy
import importlib

import pytest

from pipeline.acord25.identify import FormInfo, identify
from pipeline.layertrust import LayerCheck
from pipeline.signals import find_signals
from pipeline.signals.history import history_signals
from pipeline.signals.lookalike import footer_signals
from pipeline.signals.model import Code
from pipeline.stages import extract, identified, pages_to_ocr, read
from pipeline.textlayer import Page, Word
from samples.certificates import demo_certificate, draw_certificate


@pytest.fixture(scope="module")
def drawn() -> tuple[bytes, object]:
    data = draw_certificate(demo_certificate())
    return data, read(data)


def test_given_the_form_found_by_the_extract_step_then_the_same_signals_as_finding_it_again(drawn):
    data, reading = drawn
    form = identified(reading)
    certificate = extract(reading, form)
    assert form == identify(list(reading.pages))
    assert certificate == extract(reading)
    assert find_signals(data, reading, certificate, form=form) == find_signals(data, reading, certificate)


def test_given_a_form_whose_footer_names_no_published_edition_then_a_footer_mismatch():
    page = Page(1, 612, 792, (Word("ACORD", 30, 770, 60, 778),))
    [signal] = footer_signals([page], FormInfo("ACORD 25", "2019/07", 1), ocr=False)
    assert signal.code == Code.FOOTER_MISMATCH and "2019/07" in signal.message


def test_given_a_form_without_a_footer_edition_or_copyright_then_no_form_footer():
    page = Page(1, 612, 792, (Word("PRODUCER", 30, 100, 80, 108),))
    [signal] = footer_signals([page], FormInfo("ACORD 25", None, 1), ocr=False)
    assert signal.code == Code.NO_FORM_FOOTER


def _with(certificate: dict, insured: str, naic_name: str | None = None) -> dict:
    other = copy.deepcopy(certificate)
    other["insured"]["name"] = insured
    other["revision_number"] = None
    if naic_name is not None:
        other["insurers"][0]["name"] = naic_name
    return other


@pytest.fixture
def certificate() -> dict:
    return {
        "insured": {"name": "Blue Ridge Builders LLC"},
        "revision_number": "1",
        "insurers": [{"letter": "A", "name": "Auto Owners Insurance Co", "naic": "18988"}],
        "policies": [{"type": "general_liability", "insurer_letter": "A", "policy_number": "GL-5531-0092",
                      "effective": "2026-01-01", "expiration": "2027-01-01", "limits": {"each_occurrence": 1_000_000}}],
    }


def test_given_several_earlier_insureds_with_the_policy_number_then_the_newest_other_is_named(certificate):
    earlier = [_with(certificate, "Blue Ridge Builders"), _with(certificate, "Redstone Roofing Inc."),
               _with(certificate, "Granite Paving Co")]
    [signal] = history_signals(certificate, earlier)
    assert signal.code == Code.POLICY_OTHER_INSURED and "Redstone Roofing" in signal.message


def test_given_the_naic_under_the_same_insurer_first_then_the_next_other_insurer_is_named(certificate):
    earlier = [_with(certificate, "Blue Ridge Builders LLC", "Auto-Owners Insurance Company"),
               _with(certificate, "Blue Ridge Builders LLC", "Zurich American Insurance Company"),
               _with(certificate, "Blue Ridge Builders LLC", "Travelers Casualty")]
    [signal] = history_signals(certificate, earlier)
    assert signal.code == Code.NAIC_OTHER_INSURER and signal.evidence["detail"]["earlier_name"].startswith("Zurich")


PROSE = ("This letter is sent as a matter of information only and confers no rights upon the reader "
         "who holds it; it does not amend, extend or alter the coverage afforded by the policies below").split()


def _prose_page() -> Page:
    """A page of plain words, none of the form's labels, laid out in lines."""
    return Page(1, 612, 792, tuple(Word(text, 30 + 60 * (i % 8), 100 + 12 * (i // 8), 80 + 60 * (i % 8), 108 + 12 * (i // 8))
                                   for i, text in enumerate(PROSE * 2)))


def test_given_no_scanned_page_then_the_labels_are_not_looked_for(monkeypatch):
    identify_module = importlib.import_module("pipeline.acord25.identify")  # the package re-exports a function of that name

    def asked(page):
        raise AssertionError("the labels were looked for on a page that is no scan")

    monkeypatch.setattr(identify_module, "identify_page", asked)
    assert pages_to_ocr(b"", [_prose_page()], checks=[LayerCheck(1, 0.0, 0.0, None)]) == {}


def test_given_a_scanned_page_without_the_form_labels_then_it_goes_to_ocr():
    page = _prose_page()
    todo = pages_to_ocr(b"", [page], checks=[LayerCheck(1, 1.0, 0.0, len(page.words))])
    assert todo == {1: "a scanned page whose text layer shows no ACORD 25 labels"}
