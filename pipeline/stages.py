"""The reading stages as plain functions: bytes → Reading → certificate dict.

Workers call these between storage and the database; ``coi extract`` calls them directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import NotACertificate, UnsupportedFileType
from pipeline.filetypes import PDF, SUPPORTED, sniff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """What the read stage saw: words by page, form field values, and how they were read."""

    method: str  # "text_layer" or "ocr"
    pages: tuple[Any, ...]
    form_fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "pages": [p.to_dict() for p in self.pages], "form_fields": self.form_fields}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reading:
        from pipeline.textlayer import Page

        return cls(data["method"], tuple(Page.from_dict(p) for p in data["pages"]), dict(data.get("form_fields") or {}))


def read(data: bytes, *, max_pages: int = 50, ocr_engine: Any = None) -> Reading:
    """Read a document's words: born-digital PDFs by their text layer, images and scans by OCR."""
    from pipeline.textlayer import has_usable_text, read_form_fields, read_text_layer

    kind = sniff(data)
    if kind not in SUPPORTED:
        raise UnsupportedFileType("The file is not a PDF, PNG, JPEG or TIFF; send the certificate in one of those formats.")
    if kind != PDF:
        return _ocr(data, kind, max_pages, ocr_engine)
    pages = read_text_layer(data, max_pages=max_pages)
    if not has_usable_text(pages):
        log.info("no usable text layer (%s words); reading by OCR", sum(len(p.words) for p in pages))
        return _ocr(data, kind, max_pages, ocr_engine)
    return Reading("text_layer", tuple(pages), read_form_fields(data))


def _ocr(data: bytes, kind: str, max_pages: int, engine: Any) -> Reading:
    from pipeline.ocr import ocr_pages

    return Reading("ocr", tuple(ocr_pages(data, kind, max_pages=max_pages, engine=engine)))


def extract(reading: Reading) -> dict[str, Any]:
    """The certificate in the contract's shape (with evidence); NotACertificate when it is no ACORD 25."""
    from pipeline.acord25 import extract_certificate, identify

    form = identify(list(reading.pages))
    if form is None:
        raise NotACertificate("The document is not an ACORD 25 certificate of liability insurance; "
                              "ask the insured's agent for an ACORD 25.")
    return extract_certificate(list(reading.pages), reading.form_fields or None)
