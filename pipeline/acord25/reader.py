"""The certificate reader: a page (text layer or OCR) registered to the form's template, read field by field.

    cert = read_certificate(pages, page, info, form_fields)   # None when the page does not register

1. :func:`pipeline.acord25.template.register` fits the page's printed labels (and, on a scan, its ruled
   lines) to the template, per block; :func:`pipeline.acord25.identify.registered` picks the edition's
   template the page fits best.
2. The page's words that are not the form's own print are grouped into phrases (words on one line,
   close together), and each phrase goes to the registered field box its first word's centre falls
   in (the box grown by a tolerance from the block's residual), else the box its centre falls in.
3. Each field is read by its kind (:mod:`pipeline.acord25.fieldkinds`), once for every field of the
   kind; how a value was found maps through ``confidence.json`` (:mod:`pipeline.acord25.confidence`)
   to its confidence, capped by the fit.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from pipeline.acord25 import fieldkinds as kinds
from pipeline.acord25 import plausible, postal
from pipeline.acord25.certificate import empty_certificate
from pipeline.acord25.confidence import HOW, LOOSE_FIT
from pipeline.acord25.evidence import Evidence, calibrate
from pipeline.acord25.fields import agree_with_form_fields, apply_form_fields
from pipeline.acord25.identify import registered
from pipeline.acord25.layout import Box
from pipeline.acord25.parse import parse_date
from pipeline.acord25.remarks import append_remarks
from pipeline.acord25.template import Field, Registration, Template, form_print, load, vocabulary
from pipeline.textlayer import Mark, Page, Word

logger = logging.getLogger(__name__)

# How a value was found -> its confidence on a clean text layer (one table; calibrated later).
MIN_OWN_BLOCKS = 0.5  # an OCR page with fewer of its blocks fitted on their own labels is not this layout
MIN_OCR_CONFIDENCE = 0.25  # a phrase of OCR words all read less surely than this is speckle, a logo or a rule
NUMBER_DIGITS = 4  # ... unless it holds this many digits: speckle is not read as a run of digits (a policy number, a limit)
# (nor as an e-mail address, name@domain.tld: a phrase that reads as one is kept however doubtfully read)
MIN_PRINT_PT = 3.0  # an OCR word lower than this is a speck: the form's smallest print is 5.5 pt
BOX_SLACK_PT = 1.0  # a field's registered box is grown by this much more than its block's residual ...
BOX_SLACK_MAX_PT = 4.0  # ... and at most by this (a loose fit's box does not take its neighbours' words)
LOW_PRINT_PT = 4.0  # an OCR word lower than this and doubted (below STRAY_CONFIDENCE) is a speck too
FLAT_WORD_LETTERS = 5  # a word of this many letters read with a speck's height is a word OCR drew flat, no speck
DEBRIS_CONFIDENCE, DEBRIS_CHARS = 0.45, 2  # an OCR word this short read less surely than this is a speck
CODE_GAP = 0.4  # letters this close (in heights) before a word with digits are the start of one code
SAME_PRINT = 0.15  # two OCR words whose heights, and whose bottoms (in heights), differ by less than this are one line's print
UNREAD_CONFIDENCE = 0.1  # an OCR word at a phrase's end read less surely than this, out of every value box, is print
# a rule this close to a box's own edge is that edge, not a rule across it; a label's colon ending this far inside
# its value box ends on the box's edge (the blanks are drawn so: the 2001/08 form's insurer letters' colons)
ON_EDGE_PT = 1.0
RULE_ACROSS = 0.5  # a rule across this share of a box's width (height) cuts it (a box drawn shorter on the page)
LINE_GAP = 0.6  # words further apart than this many heights are separate phrases
ACROSS_SHARE = 1 / 3  # two OCR words overlapping across by more than this share of the narrower stand on two lines
SAME_LINE = 0.5  # words (boxes) whose middles lie within this share of a height stand on one line
NEXT_ON_LINE = 0.4  # a word is on the line of the word just before it when their middles lie within this share of a height
ONE_LETTER = ("letter", "yn", "check")  # cells that hold one letter or mark
LONE_LETTER_KINDS = ("check", "letter", "yn")  # cells whose one letter is kept however doubtfully OCR read it
CLOSED_KINDS = ("date", "amount", "naic", "letter", "yn")  # values that never run on into the next cell
CELL_KINDS = ("date", "amount", "naic")  # cells whose value a phrase run on from another field leaves to them
OVERRUN_GAP = 1.5  # a phrase in no box this many heights after a text value on its line runs on from it
RUN_ON_UNREAD_GAP = 1.0  # an OCR word this close (in heights) after a description's line, in a cell that read nothing
# of it, is the description's own print run on: its doubt counts in the description's confidence
OVERRUN_KINDS = ("text", "party", "remarks")  # the kinds whose values run past their box's edge
STRAY_CONFIDENCE, STRAY_CHARS = 0.5, 4  # an OCR fragment this doubtful and short at a party block's edge is stray
RUN_ON_LINES = 0.5  # a line in no box this close (in its heights) below a party block's last line runs on from it
COLON_PT = 3.0  # a printed label's colon is this wide or less (at the form's 7-8 pt label print)
LABEL_GAP_PT = 6.5  # a label's colon ends this close before its value box's left edge: the value is printed after it (on every edition's blank the gap is 1.5-6.1 pt: every colon label before a one-line box)
RULE_MARKS = "|_.-!/[]()"  # what OCR reads a cell's rule as, glued to the print on either side of it
RULE_CHARS = 2  # a rule read inside a word lies this many characters from its place, at most
COLON_LOOKALIKES = ":;1lI|i!.»*"  # what OCR reads a colon as, glued to the value's first character
READ_TWICE_CHARS = 2  # a piece of an OCR word read again inside a longer overlapping reading: this many letters at least
SIGNATURE_INK = ("drawing", "image")  # marks that sign a signature box (kinds.read_signature)
SIGN_TOP_SHARE = 0.5  # a signature's ink starts in its box's upper half; print below the box starts at its bottom
YN_PAIR_GAP_PT = 8.0  # two Y/N cells of one row this close side by side share a rule (ADDL INSD | SUBR WVD): the
# 2016/03 and 2025/12 field rectangles touch, the 2010/05 ones stand 7 pt apart inside their cells
LEGAL_FORMS = frozenset(("llc", "inc", "co", "corp", "ltd", "llp", "lp", "pllc", "pc", "plc", "company"))
# the legal forms a business's name ends with (pipeline/vendors.py folds the same words out of names it compares)
ROWS = ("general_liability", "automobile_liability", "umbrella_liability", "workers_compensation", "other")
LIMIT_KEYS = {
    "general_liability": ("each_occurrence", "damage_to_rented_premises", "medical_expense",
                          "personal_advertising_injury", "general_aggregate",
                          "products_completed_operations_aggregate"),
    "automobile_liability": ("combined_single_limit", "bodily_injury_per_person", "bodily_injury_per_accident",
                             "property_damage"),
    "umbrella_liability": ("each_occurrence", "aggregate", "retention"),
    "workers_compensation": ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"),
    "other": ("limit",),
}
READERS = {"text": kinds.read_text, "date": kinds.read_date, "amount": kinds.read_amount, "naic": kinds.read_naic,
           "letter": kinds.read_letter, "yn": kinds.read_yn, "phone": kinds.read_phone, "email": kinds.read_email}


class FieldWords:
    """The registered page: each field's box on the page and the words and marks in it."""

    def __init__(self, page: Page, registration: Registration) -> None:
        self.registration = registration
        self.fields = registration.template.fields
        read = [w for j, w in enumerate(page.words) if w.confidence is not None and j not in registration.printed_words
                and not _speck(w)]
        self.page_rules = [(m.x0, m.y0, m.x1, m.y1) for m in page.marks if m.kind == "rule"
                           and not any(_through(m, w) for w in read)]  # a rule through a value is no box's edge
        placed, residual = registration.places()  # every field's registered place (Registration.place)
        self.own = {f: Box(*box) for f, box in zip(self.fields, placed.tolist())}
        self._own_boxes = placed
        slack = BOX_SLACK_PT + residual  # min(BOX_SLACK_MAX_PT, BOX_SLACK_PT + the block's residual), per field
        tol = np.where(slack < BOX_SLACK_MAX_PT, slack, BOX_SLACK_MAX_PT)[:, None]
        grown = (placed + np.array([-1.0, -1.0, 1.0, 1.0]) * tol).tolist()  # (x0 - tol, y0 - tol, x1 + tol, y1 + tol)
        self.boxes = {f: Box(*box) if not self.page_rules else self._clipped(f, Box(*box), t)
                      for f, box, t in zip(self.fields, grown, tol[:, 0].tolist())}  # no rule on the page cuts a box
        self.row_wide = {f for f in self.fields if f.block == "coverages" and f.box[3] - f.box[1] > 20
                         and f.kind not in ("text",) or f.key.endswith("/policy_number")}
        self._index = _FieldBoxes(self.boxes, self.own, self.row_wide)
        values = [w for j, w in enumerate(page.words) if j not in registration.printed_words and not _speck(w)]
        self.agreed: set[int] = set()  # ids of OCR words a second reading agreed with
        self._answer_rules = _answer_rules(registration, self.own)
        values, covered, self.read_twice = _uncovered(
            [v for w in values for u in _unglued(w) for v in _cut_at_rule(u, self._answer_rules)], self.agreed)
        values, self.after_colon = _off_colons(values, registration)
        self.differing = _differing(values)
        # the field of every word a phrase is made of, found at once (:meth:`_field_of` asks for it several times)
        self._word_fields = {id(w): (w, f) for w, f in zip(values, self._index.at(
            [w.cx for w in values], [w.cy for w in values], [_seat(w) for w in values]))}
        self._point_fields: dict[tuple[float, float], Field | None] = {}  # fields at points located at once (:meth:`locate`)
        printed = form_print(registration.template.edition)
        self.words: dict[Field, list[Word]] = defaultdict(list)
        self.doubtful: set[Field] = set()  # fields where words lay over other words (hidden text)
        self.unread: dict[Field, list[Word]] = defaultdict(list)  # words cut off a value's ends: still in its box
        before: tuple[list[Word], Field | None] = ([], None)  # the phrase read last, and where it went
        phrases = [piece for whole in _phrases(values, self._starts_new) for piece in self._at_cells(whole)]
        for k, phrase in enumerate(phrases):
            if (all(w.confidence is not None and w.confidence < MIN_OCR_CONFIDENCE for w in phrase)
                    and sum(c.isdigit() for w in phrase for c in w.text) < NUMBER_DIGITS
                    and kinds.read_email([phrase]) is None or
                    all(_debris(w) and id(w) not in self.after_colon for w in phrase)) \
                    and not self._fills_one_letter_cell(phrase) and not self._leads_line(phrase, phrases[k + 1:k + 2]):
                continue  # nothing in it that tesseract believes: speckle, a logo, a rule read as letters
            phrase = printed.unprinted(phrase)
            if not phrase:
                continue  # a label of the form's, read where its registered print was not expected
            kept = _trimmed(phrase, self._outside_boxes, self.after_colon)
            previous, before = before, (kept, None)
            target = self._field_of(kept[0]) or self._by_centre(kept) or self._above_box(kept) or \
                self._overflowing(kept) or self._run_on(kept) or _runs_over(kept, *previous)
            spilled = self._spilled(kept, target)
            if spilled is not None:  # a value run over a narrow cell before its own box: its own box, doubted
                target = spilled
                self.doubtful.add(target)
            elif target is not None and target.kind in ONE_LETTER and not _reads_as(target, kept):
                target = _runs_over(kept, *previous) or target  # a text value's end run over a one-letter cell
            before = (kept, target)
            if target is not None:
                self.words[target].extend(kept)
                kept_ids = {id(w) for w in kept}  # (a kept word itself is in kept: no Word.__eq__ asked of it)
                self.unread[target].extend(w for w in phrase if id(w) not in kept_ids and w not in kept)
                if any(id(w) in covered for w in phrase):
                    self.doubtful.add(target)
        self._overflow_rows()
        self.marks: dict[Field, list[Mark]] = defaultdict(list)
        marks = list(page.marks)
        for m, target in zip(marks, self._index.at([m.cx for m in marks], [m.cy for m in marks],
                                                   kinds_wanted=("check", "signature"))):
            if target is not None:
                self.marks[target].append(m)
            elif m.kind in SIGNATURE_INK:
                self._reaching_signature(m)

    def _reaching_signature(self, m: Mark) -> None:
        """A drawing in no box that starts in the upper part of a signature box (SIGN_TOP_SHARE of its height) and
        stands across it: the signature, its strokes run past the box's bottom or joined to the print below it (the
        copyright line), which moves the drawing's middle out of the box. Print under the box starts at its bottom."""
        for f in self.fields:
            if f.kind != "signature":
                continue
            box = self.boxes[f]
            if box.x0 <= m.cx <= box.x1 and box.y0 <= m.y0 <= box.y0 + SIGN_TOP_SHARE * (box.y1 - box.y0):
                self.marks[f].append(m)

    def _outside_boxes(self, w: Word) -> bool:
        """True when ``w`` runs out of every field's own box (its registered place, not grown): over the print
        beside a value box."""
        b = self._own_boxes
        return not bool(np.any((b[:, 0] <= w.x0) & (w.x1 <= b[:, 2]) & (b[:, 1] <= w.cy) & (w.cy <= b[:, 3])))

    def _at_cells(self, phrase: list[Word]) -> list[list[Word]]:
        """An OCR phrase cut before each later word that lies wholly in the own box of a cell that holds a code, a date
        or an amount, of another field than the phrase's first word, and reads as that cell's value: a name run on
        over doubtful specks OCR read as letters into the next cell (a code's number there) leaves the cell its value."""
        first = self._field_of(phrase[0])
        for i, w in enumerate(phrase[1:], 1):
            cell = self._field_of(w)
            if cell is None or cell is first or cell.kind not in CELL_KINDS or w.confidence is None:
                continue
            own = self.own[cell]
            if own.x0 <= w.x0 and w.x1 <= own.x1 and READERS[cell.kind]([[w]]) is not None:
                return [phrase[:i], *self._at_cells(phrase[i:])]
        return [phrase]

    def _leads_line(self, phrase: list[Word], after: list[list[Word]]) -> bool:
        """A doubtful phrase that is one word shaped as a name's word (:data:`_NAME_WORD`: speckle is not read as
        a capital and three small letters), in a text or party box, just before a phrase on its line in the same
        box that tesseract believes: the value's first word (read at confidence 0 before the sure rest of its name, a
        photo's words read far apart), however doubtfully read; its doubt caps the value's confidence."""
        if len(phrase) != 1 or not after or not _NAME_WORD.match(phrase[0].text):
            return False
        w, nxt = phrase[0], after[0][0]
        field = self._field_of(w)
        height = max(w.height, nxt.height, 1.0)
        return field is not None and field.kind in ("text", "party") and self._field_of(nxt) is field and \
            (nxt.confidence or 0.0) >= MIN_OCR_CONFIDENCE and abs(nxt.cy - w.cy) <= NEXT_ON_LINE * height and \
            0.0 <= nxt.x0 - w.x1 <= OVERRUN_GAP * height

    def _fills_one_letter_cell(self, phrase: list[Word]) -> bool:
        """A phrase of one word that reads as the value of the one-letter cell it lies in ('X' in a check box, 'B' in
        an INSR LTR cell, 'Y' in a Y/N cell): that value, however doubtfully read (tesseract reads a letter alone
        in a ruled cell with little confidence; the value's confidence still sees it)."""
        if len(phrase) != 1:
            return False
        f = self._field_of_point(phrase[0].cx, phrase[0].cy, kinds_wanted=LONE_LETTER_KINDS)
        return f is not None and _reads_as(f, phrase)

    def _spilled(self, phrase: list[Word], target: Field | None) -> Field | None:
        """The field most of ``phrase``'s width lies in, when its first word lies in a one-letter cell (a letter,
        Y/N or check box) and is no value of that cell's kind: a value typed over the cell before its box."""
        if target is None or target.kind not in ("letter", "yn", "check") or len(phrase) < 2:
            return None
        if target.kind in READERS and READERS[target.kind]([[phrase[0]]]) is not None:
            return None
        counts: dict[Field, float] = defaultdict(float)  # how much of the phrase's width lies in each field
        for w in phrase:
            f = self._field_of(w)
            if f is not None:
                counts[f] += w.width
        best = max(counts, key=lambda f: counts[f], default=None)
        if best is not None and best.kind in ONE_LETTER and not _reads_as(best, phrase):
            return None  # another one-letter cell it is no value of either
        return best if best is not None and best is not target and counts[best] > counts.get(target, 0) else None

    def _by_centre(self, phrase: list[Word]) -> Field | None:
        """The field whose box holds the middle of a phrase whose first word is in no box; never a one-letter
        cell (a letter, Y/N or check box) the phrase is no value of: a value overrunning its box to the left
        ends across such a cell."""
        f = self._field_of_point((phrase[0].x0 + phrase[-1].x1) / 2, _seat(phrase[0]))
        if f is not None and f.kind in ONE_LETTER and not _reads_as(f, phrase):
            return None
        return f

    def _above_box(self, phrase: list[Word]) -> Field | None:
        """A text-layer phrase in no box, in a party block's ruled cell above its form field's rectangle
        (``Field.cell_top``: a name typed under the block's label, not in the field): that party field, whose
        first line it becomes. OCR words there may be the label misread: left out."""
        first = phrase[0]
        if first.confidence is not None:
            return None
        for f in self.fields:
            if f.cell_top is None:
                continue
            x0, top, x1, bottom = self.registration.to_page(f.block, (f.box[0], f.cell_top, f.box[2], f.box[1]))
            if x0 <= first.cx <= x1 and top <= first.cy <= bottom:
                return f
        return None

    def _overflowing(self, phrase: list[Word]) -> Field | None:
        """An OCR phrase just outside every box (a right-aligned code past its box's edge on a looser
        scan fit): the field whose box it overlaps most, when it overlaps one by half its width."""
        if phrase[0].confidence is None:
            return None
        x0, x1, y = phrase[0].x0, phrase[-1].x1, phrase[0].cy
        best, best_overlap = None, 0.5 * (x1 - x0)
        for f, b in self.boxes.items():
            if b.y0 <= y <= b.y1:
                overlap = min(x1, b.x1) - max(x0, b.x0)
                if overlap > best_overlap:
                    best, best_overlap = f, overlap
        return best

    def _run_on(self, phrase: list[Word]) -> Field | None:
        """An OCR phrase in no box, the next line of a party block whose last line it follows (a photo's fit a
        little short at the block's bottom): the party field whose words end within RUN_ON_LINES of its
        height above it, starting inside that block's box across."""
        first = phrase[0]
        if first.confidence is None:
            return None
        for f, b in self.boxes.items():
            words = self.words.get(f)
            if f.kind != "party" or not words or not b.x0 <= first.x0 <= b.x1 or first.cy <= b.y1:
                continue
            if first.y0 - max(w.y1 for w in words) <= RUN_ON_LINES * first.height:  # (or on its run-on line)
                return f
        return None

    def _clipped(self, f: Field, box: Box, tol: float) -> Box:
        """A box the template draws with no rule across it, cut at a page rule that runs across most of it.

        Another print of the form may draw a box shorter or narrower (a shorter description box): the
        rule that closes it on the page then runs through the box placed by its block's fit. The larger
        part is kept."""
        level, upright = _template_crossing(self.registration.template, f)
        if level and upright:
            return box
        for rule in _crossing(self.page_rules, box, tol)[0] if not level else ():
            y = (rule[1] + rule[3]) / 2
            box = Box(box.x0, box.y0, box.x1, y) if y - box.y0 >= box.y1 - y else Box(box.x0, y, box.x1, box.y1)
        for rule in _crossing(self.page_rules, box, tol)[1] if not upright else ():
            x = (rule[0] + rule[2]) / 2
            box = Box(box.x0, box.y0, x, box.y1) if x - box.x0 >= box.x1 - x else Box(x, box.y0, box.x1, box.y1)
        return box

    def _field_of(self, w: Word) -> Field | None:
        known = self._word_fields.get(id(w))
        if known is not None and known[0] is w:
            return known[1]
        return self._field_of_point(w.cx, w.cy, seat=_seat(w))

    def _field_of_point(self, x: float, y: float, kinds_wanted: tuple[str, ...] | None = None,
                        seat: float | None = None) -> Field | None:
        """The field whose grown box holds the point and whose own box is nearest to it (:meth:`_FieldBoxes.at`)."""
        if seat is None and kinds_wanted is None and (x, y) in self._point_fields:
            return self._point_fields[(x, y)]
        return self._index.at([x], [y], None if seat is None else [seat], kinds_wanted)[0]

    def locate(self, points: list[tuple[float, float]]) -> None:
        """Find the fields at ``points`` at once, for :meth:`residual_at` and :meth:`by_rules_at` to be asked of them
        (the evidence's boxes' middles): the same fields as asked one by one."""
        found = self._index.at([x for x, _ in points], [y for _, y in points])
        self._point_fields.update(zip(points, found))

    def _starts_new(self, previous: Word, w: Word) -> bool:
        """A word that reads as a value of the kind of another field's box begins a phrase of its own, and so
        does a word after a one-letter cell's value."""
        here, there = self._field_of(previous), self._field_of(w)
        if here is not None and here.kind in ("letter", "yn") and READERS[here.kind]([[previous]]) is not None:
            return True  # a one-letter cell holds one value: what follows it is another
        if here is not None and here.kind in ONE_LETTER and kinds.is_filler(previous.text):
            return True  # so does a filler in it ("N/A" in a Y/N cell)
        if there is None or there is here or there.kind not in READERS:
            return False
        if here is not None and here.kind in CLOSED_KINDS and there.kind in CLOSED_KINDS:
            return True  # a date, amount or code ends in its own cell: the next cell's words are the next value
        return READERS[there.kind]([[w]]) is not None and there.kind not in ("text",)

    def _overflow_rows(self) -> None:
        """A row's last line in a column goes to the next row when that row's cell is empty there.

        Values printed a line above their own row land in the row before it as a second line."""
        by_key = {f.key: f for f in self.fields}
        for column in ("policy_number", "effective", "expiration"):
            for row, below in zip(ROWS, ROWS[1:]):
                here, there = by_key.get(f"{row}/{column}"), by_key.get(f"{below}/{column}")
                if here is None or there is None or self.words.get(there):
                    continue
                lines = _lines(self.words.get(here, []))
                if len(lines) >= 2 and self.boxes[there].y0 - _seat(lines[-1][0]) <= 14.0:
                    self.words[there] = list(lines[-1])
                    self.words[here] = [w for line in lines[:-1] for w in line]

    def lines(self, f: Field) -> list[list[Word]]:
        return _lines(self.words.get(f, []))

    def residual_at(self, x: float, y: float) -> float | None:
        """The registration residual (points) of the block of the field at (x, y), or None."""
        f = self._field_of_point(x, y)
        return self.registration.fit(f.block).residual if f is not None else None

    def by_rules_at(self, x: float, y: float) -> bool | None:
        """Whether the block of the field at (x, y) was fitted on ruled lines alone (no label: the OCR stage's
        cheap path registers a page so, :mod:`pipeline.ocr.zoned`), or None. A fit on rules has a residual
        of a few tenths of a point where one on OCR'd labels has 2-3: the two are not comparable."""
        f = self._field_of_point(x, y)
        if f is None:
            return None
        fit = self.registration.fit(f.block)
        return fit.anchors > 0 and fit.rules >= fit.anchors

    def ceiling(self, f: Field) -> float:
        fit = self.registration.fit(f.block)
        return 1.0 if fit.own else LOOSE_FIT


