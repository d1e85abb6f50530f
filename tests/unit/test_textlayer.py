"""Reading a born-digital PDF's text layer: words, boxes, marks, form fields, errors."""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from pipeline.errors import EncryptedDocument, PipelineError, UnreadableDocument
from pipeline.textlayer import Mark, Page, Word, has_usable_text, read_form_fields, read_text_layer
from samples.certificates import draw_certificate, random_certificate

H = letter[1]


def _pdf(draw, *, encrypt=None, rotation: int = 0) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, encrypt=encrypt)
    if rotation:
        canvas.setPageRotation(rotation)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _hello(canvas: Canvas) -> None:
    canvas.setFont("Helvetica", 12)
    canvas.drawString(100, H - 200, "Hello certificate world")


def _word(pages: list[Page], text: str) -> Word:
    return next(w for p in pages for w in p.words if w.text == text)


def test_given_text_drawn_at_a_known_place_when_read_then_words_have_top_left_boxes():
    pages = read_text_layer(_pdf(_hello))
    assert [w.text for w in pages[0].words] == ["Hello", "certificate", "world"]
    hello = _word(pages, "Hello")
    assert pages[0].number == 1 and (pages[0].width, pages[0].height) == (612, 792)
    assert hello.x0 == pytest.approx(100, abs=1.5)
    assert hello.y1 == pytest.approx(200, abs=4)  # baseline 200 pt from the top
    assert hello.y0 < hello.y1 and hello.x0 < hello.x1


def test_given_a_rotated_page_when_read_then_boxes_are_in_the_displayed_frame():
    pdf = _pdf(_hello, rotation=90)
    page = read_text_layer(pdf, drop_hidden=False)[0]
    document = pdfium.PdfDocument(pdf)
    shown = document[0].render(scale=1, grayscale=True).to_pil().convert("L")
    assert (page.width, page.height) == shown.size  # the size of the page as displayed
    hello = _word([page], "Hello")
    # the line runs down the displayed page, and its box holds the glyphs' ink
    assert hello.height > hello.width
    crop = shown.crop((int(hello.x0), int(hello.y0), int(hello.x1) + 1, int(hello.y1) + 1))
    assert crop.getextrema()[0] < 100
    blank = shown.crop((int(hello.x0) - 60, int(hello.y0), int(hello.x1) - 60, int(hello.y1)))
    assert blank.getextrema()[0] > 200


def test_given_words_when_serialised_then_they_round_trip_through_dicts():
    page = read_text_layer(draw_certificate(random_certificate(random.Random(1))))[0]
    assert Page.from_dict(page.to_dict()) == page
    assert Word.from_dict(page.words[0].to_dict()) == page.words[0]
    assert any(isinstance(m, Mark) for m in page.marks)


def test_given_text_hidden_under_a_white_box_when_read_then_it_is_dropped():
    def draw(canvas: Canvas) -> None:
        _hello(canvas)
        canvas.drawString(100, H - 300, "Superseded")
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(90, H - 310, 200, 25, stroke=0, fill=1)

    texts = [w.text for w in read_text_layer(_pdf(draw))[0].words]
    assert "Superseded" not in texts and "Hello" in texts
    assert "Superseded" in [w.text for w in read_text_layer(_pdf(draw), drop_hidden=False)[0].words]


def test_given_a_checked_box_drawn_as_lines_when_read_then_a_cross_mark_is_found():
    def draw(canvas: Canvas) -> None:
        canvas.rect(40, H - 110, 11, 11)
        canvas.line(42, H - 108, 49, H - 101)
        canvas.line(42, H - 101, 49, H - 108)

    marks = read_text_layer(_pdf(draw))[0].marks
    crosses = [m for m in marks if m.kind == "cross"]
    assert len(crosses) == 1
    assert crosses[0].cx == pytest.approx(45.5, abs=1) and crosses[0].cy == pytest.approx(104.5, abs=1)


def test_given_garbage_bytes_when_read_then_unreadable_document():
    with pytest.raises(UnreadableDocument) as info:
        read_text_layer(b"this is not a pdf at all")
    assert info.value.code == "unreadable_document" and not info.value.transient


def test_given_a_truncated_pdf_when_read_then_unreadable_document():
    pdf = _pdf(_hello)
    with pytest.raises(UnreadableDocument):
        read_text_layer(pdf[: len(pdf) // 3])


def test_given_a_user_password_when_read_then_encrypted_document_with_an_actionable_message():
    pdf = _pdf(_hello, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(EncryptedDocument) as info:
        read_text_layer(pdf)
    assert isinstance(info.value, PipelineError)
    assert "password" in info.value.message.lower()


def test_given_only_an_owner_password_when_read_then_it_opens_with_the_empty_password():
    pdf = _pdf(_hello, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    assert "certificate" in [w.text for w in read_text_layer(pdf)[0].words]


def test_given_max_pages_when_read_then_only_that_many_pages_are_read():
    def draw(canvas: Canvas) -> None:
        for i in range(3):
            canvas.drawString(72, 700, f"page{i}")
            canvas.showPage()

    assert len(read_text_layer(_pdf(draw), max_pages=2)) == 2


def test_has_usable_text_tells_a_real_layer_from_an_empty_or_garbage_one():
    real = read_text_layer(draw_certificate(random_certificate(random.Random(2))))
    assert has_usable_text(real)
    assert not has_usable_text(read_text_layer(_pdf(lambda c: None)))
    rng = random.Random(0)
    junk = tuple(
        Word("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)), 0, 0, 1, 1) for _ in range(200)
    )
    assert not has_usable_text([Page(1, 612, 792, junk)])


def test_given_acroform_fields_when_read_then_names_map_to_values():
    def draw(canvas: Canvas) -> None:
        canvas.acroForm.textfield(name="Producer_FullName_A", value="Lanternfish Agency", x=40, y=600,
                                  width=200, height=16)
        canvas.acroForm.textfield(name="Producer_FaxNumber_A", value="", x=40, y=560, width=200, height=16)
        canvas.acroForm.checkbox(name="GeneralLiability_OccurrenceIndicator_A", checked=True, x=40, y=520)

    fields = read_form_fields(_pdf(draw))
    assert fields["Producer_FullName_A"] == "Lanternfish Agency"
    assert "Producer_FaxNumber_A" not in fields  # empty fields are left out
    assert fields["GeneralLiability_OccurrenceIndicator_A"]


def test_given_no_form_when_fields_are_read_then_an_empty_dict():
    assert read_form_fields(_pdf(_hello)) == {}


def test_given_form_fields_with_accents_and_long_values_when_read_then_each_value_comes_back_whole():
    """The field's name and value read through a buffer of UTF-16 units (pdfium's own size, its end cut): every
    character back, none past the value's end."""
    value = "Zoë Ångström & Søn, Café " + "x" * 300

    def draw(canvas):
        canvas.acroForm.textfield(name="Insured_FullName_A" + "_B" * 40, value=value, x=40, y=600, width=400,
                                  height=16)
        canvas.acroForm.textfield(name="Producer_FullName_A", value="é", x=40, y=560, width=200, height=16)

    assert read_form_fields(_pdf(draw)) == {"Insured_FullName_A" + "_B" * 40: value, "Producer_FullName_A": "é"}
