"""Tesseract read in this process: the system's own ``libtesseract`` (the library the ``tesseract`` binary
runs), called through its C API with :mod:`ctypes`, its model loaded once per engine and thread.

A run of the binary loads the model before it reads anything (about 0.08 s of CPU a call here); a scanned page
read by its value boxes makes four calls or so (the zones, then the second readings' strips). Here the model
stays loaded. What is read is what the binary reads, word for word: the same library, the same model, the same
settings as the command line gives (``--oem 1``, ``--psm``, ``--dpi`` as ``user_defined_dpi``, a whitelist
as ``tessedit_char_whitelist``) and the same word table (``GetTSVText``).

Nothing new is installed: the library is Debian's (``libtesseract5``, a dependency of ``tesseract-ocr``). When
it cannot be loaded, :func:`load` returns None and the caller runs the binary. Orientation (OSD) is not read
here: the binary serves for it (:class:`pipeline.ocr.engine.TesseractEngine`).

Threads: tesseract's OpenMP regions ask for up to 4 threads, many times slower on a small machine than one
(``OMP_THREAD_LIMIT=1`` for the binary). A library cannot be given an environment of its own, so before each
recognition the calling thread sets OpenMP's ``max-active-levels`` to 0 (every parallel region then runs on
the thread that meets it) when one thread is asked for. Only tesseract uses OpenMP in this process.

A handle is not shared between threads: each thread has its own (:class:`Library.handle`).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import logging
import os
import threading
import time

import numpy as np

from pipeline.ocr.errors import OcrFailed, OcrTimeout

logger = logging.getLogger(__name__)

LIBRARY = "tesseract"  # the shared library's name (libtesseract.so.5 on Debian 12)
OPENMP = "gomp"  # the OpenMP runtime libtesseract is linked with (libgomp.so.1)
OEM_LSTM = 1  # --oem 1: the installed model is LSTM only
# the word table's header, as the binary's TSV renderer writes it before the first page's rows
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
QUIET = os.devnull  # where tesseract's debug messages go
FIRST_PAGE = 0  # GetTSVText's page index for the one image of a call (its rows then say page_num 1, as the binary's)


def _bind(lib: ctypes.CDLL) -> None:
    p, c, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    signatures = {
        "TessBaseAPICreate": (p, []),
        "TessBaseAPIDelete": (None, [p]),
        "TessBaseAPIInit2": (i, [p, c, c, i]),
        "TessBaseAPISetVariable": (i, [p, c, c]),
        "TessBaseAPISetPageSegMode": (None, [p, i]),
        "TessBaseAPISetImage": (None, [p, p, i, i, i, i]),
        "TessBaseAPIRecognize": (i, [p, p]),
        "TessBaseAPIGetTsvText": (p, [p, i]),
        "TessBaseAPIClear": (None, [p]),
        "TessBaseAPIEnd": (None, [p]),
        "TessDeleteText": (None, [p]),
        "TessMonitorCreate": (p, []),
        "TessMonitorDelete": (None, [p]),
        "TessMonitorSetDeadlineMSecs": (None, [p, i]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes


class Library:
    """libtesseract loaded; :meth:`words` reads an image as ``tesseract IMAGE OUT --oem 1 --psm P --dpi D
    -c tessedit_create_tsv=1 [-c tessedit_char_whitelist=C]`` does."""

    def __init__(self, lib: ctypes.CDLL, openmp: ctypes.CDLL | None, lang: str) -> None:
        self._lib, self._openmp, self.lang = lib, openmp, lang
        self._local = threading.local()
        self._handles: list[int] = []  # every thread's, ended at exit (else the library warns of its cache's leaks)
        self._lock = threading.Lock()
        atexit.register(self.close)

    def handle(self) -> int:
        """This thread's engine, its model loaded on first use."""
        api = getattr(self._local, "api", None)
        if api is None:
            api = self._lib.TessBaseAPICreate()
            if self._lib.TessBaseAPIInit2(api, None, self.lang.encode(), OEM_LSTM) != 0:
                self._lib.TessBaseAPIDelete(api)
                raise OcrFailed(f"The OCR engine could not load its model ({self.lang}): "
                                f"is tesseract-ocr-{self.lang} installed?")
            # tesseract's own messages ("Detected 12 diacritics", "Estimating resolution as ..."), which the binary's
            # captured stderr used to hold, are not written to this process's stderr
            self._lib.TessBaseAPISetVariable(api, b"debug_file", QUIET.encode())
            self._local.api = api
            with self._lock:
                self._handles.append(api)
        return api

    def close(self) -> None:
        """Every thread's engine ended (at exit; a thread's next call loads its model again)."""
        with self._lock:
            handles, self._handles = self._handles, []
        for api in handles:
            self._lib.TessBaseAPIEnd(api)
            self._lib.TessBaseAPIDelete(api)
        self._local = threading.local()

    def words_tsv(self, image: np.ndarray, *, dpi: int, psm: int, chars: str | None, timeout: float,
                  threads: int = 1) -> str:
        """The word table (TSV, with its header) of ``image`` (8-bit grey or RGB)."""
        lib, api = self._lib, self.handle()
        pixels = np.ascontiguousarray(image)
        if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
            raise OcrFailed("The OCR engine was given an image it cannot read (not 8-bit grey or colour).")
        height, width = pixels.shape[:2]
        depth = 1 if pixels.ndim == 2 else pixels.shape[2]
        lib.TessBaseAPISetPageSegMode(api, psm)
        lib.TessBaseAPISetVariable(api, b"user_defined_dpi", str(dpi).encode())
        lib.TessBaseAPISetVariable(api, b"tessedit_char_whitelist", (chars or "").encode())
        lib.TessBaseAPISetImage(api, pixels.ctypes.data, width, height, depth, pixels.strides[0])
        monitor = lib.TessMonitorCreate()
        started = time.monotonic()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, int(timeout * 1000))
            self._cap_threads(threads)
            failed = lib.TessBaseAPIRecognize(api, monitor)
            if time.monotonic() - started >= timeout:
                raise OcrTimeout(f"OCR of a page took longer than {timeout:.0f} s and was stopped; "
                                 "the page is not dropped: the document can be retried or read by a person.")
            if failed:
                raise OcrFailed("The OCR engine failed on a page (its recognition returned an error).")
            text = lib.TessBaseAPIGetTsvText(api, FIRST_PAGE)
            if not text:
                raise OcrFailed("The OCR engine gave no output for a page.")
            try:
                return TSV_HEADER + ctypes.string_at(text).decode("utf-8", errors="replace")
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(api)

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
    path = ctypes.util.find_library(LIBRARY)
    if path is None:
        logger.info("libtesseract not found; OCR runs the tesseract binary")
        return None
    try:
        lib = ctypes.CDLL(path)
        _bind(lib)
    except (OSError, AttributeError) as e:  # not loadable, or an API without the calls used here
        logger.warning("libtesseract (%s) not usable (%s); OCR runs the tesseract binary", path, e)
        return None
    openmp_path = ctypes.util.find_library(OPENMP)
    openmp = ctypes.CDLL(openmp_path) if openmp_path else None
    if openmp is not None:
        openmp.omp_set_max_active_levels.argtypes, openmp.omp_set_max_active_levels.restype = [ctypes.c_int], None
    return Library(lib, openmp, lang)
