"""Coverage cells placed by the form's fixed layout when their small labels were not read.

On a blurred scan the 5.5 pt labels "POLICY", "PRO-JECT", "LOC" and "Y / N" are often misread
("poucy", "FRO:", "wit"), while the boxes and letters beside them are still seen.  The ACORD 25
prints them in a fixed arrangement: the general-aggregate boxes are three boxes side by side in
the last box row of the general liability band (POLICY, PRO-JECT, LOC), with OTHER alone under
them; the excluded-member Y/N box sits at the right end of the type-of-insurance column, on the
"ANY PROPRIETOR ... EXCLUDED?" lines of the workers' compensation band.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.acord25.layout import Box, Sheet

if TYPE_CHECKING:
    from pipeline.acord25.coverages import TableReader

AGGREGATE_PER = ("policy", "project", "location")
_BOX_KINDS = ("box", "cross")


def aggregate_by_position(reader: TableReader, band: Box) -> tuple[str | None, Box | None, float]:
    """(value, box of the check, confidence) of GEN'L AGGREGATE LIMIT APPLIES PER, from where its
    boxes are; (None, None, 0.0) when that row of three boxes (all seen) is not found."""
    u = reader.u
    region = Box(reader.columns.type[0] - 4 * u, band.y0, reader.columns.type[1], band.y1)
    rows = _mark_rows(reader.sheet, region)
    triples = [i for i, row in enumerate(rows) if len(row) == 3 and _evenly_spaced(row, u)]
    if not triples:
        return None, None, 0.0
    at = triples[-1]  # the last row of three: rows above it may be a form's blank lines
    below = rows[at + 1:]
    if len(below) > 1:
        return None, None, 0.0  # more box rows under it than OTHER: not the row looked for
    sure = min(m.confidence if m.confidence is not None else 1.0 for m in rows[at])
    for value, mark in zip(AGGREGATE_PER, rows[at]):
        if mark.kind == "cross":
            return value, Box.around([mark]), sure
    if below and len(below[0]) == 1:
        mark = below[0][0]
        sure = min(sure, mark.confidence if mark.confidence is not None else 1.0)
        if mark.kind == "cross":
            return "other", Box.around([mark]), sure
        return None, None, sure
    return None, None, 0.0  # OTHER's box not seen: an unchecked row says nothing


def excluded_zone(reader: TableReader, band: Box) -> Box | None:
    """Where the workers' compensation row's excluded-member Y/N answer is printed."""
    sheet, u = reader.sheet, reader.u
    yn = sheet.find_one("Y / N", band) or sheet.find_one("Y/N", band)
    if yn is not None:
        return Box(yn.box.x0 - 5 * u, yn.box.y1 - 0.5, yn.box.x1 + 5 * u, yn.box.y1 + 16 * u)
    # the label was misread: the right end of the type column, beside "... EXCLUDED?" when it was read
    right = reader.columns.addl[0]
    excluded = sheet.find_one("EXCLUDED?", band) or sheet.find_one("OFFICER/MEMBER", band)
    if excluded is not None:
        middle = excluded.box.cy
    else:
        middle = band.y0 + 25 * u  # rows 2-3 of the band, under WORKERS COMPENSATION / AND EMPLOYERS'
    return Box(right - 22 * u, middle - 7 * u, right - 0.5 * u, middle + 7 * u)


def _mark_rows(sheet: Sheet, region: Box) -> list[list]:
    """Box and cross marks in ``region`` grouped into rows, top to bottom, each left to right."""
    marks = sorted(sheet.marks_in(region, _BOX_KINDS), key=lambda m: m.cy)
    rows: list[list] = []
    for m in marks:
        if rows and abs(m.cy - rows[-1][0].cy) < 0.5 * max(m.y1 - m.y0, 1.0):
            rows[-1].append(m)
        else:
            rows.append([m])
    return [sorted(row, key=lambda m: m.x0) for row in rows]


def _evenly_spaced(row: list, u: float) -> bool:
    """Three boxes about 43 form units apart, as POLICY / PRO-JECT / LOC are printed."""
    gaps = [b.x0 - a.x0 for a, b in zip(row, row[1:])]
    return all(30 * u <= g <= 60 * u for g in gaps) and max(gaps) <= 1.4 * min(gaps)