class _FieldBoxes:
    """The fields' grown boxes and own boxes as arrays, to find the field at many points at once: the field whose
    grown box holds the point and whose own box is nearest to it (its distance across plus its distance down),
    the smaller own box of two as near, the first in the template's order of two alike. A coverage row's columns
    (``row_wide``) hold a point by its seat (text may poke above its row's rule), every other field by the point."""

    def __init__(self, boxes: dict[Field, Box], own: dict[Field, Box], row_wide: set[Field]) -> None:
        self.fields = list(boxes)
        # (each box's edges one after another in one flat list, read by numpy faster than tuples: the same arrays)
        self.box = np.array([v for b in boxes.values() for v in (b.x0, b.y0, b.x1, b.y1)], dtype=float).reshape(-1, 4)
        self.own = np.array([v for b in map(own.__getitem__, self.fields) for v in (b.x0, b.y0, b.x1, b.y1)],
                            dtype=float).reshape(-1, 4)  # (each field looked up once)
        self.area = (self.own[:, 2] - self.own[:, 0]) * (self.own[:, 3] - self.own[:, 1])
        self.row_wide = np.array([f in row_wide for f in self.fields], dtype=bool)
        self.kind = [f.kind for f in self.fields]
        self._kinds: dict[tuple[str, ...], np.ndarray] = {}
        # every box a finite number: a point a grown box holds then has a finite distance to its own box (:meth:`at`)
        self._finite = bool(np.isfinite(self.box).all() and np.isfinite(self.own).all()
                            and np.isfinite(self.area).all())

    def _wanted(self, kinds_wanted: tuple[str, ...]) -> np.ndarray:
        """Which fields are of ``kinds_wanted``: found once per page and set of kinds, not at every lookup."""
        known = self._kinds.get(kinds_wanted)
        if known is None:
            known = self._kinds[kinds_wanted] = np.array([k in kinds_wanted for k in self.kind], dtype=bool)
        return known

    def at(self, xs: list[float], ys: list[float], seats: list[float] | None = None,
           kinds_wanted: tuple[str, ...] | None = None) -> list[Field | None]:
        """The field at each point (``xs[k]``, ``ys[k]``), or at its seat ``seats[k]`` for a coverage row's column;
        None where no grown box (of a kind in ``kinds_wanted``, when given) holds it."""
        out: list[Field | None] = []
        if not xs or not self.fields:
            return [None] * len(xs)
        wanted = None if kinds_wanted is None else self._wanted(kinds_wanted)
        bx0, by0, bx1, by1 = self.box.T
        ox0, oy0, ox1, oy1 = self.own.T
        for start in range(0, len(xs), _POINT_ROWS):  # some points at a time (bounds the table's memory)
            x = np.array(xs[start:start + _POINT_ROWS], dtype=float)[:, None]
            y = np.array(ys[start:start + _POINT_ROWS], dtype=float)[:, None]
            py = y if seats is None else \
                np.where(self.row_wide, np.array(seats[start:start + _POINT_ROWS], dtype=float)[:, None], y)
            held = (bx0 <= x) & (x <= bx1) & (by0 <= py) & (py <= by1)
            if wanted is not None:
                held &= wanted
            if self._finite:
                out += self._nearest_held(held, x, py)
                continue
            distance = np.maximum(np.maximum(ox0 - x, 0.0), x - ox1) + np.maximum(np.maximum(oy0 - py, 0.0), py - oy1)
            distance = np.where(held, distance, np.inf)
            nearest = held & (distance == distance.min(axis=1, keepdims=True))
            area = np.where(nearest, self.area, np.inf)
            nearest &= area == area.min(axis=1, keepdims=True)
            first = nearest.argmax(axis=1)
            out += [self.fields[i] if any_ else None for i, any_ in zip(first.tolist(), held.any(axis=1).tolist())]
        return out

    def _nearest_held(self, held: np.ndarray, x: np.ndarray, py: np.ndarray) -> list[Field | None]:
        """:meth:`at`'s choice among the boxes that hold each point (``held``, points by fields), the distances
        worked out for those (point, field) pairs alone, each by the same arithmetic, and the nearest, the
        smallest of equals, the first in the template's order of equals taken by one sort of the pairs (a point
        is held by a few boxes of the page's many). Boxes all finite (``_finite``): no distance is NaN."""
        point, field = held.nonzero()
        out: list[Field | None] = [None] * len(held)
        if not len(point):
            return out
        px = x[:, 0].take(point)
        y = py[:, 0].take(point) if py.shape[1] == 1 else py[point, field]
        ox0, oy0, ox1, oy1 = (column.take(field) for column in self.own.T)
        distance = np.maximum(np.maximum(ox0 - px, 0.0), px - ox1) + np.maximum(np.maximum(oy0 - y, 0.0), y - oy1)
        order = np.lexsort((field, self.area.take(field), distance, point))  # by point, then nearest, smallest, first
        point, field = point.take(order), field.take(order)
        first = np.concatenate(([True], point[1:] != point[:-1]))  # each point's best
        fields = self.fields
        for k, f in zip(point.compress(first).tolist(), field.compress(first).tolist()):
            out[k] = fields[f]
        return out


