"""Trust signals from a PDF's structure: a genuine drawn certificate, then the same file altered the
ways forgers do (bench/tamper.py's alterations), each found by the signal that names it."""

from __future__ import annotations

import io
import random

import pikepdf
import pytest

from bench import tamper
from pipeline.signals import Code, Severity, find_signals
from pipeline.signals.revisions import revision_cuts
from pipeline.signals import with_signals
from pipeline.stages import extract, read
from samples.certificates import demo_certificate, draw_certificate
from schemas import validate


@pytest.fixture(scope="module")
def genuine() -> tuple[bytes, dict]:
    data = draw_certificate(demo_certificate())
    reading = read(data)
    return data, extract(reading)


def signals_of(data: bytes) -> list:
    reading = read(data)
    return find_signals(data, reading, extract(reading))


def tamper_codes(data: bytes) -> set[str]:
    return {s.code.value for s in signals_of(data) if s.severity == Severity.TAMPER}


def test_given_a_genuine_drawn_certificate_then_no_tamper_signal(genuine):
    data, _ = genuine
    assert tamper_codes(data) == set()


def test_given_a_white_box_and_new_value_in_an_appended_stream_then_drawn_over_with_page_and_box(genuine):
    data, certificate = genuine
    altered = tamper.overdraw(data, certificate, random.Random(3), incremental=False)
    [signal] = [s for s in signals_of(altered) if s.code == Code.DRAWN_OVER]
    assert signal.severity == Severity.TAMPER and signal.evidence["page"] == 1
    assert signal.evidence["object"].endswith(" R") and len(signal.evidence["bbox"]) == 4


def test_given_an_incremental_update_that_changes_a_value_then_edited_after_save_names_old_and_new(genuine):
    data, certificate = genuine
    altered = tamper.overdraw(data, certificate, random.Random(5), incremental=True)
    assert altered.startswith(data) and len(revision_cuts(altered)) == 1
    [signal] = [s for s in signals_of(altered) if s.code == Code.EDITED_AFTER_SAVE]
    [change] = signal.evidence["detail"]["changed"]
    assert change["before"] != change["after"]
    assert "read" in signal.message and "now reads" in signal.message


def test_given_an_incremental_update_that_changes_nothing_read_then_no_edit_signal(genuine):
    data, _ = genuine
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.docinfo["/Subject"] = "re-sent"
        resaved = tamper.append_update(data, pdf, [pdf.docinfo])
    assert len(revision_cuts(resaved)) == 1
    assert tamper_codes(resaved) == set()


def test_given_a_value_typed_over_as_an_annotation_then_annotation_added(genuine):
    data, certificate = genuine
    altered = tamper.annotation(data, certificate, random.Random(7))
    [signal] = [s for s in signals_of(altered) if s.code == Code.ANNOTATION_ADDED]
    assert signal.severity == Severity.TAMPER and signal.evidence["detail"]["subtype"] == "FreeText"


def test_given_a_resave_through_an_online_editor_then_editor_producer(genuine):
    data, certificate = genuine
    altered = tamper.editor(data, certificate, random.Random(1))
    assert Code.EDITOR_PRODUCER.value in tamper_codes(altered)


def test_given_a_lookalike_without_the_form_footer_then_no_form_footer(genuine):
    assert tamper_codes(tamper.lookalike(demo_certificate())) == {Code.NO_FORM_FOOTER.value}


def test_given_a_damaged_structure_then_a_notice_and_the_other_checks_still_run(genuine, monkeypatch):
    data, _ = genuine

    def broken(*args, **kwargs):
        raise pikepdf.PdfError("damaged")

    monkeypatch.setattr("pipeline.signals.pdfdoc.structure", broken)
    found = signals_of(tamper.lookalike(demo_certificate()))
    assert {s.code for s in found} >= {Code.NOT_CHECKED, Code.NO_FORM_FOOTER}


def test_given_signals_then_the_certificate_with_them_keeps_to_the_contract(genuine):
    data, certificate = genuine
    altered = tamper.overdraw(data, certificate, random.Random(5), incremental=True)
    reading = read(altered)
    out = with_signals(altered, reading, extract(reading))
    assert out["signals"] and validate("certificate", out) == []


def test_the_schema_lists_every_signal_code():
    from schemas import load

    items = load("certificate")["properties"]["signals"]["items"]["properties"]
    assert set(items["code"]["enum"]) == {c.value for c in Code}
    assert set(items["severity"]["enum"]) == {s.value for s in Severity}


def test_real_born_digital_certificates_carry_no_tamper_signal(real_corpus):
    files = sorted(real_corpus.glob("real_*borndigital*.pdf"))
    assert files
    for path in files:
        assert tamper_codes(path.read_bytes()) == set(), path.name
