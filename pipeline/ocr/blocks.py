"""OCR words and zones in layoutparser's structures: a page's words as a ``Layout`` of ``TextBlock``s
(text, box in points, tesseract's confidence as the score), a zone as a ``Rectangle``.

The second readings (:mod:`pipeline.ocr.zones`) ask which words lie in a cell or a party's block
through them.  layoutparser is installed without its declared dependencies (``scripts/setup``):
they would add OpenCV's GUI build over the headless one (see ``../shared/FIELD-NOTES.md``).
"""

from __future__ import annotations

from typing import Sequence

import layoutparser as lp

from pipeline.textlayer import Word


def layout_of(words: Sequence[Word]) -> lp.Layout:
    """The words as text blocks, each carrying its index in ``words`` as its id."""
    return lp.Layout([lp.TextBlock(lp.Rectangle(w.x0, w.y0, w.x1, w.y1), text=w.text, id=i, score=w.confidence)
                      for i, w in enumerate(words)])


def rectangle(zone) -> lp.Rectangle:
    """A zone (anything with x0, y0, x1, y1 in points) as a layoutparser rectangle."""
    return lp.Rectangle(zone.x0, zone.y0, zone.x1, zone.y1)


def words_in(words: Sequence[Word], zone, *, margin: float = 0.0) -> list[Word]:
    """The words whose centre lies in ``zone`` (widened by ``margin`` points on every side): the words of
    ``layout_of(words).filter_by(area, center=True)``, ``area`` the zone's rectangle padded as layoutparser pads
    it (never past 0). The centre test is layoutparser's own arithmetic, made on the words as they are: a
    layout of the whole page's words built for every zone asked about cost about 0.1 s of CPU a scanned page
    (docs/accuracy.md, scanfast), for the same words in the same order (a test holds it to ``filter_by``).
    The padding too is ``Rectangle.pad``'s arithmetic, not the call: touching layoutparser's elements imports
    pandas (~48 MB of the OCR worker's memory, for nothing else of it)."""
    x0, y0 = max(0, zone.x0 - margin), max(0, zone.y0 - margin)
    x1, y1 = zone.x1 + margin, zone.y1 + margin
    return [w for w in words if x0 <= (w.x0 + w.x1) / 2.0 <= x1 and y0 <= (w.y0 + w.y1) / 2.0 <= y1]