_POINT_ROWS = 256  # points looked up at once by _FieldBoxes.at


def _through(rule: Mark, w: Word) -> bool:
    """True when a ruled line runs through an OCR word (more than ON_EDGE_PT inside its ends, across its
    middle): print stays inside its cell, so that line is no cell's edge (an annotation's border, a fold)."""
    if rule.x1 - rule.x0 >= rule.y1 - rule.y0:
        y = (rule.y0 + rule.y1) / 2
        return w.y0 + ON_EDGE_PT < y < w.y1 - ON_EDGE_PT and rule.x0 < w.cx < rule.x1
    x = (rule.x0 + rule.x1) / 2
    return w.x0 + ON_EDGE_PT < x < w.x1 - ON_EDGE_PT and rule.y0 < w.cy < rule.y1


def _template_crossing(template: Template, f: Field) -> tuple[bool, bool]:
    """Whether the template draws a level and an upright rule across the field's own box
    (:func:`_crossing` of its rules): found once per template and field."""
    known = _TEMPLATE_CROSSING.get(id(template))
    if known is None or known[0] is not template:
        known = _TEMPLATE_CROSSING[id(template)] = (template, {})
    got = known[1].get(f)
    if got is None:
        level, upright = _crossing(template.rules, Box(*f.box), 0.0)
        got = known[1][f] = (bool(level), bool(upright))
    return got


