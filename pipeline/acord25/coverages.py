"""The coverage table: one policy entry per filled row, in form order."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import Frame
from pipeline.acord25.layout import Anchor, Box, Sheet, Value, lines_of, read_value
from pipeline.acord25.limits import PLACED, read_limits
from pipeline.acord25.parse import is_check_glyph, normalise_text, parse_amount, parse_date, parse_flag
from pipeline.acord25.positions import aggregate_by_position, autos_by_position, basis_by_position, row_rules, ruled_columns

logger = logging.getLogger(__name__)

CLEAN = 0.99
CHECKBOX = 0.95
UNSEEN = 0.5  # a box whose label or outline was not found on a scan: checked or not is a guess

AUTO_BOXES = (
    ("any", ("ANY AUTO",)),
    ("owned", ("OWNED|AUTOS ONLY", "ALL OWNED|AUTOS", "ALL OWNED AUTOS", "OWNED")),
    ("scheduled", ("SCHEDULED|AUTOS ONLY", "SCHEDULED|AUTOS", "SCHEDULED")),
    ("hired", ("HIRED|AUTOS ONLY", "HIRED AUTOS", "HIRED")),
    ("non_owned", ("NON-OWNED|AUTOS ONLY", "NON-OWNED|AUTOS", "NON-OWNED")),
)


@dataclass
class Columns:
    ltr: tuple[float, float]
    type: tuple[float, float]
    addl: tuple[float, float]
    subr: tuple[float, float]
    number: tuple[float, float]
    eff: tuple[float, float]
    exp: tuple[float, float]
    amount: tuple[float, float]


@dataclass
class Row:
    """One row read from the table: the entry and its evidence (relative pointers)."""

    entry: dict[str, Any]
    evidence: dict[str, tuple[Box, float]] = field(default_factory=dict)
    filled: bool = False

    def put(self, key: str, value: Any, box: Box | None, confidence: float = CLEAN) -> None:
        parts = key.split("/")
        node = self.entry
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
        if value is not None and box is not None:
            self.evidence[key] = (box, confidence)


class TableReader:
    def __init__(self, sheet: Sheet, frame: Frame) -> None:
        self.sheet, self.frame, self.u = sheet, frame, frame.unit
        assert frame.table is not None
        self.table = frame.table
        self.columns = self._columns()

    # -- geometry --------------------------------------------------------
    def _first(self, *phrases: str, region: Box | None = None) -> Anchor | None:
        for phrase in phrases:
            hit = self.sheet.find_one(phrase, region or self.table)
            if hit is not None:
                return hit
        return None

    def _columns(self) -> Columns:
        u, w = self.u, self.frame.width
        insr = self._first("INSR LTR", "INSR", "LTR")
        addl = self._first("ADDL INSD", "ADDL INSR", "ADDL")
        subr = self._first("SUBR WVD", "SUBR")
        number = self._first("POLICY NUMBER")
        dates = self.sheet.find("(MM/DD/YYYY)", self.table) or self.sheet.find("(MM/DD/YY)", self.table)
        limits = self._first("EACH OCCURRENCE")
        insr_x1 = insr.box.x1 if insr else 36 * u
        addl_x0 = addl.box.x0 if addl else 176 * u
        subr_x0 = subr.box.x0 if subr else 194 * u
        subr_x1 = subr.box.x1 if subr else 212 * u
        addl_x1 = addl.box.x1 if addl else subr_x0 - 1
        lim_x0 = limits.box.x0 if limits else 428 * u
        number_x1 = number.box.x1 if number else 300 * u
        if len(dates) >= 2:
            d1, d2 = sorted(dates[:2], key=lambda a: a.box.x0)
            eff_x0 = (number_x1 + d1.box.x0) / 2
            split = (d1.box.x1 + d2.box.x0) / 2
            exp_x1 = (d2.box.x1 + lim_x0) / 2
        else:
            eff_x0, split, exp_x1 = number_x1 + 20 * u, (number_x1 + lim_x0) / 2 + 10 * u, lim_x0 - 2
        dollars = [
            a.box.x0 for a in self.sheet.find("$", self.table) if a.box.x0 > lim_x0 and a.box.x0 < w - 20 * u
        ]
        amount_x0 = (min(dollars) - 1.5 * u) if dollars else lim_x0 + 88 * u
        ruled = ruled_columns(self.sheet, self.table) if self.sheet.measured else {}
        # the date columns placed by their headings or rules; else by page position, a guess
        self.dates_placed = len(dates) >= 2 or "eff" in ruled
        # the printed rules, where OCR saw them, over headings read or guessed
        ltr = ruled.get("ltr", (insr.box.x0 - 6 * u if insr else 0, insr_x1 + 2 * u))
        addl_col = ruled.get("addl", (addl_x0 - 1.5 * u, (addl_x1 + subr_x0) / 2))
        subr_col = ruled.get("subr", ((addl_x1 + subr_x0) / 2, subr_x1 + 2 * u))
        return Columns(
            ltr=ltr,
            type=(ltr[1], addl_col[0]),
            addl=addl_col,
            subr=subr_col,
            number=ruled.get("number", (subr_col[1], eff_x0)),
            eff=ruled.get("eff", (eff_x0, split)),
            exp=ruled.get("exp", (split, exp_x1)),
            amount=(amount_x0, w),
        )

    def bands(self) -> list[tuple[str, Box]]:
        """(kind, band) for gl, auto, umbrella, wc and the 'other' area, top to bottom."""
        u = self.u
        header = [
            a for p in ("INSR LTR", "LTR", "(MM/DD/YYYY)", "(MM/DD/YY)", "ADDL INSD", "SUBR WVD")
            for a in self.sheet.find(p, self.table)
        ]
        header_bottom = max((a.box.y1 for a in header), default=self.table.y0 + 40 * u) + 0.5
        starts: list[tuple[str, float]] = [("gl", header_bottom)]
        for kind, phrases, limit in (
            ("auto", ("AUTOMOBILE LIABILITY",), ("COMBINED SINGLE LIMIT",)),
            ("umbrella", ("UMBRELLA LIAB", "EXCESS LIAB", "EXCESS/UMBRELLA"), ()),
            ("wc", ("WORKERS COMPENSATION",), ("E.L. EACH ACCIDENT",)),
        ):
            anchor = self._first(*phrases)
            if anchor is None:
                top = self._start_by_limits(kind, starts[-1][1])
                if top is not None:
                    starts.append((kind, top - 1.2 * u))
                elif (ruled := self._start_by_rule(starts[-1][1])) is not None:
                    starts.append((kind, ruled))
                continue
            top = anchor.box.y0
            for p in limit:
                hit = self._first(p)
                if hit is not None and abs(hit.box.y0 - top) < 10 * u:
                    top = min(top, hit.box.y0)
            if kind == "umbrella":
                occ = [a for a in self.sheet.find("EACH OCCURRENCE", self.table) if abs(a.box.y0 - top) < 10 * u]
                top = min([top, *(a.box.y0 for a in occ)])
            if kind == "wc":
                per = self._first("PER|STATUTE", "PER STATUTE", "WC STATU-")
                if per is not None and abs(per.box.y0 - top) < 10 * u:
                    top = min(top, per.box.y0)
            starts.append((kind, top - 1.2 * u))
        ends = [y for _, y in starts[1:]]
        wc_end = self._wc_end(dict(starts).get("wc"))
        out = []
        for (kind, top), bottom in zip(starts, [*ends, wc_end]):
            out.append((kind, Box(0, top, self.frame.width, bottom)))
        if wc_end < self.table.y1 - 4 * u:
            out.append(("other", Box(0, wc_end, self.frame.width, self.table.y1 - 0.5)))
        return out

    def _start_by_rule(self, above: float) -> float | None:
        """Top of a row whose labels were not read, on a scan: the first rule across the table below
        the row above's top (the form rules a line between its rows, none inside a row)."""
        if not self.sheet.measured:
            return None
        cols = self.columns
        rules = row_rules(self.sheet, cols.ltr[0], cols.exp[1], above + 8 * self.u, self.table.y1)
        return rules[0] if rules else None

    def _start_by_limits(self, kind: str, above: float) -> float | None:
        """Top of a row whose line label was not read, from the first limit label of that row.

        The rows are printed in a fixed order, each opening with its own first limit label
        (COMBINED SINGLE LIMIT, the umbrella's EACH OCCURRENCE, E.L. EACH ACCIDENT under PER STATUTE),
        so a row is still split from the one above it when OCR missed its line label."""
        u = self.u
        lim_x0 = self.columns.amount[0] - 100 * u  # the limit labels' column, left of the amounts
        below = Box(lim_x0, above + 8 * u, self.frame.width, self.table.y1)
        if kind == "auto":
            hit = self._first("COMBINED SINGLE LIMIT", "COMBINED SINGLE", region=below)
            return hit.box.y0 if hit is not None else None
        if kind == "umbrella":
            occ = sorted(self.sheet.find("EACH OCCURRENCE", below), key=lambda a: a.box.y0)
            gl = self._first("EACH OCCURRENCE")
            occ = [a for a in occ if gl is not None and a.box.y0 > gl.box.y1 + 40 * u]
            return occ[0].box.y0 if occ else None
        if kind == "wc":
            per = self._first("PER|STATUTE", "PER STATUTE", "WC STATU-", region=below)
            if per is not None:
                return per.box.y0
            hit = self._first("E.L. EACH ACCIDENT", region=below)
            return hit.box.y0 - 11 * u if hit is not None else None  # under the PER STATUTE row
        return None

    def _wc_end(self, wc_top: float | None) -> float:
        bottoms = [
            a.box.y1
            for p in ("DESCRIPTION OF OPERATIONS below", "E.L. DISEASE - POLICY LIMIT")
            for a in self.sheet.find(p, self.table)
        ]
        if bottoms:
            return max(bottoms) + 2 * self.u
        if wc_top is not None:  # its last labels misread: the rule under the row, on a scan
            ruled = self._start_by_rule(wc_top + 20 * self.u)
            if ruled is not None:
                return ruled
        return self.table.y1

    # -- cells -----------------------------------------------------------
    def cell(self, column: tuple[float, float], band: Box) -> list:
        return self.sheet.values_in(Box(column[0], band.y0, column[1], band.y1))

    def text(self, column: tuple[float, float], band: Box, *, drop_flags: bool = False) -> Value | None:
        words = [w for w in self.cell(column, band) if not is_check_glyph(w.text) or column != self.columns.type]
        if drop_flags and len(words) > 1:
            first = min(words, key=lambda w: w.x0)
            if first.text.upper() in ("Y", "N", "X") and min(w.x0 for w in words if w is not first) - first.x1 > 2 * first.height:
                words.remove(first)  # the ADDL INSD / SUBR WVD letter of a shifted scan, not the number
        return read_value(words)

    def checked(self, band: Box, *phrases: str) -> tuple[bool, Box | None]:
        hit, box, _ = self.box(band, *phrases)
        return hit, box

    def box(self, band: Box, *phrases: str) -> tuple[bool, Box | None, float]:
        """(checked, box of the check, confidence) of the box left of the first of ``phrases`` found."""
        region = Box(self.columns.type[0] - 4 * self.u, band.y0 - 2, self.columns.type[1], band.y1 + 2)
        return self._checked_in(region, phrases)

    def _checked_in(self, region: Box, phrases: tuple[str, ...]) -> tuple[bool, Box | None, float]:
        for phrase in phrases:
            anchor = self.sheet.find_one(phrase, region)
            if anchor is None:
                continue
            hit = self.sheet.checked(anchor, self.u)
            _, sure = self.sheet.box_state(anchor, self.u)
            confidence = CHECKBOX if sure is None else min(CHECKBOX, sure)
            if hit is None:
                return False, None, confidence
            if nearer_empty_box(self.sheet, anchor, hit, self.u):
                return False, None, min(confidence, AMBIGUOUS)
            return True, Box.around([hit]), confidence
        # the label was not read: on a scan the box may be checked all the same
        return False, None, (UNSEEN if self.sheet.measured else CHECKBOX)


