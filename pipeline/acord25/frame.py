"""The form's frame on one page: anchors for every section, found by label.

Building a :class:`Frame` also marks the form's printed text as labels on the
:class:`Sheet`, so that the values read from a zone are only what was typed.
"""

from __future__ import annotations

import difflib
import logging
import re
import statistics
from dataclasses import dataclass, field

from pipeline.acord25.layout import Anchor, Box, Sheet, lines_of
from pipeline.acord25.positions import row_rules

logger = logging.getLogger(__name__)

# Printed text of the header and footer sections (all editions).
HEADER_LABELS = (
    "DATE (MM/DD/YYYY)",
    "DATE (MM/DD/YY)",
    "PRODUCER",
    "CONTACT NAME:",
    "CONTACT",
    "NAME:",
    "PHONE",
    "(A/C, No, Ext):",
    "FAX",
    "(A/C, No):",
    "E-MAIL",
    "ADDRESS:",
    "INSURER(S) AFFORDING COVERAGE",
    "INSURERS AFFORDING COVERAGE",
    "NAIC #",
    "COVERAGES",
    "CERTIFICATE NUMBER:",
    "REVISION NUMBER:",
    "CERTIFICATE HOLDER",
    "CANCELLATION",
    "AUTHORIZED REPRESENTATIVE",
)

# Printed text inside the coverage table (all editions).
TABLE_LABELS = (
    "INSR LTR",
    "INSR",
    "LTR",
    "TYPE OF INSURANCE",
    "ADDL INSD",
    "ADDL INSR",
    "ADDL",
    "SUBR WVD",
    "SUBR",
    "INSD",
    "WVD",
    "POLICY NUMBER",
    "POLICY EFF",
    "POLICY EXP",
    "(MM/DD/YYYY)",
    "(MM/DD/YY)",
    "LIMITS",
    "GENERAL LIABILITY",
    "COMMERCIAL GENERAL LIABILITY",
    "CLAIMS-MADE",
    "OCCUR",
    "GEN'L AGGREGATE LIMIT APPLIES PER:",
    "POLICY",
    "PRO-",
    "PRO",
    "JECT",
    "LOC",
    "OTHER:",
    "AUTOMOBILE LIABILITY",
    "ANY AUTO",
    "ALL OWNED",
    "OWNED",
    "AUTOS ONLY",
    "AUTOS",
    "SCHEDULED",
    "HIRED",
    "NON-OWNED",
    "UMBRELLA LIAB",
    "EXCESS LIAB",
    "DED",
    "RETENTION $",
    "RETENTION",
    "$",
    "WORKERS COMPENSATION",
    "AND EMPLOYERS' LIABILITY",
    "Y / N",
    "Y/N",
    "ANY PROPRIETOR/PARTNER/EXECUTIVE",
    "ANYPROPRIETOR/PARTNER/EXECUTIVE",
    "OFFICER/MEMBER EXCLUDED?",
    "(Mandatory in NH)",
    "If yes, describe under",
    "DESCRIPTION OF OPERATIONS below",
    "N / A",
    "N/A",
    "PER STATUTE",
    "PER",
    "STATUTE",
    "OTH-",
    "OTH",
    "ER",
    "WC STATU-",
    "TORY LIMITS",
    "EACH OCCURRENCE",
    "DAMAGE TO RENTED",
    "PREMISES (Ea occurrence)",
    "MED EXP (Any one person)",
    "PERSONAL & ADV INJURY",
    "GENERAL AGGREGATE",
    "PRODUCTS - COMP/OP AGG",
    "COMBINED SINGLE LIMIT",
    "(Ea accident)",
    "BODILY INJURY (Per person)",
    "BODILY INJURY (Per accident)",
    "BODILY INJURY",
    "(Per accident)",
    "(Per person)",
    "PROPERTY DAMAGE",
    "AGGREGATE",
    "E.L. EACH ACCIDENT",
    "E.L. DISEASE - EA EMPLOYEE",
    "E.L. DISEASE - POLICY LIMIT",
)

LETTERS = "ABCDEF"


@dataclass
class Frame:
    """Anchors of one ACORD 25 page, and the zones derived from them."""

    width: float
    height: float
    unit: float
    anchors: dict[str, Anchor] = field(default_factory=dict)
    insurer_rows: dict[str, Anchor] = field(default_factory=dict)
    table: Box | None = None
    footer_top: float = 0.0

    def get(self, name: str) -> Anchor | None:
        return self.anchors.get(name)


