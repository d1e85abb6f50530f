"""A page's quarter turn from the form's ruled lines: the cheap check before tesseract's OSD.

The ACORD 25 is a ruled form. Its long level and upright rules are found on a small copy of the page
(the OCR stage's own finder, :mod:`pipeline.ocr.rules`), and for each quarter turn the rules, turned,
are compared with the rules of each edition's template (``pipeline/acord25/templates/*.json``,
``rules``). The page may be shifted and a little smaller or larger than the form (a scan at 0.84):
per axis, a scale and shift are chosen by votes of rule pairs (upright rules' places across, level
rules' places down), and the turn's fit is the share of the template's rules a page rule then runs
along. The best turn is taken only when it fits well and clearly better than any other turn; otherwise
the answer is None and the caller asks OSD.

Pure: an image and numbers in, a turn out; the template rules are a parameter (:func:`form_rules`
reads them from the templates).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from pipeline.ocr import deskew, rules

logger = logging.getLogger(__name__)

Rule = tuple[float, float, float, float]  # (x0, y0, x1, y1) in points, top-left origin

RULE_DPI = 150.0  # the rules are looked for at this resolution: a hairline rule still shows, and it is cheap
SKEW_DPI = 75.0  # the tilt is measured on a copy this coarse: ~0.1 degree, plenty to keep a rule in one run
MIN_FIT = 0.4  # below this share of the template's rules matched, the page is not the form seen this way
MIN_MARGIN = 0.15  # the best turn must beat the runner-up by this share, else the rules cannot tell turns apart
MATCH_PT = 4.0  # a page rule this close (across its length) to a template rule placed by the fit matches it
OVERLAP = 0.5  # ... and it must run along this share of the template rule's length
SCALES = np.round(np.arange(0.80, 1.061, 0.01), 3)  # form-to-page scales tried: a scan may be shrunk to 0.84
VOTE_BIN_PT = 2.0  # shifts of rule pairs are voted for in bins this wide
CANDIDATES = 3  # the best-voted (scale, shift) of each axis tried together in the full check
TURNS = (0, 90, 180, 270)


@dataclass(frozen=True)
class RuledTurn:
    """How far the page must be turned clockwise to stand upright, and how well its rules say so."""

    rotate: int  # 0, 90, 180 or 270
    fit: float  # share of the template's rules matched at that turn
    runner_up: float  # the best share at any other turn


def find_turn(image: np.ndarray, dpi: float, form: dict[str, tuple[Rule, ...]] | None = None, *,
              skew: float | None = None) -> RuledTurn | None:
    """The page's quarter turn from its ruled lines, or None when they do not settle it (no form's
    rules, or two turns fit about as well). ``image`` is grayscale (0 = ink) at ``dpi``; ``form`` is
    each template's rules (by edition), :func:`form_rules` when not given; ``skew``, the page's tilt when the
    caller has measured it already (else it is measured here, on a coarse copy)."""
    form = form_rules() if form is None else form
    page_rules, size = page_rule_segments(image, dpi, skew)
    if not page_rules or not form:
        return None
    fits = {turn: max(fit(turned(page_rules, size, turn), template) for template in form.values())
            for turn in TURNS}
    best = max(TURNS, key=lambda t: fits[t])
    runner_up = max(v for t, v in fits.items() if t != best)
    logger.info("ruled lines: fit by turn %s", {t: round(v, 2) for t, v in fits.items()})
    if fits[best] < MIN_FIT or fits[best] - runner_up < MIN_MARGIN:
        return None
    return RuledTurn(best, round(fits[best], 3), round(runner_up, 3))


@lru_cache(maxsize=1)
def form_rules() -> dict[str, tuple[Rule, ...]]:
    """Every edition's template rules (the form's data, not this module's)."""
    from pipeline.acord25.template import editions, load

    return {edition: load(edition).rules for edition in editions() if load(edition).rules}


