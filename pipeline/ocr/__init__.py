"""Read scans and photos into the same :class:`~pipeline.textlayer.Page` objects as the text layer.

    pages = ocr_pages(data, kind, max_pages=5)

Stages, each a plain function over arrays: :mod:`raster` (bytes -> grayscale pages),
:mod:`orient` (turn upright: by the form's ruled lines, :mod:`ruled_turn`, else
tesseract's OSD), :mod:`deskew` (level, despeckle), :mod:`rules` (paint out ruled lines),
:mod:`engine` (tesseract words), :mod:`checkboxes` (check boxes and signature as marks),
:mod:`zones` (second readings of small value cells). :mod:`pages` puts one page together and
keeps how it was turned, levelled and registered (``Page.registration``).
"""

from __future__ import annotations

from pipeline.ocr.engine import OcrEngine, OcrWord, Orientation, TesseractEngine
from pipeline.ocr.errors import OcrFailed, OcrTimeout
from pipeline.ocr.pages import ocr_pages, ocr_raster

__all__ = [
    "OcrEngine", "OcrFailed", "OcrTimeout", "OcrWord", "Orientation", "TesseractEngine", "ocr_pages", "ocr_raster",
]
