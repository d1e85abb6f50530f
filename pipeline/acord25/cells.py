"""Small value cells, located on a page read by OCR, for a second reading.

Page-level OCR often drops a lone letter in a narrow cell (the INSR LTR, ADDL INSD and
SUBR WVD columns, the Y/N box of the workers' compensation row), runs two neighbouring
cells together ("NY"), loses the date in its small box beside the title, or misreads a
limit amount ("ihen.000").  The OCR stage reads these cells again one by one; this module
says where they are, from the same frame, columns, zones and limit rows the extractor uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.acord25.coverages import TableReader
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import date_zone, party_zones
from pipeline.acord25.layout import Box, Sheet, lines_of, usual_height
from pipeline.acord25.limits import LIMIT_TABLES, limit_rows
from pipeline.acord25.parse import parse_date
from pipeline.acord25.positions import excluded_zone
from pipeline.textlayer import Page

LETTER = "ABCDEF"  # an insurer letter
FLAG = "YNX"  # an ADDL INSD / SUBR WVD / excluded-member answer


DATE = "date"  # not an alphabet: the cell holds a date among other print
AMOUNT = "amount"  # not an alphabet: the cell holds a limit's amount (digits with commas)
BLOCK = "block"  # not an alphabet: a party's lines of name and address, read again as one block

_STRICT_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d{3,9}$")  # a limit is never under $100
_SURE = 0.8  # a page-level reading at least this sure is not read again


@dataclass(frozen=True)
class Cell:
    """A zone in points that holds one character drawn from ``alphabet`` (or nothing), or a date."""

    box: Box
    alphabet: str
    seen: str = ""  # an amount cell's page-level reading (not a valid amount, or doubtful), to compare with
    clear: Box | None = None  # an amount cell's whole row of the LIMITS column: its misreadings are superseded

    def accepts(self, text: str) -> bool:
        if self.alphabet == DATE:
            return parse_date(text) is not None
        if self.alphabet == AMOUNT:
            return strict_amount(text) is not None
        if self.alphabet == BLOCK:
            return bool(text.strip())
        return len(text) == 1 and text.upper() in self.alphabet


def letter_cells(page: Page) -> list[Cell]:
    """The one-letter cells of the coverage rows whose reading is missing or not a single valid letter."""
    sheet = Sheet(page)
    frame = build_frame(sheet)
    if frame.table is None:
        return []
    reader = TableReader(sheet, frame)
    cols = reader.columns
    cells = []
    for kind, band in reader.bands():
        if kind == "other":
            continue  # free rows: their letters are read with their descriptions
        for column, alphabet in ((cols.ltr, LETTER), (cols.addl, FLAG), (cols.subr, FLAG)):
            cells.append(Cell(Box(max(column[0], 0.0), band.y0, column[1], band.y1), alphabet))
        if kind == "wc":
            zone = excluded_zone(reader, band)
            if zone is not None:
                cells.append(Cell(zone, FLAG))
    return [c for c in cells if not _already_read(sheet, c)]


def date_cell(page: Page) -> Cell | None:
    """The certificate date's zone, when the page-level reading holds no date there."""
    sheet = Sheet(page)
    frame = build_frame(sheet)
    zone = date_zone(sheet, frame)
    if zone is None or any(parse_date(w.text) for w in sheet.values_in(zone)):
        return None
    return Cell(zone, DATE)


_DOUBTFUL = 0.5  # a block holding a word read less sure than this is read again
_TALL = 1.7  # times the block's usual word height: two lines read as one


