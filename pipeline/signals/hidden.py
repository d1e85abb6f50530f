"""Text in the layer that the page does not show: words under a white box, white on white.

The reader reads only what the page shows (:mod:`pipeline.textlayer` drops words without ink); what
it dropped is listed here. Some agency systems leave an old value under a white box when they print
a new one, so on its own this is worth a glance, not a finding: painting over a finished
certificate is found by :mod:`pipeline.signals.pdfdoc`.
"""

from __future__ import annotations

from pipeline.signals.model import Code, Severity, Signal, bbox
from pipeline.textlayer import Page

MAX_LISTED = 8
MARGIN = 12.0  # points: hidden words this close to the page's edge are a template's marks, not values


def hidden_signals(shown: list[Page], layer: list[Page], skip: dict[int, list[list[float]]]) -> list[Signal]:
    """``shown``: the reading's pages; ``layer``: the same pages with hidden words kept; ``skip``: boxes
    per page already reported (covered after the fact)."""
    signals = []
    for page in layer:
        seen = next((p for p in shown if p.number == page.number), None)
        if seen is None or not page.words:  # no word in the layer that the page does not show: nothing to list
            continue
        visible = {(w.text, round(w.x0), round(w.y0)) for w in seen.words}
        hidden = [w for w in page.words if (w.text, round(w.x0), round(w.y0)) not in visible and not _margin(w, page)
                  and not any(b[0] - 2 <= w.cx <= b[2] + 2 and b[1] - 2 <= w.cy <= b[3] + 2
                              for b in skip.get(page.number, []))]
        if not hidden:
            continue
        listed = " ".join(w.text for w in hidden[:MAX_LISTED]) + (" ..." if len(hidden) > MAX_LISTED else "")
        first = hidden[0]
        signals.append(Signal(Code.HIDDEN_TEXT, Severity.NOTICE,
                              f"Page {page.number} holds {len(hidden)} word(s) in its text layer that the page "
                              f"does not show ({listed!r}), e.g. an earlier value under a white box.",
                              {"page": page.number, "bbox": bbox(first.x0, first.y0, first.x1, first.y1),
                               "detail": {"hidden": [w.text for w in hidden[:50]]}}))
    return signals


def _margin(word, page: Page) -> bool:
    return word.x1 < MARGIN or word.y1 < MARGIN or word.x0 > page.width - MARGIN or word.y0 > page.height - MARGIN