_TEMPLATE_CROSSING: dict[int, tuple[Template, dict[Field, tuple[bool, bool]]]] = {}


def _crossing(rules: Any, box: Box, inset: float) -> tuple[list[Any], list[Any]]:
    """(level, upright) rules that run across most of ``box`` (RULE_ACROSS of its width or height),
    more than ``inset`` inside its edges."""
    level, upright = [], []
    for x0, y0, x1, y1 in rules:
        if x1 - x0 >= y1 - y0:
            y = (y0 + y1) / 2
            if box.y0 + inset + ON_EDGE_PT < y < box.y1 - inset - ON_EDGE_PT and \
                    min(x1, box.x1) - max(x0, box.x0) >= RULE_ACROSS * (box.x1 - box.x0):
                level.append((x0, y0, x1, y1))
        else:
            x = (x0 + x1) / 2
            if box.x0 + inset + ON_EDGE_PT < x < box.x1 - inset - ON_EDGE_PT and \
                    min(y1, box.y1) - max(y0, box.y0) >= RULE_ACROSS * (box.y1 - box.y0):
                upright.append((x0, y0, x1, y1))
    return level, upright


def _reads_as(f: Field, phrase: list[Word]) -> bool:
    """True when ``phrase`` reads as a value of ``f``'s kind."""
    if f.kind == "check":
        return all(kinds.is_check_glyph(w.text) for w in phrase)
    return f.kind in READERS and READERS[f.kind]([phrase]) is not None


def _runs_over(phrase: list[Word], previous: list[Word], field: Field | None) -> Field | None:
    """A text-layer phrase in no box, on the line of the phrase before it and close after it, when that one
    went to a text field: the end of a value run past its box's edge (no shrink-to-fit), read with it."""
    if field is None or field.kind not in OVERRUN_KINDS or not previous or phrase[0].confidence is not None:
        return None
    last, first = previous[-1], phrase[0]
    height = max(last.height, first.height, 1.0)
    close = 0.0 <= first.x0 - last.x1 <= OVERRUN_GAP * height and abs(first.cy - last.cy) <= NEXT_ON_LINE * height
    return field if close else None


def _debris(w: Word) -> bool:
    """An OCR word of DEBRIS_CHARS letters and digits or fewer read less surely than DEBRIS_CONFIDENCE
    ('ee', 'y'): specks and rule ends read as text."""
    return w.confidence is not None and w.confidence < DEBRIS_CONFIDENCE and \
        sum(c.isalnum() for c in w.text) <= DEBRIS_CHARS


def _trimmed(phrase: list[Word], outside_boxes: Any, after_colon: set[int] = frozenset()) -> list[Word]:
    """A phrase without the OCR words at its ends that are debris (:func:`_debris`), or that tesseract does not
    believe at all (below UNREAD_CONFIDENCE, no digit) and that run out of every value box (``outside_boxes``):
    a label beside a value misread past recognition, "iaMEs" for "NAME:". A word it does not believe lying
    inside a value's box is the value's (a name's first word read at 0.07); its doubt caps the value's
    confidence. So is a short last word in the value's box that is the same print (:func:`_same_print`) as a
    word before it that is kept ('Co' after an insurer's name, 'Rd' after a street), but no letters after a code
    (:func:`_is_code`); letters before a code are its own split off it only when the code starts with a digit
    ('WC' '20147545', not 'etlanes' 'WC-20147545'). And a word read glued to
    its label's colon (ids in ``after_colon``: :func:`_off_colons`), which the colon made doubtful."""
    def unread(w: Word) -> bool:  # (a word glued to its label's colon is the value's: the colon made it doubtful
        return id(w) not in after_colon and (_debris(w) or  # and put its left edge out of the box)
                                             (w.confidence is not None and w.confidence < UNREAD_CONFIDENCE
                                              and not any(c.isdigit() for c in w.text) and outside_boxes(w)))

    def prefix(w: Word, code: Word) -> bool:  # letters OCR split off the front of a code ('WC' '20147545'); a code
        return w.text.isalpha() and code.text[:1].isdigit() and \
            code.x0 - w.x1 <= CODE_GAP * code.height  # that starts with its own letters has none split off

    def ends_line(w: Word, before: Word) -> bool:  # a short last word of the value's own print ('Co', 'Rd'), not
        return _same_print(w, before) and not outside_boxes(w) and not unread(before) and \
            not (_is_code(before) and not any(c.isdigit() for c in w.text))  # letters after a code ('GL-1234567 aR')

    start, end = 0, len(phrase)
    while start < end - 1 and unread(phrase[start]) and not prefix(phrase[start], phrase[start + 1]):
        start += 1
    while end - 1 > start and unread(phrase[end - 1]) and not ends_line(phrase[end - 1], phrase[end - 2]):
        end -= 1
    return phrase[start:end]


@lru_cache(maxsize=None)
def _label_colons(edition: str) -> tuple[tuple[Field, tuple[float, float, float, float]], ...]:
    """Each one-line field printed just after a label that ends in a colon ("REVISION NUMBER:"), with that
    colon's box (template points): the label's last LABEL_GAP_PT or less before the field's box, on its row."""
    template = load(edition)
    out = []
    for f in template.fields:
        if f.kind in ("party", "remarks", "check", "signature"):
            continue
        x0, y0, _, y1 = f.box
        for text, a, b, c, d in template.printed:
            if text.endswith(":") and -ON_EDGE_PT <= x0 - c <= LABEL_GAP_PT and b < y1 and d > y0:
                out.append((f, (max(a, c - COLON_PT), b, c, d)))
    return tuple(out)


def _off_colons(words: list[Word], registration: Registration) -> tuple[list[Word], set[int]]:
    """OCR words read glued to the colon that ends the label printed just before their field's box (a value
    typed close after "NUMBER:"): their left edge lies on the colon. The colon, read as a look-alike
    (COLON_LOOKALIKES) before a digit, or as a mark before anything, is taken off ('15' for 5 after "NUMBER:";
    a letter after '1' or 'l' may be a name's own 'Il...'); a word of
    one character is the value (the colon only widened its box). The ids of the words so found are returned
    too: their doubt is the colon's, so they are no debris (:func:`_debris`); their confidence stays OCR's."""
    colons = [registration.to_page(f.block, box) for f, box in _label_colons(registration.template.edition)]
    out, found = [], set()
    for w in words:
        at = next((c for c in colons if w.confidence is not None and c[0] <= w.x0 <= c[2]
                   and c[1] <= w.cy <= c[3]), None)
        if at is not None:
            if len(w.text) > 1 and w.text[0] in COLON_LOOKALIKES and (w.text[1].isdigit() or not w.text[0].isalnum()):
                w = replace(w, text=w.text[1:], x0=at[2])
            found.add(id(w))
        out.append(w)
    return out, found


def _is_code(w: Word) -> bool:
    """A word that holds a run of NUMBER_DIGITS digits or more (a policy number, a limit, a code): a value whose
    letters are read with its digits, in one word."""
    return sum(c.isdigit() for c in w.text) >= NUMBER_DIGITS


def _same_print(w: Word, other: Word) -> bool:
    """True when two OCR words are the same print: heights, and bottoms, within SAME_PRINT of a height (a speck or
    a rule's end read as letters is shorter or taller than the print beside it, or sits off its line)."""
    height = max(other.height, 1.0)
    return abs(w.height - other.height) <= SAME_PRINT * height and abs(w.y1 - other.y1) <= SAME_PRINT * height


def _speck(w: Word) -> bool:
    """An OCR word with no letter, digit, '$', '#', '&', '@', check glyph or look-alike of a Y/N letter ('¥') (a
    rule's end or speckle read as marks), or one far lower than any print (a speck read as a letter)."""
    if w.confidence is None:
        return False
    if w.height < MIN_PRINT_PT or (w.height < LOW_PRINT_PT and w.confidence < STRAY_CONFIDENCE):
        return True
    return not any(c.isalnum() or c in "$#&@" for c in kinds.answer_of(w.text)) and not kinds.is_check_glyph(w.text)


