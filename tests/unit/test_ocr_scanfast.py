"""The scanned page's cheaper steps (branch scanfast) give what the plain ones give (no tesseract).

Each test holds one step to the plain computation it replaced: the words in a zone to layoutparser's own
filter, and the rules' thin runs, whose thickness is not counted, to the runs chosen with every thickness
counted.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.ocr import rules
from pipeline.ocr.blocks import layout_of, rectangle, words_in
from pipeline.ocr.rules import RULE_MAX_THICK_PT, RULE_MAX_TOUCHING, components, straight_runs
from pipeline.textlayer import Word
from tests.unit.test_ocr_same_masks import DPI, _ink


def _words(seed: int) -> list[Word]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(300):
        x0, y0 = float(rng.uniform(-5, 600)), float(rng.uniform(-5, 780))
        w, h = float(rng.choice([0.0, rng.uniform(1, 80)])), float(rng.uniform(0, 12))
        if i % 7 == 0:  # on a zone's edge exactly: halves of whole points
            x0, y0 = float(round(x0)), float(round(y0))
        out.append(Word(f"w{i}", round(x0, 2), round(y0, 2), round(x0 + w, 2), round(y0 + h, 2), confidence=0.9))
    return out


class _Zone:
    def __init__(self, x0, y0, x1, y1):
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1


@pytest.mark.parametrize("seed", range(5))
def test_given_words_then_those_in_a_zone_are_layoutparsers_filter_of_the_page_layout(seed):
    words = _words(seed)
    rng = np.random.default_rng(100 + seed)
    for _ in range(40):
        x0, y0 = float(round(rng.uniform(-10, 500))), float(round(rng.uniform(-10, 700)))
        zone = _Zone(x0, y0, x0 + float(round(rng.uniform(0, 200))), y0 + float(round(rng.uniform(0, 120))))
        for margin in (0.0, 4.0):
            area = rectangle(zone).pad(left=margin, right=margin, top=margin, bottom=margin)
            want = [words[b.id] for b in layout_of(words).filter_by(area, center=True)]
            assert words_in(words, zone, margin=margin) == want


def _plain_standing(mask, ink, dpi, *, upright):
    """The rules' choice with every run's thickness counted (the loop as it was)."""
    count, labels, stats, _ = components(mask)
    px = dpi / 72.0
    gap = max(2, int(round(0.7 * px)))
    across = 1 if upright else 0
    out = mask.copy()
    kept = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        own = labels[y:y + h, x:x + w] == i
        thick = float(np.median(own.sum(axis=across))) > RULE_MAX_THICK_PT * px
        if not thick:
            if upright:
                before = ink[y:y + h, max(0, x - gap)] > 0
                after = ink[y:y + h, min(ink.shape[1] - 1, x + w - 1 + gap)] > 0
            else:
                before = ink[max(0, y - gap), x:x + w] > 0
                after = ink[min(ink.shape[0] - 1, y + h - 1 + gap), x:x + w] > 0
            if float(np.mean(before | after)) < RULE_MAX_TOUCHING:
                kept.append((i, (x, y, w, h)))
                continue
        out[y:y + h, x:x + w][own] = 0
    return out, tuple(kept)


@pytest.mark.parametrize("seed", range(6))
def test_given_runs_when_thin_ones_are_not_counted_then_the_rules_chosen_are_those_with_every_run_counted(seed):
    ink = _ink(seed)
    horizontal, vertical = straight_runs(ink, DPI)
    dropped = 0
    for mask, upright in ((horizontal, False), (vertical, True)):
        got = rules._standing(mask, ink, DPI, upright=upright)
        want_mask, want_kept = _plain_standing(mask, ink, DPI, upright=upright)
        assert np.array_equal(got.mask, want_mask) and got.kept == want_kept
        assert got.kept
        dropped += components(mask)[0] - 1 - len(got.kept)
    assert dropped  # some runs dropped too (the bars of print run together): both ways were tried


def _ruled_page_noted(monkeypatch) -> tuple[bytes, list[bool]]:
    """A ruled 2016/03 form drawn at its own scale (its template's rules register it, zoned OCR on), and a list
    noting, for each page's long rules, whether they were found on the page's own (the main) thread."""
    import threading

    from pipeline.ocr import pages, zoned
    from tests.unit.test_zoned import _ruled_png

    from pipeline.acord25.template import Transform, load, register_rules

    monkeypatch.setenv(zoned.SWITCH, "1")
    template = load("2016/03")
    monkeypatch.setattr(zoned, "register", lambda rules: [register_rules(list(template.rules), template, Transform())])
    threads = []
    long_rules = pages._long_rules

    def noted(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return long_rules(*args, **kwargs)

    monkeypatch.setattr(pages, "_long_rules", noted)
    return _ruled_png("2016/03"), threads


def test_given_a_ruled_form_when_its_rules_are_found_on_a_thread_beside_the_page_then_the_reading_is_the_inline_one(
        monkeypatch):
    """Read with its long rules on a side thread, and with them on the page's own thread (``side_thread=False``, as
    when no core is idle for it), a ruled form gives the same page and hands the engine the same images."""
    from pipeline.filetypes import PNG
    from pipeline.ocr import ocr_pages
    from tests.unit.test_zoned import StripEngine

    data, threads = _ruled_page_noted(monkeypatch)
    beside, inline = StripEngine(), StripEngine()
    [page] = ocr_pages(data, PNG, max_pages=1, engine=beside, side_thread=True)
    [plain] = ocr_pages(data, PNG, max_pages=1, engine=inline, side_thread=False)
    assert threads == [False, True]  # beside the page's thread, then on it
    assert page == plain
    assert len(beside.images) == len(inline.images) >= 2  # the zones read first: the rules registered the page
    assert all(np.array_equal(a, b) for a, b in zip(beside.images, inline.images))


def test_given_the_pages_read_at_once_and_the_cores_then_a_side_thread_only_where_a_core_is_idle():
    from pipeline.ocr.pages import side_thread_helps, usable_cores

    assert side_thread_helps(1, 2)  # one OCR process on two cores: the side thread takes the idle one
    assert not side_thread_helps(2, 2)  # `coi worker --processes 2` on two cores: every core reads a page
    assert not side_thread_helps(4, 2)
    assert not side_thread_helps(1, 1)
    assert side_thread_helps(3, 8)
    assert usable_cores() >= 1