def build_frame(sheet: Sheet) -> Frame:
    page = sheet.page
    for phrase in HEADER_LABELS:
        sheet.mark_labels(phrase)
    frame = Frame(width=page.width, height=page.height, unit=_unit(sheet))
    a = frame.anchors

    def first(name: str, *phrases: str, region: Box | None = None) -> None:
        for phrase in phrases:
            hit = sheet.find_one(phrase, region)
            if hit is not None:
                a[name] = hit
                return

    headings = sheet.find("COVERAGES")  # the section's heading starts its line at the page's left;
    if headings:  # the notice's "... ALTER THE COVERAGE(S) AFFORDED ..." does not
        a["coverages"] = min(headings, key=lambda h: h.box.x0)
    above = Box(0, 0, page.width, a["coverages"].box.y0 if "coverages" in a else page.height / 3)
    first("date", "DATE (MM/DD/YYYY)", "DATE (MM/DD/YY)", "DATE", region=above)  # not the DATE of the notice text
    first("description", "DESCRIPTION OF OPERATIONS / LOCATIONS", "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES")
    if "description" not in a:  # not the WC row's 'describe under DESCRIPTION OF OPERATIONS below'
        hits = [h for h in sheet.find("DESCRIPTION OF OPERATIONS")
                if not any(w.text == "below" and abs(w.cy - h.box.cy) < h.box.height and 0 <= w.x0 - h.box.x1 < 3 * h.box.height
                           for w in sheet.words)]
        if hits:
            a["description"] = hits[-1]
    if "description" not in a and sheet.measured:
        _description_by_likeness(sheet, frame)
    holders = sheet.find("CERTIFICATE HOLDER")  # the box's label, below any "... THE CERTIFICATE HOLDER" of the text
    if holders:
        a["holder"] = max(holders, key=lambda h: h.box.y0)
    first("cancellation", "CANCELLATION")
    first("authorized", "AUTHORIZED REPRESENTATIVE")
    top = a["coverages"].box.y0 if "coverages" in a else page.height / 3
    header = Box(0, 0, page.width, top)
    first("producer", "PRODUCER", region=header)
    first("contact", "CONTACT NAME:", "CONTACT", region=header)
    first("phone", "PHONE", region=header)
    first("fax", "FAX", region=header)
    first("email", "E-MAIL", region=header)
    first("insurers", "INSURER(S) AFFORDING COVERAGE", "INSURERS AFFORDING COVERAGE", region=header)
    first("naic", "NAIC #", region=header)
    first("certificate_number", "CERTIFICATE NUMBER:")
    first("revision_number", "REVISION NUMBER:")
    _find_insured(sheet, frame, header)
    for letter in LETTERS:
        hits = sheet.mark_labels(f"INSURER {letter} :", header) or sheet.mark_labels(
            f"INSURER {letter}:", header
        ) or sheet.mark_labels(f"INSURER {letter}", header)
        if hits:
            frame.insurer_rows[letter] = hits[0]
    if sheet.measured:
        _fill_insurer_rows(frame)
    _find_footer(sheet, frame)
    if "coverages" in a:
        bottom = a["description"].box.y0 if "description" in a else page.height * 0.75
        frame.table = Box(0, a["coverages"].box.y1, page.width, bottom)
        for phrase in TABLE_LABELS:
            sheet.mark_labels(phrase, frame.table)
    logger.debug("frame: %s anchors, %s insurer rows", len(a), len(frame.insurer_rows))
    return frame


_DESCRIPTION_LABEL = ("DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES (ACORD 101, Additional Remarks Schedule, "
                      "may be attached if more space is required)")


def is_description_label(line: list) -> bool:
    """The box's own printed heading (or its tail), misread so that it was not taken for a label."""
    text = re.sub(r"\W+", "", " ".join(w.text for w in line)).upper()
    label = re.sub(r"\W+", "", _DESCRIPTION_LABEL).upper()
    if len(text) < 12:
        return False
    match = difflib.SequenceMatcher(None, text, label).find_longest_match(0, len(text), 0, len(label))
    return match.size >= 12 and difflib.SequenceMatcher(None, text, label[match.b - match.a:][:len(text) + 4]).ratio() > 0.75


def _description_by_likeness(sheet: Sheet, frame: Frame) -> None:
    """On a scan, the description box's heading found by likeness when OCR garbled its words."""
    page = sheet.page
    words = sheet.values_in(Box(0, page.height * 0.5, page.width, page.height * 0.9), include_labels=True)
    for line in lines_of(words):
        if sum(len(w.text) for w in line) >= 40 and is_description_label(line):  # the whole heading, not the WC row's
            frame.anchors["description"] = Anchor(tuple(line), Box.around(line))
            return


def _fill_insurer_rows(frame: Frame) -> None:
    """Rows whose 'INSURER X :' label OCR misread, placed from the rows found (they are evenly spaced)."""
    found = sorted(((LETTERS.index(k), a) for k, a in frame.insurer_rows.items()), key=lambda t: t[0])
    if len(found) < 2:
        return
    (i0, a0), (i1, a1) = found[0], found[-1]
    if i1 == i0:
        return
    pitch = (a1.box.cy - a0.box.cy) / (i1 - i0)
    if not (6 * frame.unit <= pitch <= 20 * frame.unit):
        return
    if any(abs(a.box.cy - (a0.box.cy + (i - i0) * pitch)) > 0.35 * pitch for i, a in found):
        return  # not one evenly spaced column: leave it as read
    header = frame.get("insurers")
    coverages = frame.get("coverages")
    x0 = statistics.median(a.box.x0 for _, a in found)
    x1 = statistics.median(a.box.x1 for _, a in found)
    h = statistics.median(a.box.height for _, a in found)
    for i, letter in enumerate(LETTERS):
        if letter in frame.insurer_rows or not (i0 - 1 <= i <= i1 + 1):
            continue
        cy = a0.box.cy + (i - i0) * pitch
        if (header is not None and cy - h / 2 < header.box.y1) or (coverages is not None and cy > coverages.box.y0):
            continue
        frame.insurer_rows[letter] = Anchor((), Box(x0, cy - h / 2, x1, cy + h / 2))