AMBIGUOUS = 0.7  # a check seen near a label whose own box, nearer to it, is empty: a neighbour's check


def nearer_empty_box(sheet: Sheet, label: Anchor, hit: Any, unit: float) -> bool:
    """True when a box seen empty lies nearer to ``label``'s line than the check mark ``hit`` found for it.

    On a scan a label's box may be merged over two lines by OCR ('OWNED' over 'AUTOS ONLY'), so the zone
    searched for its check reaches the box of the line above; the label's own box is the nearest one."""
    if getattr(hit, "kind", None) != "cross":
        return False
    zone = Box(hit.x0 - 2 * unit, label.box.y0 - 4 * unit, label.box.x0, label.box.y1 + 4 * unit)
    empty = sheet.marks_in(zone, {"box"})
    return any(abs(m.cy - label.box.cy) < abs(hit.cy - label.box.cy) for m in empty)


def read_common(row: Row, reader: TableReader, band: Box) -> None:
    cols = reader.columns
    letters = [w for w in reader.cell(cols.ltr, band) if len(w.text) == 1 and w.text.upper() in "ABCDEF"]
    if letters:
        row.put("insurer_letter", letters[0].text.upper(), Box.around(letters[:1]))
    number = reader.text(cols.number, band, drop_flags=True)
    if number is not None:
        kept = policy_tokens(list(number.words)) if reader.sheet.measured else list(number.words)
        trimmed = len(kept) < len(number.words)
        number = read_value(kept) if trimmed else number
        spill = _spilled_left(reader, band, list(number.words)) if number is not None else []
        if spill:
            number = read_value([*spill, *number.words])
        if number is not None:
            row.put("policy_number", normalise_text(number.text), number.box,
                    TRIMMED if trimmed or spill else CLEAN)
        row.filled = True
    for key, column in (("effective", cols.eff), ("expiration", cols.exp)):
        for w in reader.cell(column, band):
            iso = parse_date(w.text)
            if iso:
                row.put(key, iso, Box.around([w]), CLEAN if reader.dates_placed else PLACED)
                row.filled = True
                break
    for key, column in (("additional_insured", cols.addl), ("subrogation_waived", cols.subr)):
        value = reader.text(column, band)
        if value is not None:
            flag = parse_flag(value.text.replace(" ", ""))
            row.put(key, flag, value.box)
            row.filled = row.filled or flag is not None


