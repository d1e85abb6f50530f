"""Where each extracted value was read: JSON pointer -> page, box, confidence."""

from __future__ import annotations

from typing import Any

from pipeline.acord25.confidence import confidence
from pipeline.acord25.layout import Box


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


def calibrate(items: dict[str, dict[str, Any]], words: list[Any], marks: list[Any], *, ocr: bool) -> None:
    """Give each value its confidence from how it was found and what it was read from
    (:func:`pipeline.acord25.confidence.confidence`); an OCR value also keeps, as ``ocr``, the least
    sure OCR word or measured mark inside its box. Text-layer words and drawn marks carry no
    confidence."""
    # an empty check box ("box" mark) says nothing about a value drawn over it
    measured = [w for w in [*words, *marks]
                if getattr(w, "confidence", None) is not None and getattr(w, "kind", None) != "box"]
    for item in items.values():
        x0, y0, x1, y1 = item["bbox"]
        inside = [m.confidence for m in measured
                  if x0 - 0.5 <= (m.x0 + m.x1) / 2 <= x1 + 0.5 and y0 - 0.5 <= (m.y0 + m.y1) / 2 <= y1 + 0.5]
        least = min(inside) if inside else None
        if least is not None:
            item["ocr"] = round(least, 3)
        item["confidence"] = round(confidence(item.get("how"), ocr=ocr, least=least,
                                              borrowed=bool(item.get("borrowed"))), 3)
