"""The confidence a value's evidence gets: one function of how it was found, whether it was read by
OCR, the least sure OCR word or mark in its box and whether its block borrowed the page's fit.

The function is a logistic model whose numbers are data (``confidence.json``): each way's set
confidence (``how``) is its prior, and ``fit`` holds what ``bench.calibrate`` fitted on the
validation split (an intercept per way and reading where validation had enough values, the slope on
the OCR words' confidence, the cost of a borrowed fit). Without a ``fit`` the set values apply as
they are, capped by the OCR words.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

_TABLE = json.loads(resources.files("pipeline.acord25").joinpath("confidence.json").read_text())
HOW: dict[str, float] = {how: entry["confidence"] for how, entry in _TABLE["how"].items()}
LOOSE_FIT = 0.88  # the unfitted ceiling when a block had too few labels of its own and took the page's fit
OCR_CEILING = 0.97  # the unfitted ceiling of an OCR reading: never as sure as a text layer
OCR_FLOOR = 0.01  # an OCR word's confidence below this says nothing more (and keeps the logarithm finite)


@dataclass(frozen=True)
class Fit:
    """The fitted numbers; ``ways`` is keyed ``how/reading`` (reading: ``text`` or ``ocr``)."""

    ways: dict[str, float]
    ocr_slope: float  # per unit of ln(least OCR word confidence); >= 0
    borrowed: float  # subtracted when the block took the page's fit; >= 0
    ocr_offset: float = 0.0  # added to a way's prior when read by OCR and the way has no fitted intercept

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Fit | None":
        if not data:
            return None
        return cls(dict(data["ways"]), float(data["ocr_slope"]), float(data["borrowed"]),
                   float(data.get("ocr_offset", 0.0)))

    def to_dict(self) -> dict[str, Any]:
        return {"ways": {k: round(v, 4) for k, v in sorted(self.ways.items())}, "ocr_slope": round(self.ocr_slope, 4),
                "borrowed": round(self.borrowed, 4), "ocr_offset": round(self.ocr_offset, 4)}


FIT: Fit | None = Fit.from_dict(_TABLE.get("fit"))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def features(how: str | None, ocr: bool, least: float | None, borrowed: bool) -> tuple[str, float, float, bool]:
    """(way key, prior logit, ln of the least OCR confidence or 0, borrowed): what the function reads."""
    reading = "ocr" if ocr else "text"
    prior = logit(HOW.get(how or "", HOW["in_box"]))
    return f"{how}/{reading}", prior, math.log(max(least, OCR_FLOOR)) if least is not None else 0.0, borrowed


def confidence(how: str | None, *, ocr: bool, least: float | None, borrowed: bool, fit: Fit | None = None) -> float:
    """The confidence of one value (``least``: the least sure OCR word or mark in its box, if any)."""
    fit = fit if fit is not None else FIT
    if fit is None:  # the set values, no surer than the OCR words (squared: every word must be right)
        ceilings = [HOW.get(how or "", HOW["in_box"])]
        ceilings += [LOOSE_FIT] if borrowed else []
        ceilings += [OCR_CEILING] if ocr else []
        ceilings += [least * least] if least is not None else []
        return min(ceilings)
    key, prior, ln_least, borrowed = features(how, ocr, least, borrowed)
    z = fit.ways.get(key, prior + (fit.ocr_offset if ocr else 0.0))
    z += fit.ocr_slope * ln_least - (fit.borrowed if borrowed else 0.0)
    return 1.0 / (1.0 + math.exp(-z))
