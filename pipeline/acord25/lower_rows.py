"""The umbrella / excess and workers' compensation rows of the coverage table."""

from __future__ import annotations

from pipeline.acord25.coverages import CLEAN, Row, TableReader, new_entry, read_basis, read_common
from pipeline.acord25.layout import Box
from pipeline.acord25.limits import PLACED, read_limits
from pipeline.acord25.parse import parse_amount, parse_flag
from pipeline.acord25.positions import excluded_zone, statute_by_position


def read_umbrella(reader: TableReader, band: Box) -> Row:
    umbrella, ubox, usure = reader.box(band, "UMBRELLA LIAB")
    excess, xbox, xsure = reader.box(band, "EXCESS LIAB")
    line = "excess_liability" if excess and not umbrella else "umbrella_liability"
    row = Row(new_entry(line))
    if umbrella or excess:
        row.evidence["line"] = ((ubox or xbox), min(usure, xsure))  # type: ignore[assignment]
        row.filled = True
    read_common(row, reader, band)
    read_basis(row, reader, band)
    read_limits(row, reader, band, "umbrella")
    row.entry["limits"]["retention"] = None
    anchor = reader.sheet.find_one("RETENTION", Box(reader.columns.type[0], band.y0, reader.columns.type[1], band.y1))
    if anchor is not None:
        h = anchor.box.height
        zone = Box(anchor.box.x1, anchor.box.y0 - 0.5 * h, reader.columns.type[1], anchor.box.y1 + 0.5 * h)
        words = [w for w in reader.sheet.values_in(zone) if w.text != "$"]
        value = parse_amount(" ".join(w.text for w in words))
        if value is not None:
            row.put("limits/retention", value, Box.around(words))
            row.filled = True
    if not (umbrella or excess):
        row.evidence["line"] = (band, 0.6)
    return row


_STATUTE = ("PER|STATUTE", "PER STATUTE", "WC STATU-|TORY LIMITS", "WC STATU-", "PER")


def read_wc(reader: TableReader, band: Box) -> Row:
    row = Row(new_entry("workers_compensation"))
    read_common(row, reader, band)
    if row.entry["additional_insured"] is None:
        row.evidence.pop("additional_insured", None)
    statutory, box, sure = reader.box(band, *_STATUTE)
    unread = False
    if not statutory:
        # the box sits in the limits area, left of its label
        region = Box(reader.columns.exp[1] - 20 * reader.u, band.y0 - 2, reader.columns.amount[0], band.y1)
        statutory, box, sure = reader._checked_in(region, _STATUTE)
        if not statutory and reader.sheet.measured and not _labelled(reader, band, region):
            placed, box, sure = statute_by_position(reader, band)
            statutory, unread = bool(placed), placed is None
    row.entry["statutory"] = statutory
    if statutory:
        row.evidence["statutory"] = (box, sure)  # type: ignore[assignment]
        row.filled = True
    row.entry["any_member_excluded"] = None
    zone = excluded_zone(reader, band)
    labelled = reader.sheet.find_one("Y / N", band) or reader.sheet.find_one("Y/N", band)
    words = reader.sheet.values_in(zone) if zone is not None else []
    for w in words:
        flag = parse_flag(w.text)
        if flag is not None and not _part_of_na(w, reader.sheet.words):
            row.put("any_member_excluded", flag, Box.around([w]), CLEAN if labelled else PLACED)
            row.filled = True
            break
    read_limits(row, reader, band, "wc")
    if not statutory:
        row.entry["statutory"] = False if row.filled and not unread else None
    return row


def _labelled(reader: TableReader, band: Box, region: Box) -> bool:
    """True when the PER STATUTE label (or its 2010 wording) was read in the row."""
    return any(reader.sheet.find_one(p, zone) is not None for p in _STATUTE
               for zone in (Box(reader.columns.type[0], band.y0 - 2, reader.columns.type[1], band.y1 + 2), region))


def _part_of_na(word, words) -> bool:
    """'N' of an 'N / A' read as three words (the ADDL INSD column's answer of the row)."""
    return any(v.text.startswith("/") and abs(v.cy - word.cy) < 0.5 * word.height
               and -0.5 <= v.x0 - word.x1 < 0.6 * word.height for v in words)
