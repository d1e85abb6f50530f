"""The confidence a value's evidence gets: one function of how it was found, whether it was read by
OCR, the least sure OCR word or mark in its box, whether its block borrowed the page's fit, the
block's registration residual and what it was fitted on (OCR'd labels, or ruled lines alone: the OCR stage's
cheap path, :mod:`pipeline.ocr.zoned`), whether two readings of it agree, and whether it fits its field's kind.

The function is a logistic model whose numbers are data (``confidence.json``): each way's set
confidence (``how``) is its prior, and ``fit`` holds what ``bench.calibrate`` fitted on the
validation split (an intercept per way and reading where validation had enough values, the slope on
the OCR words' confidence and the costs of its falling below each of a few steps, the cost of a
borrowed fit, of each point of residual, of two readings
that differ and of a value that does not fit its kind, the gain of two readings that agree, and a
margin that holds the share wrong at >= 0.9 down; for a value whose block was fitted on ruled lines alone,
an offset of its own and a cost per point of that residual instead of a label fit's: a rules fit's residual is
a few tenths of a point where a label fit's is 2-3, so the two are not comparable); and the cost of an amount
read surely that a second reading of its box alone did not confirm (on that path every such amount is read
twice, :func:`pipeline.ocr.zones.confirmation`), and the same of a date (a cost of its own).
Without a ``fit`` the set values apply as they are, capped by the OCR words, a borrowed fit and a
value that does not fit its kind; the residual and the agreement of readings then count for nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

_TABLE = json.loads(resources.files("pipeline.acord25").joinpath("confidence.json").read_text())
HOW: dict[str, float] = {how: entry["confidence"] for how, entry in _TABLE["how"].items()}
LOOSE_FIT = 0.88  # the unfitted ceiling when a block had too few labels of its own and took the page's fit
OCR_CEILING = 0.97  # the unfitted ceiling of an OCR reading: never as sure as a text layer
OCR_FLOOR = 0.01  # an OCR word's confidence below this says nothing more (and keeps the logarithm finite)
MISFIT = 0.75  # the unfitted ceiling of a value that does not fit its field's kind: below review, above a guess
UNCONFIRMED_CEILING = 0.85  # the unfitted ceiling of an amount a second reading did not confirm (zones.DOUBTED's)
RESIDUAL_CAP = 10.0  # points: a block's residual past this says nothing more
# the OCR confidences a value's least sure word is measured against: below each, a fitted cost (tesseract's
# word confidence is no probability: right and wrong readings part steeply around 0.9)
LEAST_STEPS = (0.95, 0.9, 0.8, 0.6, 0.4)


@dataclass(frozen=True)
class Fit:
    """The fitted numbers; ``ways`` is keyed ``how/reading`` (reading: ``text`` or ``ocr``). Every cost
    and gain is >= 0, so each feature can only move a confidence the way its name says."""

    ways: dict[str, float]
    ocr_slope: float  # per unit of ln(least OCR word confidence)
    borrowed: float  # subtracted when the block took the page's fit
    ocr_offset: float = 0.0  # added to a way's prior when read by OCR and the way has no fitted intercept
    residual: float = 0.0  # subtracted per point of the block's registration residual (OCR readings)
    agree: float = 0.0  # added when two readings of the value agree
    differ: float = 0.0  # subtracted when two readings of it differ
    misfit: float = 0.0  # subtracted when the value does not fit its field's kind
    below: tuple[float, ...] = (0.0,) * len(LEAST_STEPS)  # subtracted when the least OCR word is below each step
    margin: float = 0.0  # subtracted from every value: the shift that holds the share wrong at >= 0.9 down
    by_rules: float = 0.0  # added when the value's block was fitted on ruled lines alone (may be < 0)
    rules_residual: float = 0.0  # subtracted per point of such a block's residual (in place of ``residual``)
    unconfirmed: float = 0.0  # subtracted when an amount's second reading, to confirm it, differed
    date_unconfirmed: float = 0.0  # subtracted when a date's second reading, to confirm it, differed

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Fit | None":
        if not data:
            return None
        numbers = {k: float(data.get(k, 0.0)) for k in ("ocr_offset", "residual", "agree", "differ", "misfit",
                                                          "margin", "by_rules", "rules_residual",
                                                          "unconfirmed", "date_unconfirmed")}
        below = tuple(float(data.get("below", {}).get(str(step), 0.0)) for step in LEAST_STEPS)
        return cls(dict(data["ways"]), float(data["ocr_slope"]), float(data["borrowed"]), below=below, **numbers)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ways": {k: round(v, 4) for k, v in sorted(self.ways.items())}}
        for name in ("ocr_slope", "borrowed", "ocr_offset", "residual", "agree", "differ", "misfit", "margin",
                     "by_rules", "rules_residual", "unconfirmed", "date_unconfirmed"):
            out[name] = round(getattr(self, name), 4)
        out["below"] = {str(step): round(cost, 4) for step, cost in zip(LEAST_STEPS, self.below)}
        return out


FIT: Fit | None = Fit.from_dict(_TABLE.get("fit"))


class Features(NamedTuple):
    """What the fitted function reads of one value."""

    key: str  # how/reading
    prior: float  # the logit of the way's set value
    ln_least: float  # ln of the least OCR confidence in its box, 0 when none
    borrowed: bool
    residual: float  # on OCR, the block's residual in points (capped); 0 when unknown and on a text layer
    # (a text layer's words sit where they were drawn; every text-layer residual the fit set holds is
    # below 1 pt, so it has nothing to fit a cost on)
    agree: bool  # two readings agree
    differ: bool  # two readings differ
    misfit: bool  # checked against its kind: does not fit
    below: tuple[bool, ...]  # the least OCR confidence is below each of LEAST_STEPS
    by_rules: bool = False  # on OCR, its block was fitted on ruled lines alone (``residual`` is then 0)
    rules_residual: float = 0.0  # that block's residual in points (capped); 0 otherwise
    unconfirmed: bool = False  # on OCR, an amount's second reading, to confirm it, differed
    date_unconfirmed: bool = False  # on OCR, a date's second reading, to confirm it, differed


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def features(how: str | None, ocr: bool, least: float | None, borrowed: bool, residual: float | None = None,
             agree: bool | None = None, fits: bool | None = None, by_rules: bool | None = None,
             confirmed: bool | None = None, date_confirmed: bool | None = None) -> Features:
    reading = "ocr" if ocr else "text"
    unconfirmed = confirmed is False and ocr
    prior = logit(HOW.get(how or "", HOW["in_box"]))
    rules = bool(by_rules) and ocr
    points = min(residual, RESIDUAL_CAP) if residual is not None and ocr else 0.0
    return Features(f"{how}/{reading}", prior, math.log(max(least, OCR_FLOOR)) if least is not None else 0.0,
                    bool(borrowed), 0.0 if rules else points, agree is True, agree is False,
                    fits is False, tuple(least is not None and least < step for step in LEAST_STEPS), rules,
                    points if rules else 0.0, unconfirmed, date_confirmed is False and ocr)


def confidence(how: str | None, *, ocr: bool, least: float | None, borrowed: bool, residual: float | None = None,
               agree: bool | None = None, fits: bool | None = None, by_rules: bool | None = None,
               confirmed: bool | None = None, date_confirmed: bool | None = None, fit: Fit | None = None) -> float:
    """The confidence of one value (``least``: the least sure OCR word or mark in its box, if any;
    ``residual``: its block's registration residual in points; ``agree``: whether two readings of it
    agree, None when it was read once; ``fits``: False when it does not fit its field's kind;
    ``by_rules``: its block was fitted on ruled lines alone, not on OCR'd labels; ``confirmed``: an amount read
    surely, read a second time alone to confirm it: whether that reading agreed, None when not so read;
    ``date_confirmed``: the same of a date)."""
    fit = fit if fit is not None else FIT
    if fit is None:  # the set values, no surer than the OCR words (squared: every word must be right)
        ceilings = [HOW.get(how or "", HOW["in_box"])]
        ceilings += [LOOSE_FIT] if borrowed else []
        ceilings += [OCR_CEILING] if ocr else []
        ceilings += [least * least] if least is not None else []
        ceilings += [MISFIT] if fits is False else []
        ceilings += [UNCONFIRMED_CEILING] if (confirmed is False or date_confirmed is False) and ocr else []
        return min(ceilings)
    x = features(how, ocr, least, borrowed, residual, agree, fits, by_rules, confirmed, date_confirmed)
    z = fit.ways.get(x.key, x.prior + (fit.ocr_offset if ocr else 0.0))
    z += fit.ocr_slope * x.ln_least - fit.borrowed * x.borrowed - fit.residual * x.residual
    z += fit.agree * x.agree - fit.differ * x.differ - fit.misfit * x.misfit - fit.margin
    z += fit.by_rules * x.by_rules - fit.rules_residual * x.rules_residual - fit.unconfirmed * x.unconfirmed
    z -= fit.date_unconfirmed * x.date_unconfirmed
    z -= sum(cost for cost, below in zip(fit.below, x.below) if below)
    return 1.0 / (1.0 + math.exp(-z))


def of_item(item: dict[str, Any], *, ocr: bool, fit: Fit | None = None) -> float:
    """The confidence of one evidence item from the keys it holds (``how``, ``ocr``, ``borrowed``,
    ``residual``, ``agree``, ``fits``, ``by_rules``, ``confirmed``, ``date_confirmed``; see
    ``schemas/certificate.schema.json``)."""
    return confidence(item.get("how"), ocr=ocr, least=item.get("ocr"), borrowed=bool(item.get("borrowed")),
                      residual=item.get("residual"), agree=item.get("agree"), fits=item.get("fits"),
                      by_rules=item.get("by_rules"), confirmed=item.get("confirmed"),
                      date_confirmed=item.get("date_confirmed"), fit=fit)