def page_rule_segments(image: np.ndarray, dpi: float, skew: float | None = None) -> tuple[list[Rule], tuple[float, float]]:
    """The page's long rules in points (levelled first, by ``skew`` when given, else by the tilt measured on a
    coarse copy: a skewed rule breaks into short runs), and the page's size in points.

    The ink is what is darker than the paper around it (:func:`deskew.binarise_local`, its neighbourhood in points
    at the copy's resolution), not what is darker than one page-wide level: a 300 dpi scan's hairline, about a
    scanned pixel wide, prints half as dark once shrunk to ``RULE_DPI``, while the same scan's sharp print pulls
    the page-wide level darker; 15 of 24 tuning scans forced to 300 dpi lost half their rules to it and were left
    to OSD. Print and grain come out too; the rules are still told from them by their length, thinness and the
    paper beside them (:func:`rules.printed_rule_runs`)."""
    factor = min(1.0, RULE_DPI / dpi)
    small = image if factor >= 1.0 else cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    at = dpi * factor
    small = deskew.deskew(small, _skew(image, dpi) if skew is None else skew)
    level, upright = rules.printed_rule_runs(deskew.binarise_local(small, at), at, bridge_pt=rules.DASHED_GAP_PT)
    pt = 72.0 / at
    size = (small.shape[1] * pt, small.shape[0] * pt)
    return [tuple(v * pt for v in s) for s in _runs(level, at, 2) + _runs(upright, at, 3)], size


def _skew(image: np.ndarray, dpi: float) -> float:
    """The page's tilt, measured on a copy at ``SKEW_DPI`` (enough to level rules for finding them)."""
    factor = min(1.0, SKEW_DPI / dpi)
    return deskew.estimate_skew(cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))


def _runs(rules_found: rules.RuleRuns, dpi: float, length_at: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) pixels of the rules at least ``rules.COLUMN_RULE_PT`` long along their axis
    (``length_at`` 2: across, 3: down), the same shortest length both ways, so that every turn of the page
    shows the same rules."""
    shortest = rules.COLUMN_RULE_PT * dpi / 72.0
    return [(x, y, x + w, y + h) for _, (x, y, w, h) in rules_found.kept if (w, h)[length_at - 2] >= shortest]


def turned(segments: list[Rule], size: tuple[float, float], turn: int) -> list[Rule]:
    """``segments`` of a page ``size`` (width, height) as they lie once the page is turned clockwise by ``turn``."""
    w, h = size
    out = []
    for x0, y0, x1, y1 in segments:
        if turn == 90:
            x0, y0, x1, y1 = h - y1, x0, h - y0, x1
        elif turn == 180:
            x0, y0, x1, y1 = w - x1, h - y1, w - x0, h - y0
        elif turn == 270:
            x0, y0, x1, y1 = y0, w - x1, y1, w - x0
        out.append((x0, y0, x1, y1))
    return out


def _split(segments: list[Rule] | tuple[Rule, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(level, upright) rules as arrays of (x0, y0, x1, y1)."""
    a = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    is_level = (a[:, 2] - a[:, 0]) >= (a[:, 3] - a[:, 1])
    return a[is_level], a[~is_level]


def fit(page: list[Rule], template: tuple[Rule, ...]) -> float:
    """The share of ``template``'s rules a rule of ``page`` runs along, under the best per-axis scale
    and shift that the rules' places vote for."""
    return best_fit(page, template)[0]


