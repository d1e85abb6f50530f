"""A scanned page read by its value boxes only: the OCR stage's cheap path (issue 16).

A full-page OCR run reads every label and notice the form prints as well as the values: on a filled
certificate about two printed words for each word of value. The cheap path reads only what the
reader needs:

1. **Registration from the ruled lines** (no words): each edition's template rules against the page's
   (:func:`pipeline.ocr.ruled_turn.best_fit`: the share of the template's rules matched and the scale and
   shift they vote for); the edition with the largest share, when that share reaches MIN_SHARE; then
   :func:`pipeline.acord25.template.register_rules` fits the page and each block on the rules.
2. **The zones**: every field's box but the check boxes and the signature (those are found on the ink, as
   on the full path), grown by ZONE_PAD_PT and its block's residual; and the few printed labels that say
   the page is an ACORD 25 (the title, the footer, the labels :mod:`pipeline.acord25.identify` counts), at
   their registered places. Overlapping zones are merged.
3. **One tesseract call** on the page with everything outside the zones painted as paper
   (:func:`read_zones`).

The caller (:func:`pipeline.ocr.pages.ocr_raster`) reads the whole page as before when any step fails:
the page's turn was not settled by its rules, no template's rules match MIN_SHARE of themselves, the
rules do not register it or fit too few blocks on their own (the reader would refuse it as a
look-alike), or the words read do not make it an ACORD 25.

On by default; the environment variable ``COI_ZONE_OCR=0`` switches it off (every scanned page is then read
whole). Every amount it reads surely is read a second time, alone, to confirm it
(:func:`pipeline.ocr.zones.confirmation`; docs/accuracy.md).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

import numpy as np

from pipeline.ocr.engine import OcrEngine, OcrWord
from pipeline.ocr.ink import DARK

logger = logging.getLogger(__name__)

SWITCH = "COI_ZONE_OCR"
# of a template's rules matched by the page's: below this the page is read whole. Fitted on the 34 OCR pages of
# `bench.accuracy --official 0,8,6` (docs/accuracy.md): pages whose rules and labels chose the same edition
# matched 0.88-0.97, those where they disagreed 0.49-0.68, pages of no form 0-0.07; this is the middle of the gap
MIN_SHARE = 0.78
ZONE_PAD_PT = 2.0  # a value box is read this much larger than the form's box (plus its block's residual)
LABEL_PAD_PT = 1.0  # a label's zone: its printed words' box grown by this
NOT_READ = ("check", "signature")  # field kinds found on the ink, not read as text
EDITION_MARGIN = 0.1  # editions whose rules match within this share of the best are read alike; the footer decides
FOOTER = "footer"  # the template block of the form's footer: read whole (it names the edition)
# of a field's height, how much of it a rule, a box or a printed word must share to stand on the field's row
ROW_SHARE = 0.5
# kinds that overrun but are read in their box only: a party block's closing rule is the page's column divider over
# the block's height, and read as paper there it joined the block's lines to the next column's (a photo's contact
# name read with a letter lost, 0.95: docs/accuracy.md)
WHOLE_BLOCKS = ("party",)
CELL_SIDE_PT = 6.0  # an upright rule this near a text box's right side closes the box's own cell (widgets sit inset)
STOP_CLEAR_PT = 1.0  # a text value's overrun strip stops this short of the next printed thing on its row
RULE_PAD_PT = 1.0  # a crossed cell rule is looked for this much either side of its place (plus the residual)
RULE_RUN_SHARE = 0.8  # a pixel column there dark over this share of its strip's height is the rule (letters: less)

Box = tuple[float, float, float, float]


OFF = ("0", "false", "no", "off")  # values of COI_ZONE_OCR that switch the cheap path off


def enabled() -> bool:
    """Whether the cheap path is tried: unless ``COI_ZONE_OCR`` is ``0`` (or false, no, off)."""
    return os.environ.get(SWITCH, "").strip().lower() not in OFF


_counts = {"tried": 0, "read": 0}


def counts() -> dict[str, int]:
    """Pages this process tried to read by zones, and how many of them were (the rest fell back)."""
    return dict(_counts)


def register(page_rules: list[Box]) -> list:
    """The page registered by its rules alone to each template whose rules its own match nearly as well as the
    best (within EDITION_MARGIN of the best share, and at least MIN_SHARE), best first; empty when none is,
    or when the best one's rules fit too few blocks on their own (the reader would refuse the page as a
    look-alike: :data:`pipeline.acord25.reader.MIN_OWN_BLOCKS`). Editions whose layouts differ little
    (2010/05, 2016/03, 2025/12) match nearly alike; the footer the caller reads says which it is."""
    from pipeline.acord25.reader import MIN_OWN_BLOCKS
    from pipeline.acord25.template import Transform, editions, load, register_rules
    from pipeline.ocr.ruled_turn import best_fit

    if not page_rules:
        return []
    fits = {edition: best_fit(page_rules, load(edition).rules) for edition in editions() if load(edition).rules}
    logger.info("zones: rules match %s", {e: round(f[0], 2) for e, f in fits.items()})
    best = max((f[0] for f in fits.values()), default=0.0)
    if best < MIN_SHARE:
        return []
    out = []
    for edition in sorted(fits, key=lambda e: -fits[e][0]):  # stable: the first of equals in the editions' order
        share, prior = fits[edition]
        if share < max(MIN_SHARE, best - EDITION_MARGIN):
            break
        registration = register_rules(page_rules, load(edition), Transform(*prior))
        if registration is None:
            continue
        own = sum(f.own for f in registration.blocks.values())
        if own < MIN_OWN_BLOCKS * len(registration.blocks):
            logger.info("zones: %s of %s blocks fitted on their own rules (%s)", own, len(registration.blocks), edition)
            continue
        out.append(registration)
    return out


def zones(registration) -> list[Box]:
    """The page's zones to read, in points: the value boxes and the identifying labels (they may overlap: the
    page is read once, with everything outside them painted as paper)."""
    template = registration.template
    out: list[Box] = []
    for f in template.fields:
        if f.kind in NOT_READ:
            continue
        grow = ZONE_PAD_PT + registration.fit(f.block).residual
        x0, y0, x1, y1 = registration.place(f)
        out.append((x0 - grow, y0 - grow, x1 + grow, y1 + grow))
    for block, box in identifying_labels(template.edition):
        x0, y0, x1, y1 = registration.to_page(block, box)
        out.append((x0 - LABEL_PAD_PT, y0 - LABEL_PAD_PT, x1 + LABEL_PAD_PT, y1 + LABEL_PAD_PT))
    return out


@lru_cache(maxsize=None)
def overrun_room(edition: str) -> dict[str, tuple[float, Box]]:
    """For each field of the kinds whose values run past their box's right side
    (:data:`pipeline.acord25.reader.OVERRUN_KINDS`: a printed text value is not shrunk to fit), how far right its
    print may be read, in the template: (x, rule). ``rule`` is the upright rule that closes the field's own cell
    (within CELL_SIDE_PT of the box's side): a value's print runs over it, so it is read as paper there; ``x`` is
    the left side of the next printed thing on the row past it (a field's box, an upright rule or a printed word
    sharing ROW_SHARE of the field's height). Only a field whose cell is so closed and whose next cell is not read
    as a value (a check box's column, a label) has room; the WHOLE_BLOCKS kinds have none (their box is read as
    it is)."""
    from pipeline.acord25.reader import OVERRUN_KINDS
    from pipeline.acord25.template import load

    template = load(edition)

    def on_row(box: Box, y0: float, y1: float) -> bool:
        return min(box[3], y1) - max(box[1], y0) >= ROW_SHARE * min(y1 - y0, box[3] - box[1])

    uprights = [r for r in template.rules if r[2] - r[0] < r[3] - r[1]]
    read = {g.box for g in template.fields if g.kind not in NOT_READ}  # value boxes read as text themselves
    things = [g.box for g in template.fields] + [tuple(w[1:5]) for w in template.printed]
    out: dict[str, tuple[float, Box]] = {}
    for f in template.fields:
        if f.kind not in OVERRUN_KINDS or f.kind in WHOLE_BLOCKS:
            continue
        x0, y0, x1, y1 = f.box
        ruled = sorted((r for r in uprights if r[2] > x1 and on_row(r, y0, y1)), key=lambda r: r[0])
        side = ruled[0] if ruled and ruled[0][0] - x1 <= CELL_SIDE_PT else None
        after = sorted([b for b in things if b[2] > x1 and b != f.box and on_row(b, y0, y1)] +
                       [r for r in ruled if r is not side], key=lambda b: b[0])
        # a cell rule closing the box that the print runs over, nothing reaching into the box from the next cell,
        # and that cell not read as a value itself (erasing the rule between two values read them as one line, an
        # insurer's name and its NAIC number; a box with no rule near its side lost other values to the page's
        # layout and recovered none: docs/accuracy.md)
        if side is not None and after and after[0][0] > x1 and after[0] not in read:
            out[f.name] = (after[0][0], side)
    return out


def overrun(registration) -> tuple[list[Box], list[Box]]:
    """The strips right of the page's text value boxes their print may run over (:func:`overrun_room`), up to
    STOP_CLEAR_PT before the next printed thing on the row, and the cells' closing rules in those strips, each
    grown by RULE_PAD_PT and its block's residual (to be read as paper), all in points."""
    template = registration.template
    strips: list[Box] = []
    rules: list[Box] = []
    room = overrun_room(template.edition)
    for f in template.fields:
        if f.name not in room:
            continue
        stop, side = room[f.name]
        residual = registration.fit(f.block).residual  # the next print may lie this much nearer than its place
        grow = ZONE_PAD_PT + residual
        x0, y0, x1, y1 = registration.place(f)
        end = registration.to_page(f.block, (stop, f.box[1], stop, f.box[3]))[0] - STOP_CLEAR_PT - residual
        if end <= x1 + grow:
            continue
        strips.append((x1, y0, end, y1))  # the box's own height: the rows above and below hold other print
        pad = RULE_PAD_PT + residual
        r0, _, r1, _ = registration.to_page(f.block, side)
        rules.append((r0 - pad, y0, r1 + pad, y1))
    return strips, rules


@lru_cache(maxsize=None)
def identifying_labels(edition: str) -> tuple[tuple[str, Box], ...]:
    """The printed labels that make a page an ACORD 25 (:mod:`pipeline.acord25.identify`: the title, the
    footer's print with its "ACORD 25 (yyyy/mm)", the labels every edition prints), each as (its block, its box
    in the template), found among the template's printed runs (:func:`pipeline.acord25.template.printed_runs`).
    The footer's print is also what tells a signature's ink from print below the AUTHORIZED REPRESENTATIVE
    label (:func:`pipeline.ocr.pages._signature` leaves out the ink of words read there)."""
    from pipeline.acord25.identify import _STRUCTURE, _TITLE
    from pipeline.acord25.template import block_of, load, printed_runs

    wanted = {" ".join(_TITLE)} | set(_STRUCTURE)
    template = load(edition)
    out = []
    for run in printed_runs(edition):
        texts = [w[0] for w in run]
        box = (min(w[1] for w in run), min(w[2] for w in run), max(w[3] for w in run), max(w[4] for w in run))
        block = block_of(template, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if " ".join(texts) in wanted or block == FOOTER:
            out.append((block, box))
    return tuple(out)


def read_zones(image: np.ndarray, boxes: list[Box], engine: OcrEngine, *, dpi: float, scale: float,
               paper: list[Box] = ()) -> list[OcrWord]:
    """The words of ``boxes`` (points; ``scale`` points per pixel) of the cleaned page ``image``, read in one
    tesseract call on the page with everything outside them painted as paper: tesseract lays the page out
    itself, and its words are in page pixels, as a full-page read gives them. (A strip of the boxes' print
    stacked one under another, as the second readings read theirs, cost about as much and read fewer
    fields: docs/accuracy.md.) ``paper``: boxes around the rules a value's print runs over;
    the pixel columns dark over RULE_RUN_SHARE of such a box's height are painted as paper."""
    masked = np.full_like(image, 255)
    for x0, y0, x1, y1 in boxes:
        a, b = max(0, int(x0 / scale)), max(0, int(y0 / scale))
        c, d = min(image.shape[1], int(np.ceil(x1 / scale))), min(image.shape[0], int(np.ceil(y1 / scale)))
        masked[b:d, a:c] = image[b:d, a:c]
    for x0, y0, x1, y1 in paper:  # the rules a text value's print runs over (:func:`overrun`)
        a, b = max(0, int(x0 / scale)), max(0, int(y0 / scale))
        band = masked[b:int(np.ceil(y1 / scale)), a:int(np.ceil(x1 / scale))]
        if band.size:  # the columns dark over most of the band's height: the rule, not the letters across it
            band[:, (band < DARK).mean(axis=0) >= RULE_RUN_SHARE] = 255
    return engine.words(masked, dpi=int(round(dpi)))


def note(read: bool) -> None:
    """Count one page tried by zones, and whether it was read so (else it fell back to the whole page)."""
    _counts["tried"] += 1
    _counts["read"] += read
