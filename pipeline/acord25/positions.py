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


def statute_by_position(reader: TableReader, band: Box) -> tuple[bool | None, Box | None, float]:
    """(checked, box of the check, confidence) of PER STATUTE when its label was misread on a scan.

    Its box is the first of the workers' compensation row's top line in the limits' label column,
    in that column's left half (OTH-ER's box stands right of it).  (None, None, 0.0) when no box
    was seen there: the row says nothing about it."""
    u = reader.u
    left, right = reader.columns.exp[1], reader.columns.amount[0]
    region = Box(left - 4 * u, band.y0 - 2, right, band.y0 + 14 * u)
    rows = _mark_rows(reader.sheet, region)
    if not rows:
        return None, None, 0.0
    first = rows[0][0]
    if first.cx > (left + right) / 2:
        return None, None, 0.0  # only OTH-ER's box was seen
    sure = min(PLACED_BOX, first.confidence if first.confidence is not None else 1.0)
    return first.kind == "cross", Box.around([first]), sure


PLACED_BOX = 0.8  # a check read by where its box is printed, its label unread


AUTO_GRID = (("any",), ("owned", "scheduled"), ("hired", "non_owned"))  # the covered-autos boxes, row by row


def autos_by_position(reader: TableReader, band: Box) -> tuple[list[str] | None, list[Box], float]:
    """(covered autos checked, their boxes, confidence) from where the boxes are, when labels were
    misread ('jurosomy' for OWNED AUTOS ONLY): all editions print ANY AUTO's box alone, then two rows
    of two (OWNED | SCHEDULED, HIRED | NON-OWNED), the first box of each row in one column.
    (None, [], 0.0) when those rows (every box seen) are not found."""
    u = reader.u
    region = Box(reader.columns.type[0] - 4 * u, band.y0, reader.columns.type[1], band.y1)
    rows = _mark_rows(reader.sheet, region)
    start = next((i for i, row in enumerate(rows) if len(row) == 1), None)
    if start is None or len(rows) < start + 3:
        return None, [], 0.0
    grid = rows[start:start + 3]
    if [len(row) for row in grid] != [1, 2, 2] or max(abs(row[0].cx - grid[0][0].cx) for row in grid) > 3 * u:
        return None, [], 0.0
    checked = [(key, mark) for keys, row in zip(AUTO_GRID, grid) for key, mark in zip(keys, row) if mark.kind == "cross"]
    sure = min(PLACED_BOX, *(m.confidence if m.confidence is not None else 1.0 for row in grid for m in row))
    return [key for key, _ in checked] or None, [Box.around([m]) for _, m in checked], sure


_BASIS = {"OCCUR": "occurrence", "CLAIMS-MADE": "claims_made"}


def basis_by_position(reader: TableReader, band: Box) -> tuple[str | None, Box | None, float]:
    """(basis, box of the check, confidence) when one of the two labels was read, its own box seen
    empty, and the other misread: the other's box is the check beside the label read, on its line
    to the right (general liability: CLAIMS-MADE [X] OCCUR) or under or over it (umbrella: OCCUR over
    CLAIMS-MADE).  (None, None, 0.0) when that is not so."""
    sheet, u = reader.sheet, reader.u
    region = Box(reader.columns.type[0] - 4 * u, band.y0 - 2, reader.columns.type[1], band.y1 + 2)
    found = [(label, sheet.find_one(label, region)) for label in _BASIS]
    read = [(label, anchor) for label, anchor in found if anchor is not None]
    if len(read) != 1:
        return None, None, 0.0
    label, anchor = read[0]
    checked, sure = sheet.box_state(anchor, u)
    if checked or sure is None or sure < PLACED_BOX:
        return None, None, 0.0  # its own box checked (read elsewhere) or not seen empty
    other = next(name for name in _BASIS if name != label)
    a, h = anchor.box, max(anchor.box.height, 6 * u)
    beside = Box(a.x1, a.cy - 0.6 * h, a.x1 + 30 * u, a.cy + 0.6 * h)
    stacked = Box(a.x0 - 16 * u, a.cy - 2.2 * h, a.x0, a.cy + 2.2 * h)
    crosses = [m for zone in (beside, stacked) for m in sheet.marks_in(zone, {"cross"})
               if abs(m.cy - a.cy) > 0.6 * h or m.x0 > a.x1 - 1]
    if len(crosses) != 1:
        return None, None, 0.0
    mark = crosses[0]
    return _BASIS[other], Box.around([mark]), min(PLACED_BOX, mark.confidence if mark.confidence is not None else 1.0)


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


