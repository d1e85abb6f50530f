"""The one wrapper around tesseract, run through pytesseract, behind the :class:`OcrEngine` protocol.

Every call runs with ``OMP_THREAD_LIMIT=1`` (tesseract's own threading is many times
slower on a small machine), ``--oem 1`` (the installed model is LSTM only), a timeout,
and stderr captured.  Output is pytesseract's word-level TSV (``image_to_data``'s table).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from pytesseract import pytesseract as tesseract

from pipeline.ocr.errors import OcrFailed, OcrTimeout

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrWord:
    """One word as tesseract read it: box in pixels of the image given, confidence 0-100."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int]  # (block, paragraph, line): words of one text line share it

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Orientation:
    """How far the page must be turned clockwise to stand upright, and how sure OSD is."""

    rotate: int  # 0, 90, 180 or 270
    confidence: float


class OcrEngine(Protocol):
    """What the OCR stages need from an engine; tests pass fakes."""

    def words(self, image: np.ndarray, *, dpi: int, psm: int = 3, chars: str | None = None) -> list[OcrWord]:
        """Words read from ``image``; ``chars``, when given, are the only characters it may read."""
        ...

    def orientation(self, image: np.ndarray, *, dpi: int) -> Orientation: ...


class TesseractEngine:
    """Runs tesseract (pytesseract) once per call, on a temporary PNG.

    ``binary`` becomes pytesseract's ``tesseract_cmd``, a setting of the whole process: one process
    runs one tesseract (tests point it at stand-ins one at a time)."""

    def __init__(self, binary: str = "tesseract", *, timeout: float = 60.0, lang: str = "eng") -> None:
        self.binary = binary
        self.timeout = timeout
        self.lang = lang
        os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by every tesseract this process starts

    def words(self, image: np.ndarray, *, dpi: int, psm: int = 3, chars: str | None = None) -> list[OcrWord]:
        only = f" -c tessedit_char_whitelist={chars}" if chars else ""
        config = f"--oem 1 --psm {psm} --dpi {dpi} -c tessedit_create_tsv=1{only}"
        return parse_tsv(self._run(image, "tsv", self.lang, config))

    def orientation(self, image: np.ndarray, *, dpi: int) -> Orientation:
        try:
            return parse_osd(self._run(image, "osd", "osd", f"--psm 0 --dpi {dpi}"))
        except OcrFailed as e:  # too little text to tell (tesseract then fails or writes nothing)
            logger.debug("orientation not detected: %s", e.message)
            return Orientation(0, 0.0)

    def _run(self, image: np.ndarray, extension: str, lang: str, config: str) -> str:
        tesseract.tesseract_cmd = self.binary
        try:
            return tesseract.run_and_get_output(image, extension=extension, lang=lang, config=config,
                                                timeout=self.timeout)
        except tesseract.TesseractNotFoundError as e:
            raise OcrFailed(f"The OCR engine could not be started ({self.binary}): is tesseract installed?") from e
        except tesseract.TesseractError as e:
            message = str(e.message).strip()
            logger.warning("tesseract exited with %s: %s", e.status, message[-500:])
            raise OcrFailed(f"The OCR engine failed on a page (exit {e.status}): {message[-200:]}") from e
        except RuntimeError as e:  # pytesseract's timeout (TesseractError, caught above, is one too)
            raise OcrTimeout(
                f"OCR of a page took longer than {self.timeout:.0f} s and was stopped; "
                "the page is not dropped: the document can be retried or read by a person."
            ) from e
        except OSError as e:  # no output written, or the image could not be saved for it
            raise OcrFailed(f"The OCR engine gave no output for a page: {e}") from e


def parse_tsv(text: str) -> list[OcrWord]:
    """Word rows (level 5) of tesseract's TSV output, empty words left out."""
    words = []
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if not header or header[:2] != ["level", "page_num"]:
        raise OcrFailed("The OCR engine gave output that is not its word table.")
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        token = row[11].strip()
        if not token:
            continue
        try:
            block, par, line = int(row[2]), int(row[3]), int(row[4])
            left, top, width, height = (int(v) for v in row[6:10])
            conf = float(row[10])
        except ValueError as e:
            raise OcrFailed("The OCR engine gave a word table with bad numbers.") from e
        words.append(OcrWord(token, left, top, width, height, conf, (block, par, line)))
    return words


_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def parse_osd(text: str) -> Orientation:
    rotate, conf = _ROTATE.search(text), _CONF.search(text)
    if rotate is None:
        return Orientation(0, 0.0)  # too little text to tell: leave the page as it is
    return Orientation(int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0)
