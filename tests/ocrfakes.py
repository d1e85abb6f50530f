"""A fake OCR engine for tests of the second readings without tesseract."""

from __future__ import annotations

import numpy as np

from pipeline.ocr.engine import OcrWord, Orientation

INK = 200  # a pixel darker than this is print
BAND_GAP_PX = 5  # rows of paper between two bands of ink read as two lines


class ReadsBands:
    """Reads the strip it is given as one word per band of ink (top to bottom), texts given in order; records its
    calls (``calls``), the characters each was held to (``allowed``) and the strips (``strips``)."""

    def __init__(self, texts: list[str], conf: float = 93.0) -> None:
        self.texts, self.conf = texts, conf
        self.calls, self.allowed, self.strips = 0, [], []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.calls += 1
        self.allowed.append(chars)
        self.strips.append(image)
        rows = np.nonzero((image < INK).any(axis=1))[0]
        bands, start = [], rows[0]
        for a, b in zip(rows, rows[1:]):
            if b - a > BAND_GAP_PX:
                bands.append((start, a))
                start = b
        bands.append((start, rows[-1]))
        cols = np.nonzero((image < INK).any(axis=0))[0]
        return [OcrWord(t, int(cols[0]), int(top), int(cols[-1] - cols[0] + 1), int(bottom - top + 1), self.conf,
                        (1, 1, i)) for i, (t, (top, bottom)) in enumerate(zip(self.texts, bands))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)
