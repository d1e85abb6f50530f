"""The hidden-text signal is found from what the read stage dropped, without reading the text layer again."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

import pipeline.textlayer as textlayer
from pipeline.signals import _hidden
from pipeline.signals.model import Code
from pipeline.stages import Reading
from pipeline.textlayer import Page, read_text_layer

H = letter[1]


def _superseded_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(100, H - 200, "Hello certificate world")
    canvas.drawString(100, H - 300, "Superseded 1,000,000")
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(90, H - 310, 200, 25, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_given_text_under_a_white_box_when_read_then_the_page_keeps_the_dropped_words_in_order():
    [page] = read_text_layer(_superseded_pdf())
    assert [w.text for w in page.hidden] == ["Superseded", "1,000,000"]
    assert "Superseded" not in [w.text for w in page.words]
    assert Page.from_dict(page.to_dict()) == page  # stored with the reading


def test_given_a_reading_that_kept_its_hidden_words_when_signals_run_then_the_layer_is_not_read_again(monkeypatch):
    pdf = _superseded_pdf()
    reading = Reading("text_layer", tuple(read_text_layer(pdf)), {})

    def no_second_read(*_args, **_kwargs):
        raise AssertionError("the text layer was read a second time")

    monkeypatch.setattr(textlayer, "read_text_layer", no_second_read)
    [signal] = _hidden(pdf, reading, {}, max_pages=5)
    assert signal.code == Code.HIDDEN_TEXT and signal.evidence["detail"]["hidden"] == ["Superseded", "1,000,000"]


def test_given_a_reading_stored_before_hidden_words_were_kept_when_signals_run_then_the_layer_is_read_again():
    pdf = _superseded_pdf()
    stored = {**read_text_layer(pdf)[0].to_dict()}
    del stored["hidden"]
    reading = Reading("text_layer", (Page.from_dict(stored),), {})
    [signal] = _hidden(pdf, reading, {}, max_pages=5)
    assert signal.code == Code.HIDDEN_TEXT and signal.evidence["detail"]["hidden"] == ["Superseded", "1,000,000"]
