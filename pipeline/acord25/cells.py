"""The value boxes of a page read by OCR that are read a second time, alone.

Page-level OCR often drops a lone letter in a narrow cell (the INSR LTR, ADDL INSD and
SUBR WVD columns, the Y/N box of the workers' compensation row), runs two neighbouring
cells together ("NY"), loses the date in its small box beside the title, misreads a limit
amount ("ihen.000"), or runs two lines of a party's block into one. The OCR stage reads these
cells again (:mod:`pipeline.ocr.zones`); this module says which, from the page registered to
the form's template: each cell is a field's own box, chosen by the field's kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.acord25.fieldkinds import MIN_LIMIT
from pipeline.acord25.identify import registered
from pipeline.acord25.layout import Box, lines_of
from pipeline.acord25.parse import parse_date
from pipeline.acord25.reader import READERS, SIGNATURE_INK, FieldWords, prepared
from pipeline.acord25.template import Registration
from pipeline.textlayer import Page, Word

LETTER = "ABCDEF"  # an insurer letter (as the reader reads one on every edition: fieldkinds.read_letter)
FLAG = "YNX"  # an ADDL INSD / SUBR WVD / excluded-member answer


DATE = "date"  # not an alphabet: the cell holds a date among other print
AMOUNT = "amount"  # not an alphabet: the cell holds a limit's amount (digits with commas)
BLOCK = "block"  # not an alphabet: a party's lines of name and address, read again as one block

_STRICT_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d{3,9}$")  # a limit is never under $100
_SURE = 0.8  # a page-level reading at least this sure is not read again
# the template's kinds of field that hold one character (or one a line, stacked), and the characters each may be
ALPHABETS = {"letter": LETTER, "yn": FLAG}
# square inches of ink: a lone digit (a revision number) in a box no word was read from; the cut-out's own least
# (pipeline.ocr.zones.LETTER_INK_IN2). 0.002 left out lone digits of 200 dpi scans (a '6' measured 0.0016):
# docs/accuracy.md, zoneread
LONE_CHAR = 0.0008
# one-line value boxes whose print page-level OCR may leave out or break (a lone digit, a date touching its
# cell's sides, an e-mail address read as two words out of order): such a box, holding print, whose words give
# no value of its kind is read again alone, as a block (its sure lines kept: pipeline.ocr.partylines.combined)
LINE_KINDS = ("text", "date", "naic", "phone", "email")
# one-line code boxes read again alone however their page-level words read: a phone number's line on the page holds
# its label's leftover print, and tesseract, reading the two as one line, misread the number's first digits as
# surely as right ones ('957-260-5194' at 0.79 and '995-772-6453' at 0.82 for 557- and 695-; right ones read 0.16-0.93
# on the 40 extra 2016-xfa tuning scans); its cut-out read alone gave each at 0.96-0.97 (docs/accuracy.md, xfamiss9)
ALONE_KINDS = ("phone",)
NEAR_PT = 4.0  # a word whose sides lie this near a box's may still be the box's own print (pipeline.ocr.zones')


@dataclass(frozen=True)
class Cell:
    """A zone in points that holds one character drawn from ``alphabet`` (or nothing), or a date,
    an amount or a party's block."""

    box: Box
    alphabet: str
    seen: str = ""  # an amount cell's page-level reading (not a valid amount, or doubtful; or a value to confirm)
    clear: Box | None = None  # an amount cell's whole box: its misreadings are superseded
    # an amount or date cell whose page-level reading is a sure, valid value, read again only to confirm it: the
    # page's words stay, and the OCR stage records whether the two readings agree (pipeline.acord25.evidence's
    # CONFIRMED and UNCONFIRMED for an amount, DATE_CONFIRMED and DATE_UNCONFIRMED for a date)
    confirm: bool = False
    line: bool = False  # a block cell that is a one-line value box (LINE_KINDS), not a party's block
    kind: str = ""  # a one-line box's field kind (LINE_KINDS): what a reading of it must give (:meth:`reads`)
    # an amount cell's clear box may hold words the reader gives a neighbouring field (a neighbour's value OCR
    # placed across the two rows' shared edge): (text, right side) of each, which a reading of this cell leaves alone
    held: tuple[tuple[str, float], ...] = ()

    def reads(self, words: list[Word]) -> bool:
        """A one-line box's ``words`` give a value of its field's kind (a date's box, a date)."""
        return self.value(words) is not None

    def value(self, words: list[Word]) -> str | None:
        """The value of its field's kind a one-line box's ``words`` give, or None."""
        found = READERS[self.kind](lines_of(words)) if words and self.kind in READERS else None
        return found[0] if found is not None else None

    def accepts(self, text: str) -> bool:
        if self.alphabet == DATE:
            return parse_date(text) is not None
        if self.alphabet == AMOUNT:
            return strict_amount(text) is not None
        if self.alphabet == BLOCK:
            return bool(text.strip())
        return len(text) == 1 and text.upper() in self.alphabet