def _lines(words: list[Word]) -> list[list[Word]]:
    """The words in lines, top to bottom, each left to right: a word joins the line of the word before it (in
    order of centre, then left edge) when their centres are within NEXT_ON_LINE of the lower one's height."""
    if not words:
        return []
    # each word's centre, left edge and height worked out once (as Word.cy and .height do), not at every comparison
    keys = [((w.y0 + w.y1) / 2, w.x0) for w in words]
    lefts = [w.x0 for w in words]
    heights = [w.y1 - w.y0 for w in words]
    lines: list[list[int]] = []
    last_cy = last_height = 0.0
    for k in sorted(range(len(words)), key=keys.__getitem__):  # (the same stable sort by the same keys)
        cy, height = keys[k][0], heights[k]
        if lines and abs(last_cy - cy) <= NEXT_ON_LINE * max(min(height, last_height), 1.0):
            lines[-1].append(k)
        else:
            lines.append([k])
        last_cy, last_height = cy, height
    return [[words[k] for k in sorted(line, key=lefts.__getitem__)] for line in lines]


# two dates run together across the rule between the effective and expiration cells: nothing between them, or the
# rule (or the gap) read as a mark; the first date's month may be read apart as a word of its own ('09' '/21/2023|...')
_TWO_DATES = re.compile(r"^((?:\d{1,2})?/\d{1,2}/(?:\d{4}|\d{2}))[-|lI!]?(\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))[.,]?$")


# two Y/N cells' answers read as one word across the rule between them, the rule (or the cells' outer rules) read as
# a mark: '|' or a letter or sign like it ('YIN', 'N/AIY', 'IN/AIN', 'NON)')
_TWO_ANSWERS = re.compile(r"^[|Il!\[(]?(N/A|Y|N)[|Il!/\\\[\]()O1](N/A|Y|N)[|Il!\])]?$")
# a word's print in letters: a vowel and a consonant, no letter three times running (speckle read as letters is one
# letter again and again, or no vowel)
_PRINT_WORD = re.compile(r"^(?=.*[aeiouyAEIOUY])(?=.*[^aeiouyAEIOUY])(?!.*(.)\1\1)[A-Za-z]+$")
_NAME_WORD = re.compile(r"^[A-Z][a-z]{3,}$")  # a name's word as print: a capital and three small letters or more
_DATE_WORD = re.compile(r"^\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})[.,]?$")  # a word that is one date and nothing more
_GLUED_LABEL = re.compile(r"^([^:\s]{1,30}:)([A-Za-z].*)$")


def prepared(page: Page) -> Page:
    """OCR words cut after a colon followed by a letter: the form's labels end in ':' and OCR glues the
    value printed just after one to it ("A:FEDERATED"); the label's part, when it reads as one of the
    form's labels, is print and is dropped. And a word whose box OCR drew flat, put back on its line
    (:func:`_reseated`)."""
    page = _reseated(page)
    if not any(w.confidence is not None and _GLUED_LABEL.match(w.text) for w in page.words):
        return page
    words = []
    for w in page.words:
        m = _GLUED_LABEL.match(w.text) if w.confidence is not None else None
        if m is None:
            words.append(w)
            continue
        cut = w.x0 + (w.x1 - w.x0) * len(m.group(1)) / len(w.text)
        label = replace(w, text=m.group(1), x1=cut)
        if not vocabulary().print_of(label):  # a label of the form is print (its place, cut by letters, is rough)
            words.append(label)
        words.append(replace(w, text=m.group(2), x0=cut))
    return replace(page, words=tuple(words))


def _flat(w: Word) -> bool:
    """An OCR word that :func:`_speck` drops for its height alone."""
    return w.confidence is not None and (w.height < MIN_PRINT_PT
                                         or (w.height < LOW_PRINT_PT and w.confidence < STRAY_CONFIDENCE))


def _reseated(page: Page) -> Page:
    """``page`` with each OCR word of FLAT_WORD_LETTERS letters or more, shaped as print (:data:`_PRINT_WORD`), whose
    box tesseract drew flat (a speck's height: a line's first word of many letters read 1-4 pt high, at times
    stretched left over the label) put on the line of the word it ends just before: speckle is read as a letter or
    two, or as one letter again and again, not as a word, and a word that ends within LINE_GAP heights before the
    next word of a line is that line's print. Its box takes that word's rows and, from its right end, as many of
    that word's letter widths as it has letters; its confidence stays OCR's (a value it joins is no surer than it).
    Any other flat word stays as it is (a speck)."""
    words = list(page.words)
    flat = [i for i, w in enumerate(words) if _flat(w) and len(w.text) >= FLAT_WORD_LETTERS
            and _PRINT_WORD.match(w.text)]
    if not flat:
        return page
    lines = [w for w in words if w.confidence is not None and not _speck(w)]
    for i in flat:
        w = words[i]
        nxt = min((n for n in lines if n.y0 <= w.cy <= n.y1 and 0 <= n.x0 - w.x1 <= LINE_GAP * n.height),
                  key=lambda n: n.x0, default=None)
        if nxt is None:
            continue
        width = (nxt.x1 - nxt.x0) / max(len(nxt.text), 1) * len(w.text)
        words[i] = replace(w, x0=max(w.x0, w.x1 - width), y0=nxt.y0, y1=nxt.y1)
    return replace(page, words=tuple(words))


def _unglued(w: Word) -> list[Word]:
    """A word that is two dates printed with no space between them, as two words (the box split by characters);
    an OCR word also with the cell rule between them read as a mark, or the first date's month read apart."""
    m = _TWO_DATES.match(w.text)
    if not m or (w.confidence is None and (m.end(1) != m.start(2) or m.end(2) != len(w.text)
                                           or not w.text[:1].isdigit())):
        return [w]  # (a text layer's two dates are glued only as printed: no mark between them)
    per_char = (w.x1 - w.x0) / len(w.text)
    return [replace(w, text=m.group(1), x1=w.x0 + per_char * m.end(1)),
            replace(w, text=m.group(2), x0=w.x0 + per_char * m.start(2))]


def _answer_rules(registration: Registration, own: dict[Field, Box]) -> list[tuple[float, Box, Box]]:
    """The rules between two Y/N cells of one coverage row side by side (the form's ADDL INSD and SUBR WVD columns),
    from the template's geometry: (the rule's x on the page, the left cell's box, the right one's). A row whose left
    cell of the two is no field (workers compensation's ADDL INSD, printed 'N/A') has it where the other rows do."""
    fields = registration.template.fields
    yn = [f for f in fields if f.kind == "yn"]
    pairs = [(left, right) for left in yn for right in yn if left.key.split("/")[0] == right.key.split("/")[0]
             and 0.0 <= right.box[0] - left.box[2] <= YN_PAIR_GAP_PT]
    out = [((own[left].x1 + own[right].x0) / 2, own[left], own[right]) for left, right in pairs]
    paired = {f for pair in pairs for f in pair}
    for f in yn:
        column = next((left for left, right in pairs if f not in paired and right.box[0] == f.box[0]
                       and right.box[2] == f.box[2]), None)
        if column is not None:  # the left column's cell in this row, placed by the row's block's fit
            left = Box(*registration.to_page(f.block, (column.box[0], f.box[1], column.box[2], f.box[3])))
            out.append(((left.x1 + own[f].x0) / 2, left, own[f]))
    return out


def _cut_at_rule(w: Word, rules: list[tuple[float, Box, Box]]) -> list[Word]:
    """An OCR word that is two Y/N cells' answers read as one across the rule between them ('Y|N' read 'YIN',
    'N/A|Y' read 'N/AIY', 'N|N' read 'NON'), as two words, cut at the rule the template places between the cells.
    Only a word lying across that rule, in both cells' row, with a mark between two answers: a state ('NY') in
    another box is no such word."""
    if w.confidence is None:
        return [w]
    m = _TWO_ANSWERS.match(w.text)
    if m is None:
        return [w]
    for x, left, right in rules:
        if left.x0 - BOX_SLACK_MAX_PT <= w.x0 < x < w.x1 <= right.x1 + BOX_SLACK_MAX_PT and \
                max(left.y0, right.y0) <= w.cy <= min(left.y1, right.y1):
            return [replace(w, text=m.group(1), x1=x), replace(w, text=m.group(2), x0=x)]
    return [w]


def _uncovered(words: list[Word], agreed: set[int] | None = None) -> tuple[list[Word], set[int], set[int]]:
    """Drop a text-layer word that another word drawn after it lies over (text hidden under a later value).

    What is drawn last is what shows: each word's place in the drawing (``Word.drawn``) says which of two
    is later; a stored reading without it gives its words' order (reading order). The words kept that lay
    over another are returned too, so that their values are not given as certain. OCR words have no
    drawing order and hide nothing: OCR reads what shows. Two of them overlapping are two lines
    touching, or one piece of print read twice (:func:`_read_once`): the copies left out are returned
    last (by id), so that the value's confidence is its kept reading's; the kept copies go in ``agreed``."""
    layer = [w for w in words if w.confidence is None]
    ocr = [w for w in words if w.confidence is not None]
    covering: set[int] = set()
    dropped: set[int] = set()
    for i, j in _overlapping(layer):
        under, over = (j, i) if _drawn_later(layer[i], layer[j]) else (i, j)
        dropped.add(under)
        covering.add(id(layer[over]))
    once = _read_once(ocr, agreed)
    twice = {id(w) for w in ocr} - {id(w) for w in once}
    return [w for i, w in enumerate(layer) if i not in dropped] + once, covering, twice


def _drawn_later(a: Word, b: Word) -> bool:
    """True when ``a`` was drawn after ``b`` (both of the text layer, with their drawing order known)."""
    return a.drawn is not None and b.drawn is not None and a.drawn > b.drawn


