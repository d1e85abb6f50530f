"""A page whose values are typed on as annotations (a PDF editor's typewriter text on a blank form) is read
with them; an annotation laid over the page's own text is left out (the trust signals report it)."""

from __future__ import annotations

import io

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.textlayer import pages_read_with_annotations, read_text_layer

H = letter[1]
VALUES = ("Harbor", "Fence", "Group", "Madison", "53799", "Keystone")


def _page(*texts: tuple[str, float, float]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.setFont("Helvetica", 10)
    for text, x, y in texts:
        canvas.drawString(x, H - y, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _typed_on(pdf: bytes, values: list[tuple[str, float, float]]) -> bytes:
    """Each value a FreeText annotation with its own appearance, its baseline ``y`` points from the top."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        font = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        annots = []
        for text, x, y in values:
            rect = [x - 1, H - y - 3, x + 6 * len(text) + 1, H - y + 9]
            w, h = rect[2] - rect[0], rect[3] - rect[1]
            look = doc.make_stream(f"BT /Helv 10 Tf 1 3 Td ({text}) Tj ET".encode(), Type=pikepdf.Name.XObject,
                                   Subtype=pikepdf.Name.Form, BBox=[0, 0, w, h],
                                   Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font)))
            annots.append(doc.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=rect, Contents=pikepdf.String(text),
                F=4, DA=pikepdf.String("/Helv 10 Tf 0 g"), AP=pikepdf.Dictionary(N=look))))
        page.obj.Annots = pikepdf.Array(annots)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _texts(pdf: bytes) -> list[str]:
    return [w.text for w in read_text_layer(pdf)[0].words]


def test_given_a_blank_form_filled_with_typed_annotations_then_their_values_are_read():
    blank = _page(("NAME:", 40, 100), ("ADDRESS:", 40, 130))
    filled = _typed_on(blank, [(v, 100 + 70 * (i % 3), 100 + 30 * (i // 3)) for i, v in enumerate(VALUES)])
    words = _texts(filled)
    assert set(VALUES) <= set(words)
    assert {"NAME:", "ADDRESS:"} <= set(words)


def test_given_annotations_laid_over_a_finished_certificates_values_then_none_is_read():
    printed = [(v, 100 + 70 * (i % 3), 100 + 30 * (i // 3)) for i, v in enumerate(VALUES)]
    altered = _typed_on(_page(*printed), [(v.upper() + "X", x, y) for v, x, y in printed])
    words = _texts(altered)
    assert set(VALUES) <= set(words)
    assert not {v.upper() + "X" for v in VALUES} & set(words)


def test_given_a_filled_form_where_one_typed_value_overruns_a_label_then_its_values_are_read():
    blank = _page(("NAME:", 40, 100), ("TYPE", 310, 160))
    values = [(v, 100 + 70 * (i % 3), 100 + 30 * (i // 3)) for i, v in enumerate(VALUES)]
    filled = _typed_on(blank, values + [("Overrun", 290, 160)])  # over "TYPE"
    assert set(VALUES) | {"Overrun"} <= set(_texts(filled))


def test_given_fewer_typed_annotations_than_a_filled_form_has_then_they_are_not_read():
    """One or two notes typed on a finished certificate are an addition to it, not how it was filled."""
    page = _page(("NAME:", 40, 100))
    assert "Harbor" not in _texts(_typed_on(page, [("Harbor", 100, 100), ("Fence", 170, 100)]))


def test_given_the_pages_read_with_their_annotations_then_the_trust_signals_are_told_the_same_pages():
    blank = _page(("NAME:", 40, 100))
    values = [(v, 100 + 70 * (i % 3), 100 + 30 * (i // 3)) for i, v in enumerate(VALUES)]
    assert pages_read_with_annotations(_typed_on(blank, values)) == {1}
    printed = _page(*values)
    assert pages_read_with_annotations(_typed_on(printed, [(v + "X", x, y) for v, x, y in values])) == set()