def _spilled_left(reader: TableReader, band: Box, words: list) -> list:
    """Words of a long policy number typed leftwards over the ADDL / SUBR columns ('73 TRS | 104039').

    They run on from the number's first word with word-sized gaps on its line; a lone Y / N / X is
    the column's own flag, not part of the number."""
    if not words:
        return []
    cols = reader.columns
    first = min(words, key=lambda w: w.x0)
    h = max(first.height, 1.0)
    candidates = [w for w in reader.cell((cols.addl[0], cols.number[0]), band)
                  if abs(w.cy - first.cy) < 0.5 * h and w.x1 <= first.x0 + 0.5]
    chain: list = []
    edge = first.x0
    for w in sorted(candidates, key=lambda w: -w.x1):
        if edge - w.x1 > 0.8 * h:
            break
        if len(w.text) < 2 or not _POLICY_PART.match(w.text.upper()):
            break
        chain.insert(0, w)
        edge = w.x0
    return chain


_POLICY_PART = re.compile(r"^[A-Z0-9][A-Z0-9\-/.#]*$")
TRIMMED = 0.85  # a policy number read with OCR debris around it: shown, never trusted alone


def policy_tokens(words: list) -> list:
    """An OCR'd policy-number cell's words without the debris read around the number.

    The number is the word with the most digits; the other words stay only when they could be
    part of a policy number (upper-case letters and digits, more than one character)."""
    main = max(words, key=lambda w: sum(c.isdigit() for c in w.text))
    if sum(c.isdigit() for c in main.text) < 4 or not _POLICY_PART.match(main.text.rstrip(".")):
        return words
    return [w if w is not main else replace(w, text=w.text.rstrip("."))
            for w in words if w is main or (len(w.text) > 1 and _POLICY_PART.match(w.text))]