def _read_once(words: list[Word], agreed: set[int] | None = None) -> list[Word]:
    """OCR words without the second copy of a piece of print read twice (the page's reading and a zone's
    second reading of the same place): of two overlapping words that agree (the same letters and
    digits, or one's held in the other's where it lies), the surer is kept (the whole, when one is a piece),
    never both (the one kept goes in ``agreed``). Overlapping words that differ are both kept."""
    dropped: set[int] = set()
    for i, j in _overlapping(words):
        a, b = words[i], words[j]
        ka, kb = _letters(a.text), _letters(b.text)
        if not ka or not kb:
            continue
        copy = None
        if ka == kb:
            copy = i if (a.confidence or 0.0) < (b.confidence or 0.0) else j
        elif min(len(ka), len(kb)) >= READ_TWICE_CHARS and (ka in kb or kb in ka):
            piece, whole = (a, b) if len(ka) < len(kb) else (b, a)
            if whole.x0 <= piece.cx <= whole.x1:  # the piece lies where the whole reading holds it
                copy = i if piece is a else j
        if copy is not None:
            dropped.add(copy)
            if agreed is not None:
                agreed.add(id(b) if copy == i else id(a))
    return [w for i, w in enumerate(words) if i not in dropped]


def _differing(words: list[Word]) -> set[int]:
    """Ids of the OCR words, read once already (:func:`_read_once`), that overlap another reading of the
    same place that differs (the page's reading and a zone's second reading disagree there)."""
    ocr = [w for w in words if w.confidence is not None]
    return {id(ocr[k]) for pair in _overlapping(ocr) for k in pair if _letters(ocr[pair[0]].text) and
            _letters(ocr[pair[1]].text)}


