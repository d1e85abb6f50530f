"""The LIMITS column of a coverage band: each limit's amount, read beside its printed label.

On a scan the 5.5 pt limit labels are often misread ("accrecaTe.", "PERSONAL & ADV INJURV"),
and then the amount beside them has no label to be found by.  The form prints each band's
limits one under another, one row apart, always in the same order; so a limit whose label
was not read is placed from the labels that were: its row lies so many rows above or below
them.  Such an amount is shown but never trusted alone (its label was not seen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.acord25.layout import Anchor, Box, even_rows, lines_of
from pipeline.acord25.parse import parse_amount

if TYPE_CHECKING:
    from pipeline.acord25.coverages import Row, TableReader

ROW = 11.75  # form units (12 pt on the letter-size form) from one limit row to the next
PLACED = 0.85  # an amount placed by its row, its label unread: below review, above a guess
_NEAR = 0.35  # of a row: how far an amount's line may sit from the row's middle

GL_LIMITS = (
    ("each_occurrence", ("EACH OCCURRENCE",)),
    ("damage_to_rented_premises", ("DAMAGE TO RENTED|PREMISES (Ea occurrence)", "DAMAGE TO RENTED")),
    ("medical_expense", ("MED EXP (Any one person)", "MED EXP")),
    ("personal_advertising_injury", ("PERSONAL & ADV INJURY",)),
    ("general_aggregate", ("GENERAL AGGREGATE",)),
    ("products_completed_operations_aggregate", ("PRODUCTS - COMP/OP AGG",)),
)
AUTO_LIMITS = (
    ("combined_single_limit", ("COMBINED SINGLE LIMIT|(Ea accident)", "COMBINED SINGLE LIMIT")),
    ("bodily_injury_per_person", ("BODILY INJURY (Per person)", "BODILY INJURY|(Per person)")),
    ("bodily_injury_per_accident", ("BODILY INJURY (Per accident)", "BODILY INJURY|(Per accident)")),
    ("property_damage", ("PROPERTY DAMAGE|(Per accident)", "PROPERTY DAMAGE")),
)
UMBRELLA_LIMITS = (
    ("each_occurrence", ("EACH OCCURRENCE",)),
    ("aggregate", ("AGGREGATE",)),
)
WC_LIMITS = (
    ("el_each_accident", ("E.L. EACH ACCIDENT",)),
    ("el_disease_each_employee", ("E.L. DISEASE - EA EMPLOYEE",)),
    ("el_disease_policy_limit", ("E.L. DISEASE - POLICY LIMIT",)),
)
# Each coverage band's limits, and the band row its first limit is printed on (the workers'
# compensation band prints PER STATUTE in its row 0).
LIMIT_TABLES = {"gl": (GL_LIMITS, 0), "auto": (AUTO_LIMITS, 0), "umbrella": (UMBRELLA_LIMITS, 0),
                "wc": (WC_LIMITS, 1)}


def read_limits(row: Row, reader: TableReader, band: Box, kind: str) -> None:
    """``row.entry["limits"]``: every limit of the ``kind`` of band (a key of LIMIT_TABLES), in the order printed."""
    table, first_row = LIMIT_TABLES[kind]
    row.entry["limits"] = {key: None for key, _ in table}
    found: dict[int, Anchor] = {}
    used: list[Box] = []
    for i, (key, phrases) in enumerate(table):
        anchor = find_label(reader, band, phrases)
        if anchor is None:
            continue
        found[first_row + i] = anchor
        value, box = amount_beside(reader, band, anchor)
        if value is not None and box is not None:
            row.put(f"limits/{key}", value, box)
            used.append(box)
            row.filled = True
    if not reader.sheet.measured or not found or len(found) == len(table):
        return  # a text layer's labels are all there: a missing one is not on the form
    middle, pitch = row_grid(found, reader.u)
    for i, (key, _) in enumerate(table):
        if first_row + i in found:
            continue
        value, box = amount_in_row(reader, band, middle(first_row + i), pitch)
        if value is None or box is None or any(_same_line(box, b) for b in used):
            continue
        row.put(f"limits/{key}", value, box, PLACED)
        used.append(box)
        row.filled = True


def limit_rows(reader: TableReader, band: Box, kind: str) -> list[tuple[str, float, float]]:
    """(key, middle, pitch) of every limit row of the ``kind`` of band, placed as :func:`read_limits`
    places them: a label read on one line gives its own row's middle, the others come from the grid.
    Empty when no label of the band was read (nothing to place the rows by)."""
    table, first_row = LIMIT_TABLES[kind]
    found = {first_row + i: a for i, (_, phrases) in enumerate(table)
             if (a := find_label(reader, band, phrases)) is not None}
    if not found:
        return []
    middle, pitch = row_grid(found, reader.u)
    return [(key, found[n].box.cy if n in found and _one_line(found[n]) else middle(n), pitch)
            for n, (key, _) in ((first_row + i, entry) for i, entry in enumerate(table))]


def row_grid(found: dict[int, Anchor], unit: float):
    """(middle of row n, row pitch) fitted to the labels found (row number -> label).

    Labels on one line fit best (a two-line label's middle sits between its row's lines); with
    one label only, the form's own pitch is used."""
    single = {n: a for n, a in found.items() if _one_line(a)}
    points = sorted((n, a.box.cy) for n, a in (single if len(single) >= 2 else found).items())
    # the scale read from label heights is rough on a scan, so the rows' own spacing wins when it fits
    middle, pitch, _ = even_rows(points, ROW * unit, low=0.5, high=1.6, tolerance=0.2)
    return middle, pitch


