"""The reading stages as plain functions: bytes → Reading → certificate dict.

Workers call these between storage and the database; ``coi extract`` calls them directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.errors import EmptyDocument, NotACertificate, UnsupportedFileType
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

    def as_stored(self) -> Reading:
        """This reading as ``from_dict`` gives it back from its stored JSON (``to_dict``), value for value and
        type for type, without building every word again: a page's size becomes a float (a PDF's box may
        give integers); its words, marks and form fields already are what the JSON gives back (the text
        layer's coordinates are floats, its texts strings; tests/unit/test_reading_as_stored.py). What the
        extract step run in place reads, so that it reads what it would from its own message."""
        from pipeline.textlayer import Page

        def stored(page: Page) -> Page:
            if type(page.width) is float and type(page.height) is float:
                return page
            return replace(page, width=float(page.width), height=float(page.height))

        return Reading(self.method, tuple(stored(page) for page in self.pages), dict(self.form_fields))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reading:
        from pipeline.textlayer import Page

        return cls(data["method"], tuple(Page.from_dict(p) for p in data["pages"]), dict(data.get("form_fields") or {}))


def read(data: bytes, *, max_pages: int = 50, ocr_engine: Any = None) -> Reading:
    """Read a document's words: born-digital PDFs by their text layer, images and scans by OCR."""
    reading = read_text(data, max_pages=max_pages)
    return reading if reading is not None else read_ocr(data, max_pages=max_pages, ocr_engine=ocr_engine)


def read_text(data: bytes, *, max_pages: int = 50) -> Reading | None:
    """The text-layer reading of a born-digital PDF; None when the document needs OCR (an image, a scan).

    The cheap half of :func:`read`: the workers run it on the fast queue and hand the rest to OCR."""
    from pipeline.layertrust import read_checked_fields
    from pipeline.textlayer import has_usable_text, read_form_fields

    kind = _kind(data)
    if kind not in SUPPORTED:
        raise UnsupportedFileType("The file is not a PDF, PNG, JPEG or TIFF; send the certificate in one of those formats.")
    if kind != PDF:
        return None
    pages, checks, fields = read_checked_fields(data, max_pages=max_pages)
    if not has_usable_text(pages):
        log.info("no usable text layer (%s words); reading by OCR", sum(len(p.words) for p in pages))
        return None
    if pages_to_ocr(data, pages, max_pages=max_pages, checks=checks):
        return None
    return Reading("text_layer", _scanner_layers(data, pages, max_pages, checks),
                   read_form_fields(data) if fields is None else fields)


def read_ocr(data: bytes, *, max_pages: int = 50, ocr_engine: Any = None, side_thread: bool = True) -> Reading:
    """The OCR reading of an image or a scanned PDF (the slow half of :func:`read`).

    A PDF whose text layer is good on some pages and not on others (a born-digital cover letter and
    a scanned certificate) keeps the good pages and has only the others read by OCR. ``side_thread``: a
    page's side work on a thread of its own (pipeline/ocr/pages.py ``side_thread_helps``); the same reading."""
    from pipeline.layertrust import read_checked_fields
    from pipeline.textlayer import has_usable_text, read_form_fields

    kind = _kind(data)
    if kind == PDF:
        pages, checks, fields = read_checked_fields(data, max_pages=max_pages)
        todo = pages_to_ocr(data, pages, max_pages=max_pages, checks=checks) if has_usable_text(pages) else {}
        if todo and len(todo) < len(pages):
            ocred = _ocr_some(data, sorted(todo), ocr_engine, side_thread)
            merged = tuple(ocred.get(p.number, p) for p in _scanner_layers(data, pages, max_pages, checks))
            return Reading("ocr", merged, read_form_fields(data) if fields is None else fields)
    return _ocr(data, kind, max_pages, ocr_engine, side_thread)


def _kind(data: bytes) -> str | None:
    if not data:
        raise EmptyDocument("The file is empty (0 bytes); attach the certificate again.")
    return sniff(data)


def pages_to_ocr(data: bytes, pages: list[Any], *, max_pages: int = 50,
                 checks: list[Any] | None = None) -> dict[int, str]:
    """The pages of a PDF whose text layer is not to be read, each with the reason (empty: read them all).

    A page goes to OCR when it is a scan with no text layer, when its layer is garbage (words that are
    not words, few known words, boxes off the ink), or when it is a scan and no page of the document
    shows the ACORD 25's printed labels in its text layer (a scanner's layer that lost the form).
    ``checks``: the pages' :class:`~pipeline.layertrust.LayerCheck` when the caller has them already."""
    from pipeline.acord25.identify import identify_page
    from pipeline.layertrust import check_layers, untrusted_layer

    if checks is None:
        checks = check_layers(data, max_pages=max_pages)
    checks = {c.number: c for c in checks}
    todo: dict[int, str] = {}
    for page in pages:
        check = checks.get(page.number)
        reason = untrusted_layer(page, check) if check is not None else None
        if reason:
            todo[page.number] = reason
    trusted = [p for p in pages if p.number not in todo]
    scans = [p for p in trusted if (check := checks.get(p.number)) is not None and check.scan]
    if scans and not any(identify_page(p) for p in trusted):  # no scan, nothing to ask of the labels
        for page in scans:
            todo[page.number] = "a scanned page whose text layer shows no ACORD 25 labels"
    for number, reason in sorted(todo.items()):
        log.info("page %s: %s; reading it by OCR", number, reason)
    return todo


def _scanner_layers(data: bytes, pages: list[Any], max_pages: int, checks: list[Any]) -> tuple[Any, ...]:
    """The pages, those that are scans with a trusted OCR layer marked as OCR readings."""
    from pipeline.layertrust import as_scanner_ocr

    scans = {c.number for c in checks if c.scan}
    return tuple(as_scanner_ocr(p) if p.number in scans else p for p in pages)


def _ocr_some(data: bytes, numbers: list[int], engine: Any, side_thread: bool = True) -> dict[int, Any]:
    """OCR of only the given pages (1-based) of a PDF, numbered as in the whole document."""
    import dataclasses
    import io

    import pypdfium2 as pdfium

    from pipeline.ocr import ocr_pages
    from pipeline.textlayer import PDFIUM, open_pdf

    with PDFIUM:
        source = open_pdf(data)
        part = pdfium.PdfDocument.new()
        try:
            part.import_pages(source, [n - 1 for n in numbers])
            buffer = io.BytesIO()
            part.save(buffer)
        finally:
            part.close()
            source.close()
    ocred = ocr_pages(buffer.getvalue(), PDF, max_pages=len(numbers), engine=engine, side_thread=side_thread)
    return {number: dataclasses.replace(page, number=number) for number, page in zip(numbers, ocred)}


def _ocr(data: bytes, kind: str, max_pages: int, engine: Any, side_thread: bool = True) -> Reading:
    from pipeline.ocr import ocr_pages

    return Reading("ocr", tuple(ocr_pages(data, kind, max_pages=max_pages, engine=engine, side_thread=side_thread)))


def identified(reading: Reading) -> Any:
    """The reading's ACORD 25 page and edition (:class:`~pipeline.acord25.FormInfo`); NotACertificate
    when no page is one."""
    from pipeline.acord25 import identify

    form = identify(list(reading.pages))
    if form is None:
        raise NotACertificate("The document is not an ACORD 25 certificate of liability insurance; "
                              "ask the insured's agent for an ACORD 25.")
    return form


def extract(reading: Reading, form: Any = None) -> dict[str, Any]:
    """The certificate in the contract's shape (with evidence); NotACertificate when it is no ACORD 25.
    ``form``: :func:`identified`'s answer for ``reading``, when the caller has it (the trust signals use it
    too); found here otherwise."""
    from pipeline.acord25 import extract_certificate

    form = form if form is not None else identified(reading)
    return extract_certificate(list(reading.pages), reading.form_fields or None, reading.method, info=form)

