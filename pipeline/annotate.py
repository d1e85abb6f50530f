"""The certificate page with its failing values boxed in red (pure: bytes and checks in, PNG out).

    png = annotate_failures(pdf_bytes, evaluation["checks"])   # None when nothing failing has a box

A failing check (outcome ``fail``, not waived) points at the value it used through its
``evidence``: ``{"page": 1, "bbox": [x0, y0, x1, y1], ...}`` in PDF points, top-left origin, in the
frame of the page as the reader saw it. For a born-digital PDF that is the page as displayed
(``/Rotate`` and crop box applied), which pypdfium2 renders as is. For a scan or a photo it is the
page after OCR squared it up (a photo), turned it upright and levelled it (``pipeline/ocr/pages.py``).
The OCR stage stored what it did with the reading (``Page.registration``,
:class:`pipeline.registration.PageRegistration`): given that, the same steps are applied to the pixels
here and nothing is detected again. A reading stored before registrations were kept has none: the page
is then turned and levelled by running orientation detection and deskew again, as the OCR did.

Only confident failures are boxed: a value read with low confidence (outcome ``unknown``) is for a
person to confirm, not a fault to show the sender, whatever it seemed to give; a passing or waived
value is never boxed. Each box is labelled in words (pipeline/scoring/labels.py), never a code.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.filetypes import PDF, SUPPORTED, sniff
from pipeline.registration import PageRegistration
from pipeline.scoring.labels import fault, split
from pipeline.textlayer import PDFIUM

log = logging.getLogger(__name__)

RED = (220, 0, 0)
_PAD_PT = 1.5  # the box is drawn this far outside the value, so the frame does not cover its ink


@dataclass(frozen=True)
class Mark:
    """One box to draw: where (points, top-left origin) and the label beside it."""

    page: int
    bbox: tuple[float, float, float, float]
    label: str


def failing_marks(checks: list[dict[str, Any]]) -> list[Mark]:
    """The boxes of the confidently failing, unwaived checks that carry evidence with a box."""
    marks = []
    for check in split(checks)[0]:
        evidence = check.get("evidence") or {}
        bbox = evidence.get("bbox")
        if not bbox or len(bbox) != 4:
            continue
        label = fault(check)
        marks.append(Mark(int(evidence.get("page") or 1), tuple(float(v) for v in bbox), label))  # type: ignore[arg-type]
    return marks


def annotate_failures(document: bytes, checks: list[dict[str, Any]], *, dpi: int = 110,
                      registrations: dict[int, PageRegistration] | None = None,
                      engine: Any = None) -> bytes | None:
    """A PNG of the page the failing checks point to, each failing value boxed in red with its label in words.

    The page with the most failing boxes is drawn (the first of them on a tie). None when no failing
    check has a box. ``registrations`` are the reading's stored page registrations by page number
    (:func:`registrations_of`): a scanned page is put in the reading's frame by them. ``engine`` (an
    ``OcrEngine``) is only used for a scanned page without one, to turn it upright as the OCR did; the
    default is tesseract.
    """
    marks = failing_marks(checks)
    if not marks:
        return None
    counts = Counter(m.page for m in marks)
    page = min(counts, key=lambda p: (-counts[p], p))
    with PDFIUM:  # PDFium is not thread-safe (pipeline/textlayer.py)
        image = render_page(document, page, dpi=dpi, engine=engine,
                            registration=(registrations or {}).get(page))
    draw_marks(image, [m for m in marks if m.page == page], dpi / 72.0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def registrations_of(reading: dict[str, Any]) -> dict[int, PageRegistration]:
    """The page registrations a stored reading (``reading.json``'s dict) holds, by page number."""
    return {int(p["number"]): PageRegistration.from_dict(p["registration"])
            for p in reading.get("pages") or () if p.get("registration")}


def render_page(document: bytes, page: int, *, dpi: int, engine: Any = None,
                registration: PageRegistration | None = None) -> Image.Image:
    """Page ``page`` (1-based) as RGB at ``dpi``, in the frame the reader's evidence uses."""
    from pipeline.errors import UnsupportedFileType

    kind = sniff(document)
    if kind not in SUPPORTED:
        raise UnsupportedFileType("The file is not a PDF, PNG, JPEG or TIFF.")
    if registration is not None:  # the OCR stage read this page: its own steps, stored
        return _render_registered(document, kind, page, dpi, registration)
    if kind == PDF and _born_digital(document):
        return _render_pdf_page(document, page, dpi)
    return _render_scan(document, kind, page, dpi, engine)


def _render_registered(data: bytes, kind: str, page: int, dpi: int, registration: PageRegistration) -> Image.Image:
    """A scanned page put in the reading's frame by the steps the OCR stage stored: the photographed sheet
    squared up, the turn, the levelling. No orientation detection, no deskew estimate."""
    from pipeline.ocr import deskew, orient, photo

    r = _raster(data, kind, page)
    image = r.image
    if registration.corners is not None:
        per_pt = image.shape[1] / r.width_pt
        image = photo.square_up(image, np.array(registration.corners, dtype=np.float32) * per_pt)
    image = orient.rotate_clockwise(image, registration.turn)
    image = deskew.deskew(image, registration.skew)
    return _sized(image, registration.size, dpi)


def _raster(data: bytes, kind: str, page: int):
    """Page ``page`` (1-based) of a scan or image file as the OCR stage rasterises it."""
    from pipeline.errors import UnreadableDocument
    from pipeline.ocr import raster
    from pipeline.ocr.pages import OCR_DPI

    rasters = raster.rasterize(data, kind, max_pages=page, dpi=OCR_DPI)
    if len(rasters) < page:
        raise UnreadableDocument(f"The document has no page {page}.")
    return rasters[page - 1]


def _sized(image: np.ndarray, size: tuple[float, float], dpi: int) -> Image.Image:
    """``image`` as RGB at ``dpi`` for a page ``size`` (width, height) points."""
    import cv2

    pixels = (max(1, round(size[0] * dpi / 72.0)), max(1, round(size[1] * dpi / 72.0)))
    small = cv2.resize(np.ascontiguousarray(image), pixels, interpolation=cv2.INTER_AREA)
    return Image.fromarray(small, mode="L").convert("RGB")


def _born_digital(pdf: bytes) -> bool:
    """The same test as the read stage: a usable text layer means the text layer was read."""
    from pipeline.textlayer import has_usable_text, read_text_layer

    return has_usable_text(read_text_layer(pdf))


def _render_pdf_page(pdf: bytes, page: int, dpi: int) -> Image.Image:
    from pipeline.errors import UnreadableDocument
    from pipeline.textlayer import open_pdf

    doc = open_pdf(pdf)
    try:
        if not 1 <= page <= len(doc):
            raise UnreadableDocument(f"The document has no page {page}.")
        pdf_page = doc[page - 1]
        try:
            return pdf_page.render(scale=dpi / 72.0).to_pil().convert("RGB")
        finally:
            pdf_page.close()
    finally:
        doc.close()


def _render_scan(data: bytes, kind: str, page: int, dpi: int, engine: Any) -> Image.Image:
    """A scanned page turned upright and levelled the way ``pipeline.ocr.pages.ocr_raster`` does."""
    import cv2

    from pipeline.ocr import deskew, orient
    from pipeline.ocr.engine import TesseractEngine
    from pipeline.ocr.pages import MIN_OCR_DPI, OCR_DPI

    r = _raster(data, kind, page)
    image, width_pt, height_pt, at = r.image, r.width_pt, r.height_pt, r.dpi
    if at < MIN_OCR_DPI:  # orientation detection was run on the upsampled page: do the same
        factor = OCR_DPI / at
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        at = image.shape[1] * 72.0 / width_pt
    turn = orient.detect_orientation(image, at, engine or TesseractEngine())
    if turn.rotate:
        image = orient.rotate_clockwise(image, turn.rotate)
        if turn.rotate in (90, 270):
            width_pt, height_pt = height_pt, width_pt
    image = deskew.deskew(image, deskew.estimate_skew(image))
    return _sized(image, (width_pt, height_pt), dpi)


def draw_marks(image: Image.Image, marks: list[Mark], scale: float) -> None:
    """Red frames around each mark's box (points × ``scale`` = pixels) and its label above (or below)."""
    pen = ImageDraw.Draw(image)
    width = max(2, round(scale * 1.5))
    font = _font(max(9, round(scale * 7)))
    for mark in marks:
        x0, y0, x1, y1 = ((v + d) * scale for v, d in zip(mark.bbox, (-_PAD_PT, -_PAD_PT, _PAD_PT, _PAD_PT)))
        pen.rectangle((x0, y0, x1, y1), outline=RED, width=width)
        if not mark.label:
            continue
        left, top, right, bottom = pen.textbbox((0, 0), mark.label, font=font)
        tw, th = right - left + 4, bottom - top + 4
        ty = y0 - th if y0 - th >= 0 else y1  # above the box, else below it
        tx = min(max(0, x0), max(0, image.width - tw))
        pen.rectangle((tx, ty, tx + tw, ty + th), fill=RED)
        pen.text((tx + 2 - left, ty + 2 - top), mark.label, fill=(255, 255, 255), font=font)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()