def ruled_columns(sheet: Sheet, table: Box) -> dict[str, tuple[float, float]]:
    """Columns of the coverage table placed by its printed column rules: (x0, x1) by name, of
    "ltr", "addl", "subr", "number", "eff" and "exp" (those whose rules were seen).

    On a scan the two-line headings of these columns ("INSR LTR", "ADDL INSD", "SUBR WVD",
    "POLICY EFF (MM/DD/YYYY)") are often misread, and columns placed by page position alone miss a
    form printed shifted or shrunk.  The rules OCR saw ("rule" marks) say where they are: ADDL INSD
    and SUBR WVD are the form's only two adjacent narrow columns of about equal width, between the
    wide TYPE OF INSURANCE and POLICY NUMBER columns; INSR LTR is the table's first column, narrow
    too; after POLICY NUMBER come the two date columns, of about equal width.  A column rule runs
    down most of the table; the stacked check boxes' sides do not.  Empty without such rules."""
    xs = column_rules(sheet, table)
    for i in range(1, len(xs) - 3):
        before, addl, subr, after = (xs[i] - xs[i - 1], xs[i + 1] - xs[i], xs[i + 2] - xs[i + 1],
                                     xs[i + 3] - xs[i + 2])
        narrow = max(addl, subr)
        if not (0.75 <= addl / subr <= 1.33 and narrow < 0.06 * table.width and min(before, after) > 3 * narrow):
            continue
        out = {"addl": (xs[i], xs[i + 1]), "subr": (xs[i + 1], xs[i + 2])}
        if i >= 2 and 0.6 * narrow <= xs[1] - xs[0] <= 2 * narrow:
            out["ltr"] = (xs[0], xs[1])
        if i + 5 < len(xs):
            eff, exp = xs[i + 4] - xs[i + 3], xs[i + 5] - xs[i + 4]
            if 1.5 * narrow <= min(eff, exp) and max(eff, exp) <= 5 * narrow and 0.6 <= eff / exp <= 1.7:
                out.update(number=(xs[i + 2], xs[i + 3]), eff=(xs[i + 3], xs[i + 4]), exp=(xs[i + 4], xs[i + 5]))
        return out
    return {}


_COLUMN_SPAN = 0.5  # share of the table's height a column rule covers (check box stacks cover less)


def column_rules(sheet: Sheet, table: Box) -> list[float]:
    """x of the upright rules that run down most of ``table``, left to right."""
    marks = [m for m in sheet.marks if m.kind == "rule" and m.height > m.width and m.y1 > table.y0 and m.y0 < table.y1]
    return _ruled(marks, upright=True, low=table.y0, high=table.y1, span=_COLUMN_SPAN)


_ROW_SPAN = 0.8  # share of the ruled columns' width a row rule covers (a limit row's rule covers the limits only)


def row_rules(sheet: Sheet, x0: float, x1: float, top: float, bottom: float) -> list[float]:
    """y of the level rules between ``top`` and ``bottom`` that run across most of ``x0``..``x1``
    (the coverage rows' separators, from INSR LTR to POLICY EXP), top to bottom."""
    marks = [m for m in sheet.marks if m.kind == "rule" and m.width > m.height and top < m.cy < bottom
             and m.x1 > x0 and m.x0 < x1]
    return _ruled(marks, upright=False, low=x0, high=x1, span=_ROW_SPAN)


def _ruled(marks: list, *, upright: bool, low: float, high: float, span: float) -> list[float]:
    """Where the rules among ``marks`` lie (x of upright ones, y of level ones), in order, of those
    covering ``span`` of ``low``..``high`` along their length; segments of one rule, broken where
    the scan lost ink, counted together."""
    across = (lambda m: m.cx) if upright else (lambda m: m.cy)
    along = (lambda m: (m.y0, m.y1)) if upright else (lambda m: (m.x0, m.x1))
    clusters: list[list] = []
    for m in sorted(marks, key=across):
        if clusters and across(m) - across(clusters[-1][-1]) < 2.0:
            clusters[-1].append(m)
        else:
            clusters.append([m])
    out = []
    for cluster in clusters:
        covered, reach = 0.0, low
        for start, end in sorted(along(m) for m in cluster):
            first, last = max(start, reach, low), min(end, high)
            if last > first:
                covered += last - first
                reach = last
        if covered >= span * (high - low):
            out.append(sum(across(m) for m in cluster) / len(cluster))
    return out
