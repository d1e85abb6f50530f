"""The read stage's one pass over a PDF (layertrust.read_checked) gives what the separate readers give."""

from __future__ import annotations

import io
import random

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.layertrust import check_layers, read_checked, read_checked_fields
from pipeline.textlayer import read_form_fields, read_text_layer
from samples.certificates import draw_certificate, random_certificate


def _form_pdf() -> bytes:
    """Two pages: printed words and live AcroForm fields (flattened by the reader, not by the check)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    for page in range(2):
        canvas.setFont("Helvetica", 11)
        canvas.drawString(60, 700, f"Certificate of liability insurance page {page + 1}")
        canvas.acroForm.textfield(name=f"Insured_{page}", value="Harbor Lights Roofing LLC", x=60, y=600,
                                  width=220, height=16)
        canvas.acroForm.checkbox(name=f"Occurrence_{page}", checked=True, x=60, y=560)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_given_a_born_digital_certificate_when_read_in_one_pass_then_words_and_checks_match_the_separate_reads():
    pdf = draw_certificate(random_certificate(random.Random(11)))
    pages, checks = read_checked(pdf)
    assert pages == read_text_layer(pdf)
    assert checks == check_layers(pdf)


def test_given_live_form_fields_when_read_in_one_pass_then_values_are_read_and_the_check_sees_the_page_as_drawn():
    pdf = _form_pdf()
    pages, checks = read_checked(pdf)
    assert pages == read_text_layer(pdf)
    assert checks == check_layers(pdf)
    assert "Harbor" in [w.text for w in pages[1].words]  # the field's value, flattened into the read
    assert not checks[1].scan and checks[1].raw_words is None  # no scan: its words are not counted


def test_given_max_pages_when_read_in_one_pass_then_only_that_many_pages_and_checks():
    pages, checks = read_checked(_form_pdf(), max_pages=1)
    assert [p.number for p in pages] == [c.number for c in checks] == [1]


def test_given_live_form_fields_when_read_in_one_pass_then_the_fields_are_the_form_readers():
    """The field values come from the pages before they are flattened, in the same opening, as
    read_form_fields gives them; with fewer pages read than the document has, they are left to it (None)."""
    pdf = _form_pdf()
    pages, checks, fields = read_checked_fields(pdf)
    assert fields == read_form_fields(pdf) and fields["Insured_1"] == "Harbor Lights Roofing LLC"
    assert (pages, checks) == read_checked(pdf)
    assert read_checked_fields(pdf, max_pages=1)[2] is None
    assert read_checked_fields(draw_certificate(random_certificate(random.Random(11))))[2] == {}  # no form


def test_given_boxes_on_an_unturned_page_when_placed_together_then_each_is_placed_as_alone():
    """_DisplayTransform.words (the read's loop, written out for an unturned page) gives each word what
    .word gives it: the same rounding, the same choice between equal corners (0.0 and -0.0)."""
    from pipeline.textlayer import _DisplayTransform

    rng = random.Random(3)
    for rotation in (0, 90):
        transform = _DisplayTransform.__new__(_DisplayTransform)
        transform.left, transform.bottom, transform.right, transform.top = 12.5, 0.0, 624.5, 792.0
        transform.rotation = rotation
        raw = [(f"w{i}", (rng.choice([0.0, -0.0, 12.5, rng.uniform(-5, 700)]), rng.uniform(-5, 800),
                          rng.choice([12.5, rng.uniform(-5, 700)]), rng.choice([792.0, rng.uniform(-5, 800)])), i)
               for i in range(2000)]
        assert [repr(w) for w in transform.words(raw)] == [repr(transform.word(t, b, i)) for t, b, i in raw]
