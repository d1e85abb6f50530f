"""Tesseract read in this process through tesserocr, its model loaded once per engine and thread.

A run of the binary loads the model before it reads anything (about 0.08 s of CPU a call here); a scanned page
read by its value boxes makes four calls or so (the zones, then the second readings' strips). Here the model
stays loaded. What is read is what the binary reads, word for word: tesserocr is built from its source against
the system's own ``libtesseract`` (``[tool.uv] no-binary-package`` in pyproject.toml; its wheels bundle another
tesseract release, whose words differ), so the library, the model and the settings are the command line's
(``--oem 1``, ``--psm``, ``--dpi`` as ``user_defined_dpi``, a whitelist as ``tessedit_char_whitelist``, the
:data:`SETTINGS` both are given), and so is the word table (``GetTSVText``).

When tesserocr cannot be imported or its model not loaded, :func:`load` returns None and the caller runs the
binary. Orientation (OSD) is not read here: the binary serves for it (:class:`pipeline.ocr.engine.TesseractEngine`).

Threads: tesseract's OpenMP regions ask for up to 4 threads, many times slower on a small machine than one
(``OMP_THREAD_LIMIT=1`` for the binary). A library cannot be given an environment of its own, and its regions
name their thread count (which ``omp_set_num_threads`` does not cap), so before each recognition the calling
thread sets OpenMP's ``max-active-levels`` to 0 (every parallel region then runs on the thread that meets it)
when one thread is asked for. Only tesseract uses OpenMP in this process.

An engine is not shared between threads: each thread has its own (:meth:`Library.handle`).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import logging
import os
import threading
import time
from typing import Any

import numpy as np

from pipeline.ocr.errors import OcrFailed, OcrTimeout

logger = logging.getLogger(__name__)

OPENMP = "gomp"  # the OpenMP runtime libtesseract is linked with (libgomp.so.1)
# the word table's header, as the binary's TSV renderer writes it before the first page's rows
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
QUIET = os.devnull  # where tesseract's debug messages go
FIRST_PAGE = 0  # GetTSVText's page index for the one image of a call (its rows then say page_num 1, as the binary's)
# tesseract's settings beyond its defaults, for every read, here and by the binary (``-c``, pipeline.ocr.engine):
# ``textord_fast_pitch_test``: a text row's fixed-pitch test scores each cut's balance by a bit count, not by a walk
# over the row's projection (tesseract's own LSTM training configs set it); ``invert_threshold`` 0: no line is read a
# second time as white on black (by default, every line read below 0.7 mean confidence is), as the pages read are
# cleaned black print on paper. On the form's scans and photos: the same fields right and none more wrong at >= 0.9,
# 4.5 % fewer instructions in a zoned page's tesseract call (docs/accuracy.md, scanspeed3)
SETTINGS = (("textord_fast_pitch_test", "1"), ("invert_threshold", "0"))


class Library:
    """tesserocr over libtesseract; :meth:`words_tsv` reads an image as ``tesseract IMAGE OUT --oem 1 --psm P
    --dpi D -c tessedit_create_tsv=1 [-c tessedit_char_whitelist=C]`` does."""

    def __init__(self, tesserocr: Any, openmp: Any, lang: str) -> None:
        self._tesserocr, self._openmp, self.lang = tesserocr, openmp, lang
        self._local = threading.local()
        self._engines: list[Any] = []  # every thread's, ended at exit (else the library warns of its cache's leaks)
        self._lock = threading.Lock()
        atexit.register(self.close)

    def handle(self) -> Any:
        """This thread's engine (a ``tesserocr.PyTessBaseAPI``), its model loaded on first use."""
        api = getattr(self._local, "api", None)
        if api is None:
            try:
                api = self._tesserocr.PyTessBaseAPI(lang=self.lang, oem=self._tesserocr.OEM.LSTM_ONLY)
            except RuntimeError as e:
                raise OcrFailed(f"The OCR engine could not load its model ({self.lang}): "
                                f"is tesseract-ocr-{self.lang} installed?") from e
            # tesseract's own messages ("Detected 12 diacritics", "Estimating resolution as ..."), which the binary's
            # captured stderr used to hold, are not written to this process's stderr
            api.SetVariable("debug_file", QUIET)
            for name, value in SETTINGS:
                if not api.SetVariable(name, value):  # an older tesseract without it reads on its own default
                    logger.warning("tesseract has no setting %s: it reads with its own default", name)
            self._local.api = api
            with self._lock:
                self._engines.append(api)
        return api

    def close(self) -> None:
        """Every thread's engine ended (at exit; a thread's next call loads its model again)."""
        with self._lock:
            engines, self._engines = self._engines, []
        for api in engines:
            api.End()
        self._local = threading.local()

    def words_tsv(self, image: np.ndarray, *, dpi: int, psm: int, chars: str | None, timeout: float,
                  threads: int = 1) -> str:
        """The word table (TSV, with its header) of ``image`` (8-bit grey or RGB)."""
        api = self.handle()
        pixels = np.ascontiguousarray(image)
        if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
            raise OcrFailed("The OCR engine was given an image it cannot read (not 8-bit grey or colour).")
        height, width = pixels.shape[:2]
        depth = 1 if pixels.ndim == 2 else pixels.shape[2]
        api.SetPageSegMode(psm)
        api.SetVariable("user_defined_dpi", str(dpi))
        api.SetVariable("tessedit_char_whitelist", chars or "")
        api.SetImageBytes(pixels.tobytes(), width, height, depth, pixels.strides[0])
        started = time.monotonic()
        try:
            self._cap_threads(threads)
            done = api.Recognize(timeout=max(1, int(timeout * 1000)))
            if time.monotonic() - started >= timeout:
                raise OcrTimeout(f"OCR of a page took longer than {timeout:.0f} s and was stopped; "
                                 "the page is not dropped: the document can be retried or read by a person.")
            if not done:
                raise OcrFailed("The OCR engine failed on a page (its recognition returned an error).")
            text = api.GetTSVText(FIRST_PAGE)
            if text is None:
                raise OcrFailed("The OCR engine gave no output for a page.")
            return TSV_HEADER + text
        finally:
            api.Clear()

    def _cap_threads(self, threads: int) -> None:
        """OpenMP's parallel regions of this process run on one thread when ``threads`` is 1 (module note)."""
        if self._openmp is not None:
            self._openmp.omp_set_max_active_levels(0 if threads <= 1 else 1)


_loaded: dict[str, Library | None] = {}
_loading = threading.Lock()


def load(lang: str = "eng") -> Library | None:
    """The library for ``lang``, loaded once per process; None when it cannot be (the binary is run instead)."""
    with _loading:
        if lang not in _loaded:
            _loaded[lang] = _open(lang)
        return _loaded[lang]


def _open(lang: str) -> Library | None:
    try:
        import tesserocr
    except ImportError as e:  # not installed, or built against a libtesseract no longer there
        logger.warning("tesserocr not usable (%s); OCR runs the tesseract binary", e)
        return None
    openmp_path = ctypes.util.find_library(OPENMP)
    openmp = ctypes.CDLL(openmp_path) if openmp_path else None
    if openmp is not None:
        openmp.omp_set_max_active_levels.argtypes, openmp.omp_set_max_active_levels.restype = [ctypes.c_int], None
    return Library(tesserocr, openmp, lang)
