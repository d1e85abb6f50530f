"""The trust signals' structure checks open the file once, draw each of a page's stream prefixes once and do
not draw a blank prefix (pipeline/signals/__init__.py ``_Opening``, pipeline/signals/pdfdoc.py
``_draw_prefixes``, ``_blank_prefix``)."""

from __future__ import annotations

import io
import random

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest

from bench import tamper
from pipeline.signals import Code, find_signals
from pipeline.signals import pdfdoc
from pipeline.stages import extract, read
from pipeline.textlayer import PDFIUM, open_pdf
from samples.certificates import demo_certificate, draw_certificate


@pytest.fixture(scope="module")
def genuine() -> tuple[bytes, object, dict]:
    data = draw_certificate(demo_certificate())
    reading = read(data)
    return data, reading, extract(reading)


@pytest.fixture(scope="module")
def painted_over(genuine) -> bytes:
    """A white box and a new value in a stream after the page's own, which is put after a ``q`` stream (as
    bench.tamper and PyMuPDF save it): three streams."""
    data, _, certificate = genuine
    return tamper.overdraw(data, certificate, random.Random(3), incremental=False)


def _streams(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages[0].obj.Contents)


def _counted(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _with_streams(data: bytes, *extra: bytes) -> bytes:
    """The first page with ``extra`` content streams appended after its own."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        own = list(page.obj.Contents) if isinstance(page.obj.Contents, pikepdf.Array) else [page.obj.Contents]
        page.obj.Contents = pikepdf.Array([*own, *(pdf.make_stream(ops) for ops in extra)])
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


WHITE_BOX = b"Q q 1 1 1 rg 300 300 200 40 re f Q\n"  # a white box over the middle of the page
BLACK_BAR = b"q 0 0 0 rg 40 60 120 10 re f Q\n"  # a black bar near the foot of the page


def _draws(monkeypatch, data: bytes) -> tuple[list, list[int], list[int]]:
    pages = list(read(data).pages)
    renders = _counted(monkeypatch, pdfium.PdfPage, "render")
    saves = _counted(monkeypatch, pikepdf.Pdf, "save")
    return pdfdoc.overdraw_signals(data, pages), renders, saves


def test_given_a_page_of_three_streams_when_its_last_two_are_checked_then_each_prefix_is_drawn_once_from_one_file(
        genuine, monkeypatch):
    data = _with_streams(genuine[0], WHITE_BOX, BLACK_BAR)
    assert _streams(data) == 3
    found, renders, saves = _draws(monkeypatch, data)
    assert [s.code for s in found] == [Code.DRAWN_OVER]
    assert len(renders) == 3  # one, two and three streams (the middle one both an "after" and a "before")
    assert len(saves) == 1


def test_given_a_page_whose_first_stream_only_saves_the_state_then_the_blank_page_it_draws_is_not_compared(
        painted_over, monkeypatch):
    assert _streams(painted_over) == 3  # "q", the page's own drawing, the white box and new value
    found, renders, saves = _draws(monkeypatch, painted_over)
    assert [s.code for s in found] == [Code.DRAWN_OVER]
    assert len(renders) == 2 and len(saves) == 1  # two and three streams; the "q" alone is a blank page


def test_given_a_state_only_stream_before_a_drawing_of_two_streams_then_nothing_is_drawn(genuine, monkeypatch):
    with pikepdf.open(io.BytesIO(genuine[0])) as pdf:  # ("q", the page's own drawing): nothing after it to compare
        page = pdf.pages[0]
        page.obj.Contents = pikepdf.Array([pdf.make_stream(b"q 1 0 0 1 0 0 cm\n"), page.obj.Contents])
        out = io.BytesIO()
        pdf.save(out)
    found, renders, saves = _draws(monkeypatch, out.getvalue())
    assert found == [] and renders == [] and saves == []


def test_given_short_streams_then_only_those_of_q_Q_cm_and_numbers_are_state_only():
    pdf = pikepdf.new()
    assert all(pdfdoc._state_only(pdf.make_stream(ops)) for ops in (b"q\n", b"\nQ\n", b"q 1 0 0 1 0 0 cm % kept\nQ"))
    assert not any(pdfdoc._state_only(pdf.make_stream(ops))
                   for ops in (b"q 1 1 1 rg", b"0 0 m 9 9 l S", b"(q) Tj", b"/Im0 Do", b"1 0 0 1 0 0cm",
                               b"q\n" * pdfdoc.STATE_ONLY_BYTES))


def _alone(data: bytes, count: int) -> np.ndarray:
    """The first page drawn with its first ``count`` streams, in a file of its own."""
    with pikepdf.open(io.BytesIO(data)) as source:
        single = pikepdf.new()
        single.pages.append(source.pages[0])
        target = single.pages[0].obj
        if "/Annots" in target:
            del target["/Annots"]
        target.Contents = pikepdf.Array([single.copy_foreign(s) for s in list(source.pages[0].obj.Contents)[:count]])
        buffer = io.BytesIO()
        single.save(buffer)
    with PDFIUM:
        pdf = open_pdf(buffer.getvalue())
        try:
            page = pdf[0]
            image = page.render(scale=pdfdoc.SCALE, grayscale=True, draw_annots=False, may_draw_forms=False).to_pil()
            page.close()
        finally:
            pdf.close()
    return np.asarray(image.convert("L"))


def test_given_a_page_of_three_streams_then_each_prefix_drawn_together_is_the_prefix_drawn_alone_dot_for_dot(
        painted_over):
    with pikepdf.open(io.BytesIO(painted_over)) as pdf:
        page = pdf.pages[0]
        drawn = pdfdoc._draw_prefixes(page, list(page.obj.Contents), [1, 2, 3])
    for count in (1, 2, 3):
        alone = _alone(painted_over, count)
        assert drawn[count].shape == alone.shape and np.array_equal(drawn[count], alone)
    assert not np.array_equal(drawn[2], drawn[3])  # (the box and its new value are drawn by the third)


def test_given_a_text_layer_certificate_when_its_signals_are_found_then_the_file_is_opened_once_by_pikepdf(
        genuine, monkeypatch):
    data, reading, certificate = genuine
    opens = _counted(monkeypatch, pikepdf, "open")
    find_signals(data, reading, certificate)
    assert len(opens) == 1  # its entries and annotations, and its content streams, from the same opening


def test_given_a_file_pikepdf_cannot_open_then_both_structure_checks_are_noted_from_one_attempt_and_the_rest_run(
        genuine, monkeypatch):
    data, reading, certificate = genuine
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(1)
        raise pikepdf.PdfError("damaged")

    monkeypatch.setattr(pikepdf, "open", refused)
    found = find_signals(data, reading, certificate)
    noted = sorted(s.evidence["detail"]["check"] for s in found if s.code == Code.NOT_CHECKED)
    assert noted == ["content streams", "information entries and annotations"]
    assert "PdfError" in next(s.message for s in found if s.code == Code.NOT_CHECKED)
    assert len(attempts) == 1
