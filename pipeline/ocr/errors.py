"""Errors of the OCR stages; part of the pipeline's one hierarchy (``pipeline.errors``)."""

from __future__ import annotations

from pipeline.errors import PipelineError


class OcrTimeout(PipelineError):
    """Tesseract did not finish a page within its time limit: reported as the page's failure
    (not retried: the same page takes as long again; `coi retry` sends it through once more)."""

    code = "ocr_timeout"


class OcrFailed(PipelineError):
    """The OCR engine is missing, crashed, or gave output that cannot be read."""

    code = "ocr_failed"
