"""The scaled search of :func:`register` is skipped only when no fit it could give would replace the shift
fit: ``_most_agreeing`` is an upper bound on the anchors any fit at the form's scales has agree (pure)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from pipeline.textlayer import Page, Word

template = importlib.import_module("pipeline.acord25.template")


def _page(edition: str, seed: int, scale: float = 1.0, moved: float = 0.0, shift: float = 0.0,
          below: float = 400.0) -> Page:
    """The template's print as words at ``scale``, a little noise; the words
    below ``below`` down by ``moved`` points (another edition's rows) and the page shifted by ``shift``."""
    rng = np.random.default_rng(seed)
    words = []
    for text, x0, y0, x1, y1 in template.load(edition).printed:
        dx, dy = rng.normal(0, 0.7, 2)
        down = moved if y0 > below else 0.0
        words.append(Word(text, x0 * scale + dx + shift, (y0 + down) * scale + dy + shift,
                          x1 * scale + dx + shift, (y1 + down) * scale + dy + shift))
    order = rng.permutation(len(words))
    return Page(1, 612, 792, tuple(words[k] for k in order))


def test_given_a_page_whose_lower_rows_sit_elsewhere_then_the_scaled_search_is_skipped_and_the_fit_is_the_same(monkeypatch):
    edition = "2010/05"
    tmpl = template.load(edition)
    # the rows below ~64 % of the print moved: the shift fit agrees with about as many labels as the scaled
    # search would need to replace it (as a 2014/01 page on the 2010/05 template)
    split = float(np.percentile([y0 for _, _, y0, _, _ in tmpl.printed], 64))
    page = _page(edition, 3, moved=9.0, below=split)
    glob = template.Matched(page, tmpl).shift
    needed = template.SCALE_GAIN * glob.anchors
    assert template.Matched(page, tmpl).readable >= needed  # the bound register had does not skip it
    assert template._most_agreeing(template.Matched(page, tmpl), needed) < needed
    searched = []
    real = template._scaled_prior
    monkeypatch.setattr(template, "_scaled_prior", lambda *a: searched.append(1) or real(*a))
    bounded = template.register(page, tmpl)
    assert searched == []
    monkeypatch.setattr(template, "_most_agreeing", lambda matched, needed: matched.readable)
    plain = template.register(page, tmpl)
    assert searched == [1]
    assert bounded.blocks == plain.blocks and bounded.glob == plain.glob
    assert bounded.printed_words == plain.printed_words and bounded.moved == plain.moved


@pytest.mark.parametrize("seed", range(12))
def test_given_any_fit_at_the_forms_scales_then_the_bound_is_no_less_than_its_anchors(seed):
    rng = np.random.default_rng(seed)
    edition = ["2016/03", "2010/05"][seed % 2]
    scale = float(rng.uniform(template.MIN_SCALE, template.MAX_SCALE))
    page = _page(edition, seed, scale=scale, moved=float(rng.choice([0.0, 5.0, 12.0])), shift=float(rng.uniform(-20, 20)))
    matched = template.Matched(page, template.load(edition))
    everything = matched.everything
    for s in (scale, template.MIN_SCALE, template.MAX_SCALE, float(rng.uniform(template.MIN_SCALE, template.MAX_SCALE))):
        for prior in (template.Transform(s, 0.0, s, 0.0), template.Transform(scale, 5.0, scale, -5.0)):
            fit = template._ransac(*matched.pairs.near(everything, prior, 4 * template.INLIER_PT), (prior.sx, prior.sy))
            if fit is None:
                continue
            assert template._most_agreeing(matched, fit.anchors) >= fit.anchors


def test_given_two_single_anchors_that_no_scale_brings_together_then_one_is_left_out():
    matched = template.Matched(_page("2016/03", 1), template.load("2016/03"))
    readable = matched.readable
    assert template._most_agreeing(matched, readable) == readable  # the print as drawn: every anchor may agree
    moved = _page("2016/03", 1, moved=10.0)
    matched = template.Matched(moved, template.load("2016/03"))
    assert template._most_agreeing(matched, matched.readable) < matched.readable


def test_given_pairs_placed_far_out_then_they_make_no_conflict():
    moved = _page("2016/03", 1, moved=10.0)
    matched = template.Matched(moved, template.load("2016/03"))
    far = template.CONFLICT_FAR_PT
    matched.pairs.dst = matched.pairs.dst + far  # (where the rounding of a fit's test is no longer far below the slack)
    assert template._most_agreeing(matched, matched.readable) == matched.readable
