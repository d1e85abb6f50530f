"""Stage 1: document bytes -> grayscale page images with their size in points.

PDF pages are rasterized by Poppler (pdf2image), which applies ``/Rotate``; images
are loaded with Pillow, every frame of a TIFF.  Pixel counts are bounded before
any pixel is decoded, so a decompression bomb is refused, not expanded.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import TooLarge, UnreadableDocument
from pipeline.filetypes import PDF
from pipeline.textlayer import MAX_IMAGE_PIXELS

logger = logging.getLogger(__name__)

DEFAULT_DPI = 300
MAX_PIXELS = MAX_IMAGE_PIXELS  # per page drawn or image file: one limit with the text layer's
RENDER_TIMEOUT_SECONDS = 120  # per PDF page drawn by Poppler (pdftoppm)
LETTER_W, LETTER_H = 612.0, 792.0
_MIN_DPI, _MAX_DPI = 60, 1200


@dataclass(frozen=True)
class Raster:
    """One page as pixels (uint8 grayscale, 0 = ink) and its displayed size in points."""

    number: int
    image: np.ndarray
    width_pt: float
    height_pt: float

    @property
    def dpi(self) -> float:
        """Pixels per inch (the same on both axes: pages are scaled, not stretched)."""
        return self.image.shape[1] * 72.0 / self.width_pt


def rasterize(data: bytes, kind: str, *, max_pages: int, dpi: int = DEFAULT_DPI,
              max_pixels: int = MAX_PIXELS) -> list[Raster]:
    """The pages of a PDF or image file as grayscale rasters, all at once (:func:`raster_pages` one at a time)."""
    return list(raster_pages(data, kind, max_pages=max_pages, dpi=dpi, max_pixels=max_pixels))


def raster_pages(data: bytes, kind: str, *, max_pages: int, dpi: int = DEFAULT_DPI,
                 max_pixels: int = MAX_PIXELS) -> Iterator[Raster]:
    """The pages of a PDF or image file as grayscale rasters, each drawn (or decoded) when it is asked for.

    A page read before the next is drawn is the only page whose pixels are alive (8.4 MB at 300 dpi), not every
    page of the file all along. Every page's size is checked before the first is drawn: a file with one page too
    large is refused before any is read."""
    if kind == PDF:
        return _pdf_pages(data, max_pages=max_pages, dpi=dpi, max_pixels=max_pixels)
    return _image_pages(data, max_pages=max_pages, max_pixels=max_pixels)


def _pdf_pages(data: bytes, *, max_pages: int, dpi: int, max_pixels: int) -> Iterator[Raster]:
    sizes = _pdf_sizes(data, max_pages)  # checked now, when asked for the pages, not when the first is drawn
    for number, (w, h) in enumerate(sizes, 1):
        if w * h * (dpi / 72.0) ** 2 > max_pixels:
            raise TooLarge(f"Page {number} of the PDF is too large to read ({w / 72:.0f} x {h / 72:.0f} inches).")
    return (_pdf_page(data, number, dpi) for number in range(1, len(sizes) + 1))


def _pdf_page(data: bytes, number: int, dpi: int) -> Raster:
    """Page ``number`` (1-based) of a PDF drawn by Poppler."""
    from pdf2image import convert_from_bytes
    from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError

    try:
        [image] = convert_from_bytes(data, dpi=dpi, grayscale=True, first_page=number, last_page=number,
                                     timeout=RENDER_TIMEOUT_SECONDS)
    except PDFPopplerTimeoutError as e:
        raise UnreadableDocument(
            f"Page {number} of the PDF took longer than {RENDER_TIMEOUT_SECONDS} s to draw; "
            "send a simpler copy (printed to PDF, or scanned at 300 dpi)."
        ) from e
    except (PDFPageCountError, PDFSyntaxError, ValueError) as e:
        raise UnreadableDocument(
            f"Page {number} of the PDF could not be drawn; send a fresh copy of the certificate."
        ) from e
    pixels = np.asarray(image.convert("L"))
    # the size as drawn (Poppler applies /Rotate), from the pixels and the resolution asked for
    return Raster(number, pixels, pixels.shape[1] * 72.0 / dpi, pixels.shape[0] * 72.0 / dpi)


def _pdf_sizes(data: bytes, max_pages: int) -> list[tuple[float, float]]:
    """Page sizes in points (orientation aside: only the area is used)."""
    from pipeline.textlayer import PDFIUM, open_pdf

    with PDFIUM:  # PDFium is not thread-safe
        return _sizes(open_pdf(data), max_pages)


def _sizes(doc, max_pages: int) -> list[tuple[float, float]]:
    try:
        sizes = []
        for index in range(min(len(doc), max_pages)):
            page = doc[index]
            w, h = page.get_size()
            sizes.append((float(w), float(h)))
            page.close()
        return sizes
    finally:
        doc.close()


def _image_pages(data: bytes, *, max_pages: int, max_pixels: int) -> Iterator[Raster]:
    with _decoding():
        image = Image.open(io.BytesIO(data))
        count = min(getattr(image, "n_frames", 1), max_pages)
        for index in range(count):  # every frame's size (from its header: no pixel decoded) before any is read
            image.seek(index)
            if image.width * image.height > max_pixels:
                raise TooLarge(f"Image page {index + 1} has too many pixels to read "
                               f"({image.width} x {image.height}).")
    return (_image_page(image, index) for index in range(count))


def _image_page(image: Image.Image, index: int) -> Raster:
    """Frame ``index`` (0-based) of an opened image file, turned as its EXIF says."""
    with _decoding():
        image.seek(index)
        frame = ImageOps.exif_transpose(image.copy()) or image.copy()
        return _raster(index + 1, frame, image.info.get("dpi"))


@contextmanager
def _decoding() -> Iterator[None]:
    """Pillow's refusals of a decompression bomb or a damaged file, as the pipeline's."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise TooLarge("The image has too many pixels to read safely.") from e
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError) as e:
        raise UnreadableDocument("The image is damaged and cannot be opened; send a fresh copy.") from e


def _raster(number: int, frame: Image.Image, dpi_info: object) -> Raster:
    if frame.mode in ("RGBA", "LA", "P"):
        frame = frame.convert("RGBA")
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, frame)
    pixels = np.asarray(frame.convert("L"))
    h, w = pixels.shape
    dpi = _declared_dpi(dpi_info)
    if dpi is not None and 4.0 <= w / dpi <= 20.0:
        scale = 72.0 / dpi
    else:  # no believable resolution: the page is US Letter, scaled to the image
        scale = LETTER_W / min(w, h) if min(w, h) / max(w, h) < 0.85 else LETTER_W / w
    return Raster(number, pixels, w * scale, h * scale)


def _declared_dpi(info: object) -> float | None:
    try:
        x = float(info[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return x if _MIN_DPI <= x <= _MAX_DPI else None
