"""Identifying an ACORD 25 from what OCR makes of its title and footer: a title in large type comes
back as two lines out of order, and the footer's edition with the sentence's full stop joined."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.acord25 import identify
from pipeline.textlayer import Page
from samples.certificates import demo_certificate
from readings import drawn_scan


@pytest.fixture(scope="module")
def scanned() -> Page:
    """The demo certificate's words as OCR gives them (with confidences)."""
    return drawn_scan(demo_certificate())


def garbled(page: Page, edit) -> Page:
    return replace(page, words=tuple(filter(None, (edit(w) for w in page.words))))


def test_a_scanned_title_in_two_lines_out_of_order_still_names_the_form(scanned):
    def title_split(w):
        if w.text in ("LIABILITY", "INSURANCE") and w.y1 < 0.1 * scanned.height:
            return replace(w, y0=w.y0 - 12, y1=w.y1 - 12)  # read as a line above CERTIFICATE OF
        if w.text == "ACORD" or w.text.startswith("(20"):
            return None  # footer lost
        return w

    page = garbled(scanned, title_split)
    assert identify([page]) is not None
    text_layer = replace(page, words=tuple(replace(w, confidence=None) for w in page.words))
    assert identify([text_layer]) is None  # a text layer's title is where it is printed: no allowance


def test_a_footer_edition_with_a_full_stop_joined_is_read(scanned):
    def stop_joined(w):
        if w.text.startswith("(20") and w.text.endswith(")"):
            return replace(w, text=w.text + ".")
        if w.text in ("CERTIFICATE", "LIABILITY") and w.y1 < 0.1 * scanned.height:
            return None  # title lost
        return w

    info = identify([garbled(scanned, stop_joined)])
    assert info is not None and info.edition == "2016/03"
