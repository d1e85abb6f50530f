"""A party block's address lines as OCR leaves them: a line shaped as a street or as a city line (no name), and a
city line whose state OCR lost, its state known again from its ZIP code.

Pure functions over one line's text. The ZIP code's state comes from the ``zipcodes`` library's data (MIT, its data
CC BY 4.0): the code itself when it is a real one, else the one state of every real code sharing its first three
digits (the US sectional centre, which never spans a state but for a few military and territory prefixes: those
give no state). That answer for every code is a small table, ``zip_states.json`` (:func:`library_table`, a test
holds it equal to the library's), read here: the library, asked anything, keeps its whole data set for the life
of the process (~37 MB of an OCR worker's resident memory), for the state of a few codes a certificate.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

# the common street suffixes (USPS Publication 28, C1), as printed and abbreviated
STREET_SUFFIXES = frozenset((
    "st", "street", "ave", "av", "avenue", "rd", "road", "blvd", "boulevard", "dr", "drive", "ln", "lane",
    "way", "pkwy", "parkway", "ct", "court", "pl", "place", "cir", "circle", "hwy", "highway", "ter", "terrace",
    "trl", "trail", "sq", "square", "plz", "plaza", "loop", "pike", "row", "run", "tpke", "turnpike", "fwy",
    "freeway", "expy", "expressway", "cv", "cove", "xing", "crossing", "aly", "alley", "path", "walk", "pt",
    "point", "sta", "station", "ctr", "center", "park", "bnd", "bend", "hl", "hill", "rdg", "ridge",
))
_HOUSE_NUMBER = re.compile(r"^\d+[A-Za-z]?$|^\d+-\d+$")  # 576, 12B, 12-14
_UNIT = re.compile(r"^(suite|ste|unit|apt|bldg|floor|fl|#)\b", re.I)
_UNIT_AFTER = re.compile(r",|\s(?=(?:suite|ste|unit|apt|bldg|floor|fl)\b)|\s(?=#)", re.I)  # where a street's unit starts
DIRECTIONS = frozenset(("N", "S", "E", "W", "NE", "NW", "SE", "SW"))
# a city line's end: [, ][ST ]ZIP: the state is the 2 letters (or what OCR made of them) before the ZIP code
_CITY_ZIP = re.compile(r"^(?P<city>.*?[A-Za-z]{2}[^\d]*?)(?P<state>\s[^\s,]{1,2}\.?,?)?\s+(?P<zip>\d{5})(?:-\d{4})?$")
_CITY_STATE_ZIP = re.compile(r"(^|[\s,])[A-Z]{2}\.?,?\s+\d{5}(-\d{4})?$")


def _words(text: str) -> list[str]:
    return [w.strip(".,;:") for w in text.split()]


def is_street(text: str, next_text: str | None = None) -> bool:
    """True when a line is shaped as a street: a house number, a word, and a street suffix ending the street
    (before a direction, a comma or a unit: '576 Elm Dr NW, Suite 296'); or, with no suffix, the next line a
    unit ('Suite 200'). A name that starts with a number ('84 Lumber Company') is no street."""
    street = _UNIT_AFTER.split(text, maxsplit=1)[0]
    words = _words(street)
    if len(words) < 2 or not _HOUSE_NUMBER.match(words[0]) or not any(c.isalpha() for c in words[1]):
        return False
    while len(words) > 2 and words[-1].upper() in DIRECTIONS:
        words = words[:-1]
    if len(words) > 2 and words[-1].lower() in STREET_SUFFIXES:
        return True
    return next_text is not None and bool(_UNIT.match(next_text))


def with_suffix_mended(text: str, shortest: int = 1) -> str:
    """An OCR street line whose suffix was read with a look-alike of its 'l' ('Bivd', 'B1vd' for Blvd): that word
    put back, when the line is a street with it put back (:func:`is_street`) and is none as read. Only words after
    the house number and the street's first word, of ``shortest`` characters or more; the look-alikes
    (SUFFIX_LOOKALIKES) become 'l'."""
    street = _UNIT_AFTER.split(text, maxsplit=1)[0]
    words = street.split(" ")
    if is_street(text) or len(words) < 3:
        return text
    for i in range(2, len(words)):
        bare = words[i].strip(".,;:")
        if len(bare) >= shortest and bare.lower() not in STREET_SUFFIXES \
                and bare.translate(SUFFIX_LOOKALIKES).lower() in STREET_SUFFIXES:
            mended = " ".join(words[:i] + [words[i].translate(SUFFIX_LOOKALIKES)] + words[i + 1:]) + text[len(street):]
            if is_street(mended):
                return mended
    return text


STREET_WORDS = 5  # a street named in free text: its house number, at most three words of name, its suffix
# the shortest suffix mended in free text: a two-letter one read with a look-alike is a common word there ('In'
# is read 'ln', Lane's suffix, in '10 Employees In All States')
FREE_TEXT_SUFFIX_LETTERS = 3


def with_streets_mended(text: str) -> str:
    """OCR free text (a description of operations: 'Re: project at 2952 Commerce Bivd.') with each street it names
    mended as :func:`with_suffix_mended` mends a street line: from a house number, its capitalised name's words and
    the suffix read with a look-alike, up to STREET_WORDS words. Lower-case words are no street's name ('12 workers
    In Texas')."""
    words = text.split(" ")
    for k, first in enumerate(words):
        if not _HOUSE_NUMBER.match(first):
            continue
        for end in range(k + 3, min(k + STREET_WORDS, len(words)) + 1):
            span = words[k:end]
            if not all(w[:1].isupper() for w in span[1:]) or is_street(" ".join(span[:-1])):
                break  # (a street named already ends before this word)
            mended = with_suffix_mended(" ".join(span), shortest=FREE_TEXT_SUFFIX_LETTERS)
            if mended != " ".join(span):
                words[k:end] = mended.split(" ")
                break
    return " ".join(words)


