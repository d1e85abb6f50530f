"""The text layer's characters read in bulk (one FPDFText_GetText per page) are the characters pdfium
gives one at a time, and make the same words."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.textlayer import _char_codes, read_text_layer


def _pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setFont("Helvetica", 11)
    for n, line in enumerate(lines):
        canvas.drawString(60, 700 - 14 * n, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _one_at_a_time(textpage: pdfium.PdfTextPage) -> list[int]:
    return [pdfium_c.FPDFText_GetUnicode(textpage.raw, i) for i in range(textpage.count_chars())]


def _codes(pdf: bytes) -> tuple[list[int], list[int]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[0].get_textpage()
        return _char_codes(textpage, textpage.count_chars()), _one_at_a_time(textpage)
    finally:
        doc.close()


def test_given_a_line_ending_in_a_hyphen_when_read_in_bulk_then_each_code_is_pdfiums_own_hyphen_mark_included():
    bulk, single = _codes(_pdf(["Certificate holder: Harbor Lights Roofing inter-", "national LLC, 12 Main St."]))
    assert 0x2 in single  # pdfium marks the line-ending hyphen (its bulk text says 0xFFFE there)
    assert bulk == single


def test_given_a_hyphen_mark_when_words_are_made_then_it_reads_as_a_hyphen():
    pages = read_text_layer(_pdf(["Harbor Lights Roofing inter-", "national LLC"]))
    assert [w.text for w in pages[0].words] == ["Harbor", "Lights", "Roofing", "inter-", "national", "LLC"]


def test_given_accented_and_symbol_characters_when_read_in_bulk_then_codes_match_one_at_a_time():
    bulk, single = _codes(_pdf(["Caf\u00e9 Z\u00fcrich \u00a7 12 \u2013 $1,000,000 \u00bd"]))
    assert bulk == single and len(bulk) > 20
