"""Printed rules told apart from print run together by binarisation (synthetic ink, no tesseract)."""

from __future__ import annotations

import numpy as np

from pipeline.ocr.rules import printed_rule_masks, printed_rules, remove_rules, rule_segments

DPI = 300


def _page() -> np.ndarray:
    ink = np.zeros((400, 1200), dtype=np.uint8)
    ink[50:53, 50:1150] = 255  # a thin rule across the page
    ink[200:230, 100:500] = 255  # a bold word binarised into a solid bar (30 px = 7 pt thick)
    ink[300:303, 100:500] = 255  # a thin run along the top of letters ...
    for x in range(100, 500, 12):
        ink[303:330, x:x + 6] = 255  # ... whose stems hang from it
    return ink


def test_given_a_thin_rule_with_paper_beside_it_then_it_is_a_rule():
    rules = printed_rules(_page(), DPI)
    assert rules[51, 60:1140].all()


def test_given_print_run_together_into_a_bar_or_a_stroke_with_letters_under_it_then_it_is_not_a_rule():
    rules = printed_rules(_page(), DPI)
    assert not rules[195:335, 100:500].any()


def test_given_a_page_when_rules_are_removed_then_only_the_rule_is_painted_as_paper():
    ink = _page()
    image = np.where(ink > 0, 0, 255).astype(np.uint8)
    clean = remove_rules(image, ink, DPI)
    assert (clean[50:53, 60:1140] == 255).all()
    assert (clean[205:225, 110:490] == 0).all() and (clean[300:303, 110:490] == 0).all()


def test_given_long_rules_and_a_check_box_then_only_the_rules_are_segments():
    ink = np.zeros((1200, 800), dtype=np.uint8)
    ink[100:1100, 400:403] = 255  # a column rule, 240 pt long
    ink[600:603, 100:700] = 255  # a row rule, 144 pt long
    ink[300:345, 100:103] = 255  # a check box's sides, 11 pt
    ink[300:345, 145:148] = 255
    ink[300:303, 100:148] = 255
    level, upright = printed_rule_masks(ink, DPI)
    segments = sorted(rule_segments(level, upright, DPI), key=lambda s: s[3] - s[1])
    assert len(segments) == 2
    (rx0, ry0, rx1, ry1), (cx0, cy0, cx1, cy1) = segments
    assert rx0 <= 110 and rx1 >= 690 and ry0 <= 600 < 603 <= ry1
    assert cx0 <= 400 < 403 <= cx1 and cy0 <= 110 and cy1 >= 1090


def test_given_a_faint_hairline_rule_scanned_dashed_then_the_fine_reading_bridged_finds_it_whole():
    from pipeline.ocr.deskew import binarise, binarise_fine
    from pipeline.ocr.rules import DASHED_GAP_PT

    image = np.full((1200, 800), 250, dtype=np.uint8)
    image[300:303, 100:700] = 40  # a printed word's worth of dark ink, so that Otsu has print to find
    for y in range(100, 1100, 24):
        image[y:y + 20, 400] = 120  # a one-pixel hairline, scanned faint and broken every 20 px
    segments = lambda level, upright: [s for s in rule_segments(level, upright, DPI) if s[3] - s[1] > s[2] - s[0]]
    assert segments(*printed_rule_masks(binarise(image), DPI)) == []  # the blurred reading loses it
    found = segments(*printed_rule_masks(binarise_fine(image), DPI, bridge_pt=DASHED_GAP_PT))
    assert len(found) == 1 and found[0][1] <= 110 and found[0][3] >= 1090


def test_given_long_rules_then_only_the_upright_ones_are_in_the_mask_painted_out():
    from pipeline.ocr.rules import long_rules

    ink = np.zeros((1200, 800), dtype=np.uint8)
    ink[100:1100, 400:403] = 255  # a column rule
    ink[600:603, 100:700] = 255  # a row rule: bridged on fine ink it may run into print, so it is not painted
    level, upright = printed_rule_masks(ink, DPI)
    mask, segments = long_rules(level, upright, DPI)
    assert len(segments) == 2
    assert mask[500, 400] and mask[900, 401] and not mask[601, 200:380].any()
