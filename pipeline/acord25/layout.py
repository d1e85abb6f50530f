"""Geometry over one page's words: find printed labels, read the values in a zone.

The form is located by its printed labels, never by fixed coordinates alone:
every zone is built from anchors found on the page, so shifted or scaled
certificates read the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from statistics import fmean
from typing import Callable, Iterable, Sequence

from pipeline.acord25.parse import is_check_glyph
from pipeline.textlayer import Boxed, Mark, Page, Word

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Box(Boxed):
    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def as_list(self) -> list[float]:
        return [round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2)]

    @staticmethod
    def around(items: Iterable[Word | Mark | "Box"]) -> "Box":
        items = list(items)
        return Box(
            min(i.x0 for i in items),
            min(i.y0 for i in items),
            max(i.x1 for i in items),
            max(i.y1 for i in items),
        )


@dataclass(frozen=True)
class Anchor:
    """A printed label found on the page: its words and their box."""

    words: tuple[Word, ...]
    box: Box


@dataclass(frozen=True)
class Value:
    """Text read from a zone, with the box it came from."""

    text: str
    box: Box
    words: tuple[Word, ...]


class Sheet:
    """One page's words, with the form's printed labels told apart from values."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.words: list[Word] = list(page.words)
        self.marks: list[Mark] = list(page.marks)
        self._labels: set[int] = set()
        self._by_text: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self._by_text.setdefault(w.text, []).append(i)
        self._index = {id(w): i for i, w in enumerate(self.words)}

    # -- finding labels -------------------------------------------------
    def find(self, phrase: str, region: Box | None = None) -> list[Anchor]:
        """Every occurrence of ``phrase`` (words on one line, left to right).

        A phrase may span lines with ``|``: "DAMAGE TO RENTED|PREMISES".
        """
        parts = [p.split() for p in phrase.split("|")]
        if not all(parts):
            return []  # a blank phrase, or an OCR word that is only "|": nothing to look for
        found = []
        for start in self._by_text.get(parts[0][0], []):
            first = self.words[start]
            if region is not None and not region.contains(first.cx, first.cy):
                continue
            chain = self._follow(first, parts[0][1:])
            if chain is None:
                continue
            chain = [first, *chain]
            for line in parts[1:]:
                below = self._below(chain, line)
                if below is None:
                    chain = []
                    break
                chain.extend(below)
            if chain:
                found.append(Anchor(tuple(chain), Box.around(chain)))
        found.sort(key=lambda a: (a.box.y0, a.box.x0))
        return found

    def find_one(self, phrase: str, region: Box | None = None) -> Anchor | None:
        hits = self.find(phrase, region)
        return hits[0] if hits else None

    def _follow(self, first: Word, rest: Sequence[str]) -> list[Word] | None:
        chain: list[Word] = []
        previous = first
        for text in rest:
            nxt = self._next_on_line(previous, text)
            if nxt is None:
                return None
            chain.append(nxt)
            previous = nxt
        return chain

    def _next_on_line(self, previous: Word, text: str) -> Word | None:
        best = None
        for i in self._by_text.get(text, []):
            w = self.words[i]
            low, high = sorted((max(previous.height, 1.0), max(w.height, 1.0)))
            if low < 0.75 * high and previous.text.isalnum() and w.text.isalnum():
                continue  # a different font size: a value next to a label
            gap = w.x0 - previous.x1
            if -1.5 <= gap <= 1.5 * low and abs(w.cy - previous.cy) < 0.6 * low:
                if best is None or w.x0 < best.x0:
                    best = w
        return best

    def _below(self, chain: list[Word], line: Sequence[str]) -> list[Word] | None:
        top = chain[0]
        bottom = max(w.y1 for w in chain)
        h = max(top.height, 1.0)
        for i in self._by_text.get(line[0], []):
            w = self.words[i]
            if 0 <= w.y0 - bottom + 0.5 * h <= 1.4 * h and abs(w.x0 - top.x0) < 4 * h:
                rest = self._follow(w, line[1:])
                if rest is not None:
                    return [w, *rest]
        return None

    def mark_labels(self, phrase: str, region: Box | None = None) -> list[Anchor]:
        """Find ``phrase`` and remember its words as form text, not values."""
        hits = self.find(phrase, region)
        for anchor in hits:
            for w in anchor.words:
                self._labels.add(self._index[id(w)])
        return hits

    def is_label(self, word: Word) -> bool:
        return self._index[id(word)] in self._labels

    # -- reading values -------------------------------------------------
    def values_in(self, zone: Box, *, include_labels: bool = False) -> list[Word]:
        """Words whose centre lies in ``zone``, form labels left out."""
        return [
            w
            for i, w in enumerate(self.words)
            if zone.contains(w.cx, w.cy) and (include_labels or i not in self._labels)
        ]

    def marks_in(self, zone: Box, kinds: Iterable[str]) -> list[Mark]:
        kinds = set(kinds)
        return [m for m in self.marks if m.kind in kinds and zone.contains(m.cx, m.cy)]

    @property
    def measured(self) -> bool:
        """True when the words were read by OCR (they carry confidences), False for a text layer."""
        return any(w.confidence is not None for w in self.words[:50])

    def _box_zone(self, label: Anchor, unit: float) -> Box:
        return Box(
            label.box.x0 - 19 * unit,
            label.box.cy - max(label.box.height / 2, 4 * unit) - 2 * unit,
            label.box.x0 - 2 * unit,
            label.box.cy + max(label.box.height / 2, 4 * unit) + 2 * unit,
        )

    def checked(self, label: Anchor, unit: float) -> Word | Mark | None:
        """The check mark in the box printed just left of ``label``, if any."""
        zone = self._box_zone(label, unit)
        for m in self.marks_in(zone, {"cross"}):
            return m
        for w in self.words:
            if is_check_glyph(w.text) and zone.contains(w.cx, w.cy) and not self.is_label(w):
                return w
        return None

    def box_state(self, label: Anchor, unit: float) -> tuple[bool, float | None]:
        """(checked, how sure) for the box left of ``label``.

        A text layer's vector X is sure (None: no measure). On a scan, a checked box is as sure
        as its measured fill; an unchecked one only when its empty box was seen (a ``box`` mark),
        else the reading is a guess (0.5): the box may have been missed, not empty.
        """
        hit = self.checked(label, unit)
        if hit is not None:
            return True, getattr(hit, "confidence", None)
        if not self.measured:
            return False, None
        empty = self.marks_in(self._box_zone(label, unit), {"box"})
        return False, (max(m.confidence or 0.0 for m in empty) if empty else 0.5)