def new_entry(line: str) -> dict[str, Any]:
    return {
        "line": line,
        "description": None,
        "insurer_letter": None,
        "policy_number": None,
        "effective": None,
        "expiration": None,
        "additional_insured": None,
        "subrogation_waived": None,
        "basis": None,
    }


def _choice(reader: TableReader, band: Box, options) -> tuple[Any, Box | None, float]:
    """The first checked option of a group of boxes, sure only when every box of the group was seen."""
    states = [(value, *reader.box(band, *phrases)) for phrases, value in options]
    confidence = min(c for _, _, _, c in states)
    for value, hit, box, _ in states:
        if hit:
            return value, box, confidence
    return None, None, confidence


def read_basis(row: Row, reader: TableReader, band: Box) -> None:
    value, box, confidence = _choice(reader, band, ((("OCCUR",), "occurrence"), (("CLAIMS-MADE",), "claims_made")))
    if value is None and reader.sheet.measured:  # one of the two short labels misread ('dCCUR')
        value, box, confidence = basis_by_position(reader, band)
    if value is not None:
        row.put("basis", value, box, confidence)
        row.filled = True


def read_gl(reader: TableReader, band: Box) -> Row:
    row = Row(new_entry("general_liability"))
    read_common(row, reader, band)
    read_basis(row, reader, band)
    hit, _ = reader.checked(band, "COMMERCIAL GENERAL LIABILITY")
    row.filled = row.filled or hit
    row.entry["aggregate_applies_per"] = None
    value, box, confidence = _choice(reader, band, (
        (("POLICY",), "policy"),
        (("PRO-|JECT", "PRO|JECT", "PRO-", "PRO"), "project"),
        (("LOC",), "location"),
        (("OTHER:",), "other"),
    ))
    if value is None and confidence < CHECKBOX:  # a label unread: the boxes' places tell them apart
        placed, at, sure = aggregate_by_position(reader, band)
        if placed is not None or sure > confidence:
            value, box, confidence = placed, at, min(sure, PLACED)
    if value is not None:
        row.put("aggregate_applies_per", value, box, confidence)
        row.filled = True
    read_limits(row, reader, band, "gl")
    return row


