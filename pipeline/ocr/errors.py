"""Errors of the OCR stages; part of the pipeline's one hierarchy (``pipeline.errors``)."""

from __future__ import annotations

from pipeline.errors import PipelineError


class OcrTimeout(PipelineError):
    """Tesseract did not finish a page within its time limit (a loaded machine can do better later)."""

    code = "ocr_timeout"
    transient = True


class OcrFailed(PipelineError):
    """The OCR engine is missing, crashed, or gave output that cannot be read."""

    code = "ocr_failed"