def best_fit(page: list[Rule], template: tuple[Rule, ...]) -> tuple[float, tuple[float, float, float, float]]:
    """:func:`fit`'s share, and the per-axis scale and shift (sx, tx, sy, ty: template -> page) that gives it
    (the first of equals in vote order)."""
    p_level, p_upright = _split(page)
    t_level, t_upright = _split(template)
    if not len(t_level) + len(t_upright):
        return 0.0, (1.0, 0.0, 1.0, 0.0)
    across = _axis_candidates((p_upright[:, 0] + p_upright[:, 2]) / 2, (t_upright[:, 0] + t_upright[:, 2]) / 2)
    down = _axis_candidates((p_level[:, 1] + p_level[:, 3]) / 2, (t_level[:, 1] + t_level[:, 3]) / 2)
    best, chosen = 0, (1.0, 0.0, 1.0, 0.0)
    for sx, tx in across:
        for sy, ty in down:
            got = _matched(p_level, t_level, (sx, tx, sy, ty), level=True) \
                + _matched(p_upright, t_upright, (sx, tx, sy, ty), level=False)
            if got > best:
                best, chosen = got, (sx, tx, sy, ty)
    return best / (len(t_level) + len(t_upright)), chosen


def _axis_candidates(page: np.ndarray, template: np.ndarray) -> list[tuple[float, float]]:
    """The (scale, shift) of one axis that most rule pairs agree with: for each scale, the shift voted
    for by most pairs of a page place and a template place (every scale's votes counted at once)."""
    if not len(page) or not len(template):
        return [(1.0, 0.0)]
    shifts = (page[None, :, None] - SCALES[:, None, None] * template[None, None, :]).reshape(len(SCALES), -1)
    bins = np.rint(np.divide(shifts, VOTE_BIN_PT, out=shifts), out=shifts).astype(np.int64)  # (np.round's halves)
    low, width = int(bins.min()), int(bins.max() - bins.min()) + 1
    rows = np.arange(len(SCALES))[:, None]
    votes = np.bincount((rows * width + bins - low).ravel(), minlength=len(SCALES) * width).reshape(len(SCALES), width)
    top = _most(votes, CANDIDATES)  # most votes first, ties by the lower shift
    scored = [(int(votes[r, b]), float(SCALES[r]), float((b + low) * VOTE_BIN_PT))
              for r in range(len(SCALES)) for b in top[r] if votes[r, b]]
    scored.sort(key=lambda c: -c[0])
    return [(s, t) for _, s, t in scored[:CANDIDATES]]


def _most(votes: np.ndarray, count: int) -> np.ndarray:
    """Each row's ``count`` columns (fewer when it has fewer) of most votes, most first, ties by the lower column:
    the first ``count`` of a stable sort by votes, falling (one row's best taken out at a time, not every row sorted)."""
    left = votes.copy()
    every = np.arange(len(votes))
    top = np.empty((len(votes), min(count, votes.shape[1])), dtype=np.int64)
    for k in range(top.shape[1]):
        top[:, k] = np.argmax(left, axis=1)  # the first of equals
        left[every, top[:, k]] = -1  # (votes are counts: never below 0)
    return top


def _matched(page: np.ndarray, template: np.ndarray, transform: tuple[float, float, float, float], *,
             level: bool) -> int:
    """How many ``template`` rules (of one direction), placed by ``transform``, a ``page`` rule runs along."""
    if not len(page) or not len(template):
        return 0
    sx, tx, sy, ty = transform
    placed = template * np.array([sx, sy, sx, sy]) + np.array([tx, ty, tx, ty])
    # along: the axis the rule runs; across: the axis its place is on
    a0, a1, c = (0, 2, 1) if level else (1, 3, 0)
    p_mid = (page[:, c] + page[:, c + 2]) / 2
    t_mid = (placed[:, c] + placed[:, c + 2]) / 2
    near = np.abs(t_mid[:, None] - p_mid[None, :]) <= MATCH_PT
    overlap = np.minimum(placed[:, a1][:, None], page[:, a1][None, :]) - \
        np.maximum(placed[:, a0][:, None], page[:, a0][None, :])
    length = np.maximum(placed[:, a1] - placed[:, a0], 1e-6)
    covered = np.where(near, np.clip(overlap, 0, None), 0).sum(axis=1)  # pieces of a broken rule add up
    return int(np.count_nonzero(covered >= OVERLAP * length))
