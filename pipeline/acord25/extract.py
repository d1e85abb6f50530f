"""Read the ACORD 25 fields of a certificate's pages into one certificate dict.

The certificate page (the first page that is an ACORD 25: a cover letter may come first) is
registered to the form's template and read field by field (:mod:`pipeline.acord25.reader`), text
layer and OCR alike. A page that does not register (a look-alike: the form's words, not its layout)
gives the form it names and nothing else, so that it goes to review rather than being read wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.acord25.certificate import empty_certificate
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.fields import apply_form_fields
from pipeline.acord25.identify import FormInfo, identify
from pipeline.acord25.reader import read_certificate
from pipeline.acord25.remarks import append_remarks
from pipeline.textlayer import Page

logger = logging.getLogger(__name__)

__all__ = ["empty_certificate", "extract_certificate"]


def extract_certificate(pages: list[Page], form_fields: dict[str, str] | None = None,
                        method: str | None = None, info: FormInfo | None = None) -> dict[str, Any]:
    """Read the ACORD 25 fields from the certificate page's words (and form fields when given).

    Remarks pages after the certificate page continue its description of operations. ``method``
    (the reading's, "text_layer" or "ocr") is logged only: words carry their OCR confidence. ``info``:
    :func:`~pipeline.acord25.identify.identify`'s answer for ``pages``, when the caller has it already."""
    cert = empty_certificate()
    if not pages:
        return cert
    info = info or identify(pages)
    page = next((p for p in pages if info is not None and p.number == info.page), pages[0])
    done = read_certificate(pages, page, info, form_fields)
    if done is not None:
        return done
    logger.info("page %s (%s) is not the form's layout: no fields read", page.number, method or "words")
    ev = Evidence(page.number)
    if info is not None:
        cert["form"] = {"type": info.type, "edition": info.edition}
    if form_fields:
        apply_form_fields(cert, form_fields, ev)
    cert["evidence"] = ev.only(cert)
    if info is not None:
        append_remarks(cert, pages, page.number)  # an ACORD 101 / remarks page continues the description
    return cert
