"""Where each extracted value was read: JSON pointer -> page, box, confidence."""

from __future__ import annotations

from typing import Any, Callable

from pipeline.acord25.confidence import of_item
from pipeline.acord25.layout import Box

# the marks (:class:`pipeline.textlayer.Mark` kinds) the OCR stage leaves over an amount box it read a second time,
# alone, to confirm a sure first reading (a page read by its value boxes, :func:`pipeline.ocr.zones.confirmation`):
# the second reading says the same amount, or it does not (another amount, or nothing valid). :func:`calibrate`
# records them as the value's ``confirmed`` (true / false). An UNCONFIRMED mark is also left over a phone box whose
# own reading said another number than the page's, whichever was kept (:func:`pipeline.ocr.zones.retold`).
CONFIRMED = "amount_confirmed"
UNCONFIRMED = "amount_unconfirmed"
# the same for a date read surely, read again to confirm it; recorded as the value's ``date_confirmed``
DATE_CONFIRMED = "date_confirmed"
DATE_UNCONFIRMED = "date_unconfirmed"


class Evidence:
    """Collects evidence for one page while the extractors run."""

    def __init__(self, page: int) -> None:
        self.page = page
        self.items: dict[str, dict[str, Any]] = {}

    def add(self, pointer: str, box: Box, confidence: float, how: str | None = None, *, borrowed: bool = False) -> None:
        self.items[pointer] = {
            "page": self.page,
            "bbox": box.as_list(),
            "confidence": round(max(0.0, min(1.0, confidence)), 3),
        }
        if how is not None:  # a key of confidence.json: what the bench calibrates by
            self.items[pointer]["how"] = how
        if borrowed:  # its block had too few labels of its own and took the page's fit
            self.items[pointer]["borrowed"] = True

    def move(self, old_prefix: str, new_prefix: str) -> None:
        """Re-key evidence when a list entry changes index."""
        moved = {}
        for key in list(self.items):
            if key == old_prefix or key.startswith(old_prefix + "/"):
                moved[new_prefix + key[len(old_prefix):]] = self.items.pop(key)
        self.items.update(moved)

    def only(self, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """The evidence whose pointer resolves to a non-null value in ``document``."""
        return {k: v for k, v in sorted(self.items.items()) if _resolve(document, k) is not None}


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.strip("/").split("/"):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return None
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def calibrate(items: dict[str, dict[str, Any]], words: list[Any], marks: list[Any], *, ocr: bool,
              agreed: set[int] = frozenset(), differing: set[int] = frozenset(),
              residual_at: Callable[[float, float], float | None] | None = None,
              by_rules_at: Callable[[float, float], bool | None] | None = None) -> None:
    """Give each value its confidence (:func:`pipeline.acord25.confidence.confidence`) from what its
    evidence says: how it was found; on OCR, as ``ocr``, the least sure OCR word or measured mark
    inside its box; as ``agree``, whether a word in its box was read twice and the readings agreed
    (``agreed``: ids of such words) or differed (``differing``), unless an agreement is already
    recorded (a form field's value against the text layer's); as ``residual``, the registration
    residual of the block its box lies in (``residual_at``: the residual at a point, or None); as
    ``by_rules``, true when that block was fitted on ruled lines alone (``by_rules_at``), whose residual
    is not comparable with a fit on labels'; as ``confirmed``, on OCR, whether an amount the OCR stage read a
    second time to confirm it (a :data:`CONFIRMED` or :data:`UNCONFIRMED` mark over its box) was confirmed, and as
    ``date_confirmed`` the same of a date (:data:`DATE_CONFIRMED`, :data:`DATE_UNCONFIRMED`).
    Text-layer words and drawn marks carry no confidence."""
    # an empty check box ("box" mark) says nothing about a value drawn over it
    measured = [w for w in [*words, *marks]
                if getattr(w, "confidence", None) is not None and getattr(w, "kind", None) != "box"]
    checked = [m for m in marks if getattr(m, "kind", None) in (CONFIRMED, UNCONFIRMED, DATE_CONFIRMED,
                                                                 DATE_UNCONFIRMED)]
    for item in items.values():
        x0, y0, x1, y1 = item["bbox"]
        inside = [m for m in measured
                  if x0 - 0.5 <= (m.x0 + m.x1) / 2 <= x1 + 0.5 and y0 - 0.5 <= (m.y0 + m.y1) / 2 <= y1 + 0.5]
        if inside:
            item["ocr"] = round(min(m.confidence for m in inside), 3)
        if any(id(m) in differing for m in inside):
            item["agree"] = False
        elif any(id(m) in agreed for m in inside):
            item.setdefault("agree", True)
        if residual_at is not None and x1 > x0:
            residual = residual_at((x0 + x1) / 2, (y0 + y1) / 2)
            if residual is not None:
                item["residual"] = round(residual, 2)
        if ocr and by_rules_at is not None and x1 > x0 and by_rules_at((x0 + x1) / 2, (y0 + y1) / 2):
            item["by_rules"] = True
        said = {m.kind for m in checked if m.x0 <= (x0 + x1) / 2 <= m.x1 and m.y0 <= (y0 + y1) / 2 <= m.y1}
        if ocr and said & {CONFIRMED, UNCONFIRMED}:
            item["confirmed"] = UNCONFIRMED not in said
        if ocr and said & {DATE_CONFIRMED, DATE_UNCONFIRMED}:
            item["date_confirmed"] = DATE_UNCONFIRMED not in said
        rescore(item, ocr=ocr)


def rescore(item: dict[str, Any], *, ocr: bool) -> float:
    """Set ``item``'s confidence from the keys it holds (after one of them changed); the new confidence."""
    item["confidence"] = round(max(0.0, min(1.0, of_item(item, ocr=ocr))), 3)
    return item["confidence"]
