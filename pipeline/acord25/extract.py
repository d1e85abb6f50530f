"""Put the section readers together into one certificate dict."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.acord25 import plausible
from pipeline.acord25.coverages import read_policies
from pipeline.acord25.evidence import Evidence, cap_by_reading
from pipeline.acord25.fields import apply_form_fields
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import (
    read_date,
    read_description,
    read_holder,
    read_insured,
    read_insurers,
    read_numbers,
    read_producer,
    read_signed,
)
from pipeline.acord25.identify import identify
from pipeline.acord25.layout import Box, Sheet
from pipeline.acord25.remarks import append_remarks
from pipeline.textlayer import Page

logger = logging.getLogger(__name__)

# Which reader reads a born-digital (text-layer) page: "legacy" (label offsets, below) or
# "template" (the form's template registered to the page, pipeline/acord25/reader.py).
BORN_DIGITAL_READER = "template"
# Which reader reads an OCR page (scan, photo, outline print): the same two. The template reader
# registers the OCR words (fuzzy labels, and the page's ruled lines) and caps each value by
# tesseract's word confidence; a page that does not register goes to the legacy reader.
OCR_READER = "template"


def empty_certificate() -> dict[str, Any]:
    """Every key of the contract, all unknown."""
    return {
        "form": {"type": None, "edition": None},
        "date": None,
        "certificate_number": None,
        "revision_number": None,
        "producer": {
            "name": None,
            "address": None,
            "contact_name": None,
            "phone": None,
            "fax": None,
            "email": None,
        },
        "insured": {"name": None, "address": None},
        "insurers": [],
        "policies": [],
        "description_of_operations": None,
        "certificate_holder": {"name": None, "address": None},
        "signed": False,
        "evidence": {},
    }


def extract_certificate(pages: list[Page], form_fields: dict[str, str] | None = None,
                        method: str | None = None) -> dict[str, Any]:
    """Read the ACORD 25 fields from the certificate page's words (and form fields when given).

    The certificate page is the first page that is an ACORD 25 (a cover letter may come first);
    remarks pages after it continue its description of operations. ``method`` is the reading's
    ("text_layer" or "ocr"); a text-layer page goes to ``BORN_DIGITAL_READER``."""
    cert = empty_certificate()
    if not pages:
        return cert
    info = identify(pages)
    page = next((p for p in pages if info is not None and p.number == info.page), pages[0])
    if (method == "text_layer" and BORN_DIGITAL_READER == "template") or (method == "ocr" and OCR_READER == "template"):
        from pipeline.acord25.reader import read_certificate

        done = read_certificate(pages, page, info, form_fields)
        if done is not None:
            return done
    sheet = Sheet(page)
    frame = build_frame(sheet)
    ev = Evidence(page.number)
    if info is not None:
        cert["form"] = {"type": info.type, "edition": info.edition}
        _form_evidence(sheet, ev, info.edition is not None)
    cert["date"] = read_date(sheet, frame, ev)
    cert["certificate_number"], cert["revision_number"] = read_numbers(sheet, frame, ev)
    cert["producer"] = read_producer(sheet, frame, ev)
    cert["insured"] = read_insured(sheet, frame, ev)
    cert["insurers"] = read_insurers(sheet, frame, ev)
    cert["policies"] = read_policies(sheet, frame, ev)
    cert["description_of_operations"] = read_description(sheet, frame, ev)
    cert["certificate_holder"] = read_holder(sheet, frame, ev)
    cert["signed"] = read_signed(sheet, frame, ev)
    if form_fields:
        apply_form_fields(cert, form_fields, ev)
    cert["evidence"] = ev.only(cert)
    cap_by_reading(cert["evidence"], sheet.words, sheet.marks)  # OCR: no surer than the words read
    if info is not None:
        append_remarks(cert, pages, page.number)  # an ACORD 101 / remarks page continues the description
    doubted = plausible.review(cert, cert["evidence"], ocr=sheet.measured)
    if doubted:
        logger.info("implausible values sent below review confidence: %s", ", ".join(doubted))
    logger.info(
        "extracted %s policies, %s insurers, %s values with evidence",
        len(cert["policies"]),
        len(cert["insurers"]),
        len(cert["evidence"]),
    )
    return cert


def _form_evidence(sheet: Sheet, ev: Evidence, has_footer: bool) -> None:
    hits = sheet.find("ACORD 25") if has_footer else sheet.find("CERTIFICATE OF LIABILITY INSURANCE")
    if hits:
        box = hits[-1].box
        ev.add("/form/type", box, 0.99)
        ev.add("/form/edition", Box(box.x0, box.y0, box.x1 + 4 * box.height, box.y1), 0.99)