def party_cells(page: Page, unread=None) -> list[Cell]:
    """The producer's, insured's and holder's blocks whose page-level reading is doubtful.

    Page-level OCR of a block typed with tight line spacing may run two lines into one
    ("31-W INSULATION CO., INC" over "7434 CYCLE LN" read as "Fl eVeARON ONC"), read a
    block's lines as noise, or leave a line out altogether; a block holding a very unsure word
    or one too tall for a line, or print that no word was read from (``unread(zone)``, when
    given, says so), is read again alone, as a block of lines."""
    sheet = Sheet(page)
    frame = build_frame(sheet)
    cells = []
    for name, zone in party_zones(frame).items():
        label = frame.get(name)
        if label is not None and name != "holder":  # the lines under the label: the label is read well enough
            zone = Box(zone.x0, max(zone.y0, label.box.y1 + 0.5), zone.x1, zone.y1)
        words = sheet.values_in(zone)
        if not words:
            continue
        usual = usual_height(words)
        if any((w.confidence if w.confidence is not None else 1.0) < _DOUBTFUL or w.height > _TALL * usual
               for w in words) or (unread is not None and unread(zone)):
            cells.append(Cell(zone, BLOCK))
    return cells


def _already_read(sheet: Sheet, cell: Cell) -> bool:
    words = sheet.values_in(cell.box)
    return len(words) == 1 and cell.accepts(words[0].text) and (words[0].confidence or 0.0) >= 0.8


def strict_amount(text: str) -> int | None:
    """Dollars of an amount printed as the form prints limits ("$1,000,000", "5000"), else None.

    Stricter than :func:`parse_amount`, which finds "000" in the misreading "ihen.000"; a
    comma read as a period or lost in a gap counts only between groups of three digits."""
    text = text.strip().removeprefix("$").strip()
    groups = re.split(r"[,. ]", text)
    if len(groups) > 1 and all(g.isdigit() for g in groups) and 1 <= len(groups[0]) <= 3 \
            and all(len(g) == 3 for g in groups[1:]):
        text = ",".join(groups)
    return int(text.replace(",", "")) if _STRICT_AMOUNT.match(text) else None


def limit_cells(page: Page) -> list[Cell]:
    """The LIMITS column's amount cells whose page-level reading is missing, not a valid amount, or doubtful.

    A cell starts right of the form's printed "$" (where it was read on the row, else where the
    other rows' "$" stand), so that the "$" is not read again as a leading 5 or S; a blank limit
    leaves a blank cell, which is not read."""
    sheet = Sheet(page)
    frame = build_frame(sheet)
    if frame.table is None:
        return []
    reader = TableReader(sheet, frame)
    column = Box(reader.columns.amount[0], frame.table.y0, frame.width, frame.table.y1)
    printed = sorted(w.x1 for w in sheet.values_in(column, include_labels=True) if w.text == "$")
    dollar_x1 = printed[len(printed) // 2] if printed else None  # the form prints its "$" in one column
    cells = []
    for kind, band in reader.bands():
        if kind not in LIMIT_TABLES:
            continue
        for _, middle, pitch in limit_rows(reader, band, kind):
            top, bottom = max(band.y0, middle - 0.45 * pitch), min(band.y1, middle + 0.45 * pitch)
            if bottom - top < 0.5 * pitch:
                continue
            zone = Box(reader.columns.amount[0], top, frame.width, bottom)
            words = sheet.values_in(zone, include_labels=True)
            dollars = [w for w in words if w.text == "$"]
            line = [w for w in words if w.text != "$"]
            if not _amount_like(line):
                continue  # print of another kind (a row misplaced onto text): not an amount to read again
            seen = "".join(w.text for w in sorted(line, key=lambda w: w.x0))
            if line and strict_amount(seen) is not None and len(lines_of(line)) == 1 \
                    and min(w.confidence if w.confidence is not None else 1.0 for w in line) >= _SURE:
                continue
            x1s = [w.x1 for w in dollars] or ([dollar_x1] if dollar_x1 is not None else [])
            x0 = max([zone.x0, *(x + 0.3 for x in x1s)])
            cells.append(Cell(Box(x0, top, zone.x1, bottom), AMOUNT, seen=seen, clear=zone))
    return cells


def _amount_like(words: list) -> bool:
    """A row's page-level reading could be an amount, misread or not: a few fragments, none a
    printed word or a date (an amount cell's reading replaces them all)."""
    return len(words) <= 3 and not any(
        parse_date(w.text) or (sum(c.isalpha() for c in w.text) >= 4 and not any(c.isdigit() for c in w.text))
        for w in words)
