"""Rasterizing PDFs and loading images: sizes in points, /Rotate, TIFF frames, pixel bounds."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.errors import TooLarge, UnreadableDocument
from pipeline.filetypes import PDF, PNG, TIFF
from pipeline.ocr.raster import rasterize


def _pdf(rotation: int = 0) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    if rotation:
        canvas.setPageRotation(rotation)
    canvas.setFont("Helvetica", 40)
    canvas.drawString(72, 500, "TOP")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _image(size=(1700, 2200), dpi=None, fmt="PNG", frames=1) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("L", size, 255) for _ in range(frames)]
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    if frames > 1:
        extra.update(save_all=True, append_images=images[1:])
    images[0].save(buffer, fmt, **extra)
    return buffer.getvalue()


def test_given_a_pdf_when_rasterized_then_a_grayscale_page_in_points_comes_back():
    [page] = rasterize(_pdf(), PDF, max_pages=5, dpi=100)
    assert page.image.dtype == np.uint8 and page.image.ndim == 2
    assert (round(page.width_pt), round(page.height_pt)) == (612, 792)
    assert page.dpi == pytest.approx(100, abs=0.5)


def test_given_a_rotated_pdf_page_when_rasterized_then_it_is_drawn_as_displayed():
    import pypdfium2 as pdfium

    data = _pdf(rotation=90)
    [page] = rasterize(data, PDF, max_pages=5, dpi=72)
    shown = np.asarray(pdfium.PdfDocument(data)[0].render(scale=1, grayscale=True).to_pil().convert("L"))
    assert page.image.shape == shown.shape  # the displayed frame, /Rotate applied

    def ink_box(image):
        rows, cols = np.where(image < 128)
        return rows.min(), rows.max(), cols.min(), cols.max()

    assert np.allclose(ink_box(page.image), ink_box(shown), atol=10)


def test_given_an_image_with_its_resolution_when_loaded_then_points_follow_the_dpi():
    [page] = rasterize(_image((1275, 1650), dpi=150), PNG, max_pages=5)
    assert (round(page.width_pt), round(page.height_pt)) == (612, 792)


def test_given_an_image_without_a_resolution_when_loaded_then_it_is_taken_as_letter():
    [page] = rasterize(_image((850, 1100)), PNG, max_pages=5)
    assert round(page.width_pt) == 612 and round(page.height_pt) == 792


def test_given_a_multipage_tiff_when_loaded_then_every_frame_up_to_the_limit_is_a_page():
    data = _image((400, 520), dpi=50, fmt="TIFF", frames=3)
    assert [p.number for p in rasterize(data, TIFF, max_pages=5)] == [1, 2, 3]
    assert len(rasterize(data, TIFF, max_pages=2)) == 2


def test_given_an_image_with_too_many_pixels_when_loaded_then_too_large_is_raised():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(buffer, "PNG")  # 81 Mpx in a few kilobytes
    with pytest.raises(TooLarge):
        rasterize(buffer.getvalue(), PNG, max_pages=1)


def test_given_a_huge_pdf_page_when_rasterized_then_too_large_is_raised_before_drawing():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(14000, 14000))
    canvas.showPage()
    canvas.save()
    with pytest.raises(TooLarge):
        rasterize(buffer.getvalue(), PDF, max_pages=1, dpi=300)


def test_given_a_damaged_image_when_loaded_then_unreadable():
    with pytest.raises(UnreadableDocument):
        rasterize(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, PNG, max_pages=1)
