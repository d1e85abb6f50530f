"""Rows of the header's right column placed by the form's fixed spacing when OCR misread their labels.

The INSURER A-F rows and the contact block (CONTACT NAME, PHONE, E-MAIL) are printed at one
fixed pitch under and above the INSURER(S) AFFORDING COVERAGE / NAIC # heading. On a scan their
5.5 pt labels are often lost; the rows are then placed from the labels that were read, as
:mod:`pipeline.acord25.limits` places limit rows. A value read from a placed row is shown but
never trusted alone (:data:`PLACED`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from pipeline.acord25.frame import LETTER_WIDTH, LETTERS, Frame
from pipeline.acord25.layout import Box, even_rows

PLACED = 0.85  # a value read from a row placed by the form's spacing, its label unread
ROW_PITCH = 12.05  # points at the printed scale: one row of the header's right column
LABEL_X0, LABEL_X1 = 59.5, 24.6  # points left of the INSURER(S) heading's start: the 'INSURER X :' label's ends
NAIC_TO_LABEL_X1 = 212.8  # points left of the NAIC # heading's start: the label's right end
_FIT = 0.3  # of a pitch: the rows read must lie this close to one evenly spaced column


@dataclass(frozen=True)
class InsurerRow:
    letter: str
    box: Box  # the row's 'INSURER X :' label, read or placed
    placed: bool  # placed by spacing, its label not read


def insurer_rows(frame: Frame) -> list[InsurerRow]:
    """Every INSURER A-F row: those the frame holds, and the others placed by the column's spacing.

    The heading (INSURER(S) AFFORDING COVERAGE, or NAIC # on the same line) stands one row above
    row A. Rows are placed only between the heading and COVERAGES, and only when the rows read fit
    one evenly spaced column."""
    read = {k: InsurerRow(k, a.box, False) for k, a in frame.insurer_rows.items()}
    grid = _grid(frame)
    if grid is None:
        return sorted(read.values(), key=lambda r: r.box.cy)
    middle, pitch, x0, x1, h = grid
    heading = frame.get("insurers") or frame.get("naic")
    coverages = frame.get("coverages")
    # by middles: OCR often boxes a scan's heading with the ink around it, several lines tall
    top = heading.box.cy + 0.5 * pitch if heading is not None else 0.0
    bottom = coverages.box.cy - 0.5 * pitch if coverages is not None else frame.height
    rows = dict(read)
    for i, letter in enumerate(LETTERS):
        cy = middle(i)
        if letter in rows or not top < cy < bottom:
            continue
        rows[letter] = InsurerRow(letter, Box(x0, cy - h / 2, x1, cy + h / 2), True)
    return sorted(rows.values(), key=lambda r: r.box.cy)


def _grid(frame: Frame):
    """(middle of row i, pitch, label x0, label x1, label height) fitted to the rows and heading read."""
    heading = frame.get("insurers") or frame.get("naic")
    found = sorted(((LETTERS.index(k), a.box) for k, a in frame.insurer_rows.items()), key=lambda t: t[0])
    points = [(i, b.cy) for i, b in found] + ([(-1, heading.box.cy)] if heading is not None else [])
    if not points:
        return None
    scale = frame.width / LETTER_WIDTH
    middle, pitch, fitted = even_rows(points, ROW_PITCH * scale, low=0.6, high=1.4, tolerance=_FIT)
    if not fitted:
        return None  # not one evenly spaced column: leave it as read
    if found:
        x0 = statistics.median(b.x0 for _, b in found)
        x1 = statistics.median(b.x1 for _, b in found)
        h = statistics.median(b.height for _, b in found)
    elif frame.get("insurers") is not None:
        start = frame.get("insurers").box.x0
        x0, x1, h = start - LABEL_X0 * scale, start - LABEL_X1 * scale, frame.get("insurers").box.height
    else:
        naic = frame.get("naic").box
        x1 = naic.x0 - NAIC_TO_LABEL_X1 * scale
        x0, h = x1 - (LABEL_X0 - LABEL_X1) * scale, naic.height
    return middle, pitch, x0, x1, h