def page_registration(page: Page) -> Registration | None:
    """``page`` registered to the template it fits best, as :func:`value_cells` registers it."""
    return registered(prepared(page))


def value_cells(page: Page, unread=None, registration: Registration | None = None, *,
                confirm: bool = False) -> list[Cell]:
    """The value boxes whose page-level reading is missing or doubtful, on ``page`` registered to the
    template (none when it does not register). ``unread(zone)``, when given, says a zone holds print
    no word was read from (a line page-level OCR left out). ``registration``, when given, is
    :func:`page_registration`'s (found already), else it is found here. With ``confirm``, every amount box
    whose page-level reading is sure is a cell too, read again only to confirm it (``Cell.confirm``)."""
    page = prepared(page)
    registration = registration or registered(page)
    if registration is None:
        return []
    fw = FieldWords(page, registration)
    cells: list[Cell] = []
    amount_boxes = _own_rows({f: fw.boxes[f] for f in fw.fields if f.kind == "amount"})
    for f in fw.fields:
        box, words = fw.boxes[f], fw.words.get(f, [])
        if f.kind in ALPHABETS:
            cell = Cell(box, ALPHABETS[f.kind])
            if not _already_read(words, cell):
                cells.append(cell)
        elif confirm and f.kind == "date" and (cell := _date_cell(box, words)) is not None:
            cells.append(cell)  # a date read surely: read again only to confirm it (zonecal)
        elif f.kind == "date" and f.key == "date":
            if not any(parse_date(w.text) for w in words):
                cells.append(Cell(box, DATE))
        elif f.kind == "amount":
            cell = _amount_cell(amount_boxes[f], words, confirm)
            if cell is not None:
                cells.append(replace(cell, held=_held(fw, f, cell.clear or cell.box)))
        elif f.kind == "party" and (words or (unread is not None and unread(box))):
            cells.append(Cell(box, BLOCK))  # every party block: its lines are the page's weakest reading
        elif f.kind == "signature" and unread is not None and _unsigned_print(fw, f, unread):
            cells.append(Cell(box, BLOCK, line=True))  # a representative's name typed there signs the certificate
        elif f.kind in LINE_KINDS and unread is not None and ((f.kind in ALONE_KINDS and words)
                                                               or _unread_line(f.kind, box, words, unread)
                                                               or any(id(w) in fw.after_colon for w in words)
                                                               or (not words and _dropped(
                                                                   page, registration, box,
                                                                   within=f.block == "coverages"))):
            cells.append(Cell(box, BLOCK, line=True, kind=f.kind))  # (a value glued to its label's colon: read again
            # without it)
    return cells


def _own_rows(boxes: dict) -> dict:
    """Each amount field's box (on the page, grown by its block's residual) cut back to its own row: where two amount
    boxes of one column overlap (the form stacks them edge to edge; grown, each reaches into the next row), each
    stops at the middle of the overlap, their shared edge on the page. Read with a neighbour's print in its
    cut-out, a cell gave two lines and no amount (a page registered with a large residual)."""
    out = {}
    for f, b in boxes.items():
        y0, y1 = b.y0, b.y1
        for g, o in boxes.items():
            if g is f or not (o.x0 < b.x1 and b.x0 < o.x1 and o.y0 < b.y1 and b.y0 < o.y1):
                continue
            if o.y0 + o.y1 > b.y0 + b.y1:  # the other box's row is below this one's
                y1 = min(y1, (b.y1 + o.y0) / 2)
            elif o.y0 + o.y1 < b.y0 + b.y1:
                y0 = max(y0, (o.y1 + b.y0) / 2)
        out[f] = Box(b.x0, y0, b.x1, y1) if y0 < y1 else b
    return out


