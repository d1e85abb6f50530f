"""The registration's array helpers give what their plain definitions give (pure)."""

from __future__ import annotations

import numpy as np

from pipeline.acord25.template import _agreeing_labels, _runs, _unique_rows


def test_given_shift_hypotheses_with_repeats_and_signed_zeros_when_made_unique_then_as_numpys_unique_rows():
    rng = np.random.default_rng(3)
    rows = np.round(rng.normal(0, 2, (400, 2)), 1)
    rows[:50] = rows[50:100]  # repeats
    rows[100:110] = -0.0
    assert np.array_equal(_unique_rows(rows), np.unique(rows, axis=0))
    assert np.array_equal(_unique_rows(rows[:1]), rows[:1]) and len(_unique_rows(rows[:0])) == 0


def test_given_scale_hypotheses_when_agreeing_anchors_are_counted_then_each_anchor_counts_once_per_hypothesis():
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 40, 150)
    src = rng.uniform(0, 600, (150, 2))
    dst = src * 1.02 + rng.normal(0, 3, (150, 2))
    scales = rng.uniform(0.98, 1.06, (300, 2))
    shifts = rng.normal(0, 4, (300, 2))
    expected = [len({i for i, s, d in zip(ids, src, dst) if (np.abs(s * sc + sh - d) <= 6.0).all()})
                for sc, sh in zip(scales, shifts)]
    assert _agreeing_labels(ids, src, dst, scales, shifts, 6.0, chunk=64).tolist() == expected


def _moved_print_plainly(words, template, registration):
    """:func:`_moved_print` as a loop over the words in their order (its definition, before it took arrays)."""
    from pipeline.acord25.template import (MOVED_X_PT, MOVED_Y_PT, NEXT_WORD_PT, SAME_LINE_PT, _follows,
                                           vocabulary)

    follows = _follows(template.edition)
    order = sorted(range(len(words)), key=lambda j: (round(words[j].cy), words[j].x0))
    chained = [False] * len(order)
    print_of = vocabulary(template.edition).print_of
    for k in range(len(order) - 1):
        a, b = words[order[k]], words[order[k + 1]]
        if not (abs(a.cy - b.cy) < SAME_LINE_PT and 0 <= b.x0 - a.x1 < NEXT_WORD_PT):
            continue
        for key in ((ta, tb) for ta in print_of(a) for tb in print_of(b) if (ta, tb) in follows):
            placed = [registration.glob.transform.point(*c) for c in follows[key]]
            if any(abs(a.cx - x) <= MOVED_X_PT and abs(a.cy - y) <= MOVED_Y_PT for x, y in placed):
                chained[k] = True
                break
    return _runs(order, chained)  # (the runs from the chained pairs: the same step on both sides)


def test_given_print_moved_and_misread_when_runs_of_print_are_found_then_as_the_plain_loop_finds_them():
    from pipeline.acord25.template import PageWords, Transform, _moved_print, load, register
    from pipeline.textlayer import Page, Word

    rng = np.random.default_rng(11)
    for edition in ("2016/03", "2010/05"):
        template = load(edition)
        for ocr in (False, True):
            words = []
            for text, x0, y0, x1, y1 in template.printed:
                dy = 14.0 if 400 < y0 < 480 else 0.0  # a band of the form's print a line lower (another edition's)
                dx = float(rng.choice([0.0, 0.0, 0.5, 320.0]))  # a few words far across: no run there
                dy += float(rng.choice([0.0, 0.0, 1.9, 2.1, -3.0]))  # some a little off their line, some off it
                if ocr and rng.random() < 0.2:
                    text = text[:-1] + "l" if len(text) > 4 else text  # a letter misread: still that label, or none
                words.append(Word(text, x0 + dx, y0 + dy, x1 + dx, y1 + dy, confidence=0.9 if ocr else None))
            words += [Word("ACME", 100.0, 135.0, 130.0, 143.0, confidence=0.9 if ocr else None)]
            page = Page(number=1, width=612, height=792, words=words, marks=[])
            registration = register(page, template)
            assert registration is not None
            expected = _moved_print_plainly(words, template, registration)
            assert len(expected) > 10  # runs were found: the comparison says something
            assert _moved_print(words, template, registration, set()) == expected
            moved = type(registration)(template, registration.blocks, registration.glob)
            moved.glob = type(registration.glob)(Transform(1.0, 0.0, 1.0, 200.0), 1.0, 10, False)  # the print placed lower
            assert _moved_print(words, template, moved, set()) == _moved_print_plainly(words, template, moved)
            # given the page's words as PageWords made them (their boxes and text numbers), the same runs
            page_words = PageWords(page)
            assert page_words.words == words
            assert _moved_print(words, template, registration, set(), page_words) == expected
            assert _moved_print(words, template, moved, set(), page_words) == _moved_print_plainly(words, template, moved)