def _letters(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def _overlapping(words: list[Word]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of words on one line whose boxes overlap by 30 % of the narrower one's width."""
    if not words:
        return []
    x0, y0, x1, y1 = np.array([v for w in words for v in (w.x0, w.y0, w.x1, w.y1)], dtype=float).reshape(-1, 4).T
    width, height, cy = x1 - x0, y1 - y0, (y0 + y1) / 2
    order = np.arange(len(words))
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(words), _PAIR_ROWS):  # every pair (a, b after a), some rows at a time
        a = slice(start, start + _PAIR_ROWS)
        overlap = np.minimum(x1[a, None], x1) - np.maximum(x0[a, None], x0)
        over = (overlap > 0.3 * np.minimum(width[a, None], width)) & \
            (np.abs(cy[a, None] - cy) < SAME_LINE * np.minimum(height[a, None], height)) & (order > order[a, None])
        rows, cols = np.nonzero(over)
        pairs += zip((rows + start).tolist(), cols.tolist())
    return pairs


_PAIR_ROWS = 256  # rows of the word-pair matrix built at once (bounds its memory on a page of many words)


def _seat(w: Word) -> float:
    """Where a word sits: a quarter of its height above its bottom (text may poke above its cell's rule)."""
    return w.y1 - 0.25 * w.height


def _phrases(words: list[Word], starts_new: Any) -> list[list[Word]]:
    phrases = []
    for line in _lines(words):
        current = [line[0]]
        for w in line[1:]:
            if w.x0 - current[-1].x1 > LINE_GAP * max(w.height, current[-1].height, 1.0) or starts_new(current[-1], w):
                phrases.append(current)
                current = [w]
            else:
                current.append(w)
        phrases.append(current)
    return phrases


def read_certificate(pages: list[Page], page: Page, info: Any, form_fields: dict[str, str] | None) -> dict[str, Any] | None:
    page = prepared(page)
    registration = registered(page)
    if registration is None:
        logger.info("page %s does not register to any edition's template", page.number)
        return None
    ocr = any(w.confidence is not None for w in page.words)
    own = sum(fit.own for fit in registration.blocks.values())
    if ocr and own < MIN_OWN_BLOCKS * len(registration.blocks):  # a look-alike: its labels elsewhere
        logger.info("page %s: %s of %s blocks fit the template on their own labels", page.number, own,
                    len(registration.blocks))
        return None
    fw = FieldWords(page, registration)
    ev = Evidence(page.number)
    cert = empty_certificate()
    if info is not None:  # the edition its footer names, else the one whose template it fits
        cert["form"] = {"type": info.type, "edition": info.edition or registration.template.edition}
    values = _read_fields(fw)
    _with_unread_run_on(fw, values)
    for f, (value, how, box) in values.items():
        if "/" not in f.key and f.key not in ("date", "certificate_number", "revision_number",
                                              "description_of_operations", "signed"):
            continue
        if f.key in ("date", "certificate_number", "revision_number", "description_of_operations", "signed"):
            cert[f.key] = value
            _add(ev, "/" + f.key, box, how, fw.ceiling(f))
    _parties(fw, cert, ev)
    _insurers(values, fw, cert, ev)
    cert["policies"] = _policies(fw, values, ev)
    if form_fields:
        apply_form_fields(cert, form_fields, ev)
        agree_with_form_fields(cert, form_fields, ev)
    cert["evidence"] = ev.only(cert)
    readings = [w for w in page.words if id(w) not in fw.read_twice]  # a piece read twice counts once
    fw.locate([((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in (item["bbox"] for item in cert["evidence"].values())
               if x1 > x0])  # the points calibrate asks residual_at and by_rules_at of, found at once
    calibrate(cert["evidence"], readings, page.marks, ocr=ocr, agreed=fw.agreed, differing=fw.differing,
              residual_at=fw.residual_at, by_rules_at=fw.by_rules_at)
    if info is not None:
        append_remarks(cert, pages, page.number)
    plausible.review(cert, cert["evidence"], ocr=ocr)
    logger.info("template reader: %s policies, %s insurers, fits %s", len(cert["policies"]), len(cert["insurers"]),
                {k: v["residual"] for k, v in registration.to_dict().items()})
    return cert


def _add(ev: Evidence, pointer: str, box: Box | None, how: str, ceiling: float) -> None:
    ev.add(pointer, box or Box(0, 0, 0, 0), min(HOW[how], ceiling), how, borrowed=ceiling < 1.0)


def _read_fields(fw: FieldWords) -> dict[Field, tuple[Any, str, Box]]:
    """Every single-value field read by its kind: field -> (value, how, box)."""
    out: dict[Field, tuple[Any, str, Box]] = {}
    for f in fw.fields:
        words = fw.words.get(f, [])
        box = Box.around(words + fw.unread.get(f, [])) if words else fw.boxes[f]  # the cap sees what was cut off
        if f.kind in READERS:
            lines = _without_stray_lines(fw.lines(f), f.block == "coverages") if f.kind == "text" else fw.lines(f)
            if f.key.endswith("/policy_number"):
                lines = _code_line(_without_dates(lines), fw.own[f].x0)
            found = READERS[f.kind](lines)
            if found is None and f.kind == "phone" and any(w.confidence is not None for w in words):
                found = kinds.read_phone_lookalikes(lines)  # OCR's look-alikes of a phone's digits
            if found is not None:
                value = found[0]
                if f.key.endswith("/policy_number") and any(w.confidence is not None for w in words):
                    value = kinds.mended_code(value)  # OCR's signs for a code's letters
                out[f] = (value, "overlapped" if f in fw.doubtful else found[1], box)
        elif f.kind == "check":
            if kinds.is_checked(words, fw.marks.get(f, [])):
                out[f] = (True, "checked", box)
        elif f.kind == "remarks":
            text = " ".join(kinds.text_of(line) for line in fw.lines(f))
            if any(w.confidence is not None for w in words):
                text = postal.with_streets_mended(text)  # a project's street, its suffix read with a look-alike
            if text:
                out[f] = (text, "in_box" if len(fw.lines(f)) == 1 else "joined_lines", box)
        elif f.kind == "signature":
            signed, how = kinds.read_signature(words, fw.marks.get(f, []))
            out[f] = (signed, how, box)
    return out


def _with_unread_run_on(fw: FieldWords, values: dict[Field, tuple[Any, str, Box]]) -> None:
    """Each OCR'd coverage description's box grown over the OCR words that run on along its last line (each within
    :data:`RUN_ON_UNREAD_GAP` heights of the word before) into a cell that read no value of them: the description's
    print left unread there ('Ded' then '$1,000' over the next column), whose doubt its confidence must count."""
    unread = [w for g, words in fw.words.items() if g not in values for w in words if w.confidence is not None]
    for f, (value, how, box) in list(values.items()):
        if not f.key.endswith("/description") or not any(w.confidence is not None for w in fw.words.get(f, [])):
            continue
        last = max(fw.lines(f)[-1], key=lambda w: w.x1)
        run = []
        for w in sorted((w for w in unread if w.x0 >= last.x1 and abs(w.cy - last.cy) <= SAME_LINE * last.height),
                        key=lambda w: w.x0):
            if w.x0 - last.x1 > RUN_ON_UNREAD_GAP * max(last.height, w.height):
                break
            run.append(last := w)
        if run:
            values[f] = (value, how, Box.around([box, *run]))


def _without_dates(lines: list[list[Word]]) -> list[list[Word]]:
    """A policy number's OCR lines without the words that read as a date: no policy number holds one; a date
    there is the next cell's (the effective date's print run over the rule between them)."""
    kept = [[w for w in line if w.confidence is None or not (_DATE_WORD.match(w.text) and parse_date(w.text))]
            for line in lines]
    return [line for line in kept if line]


def _code_line(lines: list[list[Word]], left: float) -> list[list[Word]]:
    """A policy number's OCR lines: when one line alone holds a code (NUMBER_DIGITS digits or more), that line
    and the others but those as short as specks and fragments of the print around the cell (STRAY_CHARS letters
    and digits or fewer: 'de' above, '7' below; a wrapped code's second line is longer), its words glued across
    the cell's left rule cut there (:func:`_cut_at_left_rule`)."""
    if not any(w.confidence is not None for line in lines for w in line):
        return lines
    coded = [line for line in lines if sum(c.isdigit() for w in line for c in w.text) >= NUMBER_DIGITS]
    if len(coded) == 1:
        lines = [line for line in lines
                 if line is coded[0] or sum(c.isalnum() for w in line for c in w.text) > STRAY_CHARS]
    return [[_cut_at_left_rule(w, left) for w in line] for line in lines]


def _cut_at_left_rule(w: Word, rule: float) -> Word:
    """An OCR word of a code's cell begun a character or more left of the cell's rule (at ``rule``): the print of
    the cell before it glued on across the rule, read as a mark ('INVA|-CGL1234567', 'N_.BOP1234567': a Y/N
    column's N/A or N). Its part after the mark nearest the rule's place (within RULE_CHARS characters, the word's
    width shared evenly) is the code, when it holds NUMBER_DIGITS digits and the part before holds none (a Y/N
    column prints letters: a code's own prefix with a digit, '01-CGL-...', is not cut); a text layer's word is as
    printed."""
    if w.confidence is None or not w.x0 < rule < w.x1 or not w.text:
        return w
    per_char = (w.x1 - w.x0) / len(w.text)
    at = (rule - w.x0) / per_char
    if at < 1.0:
        return w  # less than a character left of the rule: the code's own print, a little off its cell
    marks = [i for i, c in enumerate(w.text) if c in RULE_MARKS and abs(i - at) <= RULE_CHARS]
    if not marks:
        return w
    cut = min(marks, key=lambda i: abs(i - at))
    rest = w.text[cut + 1:].lstrip(RULE_MARKS)
    if sum(c.isdigit() for c in rest) < NUMBER_DIGITS or any(c.isdigit() for c in w.text[:cut]):
        return w
    return replace(w, text=rest, x0=w.x1 - per_char * len(rest))


def _parties(fw: FieldWords, cert: dict[str, Any], ev: Evidence) -> None:
    for f in fw.fields:
        if f.kind != "party":
            continue
        lines, strays = _stray_trimmed(_untangled(fw.lines(f)))
        if not lines:
            continue
        got = kinds.split_party(lines, None)
        box = Box.around([w for line in lines for w in line])
        target = cert[f.key]
        unread = fw.unread.get(f, []) + strays  # cut off, but still in the value's box: the cap sees them
        for part, part_lines in zip(("name", "address"), got["lines"]):
            if got[part] is not None:
                target[part] = got[part]
                part_words = [w for line in part_lines for w in line]
                cut_off = [u for u in unread if any(abs(u.cy - w.cy) < SAME_LINE * u.height for w in part_words)]
                part_box = Box.around(part_words + cut_off) if part_lines else box
                how = got["how"] if part == "name" or got["how"] != "in_box" else "in_box"
                _add(ev, f"/{f.key}/{part}", part_box, how, fw.ceiling(f))


def _untangled(lines: list[list[Word]]) -> list[list[Word]]:
    """Lines of a block in which no two words of one line overlap across: of two that do (OCR read a word of
    the next line a little taller and higher, and it joined this one), the one further from its line's middle
    goes to the line nearest its own middle where it overlaps no word, within half its height. Two lines
    next to each other that are one (:func:`_one_line`: a name whose words OCR read at two heights) are joined.
    OCR lines only: a text layer's are as drawn."""
    if any(w.confidence is None for line in lines for w in line):
        return lines  # a text layer's lines are as drawn
    lines = [list(line) for line in lines]
    for i, line in enumerate(lines):
        for w in sorted(line, key=lambda w: -abs(w.cy - _middle(line))):
            if not any(o is not w and _across(o, w) for o in line):
                continue
            others = [k for k, other in enumerate(lines) if k != i and other and
                      not any(_across(o, w) for o in other) and abs(w.cy - _middle(other)) <= SAME_LINE * w.height]
            if others:
                k = min(others, key=lambda k: abs(w.cy - _middle(lines[k])))
                line.remove(w)
                lines[k] = sorted(lines[k] + [w], key=lambda w: w.x0)
    joined: list[list[Word]] = []
    for line in (line for line in lines if line):  # one line's words read at two heights: one line
        if joined and _one_line(joined[-1], line):
            joined[-1] = sorted(joined[-1] + line, key=lambda w: w.x0)
        else:
            joined.append(line)
    return joined


def _one_line(a: list[Word], b: list[Word]) -> bool:
    """True when two lines are one: their middles within SAME_LINE of their mean height, no word across another."""
    height = (float(np.median([w.height for w in a])) + float(np.median([w.height for w in b]))) / 2
    return abs(_middle(a) - _middle(b)) <= SAME_LINE * height and not any(_across(u, v) for u in a for v in b)


def _middle(line: list[Word]) -> float:
    return float(np.median([w.cy for w in line]))


def _across(a: Word, b: Word) -> bool:
    """True when two words overlap across by more than ACROSS_SHARE of the narrower one's width."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > ACROSS_SHARE * min(a.width, b.width)


def _stray(w: Word) -> bool:
    """An OCR fragment tesseract doubts: below STRAY_CONFIDENCE, no digit, STRAY_CHARS letters or fewer
    (the end of a label, a rule or a speck read as "dene", "ee")."""
    return w.confidence is not None and w.confidence < STRAY_CONFIDENCE and \
        not any(c.isdigit() for c in w.text) and sum(c.isalnum() for c in w.text) <= STRAY_CHARS


def _without_stray_lines(lines: list[list[Word]], in_row: bool = False) -> list[list[Word]]:
    """A text field's lines without those made only of stray OCR fragments (:func:`_stray`: speckle and rule ends
    read as "tee", "ete" above and below a policy number), when a line of something else is left; in a coverage
    row's cell (``in_row``: a description's line, a policy number), always: its narrow ruled cell, between check
    boxes and the row's rules, holds no word of four letters or fewer that tesseract doubts, only their edges read
    as letters ('dies', 'Sie', 'NIA')."""
    kept = [line for line in lines if not all(_stray(w) for w in line)]
    return kept if kept or in_row else lines


def _stray_trimmed(lines: list[list[Word]]) -> tuple[list[list[Word]], list[Word]]:
    """A party block's lines without the stray OCR fragments at its edges: at each line's ends, and
    whole lines of them above and below the block's print; and the fragments cut off."""
    kept, cut = [], []
    for line in lines:
        start, end = 0, len(line)
        while start < end and _stray(line[start]):
            start += 1
        while end > start and _stray(line[end - 1]) and not _ends_line(line[start:end]) \
                and not _ends_street(line[start:end]) and not _ends_name(line[start:end]):
            end -= 1
        cut += line[:start] + line[end:]
        if start < end:
            kept.append(line[start:end])
    return kept, cut


def _ends_street(line: list[Word]) -> bool:
    """True when a line is a street ending in its suffix ('8219 River Rd'): the suffix is the street's, however
    doubtfully OCR read it, not a fragment at the block's edge."""
    return line[-1].text.lower().strip(".,") in postal.STREET_SUFFIXES and \
        postal.is_street(" ".join(w.text for w in line))


def _ends_name(line: list[Word]) -> bool:
    """True when a line is a business's name ending in its legal form ('Group LLC', 'Plumbing LLC.'): the form's
    word, however doubtfully OCR read it, in the same print (:func:`_same_print`) as a word before it that is no
    stray fragment itself, is the name's, not a fragment at the block's edge."""
    return len(line) >= 2 and "".join(c for c in line[-1].text.lower() if c.isalpha()) in LEGAL_FORMS and \
        not _stray(line[-2]) and _same_print(line[-1], line[-2])


def _ends_line(line: list[Word]) -> bool:
    """True when a line's last word is a short word of its own print ('Rd', 'Co'): DEBRIS_CHARS letters or fewer,
    the same print (:func:`_same_print`) as a word before it that is no stray fragment itself. A longer
    doubted fragment there is the end of a label ("dene")."""
    if len(line) < 2 or sum(c.isalnum() for c in line[-1].text) > DEBRIS_CHARS:
        return False
    return not _stray(line[-2]) and _same_print(line[-1], line[-2])


def _insurers(values: dict[Field, tuple[Any, str, Box]], fw: FieldWords, cert: dict[str, Any], ev: Evidence) -> None:
    by_letter: dict[str, dict[str, Any]] = {}
    for f, (value, how, box) in values.items():
        if f.key.startswith("producer/"):
            cert["producer"][f.key.split("/")[1]] = value
            _add(ev, "/" + f.key, box, how, fw.ceiling(f))
        if not f.key.startswith("insurers/"):
            continue
        _, letter, part = f.key.split("/")
        if part == "name" and any(w.confidence is not None for w in fw.words.get(f, [])):
            value = kinds.with_cut_y(kinds.with_capital_i(value))  # OCR's look-alikes of a capital I, a cut y
        by_letter.setdefault(letter, {"letter": letter, "name": None, "naic": None, "_ev": {}})
        by_letter[letter][part] = value
        by_letter[letter]["_ev"][part] = (box, how, fw.ceiling(f))
    for letter in sorted(by_letter):
        entry = by_letter[letter]
        if entry["name"] is None and entry["naic"] is None:
            continue
        index = len(cert["insurers"])
        found = entry.pop("_ev")
        found.setdefault("letter", found.get("name") or found["naic"])  # the row's printed letter: where its values are
        for part, (box, how, ceiling) in found.items():
            _add(ev, f"/insurers/{index}/{part}", box, how, ceiling)
        cert["insurers"].append(entry)


def _policies(fw: FieldWords, values: dict[Field, tuple[Any, str, Box]], ev: Evidence) -> list[dict[str, Any]]:
    policies = []
    issued = next((v[0] for f, v in values.items() if f.key == "date" and plausible.year_plausible(v[0])), None)
    for row in ROWS:
        fields = [f for f in fw.fields if f.key.startswith(row + "/")]
        if row == "other" and len(kinds.read_first(fw.lines(_named(fields, "policy_number")), lambda t: t) or ()) and \
                len([ln for ln in fw.lines(_named(fields, "policy_number")) if not kinds.is_filler(kinds.text_of(ln))]) > 1:
            policies += _stacked(fw, fields, ev, len(policies))
            continue
        policy, found = _policy(row, fields, values, fw, issued)
        if policy is None:
            continue
        for pointer, (box, how, ceiling) in found.items():
            _add(ev, f"/policies/{len(policies)}/{pointer}", box, how, ceiling)
        policies.append(policy)
    return policies


def _named(fields: list[Field], key: str) -> Field:
    return next(f for f in fields if f.key.split("/", 1)[1] == key)


def _policy(row: str, fields: list[Field], values: dict[Field, tuple[Any, str, Box]], fw: FieldWords,
            issued: str | None = None) -> tuple[dict[str, Any] | None, dict[str, tuple[Box, str, float]]]:
    policy: dict[str, Any] = {"line": row, "description": None, "insurer_letter": None, "policy_number": None,
                              "effective": None, "expiration": None, "additional_insured": None,
                              "subrogation_waived": None, "basis": None}
    limits: dict[str, Any] = {k: None for k in LIMIT_KEYS[row]}
    found: dict[str, tuple[Box, str, float]] = {}
    checks: dict[str, list[str]] = defaultdict(list)
    descriptions = []
    for f in fields:
        key = f.key.split("/", 1)[1]
        if key.startswith("check:"):
            if f in values:
                group, _, choice = key[6:].replace("+", "=").partition("=")
                checks[group].append(choice or "yes")
                found.setdefault(group, (values[f][2], "checked", fw.ceiling(f)))
            continue
        if f not in values:
            continue
        value, how, box = values[f]
        if key == "description":
            descriptions.append((box, value, how, fw.ceiling(f)))
        elif key.startswith("limits/"):
            limits[key[7:]] = value
            found[key] = (box, how, fw.ceiling(f))
        else:
            policy[key] = value
            found[key] = (box, how, fw.ceiling(f))
    _row_dates(fields, policy, found, fw, issued)
    _mend_dates(fields, policy, found, fw)
    filled = any(policy[k] is not None for k in ("policy_number", "effective", "expiration")) or \
        any(v is not None for v in limits.values()) or bool(checks.get("line") or checks.get("basis"))
    # (a checked type or basis box alone makes a row a policy, as a number, a date or a limit does)
    if not filled:
        return None, {}
    if descriptions:  # in reading order: top to bottom, and boxes on one line left to right
        descriptions = [d for line in _lines_of_boxes([d[0] for d in descriptions], descriptions) for d in line]
        policy["description"] = " ".join(d[1] for d in descriptions)
        how = "later_piece" if _first_piece_empty(fields, values, fw) else descriptions[0][2]
        found["description"] = (Box.around([d[0] for d in descriptions]), how, descriptions[0][3])
    if row == "umbrella_liability" and "excess_liability" in checks.get("line", []) and \
            "umbrella_liability" not in checks.get("line", []):
        policy["line"] = "excess_liability"
    if row in ("general_liability", "umbrella_liability"):
        policy["basis"] = _one_of(checks.get("basis"))
    if row == "general_liability":
        policy["aggregate_applies_per"] = _one_of(checks.get("aggregate_applies_per"))
    if row == "automobile_liability":
        policy["covered_autos"] = [a for a in ("any", "owned", "scheduled", "hired", "non_owned")
                                   if a in checks.get("covered_autos", [])]
        found.setdefault("covered_autos", found.get("limits/combined_single_limit", (Box(0, 0, 0, 0), "empty", 0.8)))
    if row == "workers_compensation":
        policy["statutory"] = bool(checks.get("statutory"))
        policy["any_member_excluded"] = policy.pop("any_member_excluded", None)
        if "statutory" not in found:
            found["statutory"] = (Box(0, 0, 0, 0), "unchecked", 1.0)
    policy["limits"] = limits
    found.setdefault("line", found.get("policy_number") or next(iter(found.values())))  # the row it was read in
    return policy, found


def _first_piece_empty(fields: list[Field], values: dict[Field, tuple[Any, str, Box]], fw: FieldWords) -> bool:
    """True when a coverage row's description cell is cut in pieces (a print that draws check boxes inside it) and
    OCR read it in a later piece while the first, in reading order, holds no word: typing starts in the first piece,
    so what was typed there went unread."""
    pieces = [f for f in fields if f.key.split("/", 1)[1] == "description"]
    if len(pieces) < 2:
        return False
    first = min(pieces, key=lambda f: (round(fw.own[f].y0), fw.own[f].x0))
    return not fw.words.get(first) and any(w.confidence is not None for f in pieces if f in values
                                           for w in fw.words.get(f, []))


def _row_dates(fields: list[Field], policy: dict[str, Any], found: dict[str, tuple[Box, str, float]],
               fw: FieldWords, issued: str | None) -> None:
    """A coverage row whose dates OCR read to no policy's term (one missing, a year out of reach, not whole years
    apart): both known again from the print read across its two date cells (:func:`kinds.row_dates`); a date
    that changes is a value put together again from pieces (rejoined: below trust)."""
    effective, expiration = (policy[k] if policy[k] and plausible.year_plausible(policy[k]) else None
                             for k in ("effective", "expiration"))
    read = (effective, expiration)
    if kinds.whole_term(*read):
        return
    cells = [_named(fields, "effective"), _named(fields, "expiration")]
    words: list[Word] = []
    for f in cells:
        line = next((ln for ln in fw.lines(f) if any(c.isdigit() for w in ln for c in w.text)), [])
        words += [w for w in line if all(w is not v for v in words)]
    if not words or any(w.confidence is None for w in words):
        return  # (OCR's misreadings only)
    pair = kinds.row_dates(" ".join(w.text for w in words), issued, read)
    if pair is None:
        return
    for key, value, f in zip(("effective", "expiration"), pair, cells):
        if policy[key] != value:
            policy[key] = value
            found[key] = (Box.around(words), "rejoined", fw.ceiling(f))


def _mend_dates(fields: list[Field], policy: dict[str, Any], found: dict[str, tuple[Box, str, float]],
                fw: FieldWords) -> None:
    """A coverage date OCR read to no date, where its row's other date was read: known again from that one
    (:func:`kinds.mended_date`), as rejoined pieces (below trust)."""
    for key, other, later in (("effective", "expiration", False), ("expiration", "effective", True)):
        if policy[key] is not None or policy[other] is None:
            continue
        f = _named(fields, key)
        words = fw.words.get(f, [])
        if not words or any(w.confidence is None for w in words):
            continue  # (OCR's misreadings only)
        for line in fw.lines(f):
            mended = kinds.mended_date("".join(w.text for w in line), policy[other], later)
            if mended is not None:
                policy[key] = mended
                found[key] = (Box.around(line), "rejoined", fw.ceiling(f))
                break


def _lines_of_boxes(boxes: list[Box], items: list[Any]) -> list[list[Any]]:
    """``items`` (one per box) grouped by line (boxes whose middles lie within half a height of each other),
    lines top to bottom and each left to right."""
    lines: list[list[tuple[Box, Any]]] = []
    for box, item in sorted(zip(boxes, items), key=lambda bi: (bi[0].y0 + bi[0].y1) / 2):
        cy, h = (box.y0 + box.y1) / 2, max(box.y1 - box.y0, 1.0)
        if lines and abs(cy - (lines[-1][0][0].y0 + lines[-1][0][0].y1) / 2) <= SAME_LINE * h:
            lines[-1].append((box, item))
        else:
            lines.append([(box, item)])
    return [[item for _, item in sorted(line, key=lambda bi: bi[0].x0)] for line in lines]


def _one_of(choices: list[str] | None) -> str | None:
    return choices[0] if choices and len(choices) == 1 else None


def _stacked(fw: FieldWords, fields: list[Field], ev: Evidence, start: int) -> list[dict[str, Any]]:
    """Two or more policies stacked in the one 'other' row: the k-th line of each column is the k-th policy."""
    columns = {f.key.split("/", 1)[1]: [ln for ln in fw.lines(f) if not kinds.is_filler(kinds.text_of(ln))]
               for f in fields}
    parse = {"insurer_letter": kinds.read_letter, "policy_number": kinds.read_text, "effective": kinds.read_date,
             "expiration": kinds.read_date, "additional_insured": kinds.read_yn,
             "subrogation_waived": kinds.read_yn, "description": kinds.read_text, "limits/limit": kinds.read_amount}
    out = []
    for k in range(len(columns["policy_number"])):
        policy: dict[str, Any] = {"line": "other", "description": None, "insurer_letter": None, "policy_number": None,
                                  "effective": None, "expiration": None, "additional_insured": None,
                                  "subrogation_waived": None, "basis": None, "limits": {"limit": None}}
        for key, reader in parse.items():
            lines = columns.get(key, [])
            if k >= len(lines):
                continue
            got = reader([lines[k]])
            if got is None:
                continue
            if key == "limits/limit":
                policy["limits"]["limit"] = got[0]
            else:
                policy[key] = got[0]
            _add(ev, f"/policies/{start + len(out)}/{key}", Box.around(lines[k]), "first_of_stack", 1.0)
            if key == "policy_number":
                _add(ev, f"/policies/{start + len(out)}/line", Box.around(lines[k]), "first_of_stack", 1.0)
        out.append(policy)
    return out