SUFFIX_LOOKALIKES = str.maketrans({"i": "l", "I": "l", "1": "l", "|": "l", "!": "l"})  # what OCR reads a suffix's 'l' as


def is_city_line(text: str) -> bool:
    """True when a line ends as a city line does: a state code and a ZIP code."""
    return bool(_CITY_STATE_ZIP.search(text.strip()))


def with_state(text: str) -> str:
    """A city line ending in a ZIP code whose state OCR lost ('Madison, 53764') or misread to no state
    ('Salem, 0R 97349'), with the ZIP code's state; any other line as it is."""
    m = _CITY_ZIP.match(text.strip())
    if m is None:
        return text
    state = m.group("state") or re.split(r"[^A-Za-z0-9]+", m.group("city").strip(" .,;-"))[-1]
    state = state.strip(" .,")  # (the city's last word: 'TN 37083' its city lost, 'Salem,OR 97301', 'Salem;-OR 97301')
    if state.upper() in _states():
        return text
    found = state_of_zip(m.group("zip"))
    if found is None:
        return text
    city = m.group("city").rstrip()
    return f"{city}{'' if city.endswith(',') else ','} {found} {text.strip()[m.start('zip'):]}"


def state_of_zip(code: str) -> str | None:
    """The state of a 5-digit ZIP code: its own when it is real, else its sectional centre's one state."""
    table = _table()
    centre = code[:CENTRE_DIGITS]
    if centre in table["spanning"]:  # a centre of several states: only its real codes have one
        return table["codes"].get(code)
    return table["centres"].get(centre)


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    """``zip_states.json``: the centres of one state, and the real codes of the centres that span several."""
    table = json.loads(resources.files("pipeline.acord25").joinpath(ZIP_STATES).read_text())
    table["spanning"] = frozenset(table["spanning"])
    return table


ZIP_STATES = "zip_states.json"
CENTRE_DIGITS = 3  # a ZIP code's sectional centre: its first three digits


@lru_cache(maxsize=1)
def _states() -> frozenset[str]:
    """Every state and territory that has a ZIP code."""
    table = _table()
    return frozenset(table["centres"].values()) | frozenset(table["codes"].values())


def library_table() -> dict[str, Any]:
    """What ``zip_states.json`` holds, asked of the ``zipcodes`` library (its whole list, once: for writing the
    table, ``python -m pipeline.acord25.postal``, and for the test that holds the table to the library):
    ``centres``, the state of each sectional centre whose real codes are all of one state; ``spanning``, the
    centres whose real codes are of several; ``codes``, the state of each real code of those."""
    import zipcodes

    by_centre: dict[str, set[str]] = {}
    for z in zipcodes.list_all():
        by_centre.setdefault(z["zip_code"][:CENTRE_DIGITS], set()).add(z["state"])
    spanning = sorted(c for c, states in by_centre.items() if len(states) > 1)
    return {"source": f"zipcodes {zipcodes.__version__}",
            "centres": {c: next(iter(states)) for c, states in sorted(by_centre.items()) if len(states) == 1},
            "spanning": spanning,
            "codes": {z["zip_code"]: z["state"] for z in sorted(zipcodes.list_all(), key=lambda z: z["zip_code"])
                      if z["zip_code"][:CENTRE_DIGITS] in spanning}}


if __name__ == "__main__":  # the table written again from the installed library
    target = resources.files("pipeline.acord25").joinpath(ZIP_STATES)
    target.write_text(json.dumps(library_table(), indent=0, sort_keys=True) + "\n")  # type: ignore[attr-defined]
    print(f"wrote {target}")
