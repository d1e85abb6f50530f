"""The extract step reads an OCR page by the registration the OCR stage stored with it (issue 16).

Pure: pages are the blank 2016/03 template's own print, as OCR gives it (every word with a confidence)."""

import sys
from dataclasses import replace

import numpy as np
import pytest

from pipeline.acord25.extract import extract_certificate
from pipeline.acord25.identify import registered, stored
from pipeline.acord25.template import load, register
from pipeline.registration import PageRegistration
from pipeline.stages import Reading
from pipeline.textlayer import Page, Word

PLACED = PageRegistration(turn=0, turned_by="rules", skew=0.0, size=(612.0, 792.0))


def _ocr_page(dx=1.0, dy=-0.5, extra=()):
    """The blank 2016/03 as OCR would give it, shifted by (dx, dy)."""
    words = [Word(t, x0 + dx, y0 + dy, x1 + dx, y1 + dy, confidence=0.9) for t, x0, y0, x1, y1 in load().printed]
    return Page(number=1, width=612.0, height=792.0, words=(*words, *extra))


def _date_word(dy=0.0):
    box = next(f for f in load().fields if f.key == "date").box
    cy = (box[1] + box[3]) / 2 + dy
    return Word("03/15/2024", box[0] + 3, cy - 4, box[0] + 51, cy + 4, confidence=0.97)


def _stored_page(page, move=None):
    """``page`` with the registration the OCR stage would store for it; ``move``: (block, dy) added to that
    block's stored fit (a fit the page's words alone would not give)."""
    kept = stored(PLACED, register(page, load()))
    if move is not None:
        block, dy = move
        fit = kept.blocks[block]
        sx, tx, sy, ty = fit.transform
        kept = replace(kept, blocks={**kept.blocks, block: replace(fit, transform=(sx, tx, sy, ty + dy))})
    return replace(page, registration=kept)


@pytest.fixture
def no_fitting(monkeypatch):
    """Registering a page from its words fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the page was registered again")
    identify = sys.modules["pipeline.acord25.identify"]  # the package's name ``identify`` is its function
    monkeypatch.setattr(identify, "register", refuse)
    monkeypatch.setattr(identify, "Matched", refuse)


def test_given_an_ocr_page_with_stored_fits_when_registered_then_each_block_takes_its_stored_fit(no_fitting):
    page = _stored_page(_ocr_page(), move=("coverages", 4.0))
    got = registered(page)
    assert got.template.edition == "2016/03"
    for name, fit in page.registration.blocks.items():
        assert (got.fit(name).transform.sx, got.fit(name).transform.tx, got.fit(name).transform.sy,
                got.fit(name).transform.ty) == fit.transform
        assert (got.fit(name).residual, got.fit(name).anchors, got.fit(name).own) == (fit.residual, fit.anchors, fit.own)


def test_given_a_stored_page_when_extracted_then_the_value_is_read_where_the_stored_fit_places_its_box(no_fitting):
    """The header's stored fit is 20 pt lower than its print: the date written 20 pt below its box is read."""
    page = _stored_page(_ocr_page(dx=0.0, dy=0.0), move=("header", 20.0))
    page = replace(page, words=(*page.words, _date_word(dy=20.0)))
    cert = extract_certificate([page], None, "ocr")
    assert cert["date"] == "2024-03-15"


def test_given_stored_fits_when_registered_then_the_print_is_found_on_the_words_as_they_are_now(no_fitting):
    """A word added since the fit (a box read a second time) is sorted into print or value by the stored fits."""
    value = _date_word()
    fresh = _ocr_page(extra=(value,))
    page = replace(_stored_page(_ocr_page()), words=fresh.words)
    got = registered(page)
    assert len(page.words) - 1 not in got.printed_words
    assert got.printed_words == register(fresh, load()).printed_words


def test_given_a_reading_stored_before_the_fits_were_kept_when_registered_then_the_page_is_fitted_again():
    page = _stored_page(_ocr_page(), move=("coverages", 4.0))
    old = replace(page, registration=replace(page.registration, blocks=None, template=None))
    got = registered(old)
    assert abs(got.fit("coverages").transform.ty - page.registration.blocks["coverages"].transform[3]) > 3.0


def test_given_fits_stored_to_a_template_changed_since_when_registered_then_the_page_is_fitted_again():
    page = _stored_page(_ocr_page(), move=("coverages", 4.0))
    stale = replace(page, registration=replace(page.registration, template="0" * 16))
    got = registered(stale)
    assert abs(got.fit("coverages").transform.ty - page.registration.blocks["coverages"].transform[3]) > 3.0


def test_given_a_reading_with_stored_fits_when_saved_and_loaded_then_the_fits_are_the_same_to_the_last_digit():
    page = _stored_page(_ocr_page(dx=1.0 / 3, dy=2.0 / 7))
    [again] = Reading.from_dict(Reading("ocr", (page,)).to_dict()).pages
    assert again.registration == page.registration
    assert again.registration.blocks == page.registration.blocks and again.registration.blocks


class _Blind:
    """An OCR engine that reads nothing (the second readings find nothing new)."""

    def words(self, image, *, dpi, psm=3, chars=None):
        return []

    def orientation(self, image, *, dpi):
        raise AssertionError("not asked")


def test_given_an_ocr_page_on_the_form_when_its_cells_are_read_again_then_every_blocks_fit_is_stored_with_it():
    from pipeline.ocr.pages import _second_reading

    page = _ocr_page()
    clean = np.full((3300, 2550), 255, dtype=np.uint8)
    out = _second_reading(page, clean, _Blind(), 300.0, PLACED, np.zeros_like(clean))  # a blank page's ink
    fresh = register(page, load())
    assert out.registration.edition == "2016/03"
    assert set(out.registration.blocks) == set(fresh.blocks)
    assert out.registration.blocks["coverages"].transform == (
        fresh.fit("coverages").transform.sx, fresh.fit("coverages").transform.tx,
        fresh.fit("coverages").transform.sy, fresh.fit("coverages").transform.ty)
