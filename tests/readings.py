"""Readings for tests of the extractor without tesseract: a drawn certificate's page as OCR gives
it (every word with a confidence), garbled the way a scan garbles small print; and evidence as a
clean OCR read would give it."""

from __future__ import annotations

import dataclasses
from typing import Any

from pipeline.textlayer import Page, Word, read_text_layer
from samples.certificates import draw_certificate


def as_ocr(page: Page, confidence: float = 0.96) -> Page:
    """``page`` with every word carrying an OCR confidence (the extractor then treats it as a scan)."""
    return dataclasses.replace(page, words=tuple(dataclasses.replace(w, confidence=confidence) for w in page.words))


def ocr_line(text: str, y: float, confidence: float | None = 0.9) -> list[Word]:
    """One line of words as OCR gives it: ``text``'s words left to right from x 20, 6 pt a character, 8 pt high."""
    words, x = [], 20.0
    for t in text.split():
        words.append(Word(t, x, y, x + 6.0 * len(t), y + 8.0, confidence=confidence))
        x += 6.0 * len(t) + 4.0
    return words


def drawn_scan(truth: dict[str, Any]) -> Page:
    """The certificate ``truth`` drawn, its first page read as if by OCR."""
    return as_ocr(read_text_layer(draw_certificate(truth))[0])


def garbled(page: Page, texts: set[str], *, x_from: float = 0.0, x_to: float = 1e9) -> Page:
    """The page with the words ``texts`` (between x_from and x_to) read as OCR garbage."""
    return dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="~" + w.text.lower()[::-1], confidence=0.3)
        if w.text in texts and x_from <= w.x0 <= x_to else w for w in page.words))


def policy(cert: dict[str, Any], line: str) -> tuple[int, dict[str, Any]]:
    """(index, entry) of the certificate's first policy of ``line``."""
    return next((i, p) for i, p in enumerate(cert["policies"]) if p["line"] == line)


def clean_evidence(cert: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Confidence 0.97 for every leaf of ``cert``, all read from one line of page 1."""
    out: dict[str, dict[str, Any]] = {}

    def walk(node, pointer):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{pointer}/{k}")
        elif isinstance(node, list) and node and isinstance(node[0], dict):
            for i, v in enumerate(node):
                walk(v, f"{pointer}/{i}")
        elif node is not None:
            out[pointer] = {"page": 1, "bbox": [0, 100, 10, 109], "confidence": 0.97}

    walk(cert, "")
    return out


def field_box(key: str, edition: str = "2016/03") -> tuple[float, float, float, float]:
    """The ``edition`` template's box of field ``key``, in points."""
    from pipeline.acord25.template import load

    return next(f.box for f in load(edition).fields if f.key == key)


def in_box(text: str, key: str, dx: float = 2.0, width: float | None = None, confidence: float = 0.9,
           line: int = 0, top: float = 2.0, height: float = 8.0, edition: str = "2016/03"):
    """An OCR word in the ``edition`` template's field ``key``'s box, ``dx`` points from its left edge and
    ``top`` below its top, on its ``line``-th line of 10 pt (5 pt of width a character unless given)."""
    from pipeline.textlayer import Word

    x0, y0, _, _ = field_box(key, edition)
    width = width if width is not None else 5.0 * len(text)
    y = y0 + top + 10.0 * line
    return Word(text, x0 + dx, y, x0 + dx + width, y + height, confidence=confidence)


def read_over_print(*words, edition: str = "2016/03") -> dict[str, Any]:
    """The certificate the template reader reads from ``words`` on the blank's own print, read as OCR."""
    from pipeline.acord25 import extract as extract_module
    from pipeline.acord25.template import load
    from pipeline.textlayer import Word

    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in load(edition).printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *words], marks=[])
    return extract_module.extract_certificate([page], None, "ocr")
