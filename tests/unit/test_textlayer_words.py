"""The words of a page's characters joined in numpy where no choice is left (``textlayer._words``) equal the
character loop's (``textlayer._joined``), compared by ``repr`` (so a negative zero counts), on characters drawn at
random on a few lines: words side by side, runs without a gap that break on a line change, a step back or a wide
gap, characters too tall for their line, and boxes that are not finite, not single precision or negative zeros.
A run judged to break where it does not is only joined by the loop (the same words); one judged whole where it
breaks is a wrong word, and these fail (each of the loop's limits moved toward joining: they do)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import textlayer


def _fake_spaced(raw: int, last: int, i: int, gap: float, matrix) -> bool:
    """A stand-in for pdfium's judgement: the gap and the characters decide, as a text object's boundary would."""
    return (last * 7 + i) % 3 == 0 or gap > 4.0


@pytest.fixture(autouse=True)
def no_pdfium(monkeypatch):
    monkeypatch.setattr(textlayer, "_spaced", _fake_spaced)


def _characters(rng: np.random.Generator, n: int) -> tuple[list[int], list[str], tuple[np.ndarray, ...]]:
    """Characters in pdfium's order: runs on lines of a few heights, gaps in the indexes (spaces), steps to the next
    line, back over the run, past a wide gap; boxes in single precision as pdfium writes them."""
    kept, lefts, bottoms, sizes, x, line, i = [], [], [], [], 72.0, 700.0, 0
    size = 10.0
    for _ in range(n):
        i += 1 + (rng.random() < 0.2)  # a space skipped: a gap in the indexes
        roll, shift, rise = rng.random(), rng.uniform(0.0, 2.0), 0.0
        if roll < 0.03:  # the next line
            line, x, size = line - rng.choice([3.0, 12.0, 30.0]), 72.0 + rng.random() * 300, rng.choice([6.0, 10.0, 24.0])
        elif roll < 0.08:
            x -= shift * size  # back over the run, a little or far
        elif roll < 0.13:
            x += shift * size / 2  # a gap with no space: kerning or a new word
        elif roll < 0.18:
            rise = (shift - 1.0) * size  # off the run's middle, a little or far
        kept.append(i)
        lefts.append(x)
        bottoms.append(line + rise)
        sizes.append(size * (3.0 if rng.random() < 0.02 else 1.0))
        x += size * (0.4 + rng.random() * 0.3)
    lefts, bottoms, sizes = (np.array(v, dtype=np.float32).astype(float) for v in (lefts, bottoms, sizes))
    widths = (sizes * np.float32(0.5)).astype(np.float32).astype(float)
    rights, tops = (lefts + widths).astype(np.float32).astype(float), (bottoms + sizes).astype(np.float32).astype(float)
    heights, middles = tops - bottoms, (bottoms + tops) / 2
    advance_froms, advance_tos = lefts - 0.25, rights + 0.25
    texts = [chr(ord("a") + k % 26) for k in range(n)]
    return kept, texts, (lefts, rights, bottoms, tops, heights, middles, advance_froms, advance_tos)


def _both(kept, texts, lines):
    loop = textlayer._joined(0, kept, texts, *(a.tolist() for a in lines))
    return textlayer._words(0, kept, texts, lines), loop


@pytest.mark.parametrize("seed", range(40))
def test_given_characters_at_random_then_the_words_equal_the_loops(seed):
    rng = np.random.default_rng(seed)
    kept, texts, lines = _characters(rng, int(rng.integers(1, 400)))
    ours, loop = _both(kept, texts, lines)
    assert repr(ours) == repr(loop)


def test_given_runs_that_break_without_a_gap_then_they_are_among_the_characters():
    """The random pages do exercise the loop's choices inside a run (else the test above proves little)."""
    rng = np.random.default_rng(1)
    kept, texts, lines = _characters(rng, 2000)
    loop = textlayer._joined(0, kept, texts, *(a.tolist() for a in lines))
    gaps = sum(b != a + 1 for a, b in zip(kept, kept[1:]))
    assert len(loop) > gaps + 1 + 20


@pytest.mark.parametrize("spoil", ["nan", "inf", "double", "negative zero", "zero"])
def test_given_boxes_the_keys_cannot_order_then_the_words_equal_the_loops(spoil):
    rng = np.random.default_rng(7)
    kept, texts, lines = _characters(rng, 300)
    lefts, rights, bottoms, tops = (a.copy() for a in lines[:4])
    value = {"nan": np.nan, "inf": np.inf, "double": 100.1, "negative zero": -0.0, "zero": 0.0}[spoil]
    for a in (lefts, rights, bottoms, tops):
        a[rng.integers(0, 300, 5)] = value
    tops[150], bottoms[150] = -0.0, 0.0
    with np.errstate(invalid="ignore"):  # (infinities less infinities, as the loop gets them)
        spoilt = (lefts, rights, bottoms, tops, tops - bottoms, (bottoms + tops) / 2, *lines[6:])
    ours, loop = _both(kept, texts, spoilt)
    assert repr(ours) == repr(loop)


def test_given_one_character_then_it_is_one_word():
    kept, texts, lines = _characters(np.random.default_rng(3), 1)
    ours, loop = _both(kept, texts, lines)
    assert repr(ours) == repr(loop) and len(ours) == 1


def test_running_extremes_equal_the_plain_ones_within_each_run():
    rng = np.random.default_rng(11)
    n = 5000
    values = rng.normal(0, 1e3, (4, n))
    values[:, rng.integers(0, n, 50)] = rng.choice([1e-40, -1e-40, 3.4e38, -3.4e38, 0.0])  # subnormals, the ends
    values = values.astype(np.float32).astype(float)  # as pdfium writes them (:func:`textlayer._orderable`)
    starts = rng.random(n) < 0.2
    starts[0] = True
    runs = np.cumsum(starts) - 1
    columns = np.arange(n)
    got = textlayer._running(values, runs, columns)
    pick = (min, max, max, min)
    for row in range(4):
        want, current = [], None
        for k in range(n):
            current = values[row, k] if starts[k] else pick[row](current, values[row, k])
            want.append(current)
        assert got[row].tolist() == want