def lines_of(words: Iterable[Word]) -> list[list[Word]]:
    """Group words into lines (top to bottom), each line left to right."""
    ordered = sorted(words, key=lambda w: w.cy)
    lines: list[list[Word]] = []
    for w in ordered:
        if lines:
            last = lines[-1]
            ref = sum(x.cy for x in last) / len(last)
            if abs(w.cy - ref) < 0.45 * max(w.height, last[0].height, 1.0):
                last.append(w)
                continue
        lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


def usual_height(words: Sequence[Word]) -> float:
    """The middle word height of ``words`` (a zone's usual line of print; 0 without words)."""
    heights = sorted(w.height for w in words)
    return heights[len(heights) // 2] if heights else 0.0


def line_text(line: Sequence[Word]) -> str:
    """Join a line's words; a wide gap (separate boxes: city | ST ZIP) gives ', '."""
    out = ""
    previous: Word | None = None
    for w in line:
        if previous is None:
            out = w.text
        else:
            gap = w.x0 - previous.x1
            sep = ", " if gap > 4 * max(w.height, 1.0) and not out.endswith(",") else " "
            out += sep + w.text
        previous = w
    return out


def read_value(words: Sequence[Word], *, joiner: str = " ") -> Value | None:
    if not words:
        return None
    text = joiner.join(line_text(line) for line in lines_of(words))
    return Value(text=text, box=Box.around(words), words=tuple(words))


def even_rows(points: Sequence[tuple[int, float]], pitch: float, *, low: float, high: float,
              tolerance: float) -> tuple[Callable[[int], float], float, bool]:
    """Evenly spaced rows fitted to (row number, middle) points: (middle of row n, pitch, fitted).

    The form prints limit rows and insurer rows at one fixed pitch; on a scan only some of their
    labels are read. With two rows or more the least-squares pitch is taken when it lies within
    ``low``..``high`` times the expected ``pitch`` and every point lies within ``tolerance`` of a
    pitch from its row; otherwise the expected pitch is kept and ``fitted`` is False. One point
    anchors the expected pitch."""
    mean_n = fmean(n for n, _ in points)
    mean_y = fmean(y for _, y in points)
    spread = sum((n - mean_n) ** 2 for n, _ in points)
    fitted = True
    if spread:
        slope = sum((n - mean_n) * (y - mean_y) for n, y in points) / spread
        worst = max(abs(mean_y + (n - mean_n) * slope - y) for n, y in points)
        if low * pitch <= slope <= high * pitch and worst <= tolerance * slope:
            pitch = slope
        else:
            fitted = False
    return (lambda n: mean_y + (n - mean_n) * pitch), pitch, fitted


DEBRIS_SURE = 0.45  # OCR confidence: a short word at a line's end read less sure than this is debris
DEBRIS_LETTERS = 3  # ... when it has at most this many letters and digits


def trim_debris(line: Sequence[Word]) -> list[Word]:
    """An OCR'd line without the debris read at its ends: words with no letter or digit ('|', '.',
    '——_'), and short words read unsure ('ee', 'y as' after a name: specks and rule ends read as
    text).  A text layer's words carry no confidence and are kept."""
    words = list(line)

    def debris(w: Word) -> bool:
        chars = sum(c.isalnum() for c in w.text)
        return w.confidence is not None and (
            chars == 0 or (chars <= DEBRIS_LETTERS and w.confidence < DEBRIS_SURE))

    while words and debris(words[-1]):
        words.pop()
    while words and debris(words[0]):
        words.pop(0)
    return words
