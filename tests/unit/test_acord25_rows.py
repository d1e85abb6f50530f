"""Evenly spaced rows (limit rows, insurer rows) fitted to the few whose labels were read."""

from __future__ import annotations

import pytest

from pipeline.acord25.layout import even_rows


def test_rows_read_at_their_own_pitch_place_the_missing_ones_by_it():
    middle, pitch, fitted = even_rows([(0, 100.0), (2, 126.0), (3, 139.0)], 12.0, low=0.5, high=1.6, tolerance=0.2)
    assert fitted and pitch == pytest.approx(13.0) and middle(1) == pytest.approx(113.0)


def test_one_row_anchors_the_forms_own_pitch():
    middle, pitch, fitted = even_rows([(2, 50.0)], 12.0, low=0.5, high=1.6, tolerance=0.2)
    assert fitted and pitch == 12.0 and middle(0) == pytest.approx(26.0)


@pytest.mark.parametrize("points", [[(0, 100.0), (1, 140.0)],  # twice too far apart: not the form's rows
                                    [(0, 100.0), (1, 112.0), (2, 131.0), (3, 136.0)]])  # not one even column
def test_rows_that_do_not_fit_keep_the_expected_pitch_and_say_so(points):
    _, pitch, fitted = even_rows(points, 12.0, low=0.6, high=1.4, tolerance=0.3)
    assert not fitted and pitch == 12.0
