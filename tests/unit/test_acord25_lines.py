"""The reader's lines (``_lines``) and the sheet's label chains (``Sheet._next_on_line``), worked out from each
word's box once, are those of the plain definitions over ``Word.cy`` and ``Word.height`` (pure)."""

from __future__ import annotations

import random

from pipeline.acord25.layout import Sheet
from pipeline.acord25.reader import NEXT_ON_LINE, _lines
from pipeline.textlayer import Page, Word


def _plain_lines(words):
    """A word joins the line of the word before it (by centre, then left edge; ties in the given order) when
    their centres lie within NEXT_ON_LINE of the lower one's height; each line left to right."""
    lines = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(lines[-1][-1].cy - w.cy) <= NEXT_ON_LINE * max(min(w.height, lines[-1][-1].height), 1.0):
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _words(rng: random.Random, n: int) -> list[Word]:
    """Words on a coarse grid, so that centres, left edges and heights tie often (ties keep the given order)."""
    out = []
    for k in range(n):
        x0, y0 = rng.choice([10.0, 10.5, 40.0, 41.0]), rng.choice([100.0, 101.0, 103.0, 108.0, 130.0])
        height = rng.choice([0.5, 4.0, 8.0, 10.0])
        out.append(Word(f"w{k}", x0, y0, x0 + rng.choice([5.0, 20.0]), y0 + height))
    return out


def test_lines_are_the_plain_definitions():
    rng = random.Random(7)
    for n in (0, 1, 2, 5, 30, 80):
        for _ in range(20):
            words = _words(rng, n)
            got, want = _lines(words), _plain_lines(words)
            assert [[id(w) for w in line] for line in got] == [[id(w) for w in line] for line in want]


def _plain_next(words, previous, text):
    """The leftmost word of ``text`` just after ``previous`` on its line, of a like size when both are words."""
    best = None
    own = max(previous.height, 1.0)
    for w in words:
        if w.text != text:
            continue
        low, high = sorted((own, max(w.height, 1.0)))
        if low < 0.75 * high and previous.text.isalnum() and w.text.isalnum():
            continue
        if -1.5 <= w.x0 - previous.x1 <= 1.5 * low and abs(w.cy - previous.cy) < 0.6 * low:
            if best is None or w.x0 < best.x0:
                best = w
    return best


def test_next_on_line_is_the_plain_definition():
    rng = random.Random(11)
    for _ in range(200):
        words = [Word(rng.choice(["A", "B", "-"]), x0, y0, x0 + 6.0, y0 + rng.choice([0.5, 6.0, 7.0, 9.0, 12.0]))
                 for x0, y0 in ((rng.choice([0.0, 6.0, 6.5, 7.0, 12.0]), rng.choice([50.0, 51.0, 53.0]))
                                for _ in range(12))]
        sheet = Sheet(Page(number=1, width=600.0, height=800.0, words=tuple(words)))
        for previous in words:
            for text in ("A", "B", "-"):
                assert sheet._next_on_line(previous, text) is _plain_next(words, previous, text)
