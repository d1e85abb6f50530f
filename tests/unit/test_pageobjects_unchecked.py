"""The page objects' walk through unchecked bindings (handles kept as ctypes objects) finds what the same walk
finds through pypdfium2's own typed bindings of the same functions."""

from __future__ import annotations

import ctypes
import io
import random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline import pageobjects
from pipeline.pageobjects import PageObjects
from samples.certificates import draw_certificate, random_certificate

_OBJECT = pdfium_c.FPDF_PAGEOBJECT
_SEGMENT = pdfium_c.FPDF_PATHSEGMENT


def _handle(pointer) -> pageobjects._Handle:
    return pageobjects._Handle(ctypes.cast(pointer, ctypes.c_void_p).value)


def _typed(fn, kind, returns_handle: bool = False):
    """pypdfium2's typed binding ``fn``, its first argument (a handle) cast to the pointer type it declares."""
    def call(first, *rest):
        result = fn(ctypes.cast(first, kind), *rest)
        return _handle(result) if returns_handle else result
    return call


_TYPED = {
    "_count_objects": _typed(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDF_PAGE),
    "_get_object": _typed(pdfium_c.FPDFPage_GetObject, pdfium_c.FPDF_PAGE, True),
    "_get_type": _typed(pdfium_c.FPDFPageObj_GetType, _OBJECT),
    "_form_count": _typed(pdfium_c.FPDFFormObj_CountObjects, _OBJECT),
    "_form_object": _typed(pdfium_c.FPDFFormObj_GetObject, _OBJECT, True),
    "_get_matrix": _typed(pdfium_c.FPDFPageObj_GetMatrix, _OBJECT),
    "_get_bounds": _typed(pdfium_c.FPDFPageObj_GetBounds, _OBJECT),
    "_pixel_size": _typed(pdfium_c.FPDFImageObj_GetImagePixelSize, _OBJECT),
    "_render_mode": _typed(pdfium_c.FPDFTextObj_GetTextRenderMode, _OBJECT),
    "_count_segments": _typed(pdfium_c.FPDFPath_CountSegments, _OBJECT),
    "_get_segment": _typed(pdfium_c.FPDFPath_GetPathSegment, _OBJECT, True),
    "_segment_point": _typed(pdfium_c.FPDFPathSegment_GetPoint, _SEGMENT),
    "_segment_type": _typed(pdfium_c.FPDFPathSegment_GetType, _SEGMENT),
}


def _found(objects: PageObjects) -> tuple:
    return (objects.text_rank, objects.found, objects.most_pixels, objects.shown, objects.hidden,
            list(objects.marks()))


def _plain_bounds(matrix, l, b, r, t):
    """The bounds' corners mapped by ``matrix``, their minima and maxima over lists (the plain definition)."""
    a, bb, c, d, e, f = matrix
    xs, ys = [], []
    for x, y in ((l, b), (r, t), (l, t), (r, b)):
        xs.append(a * x + c * y + e)
        ys.append(bb * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def _drawn_page(c: Canvas) -> None:
    """Text (shown and invisible), an image, crosses, a tick, a curve drawing, rules, and a form XObject
    drawn twice, once turned, holding text, a cross and an image."""
    image = ImageReader(Image.new("RGB", (40, 30), (90, 90, 90)))
    c.setFont("Helvetica", 10)
    c.drawString(60, 720, "CERTIFICATE OF LIABILITY INSURANCE")
    t = c.beginText(60, 700)
    t.setTextRenderMode(3)
    t.textLine("hidden layer words")
    c.drawText(t)
    c.drawImage(image, 400, 650, width=80, height=60)
    c.line(100, 600, 110, 610)
    c.line(100, 610, 110, 600)  # a cross of two strokes
    p = c.beginPath()
    p.moveTo(130, 600); p.lineTo(140, 610); p.moveTo(130, 610); p.lineTo(140, 600)
    c.drawPath(p)  # a cross in one path
    p = c.beginPath()
    p.moveTo(160, 604); p.lineTo(163, 600); p.lineTo(170, 612)
    c.drawPath(p)  # a tick
    p = c.beginPath()
    p.moveTo(200, 560)
    for k in range(6):
        p.curveTo(210 + 20 * k, 580, 220 + 20 * k, 540, 230 + 20 * k, 560)
    c.drawPath(p)  # a signature-like drawing
    for y in range(100, 500, 20):
        c.line(40, y, 570, y)  # rules
    c.rect(40, 100, 530, 400)
    c.beginForm("stamp")
    c.drawString(0, 0, "inside a form")
    c.line(0, 10, 8, 18)
    c.line(0, 18, 8, 10)
    c.drawImage(image, 20, 0, width=20, height=15)
    c.endForm()
    c.doForm("stamp")
    c.saveState()
    c.translate(300, 300)
    c.rotate(30)
    c.doForm("stamp")
    c.restoreState()


def _pdfs() -> list[bytes]:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    _drawn_page(canvas)
    canvas.showPage()
    canvas.save()
    return [buffer.getvalue()] + [draw_certificate(random_certificate(random.Random(seed))) for seed in (3, 17)]


@pytest.mark.parametrize("pdf", _pdfs())
def test_given_a_page_then_the_unchecked_walk_finds_what_the_typed_walk_finds(pdf, monkeypatch):
    doc = pdfium.PdfDocument(pdf)
    try:
        for page in doc:
            for paths in (True, False):
                unchecked = _found(PageObjects(page, paths=paths))
                with monkeypatch.context() as m:
                    for name, fn in _TYPED.items():
                        m.setattr(pageobjects, name, fn)
                    typed = _found(PageObjects(page, paths=paths))
                assert unchecked == typed
                assert unchecked[0] and all(isinstance(key, int) and key for key in unchecked[0])
            page.close()
    finally:
        doc.close()


def test_given_the_drawn_page_then_the_walk_sees_its_objects():
    """The page's kinds are all there (so that the comparison above covers each branch of the walk)."""
    doc = pdfium.PdfDocument(_pdfs()[0])
    try:
        objects = PageObjects(doc[0])
        kinds = [kind for kind, _ in objects.marks()]
        assert {"image", "cross", "drawing"} <= set(kinds) and kinds.count("image") == 3
        assert objects.hidden == 1 and objects.shown >= 1 and len(objects.text_rank) >= 4
        assert objects.most_pixels == 40 * 30
    finally:
        doc.close()


def test_bounds_equal_the_corners_min_and_max_over_lists(monkeypatch):
    monkeypatch.setattr(pageobjects, "_get_bounds", lambda obj, *at: 1)  # (the bounds are the walker's floats)
    rng = random.Random(5)
    special = [0.0, -0.0, 1e-30, -1e30, float("inf"), float("-inf"), float("nan")]

    class Corners(PageObjects):
        def __init__(self, values):
            self._float = [ctypes.c_float(v) for v in values]
            self._at = [ctypes.byref(f) for f in self._float]

    matrices = [pageobjects.IDENTITY, (0.0, 1.0, -1.0, 0.0, 612.0, 0.0), (0.5, 0.2, -0.3, 2.0, -7.25, 11.5)]
    for _ in range(3000):
        values = [rng.choice(special) if rng.random() < 0.05 else rng.uniform(-1000, 1000) for _ in range(4)]
        matrix = rng.choice(matrices) if rng.random() < 0.5 else tuple(rng.uniform(-3, 3) for _ in range(6))
        walker = Corners(values)
        stored = [f.value for f in walker._float]  # (as pdfium gives them: floats)
        assert repr(walker._bounds(None, matrix)) == repr(_plain_bounds(matrix, *stored))