def read_auto(reader: TableReader, band: Box) -> Row:
    row = Row(new_entry("automobile_liability"))
    read_common(row, reader, band)
    autos, boxes, sure = [], [], CHECKBOX
    for key, phrases in AUTO_BOXES:
        hit, box, confidence = reader.box(band, *phrases)
        sure = min(sure, confidence)  # a list is right only if every box was read right
        if hit and box is not None:
            autos.append(key)
            boxes.append(box)
    if sure < CHECKBOX and reader.sheet.measured:  # a label unread: the boxes' places tell them apart
        placed, at, placed_sure = autos_by_position(reader, band)
        if placed is not None and set(autos) <= set(placed):
            autos, boxes, sure = placed, at, placed_sure
    row.put("covered_autos", autos or None, Box.around(boxes) if boxes else None, sure)
    row.filled = row.filled or bool(autos)
    read_limits(row, reader, band, "auto")
    return row


def read_other(reader: TableReader, band: Box) -> list[Row]:
    """The free rows under workers' compensation; one entry per described row."""
    cols = reader.columns
    starters = []
    for line in lines_of(reader.cell((cols.ltr[0], cols.type[1]), band)):
        text = [w for w in line if not is_check_glyph(w.text)]
        if text:
            starters.append(sum(w.cy for w in line) / len(line))
    cuts = [band.y0, *((a + b) / 2 for a, b in zip(starters, starters[1:])), band.y1]
    rows = []
    for top, bottom in zip(cuts, cuts[1:]):
        sub = Box(band.x0, top, band.x1, bottom)
        row = Row(new_entry("other"))
        desc = read_value([w for w in reader.cell(cols.type, sub) if not is_check_glyph(w.text)])
        if desc is not None:
            row.put("description", normalise_text(desc.text), desc.box)
            row.filled = True
        read_common(row, reader, sub)
        row.entry["limits"] = {"limit": None}
        for line in lines_of(reader.cell(cols.amount, sub)):
            value = parse_amount("".join(w.text for w in line if w.text != "$"))
            if value is not None:
                row.put("limits/limit", value, Box.around(line))
                row.filled = True
                break
        rows.append(row)
    return rows


def read_policies(sheet: Sheet, frame: Frame, ev: Evidence) -> list[dict[str, Any]]:
    if frame.table is None:
        return []
    reader = TableReader(sheet, frame)
    rows: list[Row] = []
    from pipeline.acord25.lower_rows import read_umbrella, read_wc  # they build on this module's readers

    readers = {"gl": read_gl, "auto": read_auto, "umbrella": read_umbrella, "wc": read_wc}
    for kind, band in reader.bands():
        found = [readers[kind](reader, band)] if kind in readers else read_other(reader, band)
        for row in found:
            row.evidence.setdefault("line", (band, CLEAN))
        rows.extend(found)
    policies = []
    for row in rows:
        if not row.filled:
            continue
        index = len(policies)
        for key, (box, confidence) in row.evidence.items():
            if box is not None:
                ev.add(f"/policies/{index}/{key}", box, confidence)
        policies.append(row.entry)
    return policies