LETTER_WIDTH = 612.0  # points: the width the form is printed for
_MAX_FILL = 1.2  # the form is at most about as wide as its page (height estimates run ~10% high on scans)


def _unit(sheet: Sheet) -> float:
    """Scale of the form relative to the letter-size original (1.0 = as printed).

    Measured from the height of label words; on a scan a label whose box OCR merged with the larger
    value beside it reads several times too tall, so the scale is held to what fits on the page."""
    heights = [w.height for anchor in sheet.find("EACH OCCURRENCE") for w in anchor.words]
    heights += [w.height for anchor in sheet.find("INSURER") for w in anchor.words]
    if not heights:
        return 1.0
    largest = _MAX_FILL * max(sheet.page.width, 1.0) / LETTER_WIDTH
    return max(0.4, min(3.0, largest, statistics.median(heights) / 6.4))


def _find_insured(sheet: Sheet, frame: Frame, header: Box) -> None:
    producer = frame.anchors.get("producer")
    for hit in sheet.find("INSURED", header):
        if producer is not None:
            if hit.box.y0 <= producer.box.y1 or abs(hit.box.x0 - producer.box.x0) > 15 * frame.unit:
                continue
        elif hit.box.x0 > frame.width / 3:
            continue
        sheet.mark_labels("INSURED", Box(hit.box.x0 - 1, hit.box.y0 - 1, hit.box.x1 + 1, hit.box.y1 + 1))
        frame.anchors["insured"] = hit
        return
    if sheet.measured and producer is not None:
        _insured_by_likeness(sheet, frame, header, producer)


def _insured_by_likeness(sheet: Sheet, frame: Frame, header: Box, producer: Anchor) -> None:
    """On a scan, the INSURED label misread: a word much like it ('NSURED') alone at the start of a
    line under PRODUCER, in PRODUCER's column; else the rule ruled across that column between the
    producer's block and the insured's, the label being whatever was read at the start of the line
    under it ('MIOURED'), if anything (an anchor without words: a placed label)."""
    u = frame.unit
    column = Box(producer.box.x0 - 15 * u, producer.box.y1, producer.box.x0 + 15 * u, header.y1)
    for w in sheet.values_in(column):
        if w.x0 <= producer.box.x0 + 15 * u and _like_insured(w, 0.8) and not _beside(sheet, w):
            _mark_insured(sheet, frame, w)
            return
    rules = row_rules(sheet, producer.box.x0, producer.box.x0 + 150 * u, producer.box.y1 + 12 * u, header.y1)
    if not rules:
        return
    top = rules[0]
    first = sorted(sheet.values_in(Box(column.x0, top, column.x1, top + 10 * u)), key=lambda w: w.y0)
    if first and _like_insured(first[0], 0.5) and not _beside(sheet, first[0]):
        _mark_insured(sheet, frame, first[0], placed=True)
        return
    frame.anchors["insured"] = Anchor((), Box(producer.box.x0, top + 0.5, producer.box.x0 + 30 * u, top + 7 * u))


def _like_insured(w, ratio: float) -> bool:
    text = re.sub(r"[^A-Z]", "", w.text.upper())
    return difflib.SequenceMatcher(None, text, "INSURED").ratio() >= ratio


def _beside(sheet: Sheet, w) -> bool:
    """A word stands right beside ``w`` on its line: ``w`` is in a line of text, not a label."""
    return any(v is not w and abs(v.cy - w.cy) < 0.5 * w.height and 0 < v.x0 - w.x1 < 2 * w.height for v in sheet.words)


def _mark_insured(sheet: Sheet, frame: Frame, w, *, placed: bool = False) -> None:
    """``w`` taken for the INSURED label; ``placed``: a guess (the anchor then holds no words)."""
    sheet.mark_labels(w.text, Box(w.x0 - 0.5, w.y0 - 0.5, w.x1 + 0.5, w.y1 + 0.5))
    frame.anchors["insured"] = Anchor(() if placed else (w,), Box(w.x0, w.y0, w.x1, w.y1))


def _find_footer(sheet: Sheet, frame: Frame) -> None:
    """Top of the footer (copyright line / 'ACORD 25 (...)'), bottom of the holder box."""
    candidates = [frame.height]
    lower = Box(0, frame.height * 0.8, frame.width, frame.height)
    for phrase in ("ACORD 25", "ACORD CORPORATION.", "©"):
        for hit in sheet.find(phrase, lower):
            candidates.append(hit.box.y0)
            for w in sheet.values_in(Box(0, hit.box.y0, frame.width, hit.box.y1), include_labels=True):
                sheet.mark_labels(w.text, Box(w.x0 - 0.5, w.y0 - 0.5, w.x1 + 0.5, w.y1 + 0.5))
    frame.footer_top = min(candidates)
