"""Small value cells, located on a page read by OCR, for a second reading.

Page-level OCR often drops a lone letter in a narrow cell (the INSR LTR, ADDL INSD and
SUBR WVD columns, the Y/N box of the workers' compensation row), runs two neighbouring
cells together ("NY"), or loses the date in its small box beside the title.  The OCR
stage reads these cells again one by one; this module says where they are, from the
same frame, columns and zones the extractor uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.acord25.coverages import TableReader
from pipeline.acord25.frame import build_frame
from pipeline.acord25.header import date_zone
from pipeline.acord25.layout import Box, Sheet
from pipeline.acord25.parse import parse_date
from pipeline.acord25.positions import excluded_zone
from pipeline.textlayer import Page

LETTER = "ABCDEF"  # an insurer letter
FLAG = "YNX"  # an ADDL INSD / SUBR WVD / excluded-member answer


DATE = "date"  # not an alphabet: the cell holds a date among other print


@dataclass(frozen=True)
class Cell:
    """A zone in points that holds one character drawn from ``alphabet`` (or nothing), or a date."""

    box: Box
    alphabet: str

    def accepts(self, text: str) -> bool:
        if self.alphabet == DATE:
            return parse_date(text) is not None
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


def _already_read(sheet: Sheet, cell: Cell) -> bool:
    words = sheet.values_in(cell.box)
    return len(words) == 1 and cell.accepts(words[0].text) and (words[0].confidence or 0.0) >= 0.8