def amount_in_row(reader: TableReader, band: Box, middle: float, pitch: float) -> tuple[int | None, Box | None]:
    """The amount printed in the LIMITS column on the row whose middle is ``middle``."""
    top, bottom = max(band.y0, middle - 0.5 * pitch), min(band.y1, middle + 0.5 * pitch)
    if bottom <= top:
        return None, None
    zone = Box(reader.columns.amount[0], top, reader.frame.width, bottom)
    words = [w for w in reader.sheet.values_in(zone) if w.text != "$"]
    for line in sorted(lines_of(words), key=lambda ln: abs(_middle(ln) - middle)):
        if abs(_middle(line) - middle) > _NEAR * pitch:
            break
        value = parse_amount("".join(w.text for w in line))
        if value is not None:
            return value, Box.around(line)
    return None, None


def find_label(reader: TableReader, band: Box, phrases: tuple[str, ...]) -> Anchor | None:
    """The first of ``phrases`` printed in the band's limit-label column."""
    cols, sheet = reader.columns, reader.sheet
    for phrase in phrases:
        for hit in sheet.find(phrase, Box(cols.exp[1] - 4, band.y0, cols.amount[0], band.y1)):
            # "AGGREGATE" alone must not be the tail of GENERAL AGGREGATE
            if phrase == "AGGREGATE" and any(
                w.text in ("GENERAL", "GEN'L", "PRODUCTS")
                and abs(w.cy - hit.box.cy) < 2
                and 0 < hit.box.x0 - w.x1 < 6
                for w in sheet.words
            ):
                continue
            return hit
    return None


def amount_beside(reader: TableReader, band: Box, anchor: Anchor) -> tuple[int | None, Box | None]:
    """The amount printed in the LIMITS column on ``anchor``'s row."""
    u = reader.u
    zone = Box(reader.columns.amount[0], anchor.box.cy - 6.5 * u, reader.frame.width, anchor.box.cy + 6.5 * u)
    words = [w for w in reader.sheet.values_in(zone) if w.text != "$"]
    # nearest line to the label's centre
    for line in sorted(lines_of(words), key=lambda ln: abs(_middle(ln) - anchor.box.cy)):
        value = parse_amount("".join(w.text for w in line))
        if value is not None and _own_row(reader, anchor, band, _middle(line)):
            return value, Box.around(line)
    return None, None


def _own_row(reader: TableReader, anchor: Anchor, band: Box, cy: float) -> bool:
    """True when the printed word nearest to height ``cy`` in the limit labels' column is on one of
    ``anchor``'s lines: an amount beside a blank limit belongs to the next label, not to this one."""
    zone = Box(reader.columns.exp[1] - 4, band.y0, reader.columns.amount[0], band.y1)
    printed = reader.sheet.values_in(zone, include_labels=True)
    if not printed or not anchor.words:
        return True
    nearest = min(printed, key=lambda w: abs(w.cy - cy)).cy
    return min(w.cy for w in anchor.words) - 1 <= nearest <= max(w.cy for w in anchor.words) + 1


def _middle(line) -> float:
    return sum(w.cy for w in line) / len(line)


def _one_line(anchor: Anchor) -> bool:
    return max(w.cy for w in anchor.words) - min(w.cy for w in anchor.words) < 0.5 * anchor.words[0].height


def _same_line(a: Box, b: Box) -> bool:
    """Two amounts' boxes are one printed line (OCR boxes of neighbouring rows may touch)."""
    return a.x0 < b.x1 and b.x0 < a.x1 and abs(a.cy - b.cy) < 0.5 * min(a.height, b.height)
