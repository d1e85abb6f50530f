"""A check-box cell the template places on the registered page, measured in pixels whatever the box search or OCR
made of it (:func:`pipeline.ocr.checkboxes.cell_mark`), and how it reaches Page.marks (``pages._cell_marks``)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.acord25.layout import Box
from pipeline.ocr.checkboxes import MARK_PT, cell_mark
from pipeline.ocr.deskew import binarise
from pipeline.ocr.pages import _cell_marks

DPI = 300
PX = DPI / 72
CELL = (int(100 * PX), int(100 * PX), int(114 * PX), int(112 * PX))  # a 14 x 12 pt cell, as the template's


def _page() -> np.ndarray:
    return np.full((int(160 * PX), int(200 * PX)), 255, np.uint8)


def _box(image: np.ndarray, *, broken: bool = False) -> None:
    """The printed box inside the cell (9 pt), its sides broken by a scan when ``broken``."""
    x0, y0 = CELL[0] + int(2.5 * PX), CELL[1] + int(1.5 * PX)
    s = int(9 * PX)
    cv2.rectangle(image, (x0, y0), (x0 + s, y0 + s), 0, 3)
    if broken:
        for t in (0.3, 0.7):
            g = int(t * s)
            image[y0 - 3: y0 + 4, x0 + g: x0 + g + int(1.2 * PX)] = 255
            image[y0 + g: y0 + g + int(1.2 * PX), x0 - 3: x0 + 4] = 255


def _x(image: np.ndarray, size_pt: float = 6.0) -> None:
    """An X typed in the cell's middle: two strokes about 1 pt wide, steep as a font's."""
    cx, cy = (CELL[0] + CELL[2]) // 2, (CELL[1] + CELL[3]) // 2
    h, w = int(size_pt * PX / 2), int(size_pt * PX * 0.35)
    cv2.line(image, (cx - w, cy - h), (cx + w, cy + h), 0, 4)
    cv2.line(image, (cx - w, cy + h), (cx + w, cy - h), 0, 4)


def _measured(image: np.ndarray) -> float:
    return cell_mark(binarise(image), CELL, DPI)


def test_given_an_empty_box_then_its_sides_are_no_mark():
    image = _page()
    _box(image)
    assert _measured(image) < MARK_PT


def test_given_an_empty_box_whose_sides_a_scan_broke_then_the_pieces_are_no_mark():
    image = _page()
    _box(image, broken=True)
    assert _measured(image) < MARK_PT


def test_given_a_rule_through_an_empty_cell_then_it_is_no_mark():
    image = _page()
    _box(image)
    y = (CELL[1] + CELL[3]) // 2
    cv2.line(image, (0, y), (image.shape[1] - 1, y), 0, 3)
    cv2.line(image, ((CELL[0] + CELL[2]) // 2, 0), ((CELL[0] + CELL[2]) // 2, image.shape[0] - 1), 0, 3)
    assert _measured(image) < MARK_PT


def test_given_the_label_printed_beside_an_empty_box_then_it_is_no_mark():
    image = _page()
    _box(image)
    cv2.putText(image, "OCCUR", (CELL[2] - int(1.5 * PX), CELL[3] - int(2 * PX)), cv2.FONT_HERSHEY_SIMPLEX,
                0.22 * PX, 0, 3)  # letters about 6 pt high, starting just inside the cell's right edge
    assert _measured(image) < MARK_PT


def test_given_an_x_in_a_box_whose_sides_a_scan_broke_then_it_is_a_mark():
    image = _page()
    _box(image, broken=True)
    _x(image)
    assert _measured(image) >= MARK_PT


def test_given_an_x_with_no_printed_box_found_then_it_is_a_mark():
    image = _page()
    _x(image, size_pt=5.0)
    assert _measured(image) >= MARK_PT


def test_given_cells_in_points_then_a_marked_one_is_a_cross_and_an_empty_one_a_box():
    image = _page()
    _box(image, broken=True)
    _x(image)
    scale = 72 / DPI  # points per pixel
    marked = Box(*(v * scale for v in CELL))
    empty = Box(marked.x0, marked.y0 + 30, marked.x1, marked.y1 + 30)
    marks = _cell_marks([marked, empty], binarise(image), DPI, scale)
    assert [m.kind for m in marks] == ["cross", "box"]
    assert (marks[0].x0, marks[0].y1) == (marked.x0, marked.y1)
    assert all(0.5 <= m.confidence <= 1.0 for m in marks)
