"""The reader's field index finds, for many points at once, the field a plain loop over the fields finds (pure)."""

from __future__ import annotations

import numpy as np

from pipeline.acord25.layout import Box
from pipeline.acord25.reader import _FieldBoxes
from pipeline.acord25.template import load


def _plainly(fields, boxes, own, row_wide, x, y, seat=None, kinds_wanted=None):
    """The field whose grown box holds the point (its seat for a row's column) and whose own box is nearest; the
    smaller of two as near; the first of two alike (the reader's definition, one field after another)."""
    best, best_key = None, None
    for f in fields:
        b, o = boxes[f], own[f]
        py = seat if seat is not None and f in row_wide else y
        if not (b.x0 <= x <= b.x1 and b.y0 <= py <= b.y1) or (kinds_wanted is not None and f.kind not in kinds_wanted):
            continue
        key = (max(o.x0 - x, 0, x - o.x1) + max(o.y0 - py, 0, py - o.y1), (o.x1 - o.x0) * (o.y1 - o.y0))
        if best_key is None or key < best_key:
            best, best_key = f, key
    return best


def test_given_overlapping_and_repeated_boxes_when_points_are_looked_up_at_once_then_as_one_by_one():
    rng = np.random.default_rng(7)
    fields = list(load("2016/03").fields)[:120]
    own, boxes = {}, {}
    for k, f in enumerate(fields):
        if k % 10 == 9:  # the same boxes as the field before it: a tie the first of wins
            own[f], boxes[f] = own[fields[k - 1]], boxes[fields[k - 1]]
            continue
        x0, y0 = (float(v) for v in np.round(rng.uniform(0, 560, 2), 1))
        w, h = (float(v) for v in np.round(rng.uniform(5, 120, 2), 1))
        own[f] = Box(x0, y0, x0 + w, y0 + h)
        grow = float(rng.choice([0.0, 1.5, 4.0]))
        boxes[f] = Box(x0 - grow, y0 - grow, x0 + w + grow, y0 + h + grow)
    boxes[fields[5]] = Box(10.0, 10.0, 5.0, 20.0)  # a box cut to nothing holds no point
    row_wide = set(fields[::3])
    index = _FieldBoxes(boxes, own, row_wide)
    xs = [float(v) for v in np.round(rng.uniform(-10, 620, 3000), 1)] + [boxes[f].x0 for f in fields]
    ys = [float(v) for v in np.round(rng.uniform(-10, 620, 3000), 1)] + [boxes[f].y1 for f in fields]
    seats = [y + float(rng.choice([0.0, 2.0, -3.5])) for y in ys]
    for seat_of, wanted in ((None, None), (seats, None), (None, ("check", "signature", "date")), (seats, ("amount",))):
        got = index.at(xs, ys, seat_of, wanted)
        expected = [_plainly(fields, boxes, own, row_wide, x, y, None if seat_of is None else seat_of[k], wanted)
                    for k, (x, y) in enumerate(zip(xs, ys))]
        assert got == expected
        assert sum(f is not None for f in expected) > 500  # most points lie in some box: the comparison says something
    assert index.at([], []) == []


def test_the_held_pairs_alone_choose_as_the_whole_table_does():
    """The distances worked out only where a box holds the point (finite boxes) choose the fields that the table of
    every point and field chooses, ties of distance and size included; a box not finite takes the table."""
    rng = np.random.default_rng(16)
    fields = list(load("2025/12").fields)[:90]
    own, boxes = {}, {}
    for k, f in enumerate(fields):
        x0, y0 = (float(v) for v in rng.choice([0.0, 10.0, 20.0, 30.0], 2))  # a coarse grid: equal distances and sizes
        w, h = (float(v) for v in rng.choice([10.0, 20.0, 40.0], 2))
        own[f] = Box(x0, y0, x0 + w, y0 + h)
        boxes[f] = Box(x0 - 4.0, y0 - 4.0, x0 + w + 4.0, y0 + h + 4.0)
    row_wide = set(fields[::4])
    xs = [float(v) for v in rng.choice(np.arange(-6.0, 80.0, 0.5), 600)]
    ys = [float(v) for v in rng.choice(np.arange(-6.0, 80.0, 0.5), 600)]
    seats = [y + float(rng.choice([0.0, 2.0, -3.5])) for y in ys]
    fast = _FieldBoxes(boxes, own, row_wide)
    table = _FieldBoxes(boxes, own, row_wide)
    table._finite = False
    assert fast._finite
    for seat_of, wanted in ((None, None), (seats, None), (None, ("date", "text"))):
        got = fast.at(xs, ys, seat_of, wanted)
        assert got == table.at(xs, ys, seat_of, wanted)
        assert len({f for f in got if f is not None}) > 10  # many fields chosen: the comparison says something
    own[fields[3]] = Box(float("-inf"), 0.0, float("inf"), 10.0)
    boxes[fields[3]] = Box(float("-inf"), -4.0, float("inf"), 14.0)
    loose = _FieldBoxes(boxes, own, row_wide)
    assert not loose._finite
    assert loose.at(xs, ys) == [_plainly(fields, boxes, own, row_wide, x, y) for x, y in zip(xs, ys)]



def test_a_box_whose_area_overflows_is_not_taken_for_finite():
    """Edges all finite but a width times a height past a float's range: the area is not a number, so the index
    chooses through the whole table (as before the held pairs), not through distances that assume finite sizes."""
    f0, f1 = list(load("2025/12").fields)[:2]
    own = {f0: Box(-1e308, 0.0, 1e308, 0.0), f1: Box(0.0, -1.0, 1.0, 1.0)}
    boxes = {f0: Box(-1e308, -5.0, 1e308, 5.0), f1: Box(-5.0, -5.0, 5.0, 5.0)}
    with np.errstate(over="ignore", invalid="ignore"):  # (the overflow is the case: numpy's warning about it is not)
        assert not _FieldBoxes(boxes, own, set())._finite