def test_given_block_fits_and_moved_check_boxes_when_every_field_is_placed_at_once_then_as_one_by_one():
    from pipeline.acord25.template import BlockFit, Registration, Transform, load

    rng = np.random.default_rng(2)
    for edition in ("2016/03", "2001/08"):
        template = load(edition)
        names = list(template.blocks)
        blocks = {name: BlockFit(Transform(float(rng.choice([1.0, 0.93, -1.02])), float(rng.normal(0, 5)),
                                           float(rng.choice([1.0, 1.07])), float(rng.normal(0, 5))),
                                 float(rng.uniform(0, 6)), 9, True) for name in names[:-2]}  # two blocks borrow
        glob = BlockFit(Transform(1.01, 2.0, 0.99, -3.0), 1.5, 200, False)
        checks = [f for f in template.fields if f.kind == "check"]
        registration = Registration(template, blocks, glob, moved={checks[0]: 12.5, checks[3]: -0.5})
        placed, residual = registration.places()
        assert placed.tolist() == [list(registration.place(f)) for f in template.fields]
        assert residual.tolist() == [registration.fit(f.block).residual for f in template.fields]


def _stretched_one_by_one(label_src, label_dst, rules, s, t, page_scale):
    """:func:`_stretched` as a loop over its rule pairs, one hypothesis at a time (its plain definition)."""
    from pipeline.acord25.template import BLOCK_STRETCH, SPREAD_PT, _agreeing, _refined

    def score(s, t):
        on_labels, on_rules = _agreeing(label_src, label_dst, rules, s, t)
        return int(on_labels.sum()) + len(set(rules.ids[on_rules].tolist()))

    best, best_score = (s, t), score(s, t)
    for i, j in zip(*(v.tolist() for v in np.triu_indices(len(rules.ids), 1))):
        span = rules.src[j] - rules.src[i]
        hs = (rules.dst[j] - rules.dst[i]) / span if abs(span) >= SPREAD_PT else page_scale * (2 + BLOCK_STRETCH)
        if abs(hs / page_scale - 1) <= BLOCK_STRETCH:
            ht = rules.dst[i] - hs * rules.src[i]
            if (got := score(hs, ht)) > best_score:
                best, best_score = (hs, ht), got
    return (s, t) if best == (s, t) else _refined(label_src, label_dst, rules, best, page_scale)


def test_given_a_blocks_rules_and_labels_when_its_stretch_is_sought_then_as_pair_by_pair():
    from pipeline.acord25.template import RulePairs, _stretched

    rng = np.random.default_rng(11)
    moved = 0
    for _ in range(400):
        n_rules, n_labels = int(rng.integers(0, 12)), int(rng.integers(0, 10))
        scale, shift = 1 + rng.normal(0, 0.03), rng.normal(0, 5)
        ids = rng.integers(0, n_rules // 2 + 1, n_rules)  # a template rule may pair with two page rules
        src = np.round(rng.uniform(0, 600, n_rules), 1)
        dst = src * (scale + (rng.random(n_rules) < 0.5) * rng.normal(0, 0.02)) + shift + rng.normal(0, 0.5, n_rules)
        label_src = rng.uniform(0, 600, n_labels)
        label_dst = label_src * scale + shift + rng.normal(0, 1.5, n_labels)
        rules = RulePairs(ids, src, dst)
        expected = _stretched_one_by_one(label_src, label_dst, rules, 1.0, 0.0, 1.0)
        assert _stretched(label_src, label_dst, rules, 1.0, 0.0, 1.0) == expected
        moved += expected != (1.0, 0.0)
    assert moved > 100  # most cases are stretched: the comparison is not only of fits left alone