def _held(fw: FieldWords, f, area: Box) -> tuple[tuple[str, float], ...]:
    """The words in ``area`` (an amount cell's clear box) that the reader gives another field: a second reading of
    the cell replaces the field's own misreadings, never a neighbour's value (:attr:`Cell.held`)."""
    return tuple((w.text, w.x1) for g, ws in fw.words.items() if g is not f for w in ws
                 if area.x0 <= w.cx <= area.x1 and area.y0 <= w.cy <= area.y1)


def _unsigned_print(fw: FieldWords, f, unread) -> bool:
    """A signature box that holds print no word was read from, no drawing or image found in it (the ink check's
    signature): a name typed there, which the zones' path does not read with the values (it reads the box's ink for
    a drawn signature only); read alone, its words sign the certificate (``fieldkinds.read_signature``)."""
    box = fw.boxes[f]
    if fw.words.get(f) or any(m.kind in SIGNATURE_INK for m in fw.marks.get(f, [])):
        return False
    return unread(box, least=LONE_CHAR)  # (a short name typed small is little ink)


def _unread_line(kind: str, box: Box, words: list[Word], unread) -> bool:
    """A one-line value box read wrong at page level: no word read from its print (a lone character's
    worth of ink is enough), or its words give no value of its kind."""
    if not words:
        return unread(box, least=LONE_CHAR)
    return READERS[kind](lines_of(words)) is None


def _dropped(page: Page, registration: Registration, box: Box, within: bool = False) -> bool:
    """The page's reading holds an OCR word in ``box`` (its centre inside; none of the form's print) that gave the
    box no word: one read too doubtfully to be taken (a one-digit value glued to its label's colon and read with
    it; a coverage date read as junk at confidence 0). ``within`` (a coverage row's cells): every such word lies
    within the box (NEAR_PT): a print run across the rule between two date cells (two dates read as one word) is read by
    its row's dates (reader._row_dates); read again alone, one cell's cut-out gave a date cut at the rule, taken at
    0.95 (docs/accuracy.md, lineread)."""
    inside = [w for j, w in enumerate(page.words) if w.confidence is not None and j not in registration.printed_words
              and box.x0 <= w.cx <= box.x1 and box.y0 <= w.cy <= box.y1]
    if within:
        grown = box.grown(NEAR_PT)
        return bool(inside) and all(grown.x0 <= w.x0 and w.x1 <= grown.x1 for w in inside)
    return bool(inside)


BOX_MARKS = ("box", "cross")  # what the OCR stage's box search makes of a box it found (empty or checked)


def unseen_checks(page: Page, registration: Registration) -> list[Box]:
    """The template's check boxes on ``page`` registered to it whose box the OCR stage did not find (its
    printed sides broken, or its X read into the label beside it), whatever else lies in the cell (a rule's
    mark, a check glyph OCR read: the glyph may be a side's remains or the next box's X): their ink is
    measured in the cell itself (:func:`pipeline.ocr.checkboxes.cell_mark`)."""
    fw = FieldWords(prepared(page), registration)
    return [fw.boxes[f] for f in fw.fields if f.kind == "check"
            and not any(m.kind in BOX_MARKS for m in fw.marks.get(f, []))]


def _already_read(words: list[Word], cell: Cell) -> bool:
    return len(words) == 1 and cell.accepts(words[0].text) and (words[0].confidence or 0.0) >= _SURE


