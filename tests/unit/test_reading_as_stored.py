"""``Reading.as_stored`` is the reading as ``Reading.from_dict`` gives it back from its stored JSON, value for value
and type for type: the extract step run in place (workers/actors.py) reads it instead of building every word again,
and must read what it would from its own message."""

from __future__ import annotations

import dataclasses
import io
import json
import random

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.stages import Reading, read_text
from pipeline.textlayer import Mark, Page, Word
from samples.certificates import draw_certificate, random_certificate


def _alike(a, b, path: str = "reading") -> list[str]:
    """Where ``a`` and ``b`` differ in a value or a type (a dataclass field by field, sequences and dicts item by
    item, keys in order)."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} / {type(b).__name__}"]
    if dataclasses.is_dataclass(a):
        return [d for f in dataclasses.fields(a)
                for d in _alike(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")]
    if isinstance(a, (tuple, list)):
        if len(a) != len(b):
            return [f"{path}: {len(a)} / {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _alike(x, y, f"{path}[{i}]")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: keys"]
        return [d for k in a for d in _alike(a[k], b[k], f"{path}[{k!r}]")]
    return [] if a == b else [f"{path}: {a!r} / {b!r}"]


def _read_back(reading: Reading) -> Reading:
    return Reading.from_dict(json.loads(json.dumps(reading.to_dict())))


def _form_pdf() -> bytes:
    """A page with live AcroForm fields: the reading's form fields."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setFont("Helvetica", 11)
    for line in range(20):  # enough printed words to be read by its text layer
        canvas.drawString(60, 720 - 14 * line, f"Certificate of liability insurance, line {line + 1} of the page")
    canvas.acroForm.textfield(name="Insured", value="Harbor Lights Roofing LLC", x=300, y=300, width=220, height=16)
    canvas.acroForm.checkbox(name="Occurrence", checked=True, x=300, y=260)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_given_born_digital_certificates_when_read_then_as_stored_is_what_the_stored_json_reads_back_as():
    pdfs = [draw_certificate(random_certificate(random.Random(seed))) for seed in (3, 11, 29)] + [_form_pdf()]
    for pdf in pdfs:
        reading = read_text(pdf)
        assert reading is not None
        assert _alike(reading.as_stored(), _read_back(reading)) == []


def test_given_a_page_whose_box_gives_integers_then_as_stored_gives_its_size_as_floats():
    word = Word("ACORD", 36.0, 40.5, 80.25, 52.0, drawn=0)
    reading = Reading("text_layer", (Page(1, 612, 792, (word,), (Mark("cross", 1.0, 2.0, 3.0, 4.0),), hidden=()),),
                      {"Insured": "Harbor Lights"})

    stored = reading.as_stored()

    assert _alike(stored, _read_back(reading)) == []
    assert type(stored.pages[0].width) is float and type(stored.pages[0].height) is float
    assert _alike(reading, _read_back(reading)) != []  # the integers were there to be turned
