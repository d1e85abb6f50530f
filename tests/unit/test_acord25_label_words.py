"""A text layer's page matched to each template's labels by its words' text numbers (``PageWords.label_words``)
gives the pairs the matching by ``PageWords.labels`` gives (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.acord25.template import Matched, PageWords, _LabelPairs, editions, load
from pipeline.textlayer import Page, Word


def _page(edition: str, seed: int, confidence: float | None = None) -> Page:
    """The template's print as words, shuffled, some repeated, some unknown, some at other places."""
    rng = np.random.default_rng(seed)
    words = []
    for text, x0, y0, x1, y1 in load(edition).printed:
        dx, dy = rng.normal(0, 2, 2)
        words.append(Word(text, x0 + dx, y0 + dy, x1 + dx, y1 + dy, confidence=confidence))
        if rng.random() < 0.1:  # the same text again elsewhere
            words.append(Word(text, x0 + 40, y0 + 90, x1 + 40, y1 + 90, confidence=confidence))
        if rng.random() < 0.1:
            words.append(Word("XYZZY%d" % rng.integers(5), x0, y0 + 5, x1, y1 + 5, confidence=confidence))
    order = rng.permutation(len(words))
    return Page(1, 612, 792, tuple(words[k] for k in order))


@pytest.mark.parametrize("edition", ["2016/03", "2010/05"])
def test_given_a_text_layer_page_then_each_templates_pairs_by_text_numbers_equal_those_by_label_texts(edition):
    page = _page(edition, 4)
    words = PageWords(page)
    assert not words.ocr
    for other in editions():
        template = load(other)
        by_arrays = _LabelPairs(template, words, None)
        by_texts = _LabelPairs(template, words, words.labels(template))
        for name in ("ids", "words", "src", "dst", "starts"):
            assert np.array_equal(getattr(by_arrays, name), getattr(by_texts, name)), name
        assert getattr(by_arrays, "words").dtype.kind == "i"
        matched = Matched(page, template, words)
        assert matched.by_text == words.labels(template)
        assert matched.most == len(np.unique(matched.searched[0]))


def test_given_no_words_or_no_label_then_there_are_no_pairs():
    for page in (Page(1, 612, 792, ()), Page(1, 612, 792, (Word("NOTHING", 1, 1, 9, 9),))):
        words = PageWords(page)
        template = load("2016/03")
        by_arrays = _LabelPairs(template, words, None)
        assert len(by_arrays.ids) == 0 and len(by_arrays.words) == 0
        assert np.array_equal(by_arrays.starts, _LabelPairs(template, words, words.labels(template)).starts)
        assert Matched(page, template, words).most == 0


def test_given_an_ocr_page_then_its_labels_are_matched_by_the_vocabulary_as_before():
    page = _page("2016/03", 5, confidence=0.9)
    words = PageWords(page)
    assert words.ocr
    template = load("2016/03")
    matched = Matched(page, template, words)
    assert matched.by_text == words.labels(template)
    assert np.array_equal(matched.pairs.words, _LabelPairs(template, words, words.labels(template)).words)


def _register_plainly(page, template, matched):
    """:func:`register`'s block fits as they were: a block with too few labels refitted on its own, one by one."""
    from pipeline.acord25.template import (INLIER_PT, MIN_ANCHORS, BlockFit, _around, _ransac, _ransac_many)

    glob = matched.shift
    glob = BlockFit(glob.transform, glob.residual, glob.anchors, False)
    radius, scale = 4 * INLIER_PT + glob.residual, (glob.transform.sx, glob.transform.sy)
    names = list(template.blocks)
    fitted = _ransac_many([(*matched.pairs.near(template.blocks[name]["anchors"], glob.transform, radius), scale, None,
                            glob.transform) for name in names])
    fits = {}
    for name, fit in zip(names, fitted):
        if fit is None or fit.anchors < MIN_ANCHORS:
            fit = _ransac(*matched.pairs.near(_around(template.edition, name), glob.transform, radius), scale, None,
                          glob.transform)
        fits[name] = fit if fit is not None and fit.anchors >= MIN_ANCHORS else glob
    return fits


@pytest.mark.parametrize("keep", [1.0, 0.5, 0.3, 0.2])
def test_given_blocks_with_too_few_labels_then_their_borrowed_fits_are_those_fitted_one_by_one(keep):
    from pipeline.acord25.template import register

    rng = np.random.default_rng(9)
    full = _page("2016/03", 6)
    page = Page(1, 612, 792, tuple(w for w in full.words if rng.random() < keep))  # blocks left with few labels
    template = load("2016/03")
    matched = Matched(page, template)
    registration = register(page, template, matched)
    assert registration is not None
    assert registration.blocks == _register_plainly(page, template, matched)