def _amount_cell(box: Box, words: list[Word], confirm: bool = False) -> Cell | None:
    """An amount box whose page-level reading is missing, not a valid amount, or doubtful (a blank box
    leaves a blank cut-out, which is not read); with ``confirm``, one whose reading is sure as well, to be
    confirmed (``Cell.confirm``)."""
    line = [w for w in words if w.text != "$"]
    if not _amount_like(line):
        return None  # print of another kind: not an amount to read again
    seen = "".join(w.text for w in sorted(line, key=lambda w: w.x0))
    sure = bool(line) and len(lines_of(line)) == 1 \
        and min(w.confidence if w.confidence is not None else 1.0 for w in line) >= _SURE \
        and _reads_as(line, seen)
    if sure and strict_amount(seen) is not None:
        return Cell(box, AMOUNT, seen=seen, clear=box, confirm=True) if confirm else None
    if sure and confirm and dollars(seen) is not None:  # "25,000.00": an amount with its cents, read surely
        return Cell(box, AMOUNT, seen=seen, clear=box, confirm=True)
    return Cell(box, AMOUNT, seen=seen, clear=box)


def _reads_as(line: list[Word], seen: str) -> bool:
    """The reader reads the amount ``seen`` (a box's words run together) from the words themselves: an amount's
    digits OCR read as two words at a gap of its font's spacing ("5 00000") are no amount to the reader, and so
    not a sure reading, whatever each word's confidence."""
    read = READERS["amount"](lines_of(line))
    return read is not None and read[0] == dollars(seen)


def _date_cell(box: Box, words: list[Word]) -> Cell | None:
    """A date box whose page-level reading is sure (one line, every word at least ``_SURE``) and a valid date,
    to be read again only to confirm it (``Cell.confirm``); else None."""
    seen = " ".join(w.text for w in sorted(words, key=lambda w: w.x0))
    sure = bool(words) and len(lines_of(words)) == 1 \
        and min(w.confidence if w.confidence is not None else 1.0 for w in words) >= _SURE
    return Cell(box, DATE, seen=seen, confirm=True) if sure and parse_date(seen) is not None else None


def strict_amount(text: str) -> int | None:
    """Dollars of an amount printed as the form prints limits ("$1,000,000", "5000"), else None.

    Stricter than :func:`parse_amount`, which finds "000" in the misreading "ihen.000"; a
    comma read as a period or lost in a gap counts only between groups of three digits."""
    text = text.strip().removeprefix("$").strip()
    groups = re.split(r"[,. ]", text)
    if len(groups) > 1 and all(g.isdigit() for g in groups) and 1 <= len(groups[0]) <= 3 \
            and all(len(g) == 3 for g in groups[1:]):
        text = ",".join(groups)
    if not _STRICT_AMOUNT.match(text):
        return None
    value = int(text.replace(",", ""))
    return value if value >= MIN_LIMIT else None  # "000", "0000": a limit's zeros, its first digits lost


_CENTS = re.compile(r"[.,]\d{2}$")


def without_cents(text: str) -> str | None:
    """An amount's text with its cents, if printed ("25,000.00"), dropped: "25,000"; None when they are not zeros
    (:data:`WHOLE_CENTS`: a limit is whole dollars, so "1,000.50" misread its digits). The mark before them may be
    read as the groups' own ("1.000.000.00": a digits-only reading reads every comma so)."""
    text = text.strip()
    found = _CENTS.search(text) if len(text) > 3 else None
    if found is None:
        return text
    return text[:found.start()] if found.group()[1:] == WHOLE_CENTS else None


def dollars(text: str) -> int | None:
    """Dollars of an amount as :func:`strict_amount` reads it, or of one printed with its cents ("25,000.00",
    the cents dropped: :func:`without_cents`), else None."""
    whole = without_cents(text)
    return strict_amount(whole) if whole is not None else None


WHOLE_CENTS = "00"  # the cents a limit is printed with, when it is printed with them


def _amount_like(words: list) -> bool:
    """A box's page-level reading could be an amount, misread or not: a few fragments, none a
    printed word or a date (an amount cell's reading replaces them all)."""
    return len(words) <= 3 and not any(
        parse_date(w.text) or (sum(c.isalpha() for c in w.text) >= 4 and not any(c.isdigit() for c in w.text))
        for w in words)
