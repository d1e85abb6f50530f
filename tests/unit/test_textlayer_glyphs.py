"""The standard fonts' glyphs kept from one document to the next (``textlayer._GlyphKeeper``): the ink check
draws the same pixels and drops the same words with them as without them."""

from __future__ import annotations

import io

import numpy as np
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

import pipeline.textlayer as textlayer
from pipeline.textlayer import read_text_layer

H = letter[1]


def _pdf(words: list[tuple[str, float, float]]) -> bytes:
    """A page of words in standard fonts, some hidden: white, under a white box, or too light to count."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    y = H - 60
    for font in ("Helvetica", "Helvetica-Bold", "Times-Roman", "Courier"):
        for text, size, grey in words:
            canvas.setFont(font, size)
            canvas.setFillGray(grey)
            canvas.drawString(60, y, f"{text} {font}")
            y -= size + 6
    canvas.setFillGray(1.0)
    canvas.rect(50, y + 20, 300, 40, stroke=0, fill=1)  # covers the last lines drawn
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


SAMPLES = [("Insured", 9.0, 0.0), ("Hidden", 9.0, 1.0), ("Faint", 7.0, 0.84), ("Light", 6.0, 0.78),
           ("tiny", 2.0, 0.0), ("Policy", 12.5, 0.3), ("Under", 8.0, 0.0)]


def _render(pdf: bytes) -> bytes:
    doc = textlayer.open_pdf(pdf)
    try:
        textlayer._GLYPHS.keep()
        page = doc[0]
        bitmap = page.render(scale=textlayer._RENDER_SCALE, grayscale=True, may_draw_forms=True)
        pixels = np.array(textlayer._grey_levels(bitmap))
        page.close()
        return pixels.tobytes()
    finally:
        doc.close()


def _read(pdf: bytes) -> list:
    return [(p.words, p.hidden) for p in read_text_layer(pdf)]


def test_given_glyphs_kept_from_earlier_documents_when_a_page_is_checked_then_pixels_and_words_are_the_same(monkeypatch):
    pdfs = [_pdf(SAMPLES), _pdf(SAMPLES[::-1]), _pdf([(t, s * 1.1, g) for t, s, g in SAMPLES])]
    without = textlayer._GlyphKeeper()
    without.failed = True  # keeps nothing: each document draws its own glyphs
    monkeypatch.setattr(textlayer, "_GLYPHS", without)
    alone = [(_render(pdf), _read(pdf)) for pdf in pdfs]
    kept = textlayer._GlyphKeeper()
    monkeypatch.setattr(textlayer, "_GLYPHS", kept)
    for _ in range(2):  # the second time round, every glyph comes from the cache
        assert [(_render(pdf), _read(pdf)) for pdf in pdfs] == alone
    assert kept.doc is not None
    assert any(page[1] for _, pages in alone for page in pages)  # the page hides words, and they are dropped
    kept.close()


def test_given_the_keeping_document_has_served_its_reads_when_one_more_is_read_then_it_is_opened_anew(monkeypatch):
    keeper = textlayer._GlyphKeeper()
    monkeypatch.setattr(textlayer, "_GLYPHS", keeper)
    monkeypatch.setattr(textlayer, "KEEP_GLYPHS_FOR", 2)
    pdf = _pdf(SAMPLES[:1])
    read_text_layer(pdf)
    first = keeper.doc
    read_text_layer(pdf)
    assert keeper.doc is first
    read_text_layer(pdf)
    assert keeper.doc is not first and keeper.doc is not None and len(keeper.fonts) == len(textlayer._STANDARD_FONTS)
    keeper.close()
    assert keeper.doc is None and keeper.fonts == []
