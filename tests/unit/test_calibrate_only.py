"""``bench.calibrate --path-only --only COST``: a second reading's cost fitted alone, every other number of the
written fit held (zoneread)."""

from __future__ import annotations

import dataclasses

from bench.calibrate import Sample, fit_path
from pipeline.acord25.confidence import FIT


def _sample(right: bool, confirmed=None, date_confirmed=None) -> Sample:
    return Sample("in_box", True, 0.96, False, right, 0.0, residual=0.2, by_rules=True, confirmed=confirmed,
                  date_confirmed=date_confirmed)


def test_given_only_the_dates_cost_to_fit_then_the_offset_and_the_amounts_cost_stay_as_written():
    """Given a written fit and samples whose path offset alone would be fitted elsewhere, when only the dates'
    cost is fitted, then the path's offset, its residual's cost and the amounts' cost are the written ones and
    the dates' cost follows its samples (all wrong when unconfirmed: a cost above nothing)."""
    assert FIT is not None
    base = dataclasses.replace(FIT, by_rules=-0.3, rules_residual=0.05, unconfirmed=1.7, date_unconfirmed=0.0)
    samples = [_sample(True)] * 300 + [_sample(True, True)] * 100 + [_sample(True, None, True)] * 100
    samples += [_sample(False, None, False)] * 20
    fitted = fit_path(samples, base, only=("date_unconfirmed",))
    assert (fitted.rules_residual, fitted.unconfirmed) == (0.05, 1.7)
    assert fitted.by_rules <= -0.3  # held, or lowered only if the samples need it to hold the target
    assert fitted.date_unconfirmed > 0
    free = fit_path(samples, base)
    assert free.by_rules != fitted.by_rules  # without ``only`` the offset is fitted as before
