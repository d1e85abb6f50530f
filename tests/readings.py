"""Readings for tests of the extractor without tesseract: a drawn certificate's page as OCR gives
it (every word with a confidence), garbled the way a scan garbles small print; and evidence as a
clean OCR read would give it."""

from __future__ import annotations

import dataclasses
from typing import Any

from pipeline.textlayer import Page, read_text_layer
from samples.certificates import draw_certificate


def as_ocr(page: Page, confidence: float = 0.96) -> Page:
    """``page`` with every word carrying an OCR confidence (the extractor then treats it as a scan)."""
    return dataclasses.replace(page, words=tuple(dataclasses.replace(w, confidence=confidence) for w in page.words))


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
