"""Pages after the certificate that continue its description of operations.

An ACORD 25's description box holds a few lines; agencies continue it on an ACORD 101
"Additional Remarks Schedule", or on a plain page headed e.g. "Description of Operations
(continued)".  Such a page is recognised by its heading in the upper part of the page; its text
below the heading (and above the form's footer) is the rest of the description.  Endorsements and
other attachments are not remarks and are left alone.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.acord25.confidence import OCR_CEILING
from pipeline.acord25.identify import identify_page
from pipeline.acord25.layout import Box, line_text, lines_of
from pipeline.acord25.parse import normalise_text
from pipeline.textlayer import Page

logger = logging.getLogger(__name__)

CLEAN = 0.99  # as for any value read cleanly from a text layer

# A heading that makes a page a continuation of the description (in the top part of the page).
_HEADING = re.compile(
    r"ADDITIONAL\s+REMARKS|REMARKS\s+SCHEDULE|ACORD\s*101\b"
    r"|DESCRIPTION\s+OF\s+OPERATIONS\W.{0,60}\b(CONT|ATTACH)"
    r"|\b(CONTINUED|CONTINUATION)\b.{0,40}\b(DESCRIPTION|REMARKS)\b",
    re.IGNORECASE,
)
_HEADING_ZONE = 0.45  # share of the page height, from the top, where the heading is looked for
# The ACORD 101's own lines that introduce the remarks: the text starts below the lowest of them.
_PREAMBLE = re.compile(
    r"SCHEDULE\s+TO\s+ACORD\s+FORM|FORM\s+NUMBER\W|FORM\s+TITLE\W|^ADDITIONAL\s+REMARKS\W*$"
    r"|REMARKS\s+SCHEDULE|DESCRIPTION\s+OF\s+OPERATIONS|\bCONTINU(ED|ATION)\b",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"ACORD\s*101\s*\(|ACORD\s+CORPORATION|registered\s+marks\s+of\s+ACORD|^Page\s+\d+\s+of\s+\d+$|\u00a9"
    r"|^ACORD\s*\d+\s*\(\d{4}/\d{2}\)",  # the form's number and edition, as every ACORD form's footer prints them
    re.IGNORECASE,
)
_FOOTER_ZONE = 0.85  # footer lines are looked for below this share of the page height


def is_remarks_page(page: Page) -> bool:
    """True when the page is headed as a continuation of the certificate's remarks."""
    top = [line_text(line) for line in lines_of(page.words) if line[0].cy < _HEADING_ZONE * page.height]
    return any(_HEADING.search(text) for text in top)


def remarks_of(page: Page) -> tuple[str, Box, float] | None:
    """The remarks text of a remarks page, its box and how sure the reading is; None when empty."""
    lines = lines_of(page.words)
    start = 0
    for i, line in enumerate(lines):
        if line[0].cy < _HEADING_ZONE * page.height and _PREAMBLE.search(line_text(line)):
            start = i + 1
    body = []
    for line in lines[start:]:
        if line[0].cy > _FOOTER_ZONE * page.height and _FOOTER.search(line_text(line)):
            break
        body.append(line)
    words = [w for line in body for w in line]
    text = normalise_text(" ".join(line_text(line) for line in body))
    if not text:
        return None
    measured = [w.confidence for w in words if w.confidence is not None]
    confidence = min([CLEAN, *([OCR_CEILING] if measured else []), *(c * c for c in measured)])
    return text, Box.around(words), confidence


def append_remarks(cert: dict[str, Any], pages: list[Page], certificate_page: int) -> list[int]:
    """Append the remarks of the pages after the certificate page to ``description_of_operations``.

    Pages are taken in order until the next ACORD 25 page (another certificate).  The value's
    evidence keeps the page where the description starts; each continuation page is listed under
    ``continued`` with its box.  Returns the page numbers whose remarks were appended."""
    used: list[int] = []
    for page in sorted((p for p in pages if p.number > certificate_page), key=lambda p: p.number):
        if identify_page(page) is not None:
            break
        if not is_remarks_page(page):
            continue
        found = remarks_of(page)
        if found is None:
            continue
        text, box, confidence = found
        _append(cert, page.number, text, box, confidence)
        used.append(page.number)
    if used:
        logger.info("description of operations continued on page(s) %s", ", ".join(map(str, used)))
    return used


def _append(cert: dict[str, Any], number: int, text: str, box: Box, confidence: float) -> None:
    pointer = "/description_of_operations"
    evidence = cert.setdefault("evidence", {})
    before = cert.get("description_of_operations")
    if not before:
        cert["description_of_operations"] = text
        evidence[pointer] = {"page": number, "bbox": box.as_list(), "confidence": round(confidence, 3)}
        return
    cert["description_of_operations"] = f"{before} {text}"
    item = evidence.setdefault(pointer, {"confidence": round(confidence, 3)})
    item["confidence"] = round(min(item["confidence"], confidence), 3)
    item.setdefault("continued", []).append({"page": number, "bbox": box.as_list()})
