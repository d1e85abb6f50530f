"""Parsers for the values printed on a certificate: amounts, dates, flags."""

from __future__ import annotations

import datetime as dt
import re

_AMOUNT = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(MM|M|K)?\b", re.IGNORECASE)
_DATE_SLASH = re.compile(r"\b(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_CHECK_GLYPHS = frozenset("XxВ✔✓✗✘✕✖☒☑■●◼⬛▪√")
_PLACEHOLDER = re.compile(r"signature\s+(would|will|goes|here)|sign\s+here|placeholder|not\s+signed", re.I)


def parse_amount(text: str) -> int | None:
    """'$1,000,000' / '1000000' / '$3M' / '$500,000/accident' -> int dollars (the first amount)."""
    amounts = parse_amounts(text)
    return amounts[0] if amounts else None


def parse_amounts(text: str) -> list[int]:
    """Every amount in ``text``, left to right, in int dollars."""
    if not text:
        return []
    text = text.replace(" ,", ",").replace(", ", ",")
    text = re.sub(r"(?<=\d)\.(?=\d{3}(?:\D|$))", ",", text)  # '250.000': a comma read (or typed) as a period
    text = re.sub(r"(?<=\d)[;:](?=\d{3}(?:\D|$))", ",", text)  # '500;000': a comma OCR read as ';' or ':'
    text = re.sub(r"(?<=\d)[,.;:]{2,}(?=\d{3}(?:\D|$))", ",", text)  # '5,;000': one comma OCR read as two marks
    values = []
    for match in _AMOUNT.finditer(text):
        digits, _cents, suffix = match.groups()
        value = int(digits.replace(",", ""))
        if suffix:
            value *= 1000 if suffix.upper() == "K" else 1_000_000
        values.append(value)
    return values


def parse_date(text: str) -> str | None:
    """MM/DD/YYYY, M/D/YY or YYYY-MM-DD -> ISO date string; None when absent."""
    if not text:
        return None
    match = _DATE_ISO.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_SLASH.search(text)
        if not match:
            return None
        month, day, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000 if year < 70 else 1900
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_flag(text: str) -> bool | None:
    """ADDL INSD / SUBR WVD / Y-N columns: Y or X -> True, N -> False, else None."""
    t = re.sub(r"\s+", "", text or "").upper()
    if not t or t in {"N/A", "NA"}:
        return None
    if t in {"Y", "YES", "X"} or (len(t) == 1 and t in _CHECK_GLYPHS):
        return True
    if t in {"N", "NO"}:
        return False
    return None


def is_check_glyph(text: str) -> bool:
    """True for a word that is a check mark in a box ('X', '✖', ...)."""
    return len(text) == 1 and text in _CHECK_GLYPHS


def is_placeholder_signature(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def join_digits(text: str) -> str:
    """'1 1 1-1 1 1 1' -> '111-1111' (digits spread out by a comb field)."""
    return re.sub(r"(?<=[\d\-]) (?=[\d\-])", "", text)


def normalise_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU".split())
_ZIP_AFTER_STATE = re.compile(r"\b([A-Z]{2})([ ,.]+)([0-9OoSsIlBZ]{5}(?:-[0-9OoSsIlBZ]{4})?)\b")
_ZIP_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "S": "5", "s": "5", "I": "1", "l": "1", "B": "8", "Z": "2"})


def mend_postcode(text: str) -> str:
    """An OCR'd address with its ZIP code's look-alike letters read as digits ('MN SS060' -> 'MN 55060').

    Only a code after a US state's abbreviation, with most of its characters digits already."""
    def fix(match: re.Match) -> str:
        state, gap, code = match.groups()
        if state not in US_STATES or sum(c.isdigit() for c in code) < 3:
            return match.group(0)
        return state + gap + code.translate(_ZIP_LOOKALIKES)
    return _ZIP_AFTER_STATE.sub(fix, text)
