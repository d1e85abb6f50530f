"""The one wrapper around tesseract, behind the :class:`OcrEngine` protocol.

Words are read in this process by the system's libtesseract, its model loaded once
(:mod:`pipeline.ocr.inprocess`: the same library, settings and word table as the binary), when it loads;
else, and for orientation (OSD), by the binary. Every call of the binary starts it with an environment of
its own (:func:`tesseract_env`, as OCRmyPDF's ``_tesseract_env``): ``OMP_THREAD_LIMIT=1`` (tesseract's own
threading is many times slower on a small machine) over a copy of this process's environment, which is never changed; ``--oem 1``
(the installed model is LSTM only), a timeout, and stderr captured. Output is tesseract's
word-level TSV. The engine is built once, in the composition root (``infra.bootstrap.App``), and
handed to the stages that OCR.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from pipeline.ocr import inprocess
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


BINARY = "tesseract"  # the binary on PATH; another one given (a test's fake) is always run, never the library
THREADS = 1  # tesseract's threads a call: its own threading is many times slower on a small machine
# the largest image read in this process (a letter page at 300 dpi is 8.4 M pixels); a larger one is read by the
# binary, in a process of its own, so that its memory (about 0.8 GB at the 60 M pixels allowed) is not the worker's
IN_PROCESS_MAX_PIXELS = 16_000_000


def tesseract_env(base: Mapping[str, str] | None = None, *, threads: int = THREADS) -> dict[str, str]:
    """The environment of one tesseract run: ``base`` (this process's environment by default, read,
    not changed) with its OpenMP threads capped."""
    env = dict(os.environ if base is None else base)
    env["OMP_THREAD_LIMIT"] = str(threads)
    return env


class TesseractEngine:
    """Reads words in this process (:mod:`pipeline.ocr.inprocess`) when ``in_process``, the binary is the
    system's, its library loads and the image is at most IN_PROCESS_MAX_PIXELS; else runs the tesseract binary
    once per call, on a temporary PGM image, with :func:`tesseract_env`. Orientation always runs the binary.

    No environment is set for the whole process: two engines with different binaries or environments can
    run side by side (``env`` replaces this process's environment as the base, for a test)."""

    def __init__(self, binary: str = BINARY, *, timeout: float = 60.0, lang: str = "eng",
                 env: Mapping[str, str] | None = None, in_process: bool = True) -> None:
        self.binary = binary
        self.timeout = timeout
        self.lang = lang
        self.env = env
        self.in_process = in_process and binary == BINARY

    def words(self, image: np.ndarray, *, dpi: int, psm: int = 3, chars: str | None = None) -> list[OcrWord]:
        small = image.shape[0] * image.shape[1] <= IN_PROCESS_MAX_PIXELS
        library = inprocess.load(self.lang) if self.in_process and small else None
        if library is not None:
            return parse_tsv(library.words_tsv(image, dpi=dpi, psm=psm, chars=chars, timeout=self.timeout,
                                               threads=THREADS))
        only = f" -c tessedit_char_whitelist={chars}" if chars else ""
        settings = "".join(f" -c {name}={value}" for name, value in inprocess.SETTINGS)
        config = f"--oem 1 --psm {psm} --dpi {dpi} -c tessedit_create_tsv=1{settings}{only}"
        return parse_tsv(self._run(image, "tsv", self.lang, config))

    def orientation(self, image: np.ndarray, *, dpi: int) -> Orientation:
        try:
            return parse_osd(self._run(image, "osd", "osd", f"--psm 0 --dpi {dpi}"))
        except OcrFailed as e:  # too little text to tell (tesseract then fails or writes nothing)
            logger.debug("orientation not detected: %s", e.message)
            return Orientation(0, 0.0)

    def _run(self, image: np.ndarray, extension: str, lang: str, config: str) -> str:
        """tesseract on ``image``; the text of the ``extension`` file it writes."""
        with tempfile.TemporaryDirectory(prefix="coi-ocr-") as folder:
            # a binary PGM (PPM for colour): no compression to spend CPU on (PNG's took about 0.3 s a page), and
            # leptonica reads the same pixels
            source, output = Path(folder) / "page.pnm", Path(folder) / "page"
            Image.fromarray(image).save(source, format="PPM")
            command = [self.binary, str(source), str(output), "-l", lang, *shlex.split(config)]
            try:
                done = subprocess.run(command, env=tesseract_env(self.env), capture_output=True,
                                      timeout=self.timeout, check=False)
            except FileNotFoundError as e:
                raise OcrFailed(f"The OCR engine could not be started ({self.binary}): is tesseract installed?") from e
            except subprocess.TimeoutExpired as e:  # run() has killed it
                raise OcrTimeout(
                    f"OCR of a page took longer than {self.timeout:.0f} s and was stopped; "
                    "the page is not dropped: the document can be retried or read by a person."
                ) from e
            if done.returncode != 0:
                message = done.stderr.decode(errors="replace").strip()
                logger.warning("tesseract exited with %s: %s", done.returncode, message[-500:])
                error = subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
                raise OcrFailed(f"The OCR engine failed on a page (exit {done.returncode}): {message[-200:]}") \
                    from error
            try:
                return output.with_suffix(f".{extension}").read_text(encoding="utf-8", errors="replace")
            except OSError as e:  # no output written
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
