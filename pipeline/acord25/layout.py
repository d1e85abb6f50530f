"""Geometry over one page's words: boxes, lines, and printed phrases found by their words.

Used to tell which form a page is (:mod:`pipeline.acord25.identify`) and to read a remarks page
(:mod:`pipeline.acord25.remarks`); the certificate itself is read from the form's template
(:mod:`pipeline.acord25.reader`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Sequence

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

    def grown(self, by: float) -> "Box":
        """The box grown by ``by`` on every side."""
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def meets(self, other: Boxed) -> bool:
        """True when ``other``'s area and this box's overlap."""
        return other.x0 < self.x1 and other.x1 > self.x0 and other.y0 < self.y1 and other.y1 > self.y0

    @staticmethod
    def around(items: Iterable[Word | Mark | "Box"]) -> "Box":
        """The box around ``items``: the least x0 and y0, the greatest x1 and y1, in one pass (each edge as the
        builtins ``min`` and ``max`` choose it: the first item's, replaced only by one strictly less or greater)."""
        items = iter(items)
        first = next(items, None)
        if first is None:
            raise ValueError("min() arg is an empty sequence")
        x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
        for i in items:
            if i.x0 < x0:
                x0 = i.x0
            if i.y0 < y0:
                y0 = i.y0
            if i.x1 > x1:
                x1 = i.x1
            if i.y1 > y1:
                y1 = i.y1
        return Box(x0, y0, x1, y1)


@dataclass(frozen=True)
class Anchor:
    """A printed label found on the page: its words and their box."""

    words: tuple[Word, ...]
    box: Box


class Sheet:
    """One page's words, with the form's printed labels told apart from values."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.words: list[Word] = list(page.words)
        self.marks: list[Mark] = list(page.marks)
        self._by_text: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self._by_text.setdefault(w.text, []).append(i)

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
        own, x1, cy, alnum = max(previous.height, 1.0), previous.x1, previous.cy, previous.text.isalnum()
        for i in self._by_text.get(text, []):
            w = self.words[i]
            other = max(w.y1 - w.y0, 1.0)  # (Word.height)
            low, high = (other, own) if other < own else (own, other)  # (what sorting the two gives)
            if low < 0.75 * high and alnum and w.text.isalnum():
                continue  # a different font size: a value next to a label
            gap = w.x0 - x1
            if -1.5 <= gap <= 1.5 * low and abs((w.y0 + w.y1) / 2 - cy) < 0.6 * low:  # (Word.cy)
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

    @property
    def measured(self) -> bool:
        """True when the words were read by OCR (they carry confidences), False for a text layer."""
        return any(w.confidence is not None for w in self.words[:50])


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
