"""Phone photos: the sheet found and squared up, uneven lighting evened out (synthetic pictures, no tesseract)."""

from __future__ import annotations

import random

import cv2
import numpy as np

from pipeline.ocr.photo import even_lighting, find_page, square_up
from samples.scans import photograph

DPI = 200


def _sheet() -> np.ndarray:
    """A white sheet (1700 x 2200 px: letter at 200 dpi) with a ruled box and lines of print."""
    sheet = np.full((2200, 1700), 250, np.uint8)
    cv2.rectangle(sheet, (100, 100), (1600, 2100), 0, 4)
    for y in range(200, 2000, 60):
        cv2.putText(sheet, "CERTIFICATE OF LIABILITY", (150, y), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    return sheet


def _on_table(sheet: np.ndarray, corners) -> np.ndarray:
    h, w = sheet.shape
    table = np.full((h + 600, w + 600), 90, np.uint8)
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), np.float32(corners))
    return cv2.warpPerspective(sheet, matrix, table.shape[::-1], dst=table, borderMode=cv2.BORDER_TRANSPARENT)


def test_given_a_sheet_photographed_at_an_angle_then_its_corners_are_found_and_it_is_squared_up():
    corners = [(380, 260), (2020, 330), (2060, 2560), (300, 2480)]
    picture = _on_table(_sheet(), corners)
    found = find_page(picture)
    assert found is not None
    assert np.abs(found - np.float32(corners)).max() < 15  # pixels, in a 2300 x 2800 picture
    squared = square_up(picture, found)
    assert abs(squared.shape[0] / squared.shape[1] - 2200 / 1700) < 0.03
    # the sheet's ruled box runs straight: its left side stays in one column from top to bottom
    dark_columns = [int(np.argmax(squared[y, :200] < 128)) for y in range(300, squared.shape[0] - 300, 200)]
    assert max(dark_columns) - min(dark_columns) <= 6


def _box_corners(squared: np.ndarray) -> np.ndarray:
    """The sheet's ruled box found in a squared-up picture, as shares of its width and height."""
    dark = (squared < 128).astype(np.uint8)
    rows, cols = np.where(cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, 400), np.uint8)) > 0)
    h, w = squared.shape
    return np.array([cols.min() / w, rows.min() / h, cols.max() / w, rows.max() / h])


def test_given_a_sheet_seen_foreshortened_then_it_is_squared_up_to_its_own_proportions():
    """Seen from its bottom edge, the sheet's far (top) side looks shorter, and its sides shorter than
    they are: drawn to the sides seen, the page came out squatter than the letter page it is."""
    corners = [(560, 420), (1840, 420), (2120, 2560), (280, 2560)]  # the top edge far away
    picture = _on_table(_sheet(), corners)
    found = find_page(picture)
    assert found is not None
    squared = square_up(picture, found)
    assert abs(squared.shape[0] / squared.shape[1] - 2200 / 1700) < 0.01
    # the ruled box (100..1600 across, 100..2100 down, on the 1700 x 2200 sheet) sits where it sits on paper
    want = np.array([100 / 1700, 100 / 2200, 1600 / 1700, 2100 / 2200])
    assert np.abs(_box_corners(squared) - want).max() < 0.01


def test_given_a_scan_whose_page_fills_the_picture_then_no_sheet_is_looked_for():
    assert find_page(_sheet()) is None


def test_given_a_sheet_in_shadow_then_its_paper_is_evened_out_and_its_print_stays_dark():
    sheet = _sheet().astype(np.float32)
    light = np.linspace(1.0, 0.5, sheet.shape[1], dtype=np.float32)[None, :]  # darker to the right
    shaded = (sheet * light).astype(np.uint8)
    even = even_lighting(shaded, DPI)
    # paper is where the sheet holds no print within a few pixels (anti-aliased edges are not paper)
    paper = cv2.erode((sheet == 250).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert paper.mean() > 0.5
    assert np.ptp(shaded[paper]) > 100  # 250 .. 125 across the sheet before
    assert np.ptp(even[paper]) < 30
    assert even[2100, 1600] < 100  # the box's corner, in the deepest shadow, is still print


def test_given_evenly_lit_paper_then_the_page_is_left_as_it_is():
    sheet = _sheet()
    assert even_lighting(sheet, DPI) is sheet


def test_given_the_generators_photo_then_the_sheet_is_found_in_it():
    picture = photograph(_sheet().astype(np.float32), random.Random(4)).clip(0, 255).astype(np.uint8)
    found = find_page(picture)
    assert found is not None
    squared = square_up(picture, found)
    assert abs(squared.shape[0] / squared.shape[1] - 2200 / 1700) < 0.05
