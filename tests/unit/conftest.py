"""Fixtures of the extractor's unit tests: the demo certificate, and its page as OCR reads it."""

from __future__ import annotations

import pytest

from pipeline.textlayer import Page
from samples.certificates import demo_certificate
from readings import drawn_scan


@pytest.fixture(scope="module")
def truth() -> dict:
    """The demo certificate (a test module may define its own ``truth``)."""
    return demo_certificate()


@pytest.fixture(scope="module")
def page(truth) -> Page:
    """``truth`` drawn, its page read as if by OCR (every word carries a confidence)."""
    return drawn_scan(truth)
