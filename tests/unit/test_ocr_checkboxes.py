"""Check boxes and the signature measured in pixels, and how they reach Page.marks."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.ocr.checkboxes import FILLED, find_boxes, signature_ink
from pipeline.ocr.deskew import binarise, binarise_local
from pipeline.ocr.engine import OcrWord
from pipeline.ocr.pages import _place

DPI = 200
PX = DPI / 72


def _page_with_boxes() -> np.ndarray:
    image = np.full((400, 600), 255, np.uint8)
    for i, (x, checked) in enumerate(((50, True), (150, False), (250, True))):
        s = int(10 * PX)
        cv2.rectangle(image, (x, 100), (x + s, 100 + s), 0, 2)
        if checked:
            cv2.line(image, (x + 5, 105), (x + s - 5, 100 + s - 5), 0, 3)
            cv2.line(image, (x + 5, 100 + s - 5), (x + s - 5, 105), 0, 3)
    cv2.rectangle(image, (20, 20), (580, 380), 0, 2)  # a table rule around them is no box
    cv2.putText(image, "O O", (350, 140), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)  # letters are no boxes
    return image


def test_given_boxes_with_and_without_an_x_when_measured_then_the_checked_ones_are_told_apart():
    boxes, sides = find_boxes(binarise(_page_with_boxes()), DPI)
    found = sorted((b.x0, b.checked) for b in boxes)
    assert [checked for _, checked in found] == [True, False, True]
    assert all(b.confidence > 0.9 for b in boxes)
    assert sides.any()


def test_given_a_checked_box_whose_side_the_scan_broke_then_it_is_still_found_checked():
    image = np.full((300, 300), 255, np.uint8)
    x, s = 100, int(11 * PX)
    cv2.rectangle(image, (x, 100), (x + s, 100 + s), 0, 2)
    image[100 + s - 2: 100 + s + 2, x + 10: x + 13] = 255  # a 3 px gap in the bottom side, near its corner
    cv2.line(image, (x + 8, 108), (x + s - 8, 100 + s - 8), 0, 3)
    cv2.line(image, (x + 8, 100 + s - 8), (x + s - 8, 108), 0, 3)
    boxes, _ = find_boxes(binarise(image), DPI)
    assert [(b.x0 // 10, b.checked) for b in boxes] == [(x // 10, True)]


def test_given_checked_boxes_when_placed_then_they_become_cross_marks_in_points():
    boxes, _ = find_boxes(binarise(_page_with_boxes()), DPI)
    words, marks = _place([], boxes, 72 / DPI)
    assert [m.kind for m in sorted(marks, key=lambda m: m.x0)] == ["cross", "box", "cross"]
    assert all(abs((m.x1 - m.x0) - 10) < 1.5 for m in marks)  # 10 pt boxes


def test_given_an_empty_box_when_placed_then_it_is_kept_as_a_box_mark_with_its_confidence():
    """The extractor is sure of an unchecked box only when it saw the box empty."""
    boxes, _ = find_boxes(binarise(_page_with_boxes()), DPI)
    _, marks = _place([], boxes, 72 / DPI)
    [empty] = [m for m in marks if m.kind == "box"]
    assert empty.confidence is not None and empty.confidence > 0.9


def test_given_a_letter_in_a_yn_box_when_placed_then_it_stays_a_word_and_no_cross():
    boxes, _ = find_boxes(binarise(_page_with_boxes()), DPI)
    first = min(boxes, key=lambda b: b.x0)
    letter = OcrWord("N", first.x0 + 6, first.y0 + 6, 12, 14, 88.0, (1, 1, 1))
    words, marks = _place([letter], boxes, 72 / DPI)
    assert [w.text for w in words] == ["N"]
    assert len([m for m in marks if m.kind == "cross"]) == 1


def test_given_a_scribble_in_the_signature_zone_when_measured_then_ink_is_found_and_blank_is_not():
    image = np.full((300, 800), 255, np.uint8)
    cv2.line(image, (0, 50), (800, 50), 0, 2)  # the box's rule is not a signature
    ink = binarise(image)
    rules = np.zeros_like(ink)
    rules[48:53, :] = 255
    assert signature_ink(ink, rules, (0, 0, 800, 300), DPI, []) is None
    points = np.array([[100, 200], [130, 120], [160, 210], [190, 130], [230, 190]], np.int32)
    cv2.polylines(image, [points], False, 0, 3)
    found = signature_ink(binarise(image), rules, (0, 0, 800, 300), DPI, [])
    assert found is not None and found[0] <= 100 and found[2] >= 230


def _photo_with_faint_boxes() -> np.ndarray:
    """Three boxes drawn in a thin, light hairline (two with a dark X) beside bold print, blurred and grainy
    as a phone photo squared up comes out."""
    image = np.full((400, 600), 245, np.uint8)
    s = int(10 * PX)
    for x, checked in ((50, True), (150, False), (250, True)):
        cv2.rectangle(image, (x, 100), (x + s, 100 + s), 185, 2)
        if checked:
            cv2.line(image, (x + 6, 106), (x + s - 6, 100 + s - 6), 20, 2)
            cv2.line(image, (x + 6, 100 + s - 6), (x + s - 6, 106), 20, 2)
    cv2.putText(image, "EXCESS LIAB", (330, 140), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 4)
    image = cv2.GaussianBlur(image, (0, 0), 0.9)
    grain = np.random.default_rng(7).normal(0, 4, image.shape)
    return np.clip(image + grain, 0, 255).astype(np.uint8)


def test_given_faint_hairline_boxes_on_a_photo_then_their_sides_are_found_against_the_paper_around_them():
    image = _photo_with_faint_boxes()
    found_by_one_level, _ = find_boxes(binarise(image), DPI)
    assert len(found_by_one_level) < 3  # one page-wide ink level loses the hairline sides
    boxes, _ = find_boxes(binarise(image), DPI, outline=binarise_local(image, DPI))
    assert [b.checked for b in sorted(boxes, key=lambda b: b.x0)] == [True, False, True]


def _box_with_hairline_x(dpi: int = 300) -> tuple[np.ndarray, int]:
    """A 16 pt box (the 2001/08 form's) at ``dpi``, a 4 pt X of thin strokes in its middle: little ink, a mark."""
    px = dpi / 72
    image = np.full((400, 400), 255, np.uint8)
    x, s = 150, int(16 * px)
    cv2.rectangle(image, (x, 150), (x + s, 150 + s), 0, 2)
    c, r = 150 + s // 2, int(2 * px)
    cv2.line(image, (c - r, c - r), (c + r, c + r), 0, 2)
    cv2.line(image, (c - r, c + r), (c + r, c - r), 0, 2)
    return image, dpi


def test_given_a_box_with_a_hairline_x_when_measured_then_it_is_checked_though_it_fills_little():
    image, dpi = _box_with_hairline_x()
    [box], _ = find_boxes(binarise(image), dpi)
    assert box.fill < FILLED  # the ink share alone would call it empty
    assert box.checked and box.confidence > 0.6


def test_given_an_empty_box_with_a_speck_when_measured_then_it_stays_empty():
    image, dpi = _box_with_hairline_x()
    image[160:390, 160:390] = 255  # the X taken away (the box's right and bottom sides drawn again)
    s = int(16 * dpi / 72)
    cv2.rectangle(image, (150, 150), (150 + s, 150 + s), 0, 2)
    cv2.circle(image, (150 + s // 2, 150 + s // 2), 1, 0, -1)  # a speck of 3 px
    [box], _ = find_boxes(binarise(image), dpi)
    assert not box.checked and box.confidence > 0.6
