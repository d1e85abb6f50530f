"""Second readings of small zones, after the page-level OCR has located them by the form's labels.

The cells are cut out of the cleaned page (rules and box sides painted out). A one-character cell (an
insurer letter, a Y/N answer: the template's ``letter`` and ``yn`` fields) is read from its own box alone:
each line of its own print cut out by itself and read by tesseract calls of its own (:func:`read_alone`),
so that what it reads as never depends on what the cells beside it hold. The other cells are trimmed to
their ink and stacked one under another in a strip, one tesseract call for each kind, each word read mapped
back to its cell: the date's zone, the LIMITS column's doubtful amounts and the party blocks read doubtfully
each have a strip of their own. A cell's page-level words are
replaced only when the second reading is a single valid character (or, for an amount cell of
the LIMITS column, a valid amount; its confidence then says whether the two readings agree;
for a party's block, a reading of as much print with fewer doubtful words). An amount cell read
only to confirm a sure page-level reading (``Cell.confirm``, on a page read by its value boxes) keeps
the page's words: a mark over it says whether the second reading agreed (:func:`confirmation`). A valid page-level
amount is replaced only when two readings of its cell alone, both sure, say another amount (:func:`_outvoted`), and
then below trust. The one-line value
boxes read again (``Cell.line``: a lone revision digit the page's reading left out) have a strip of their own
too, apart from the party blocks' (:func:`_line`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from pipeline.acord25.cells import ALONE_KINDS, AMOUNT, BLOCK, DATE, NEAR_PT, Cell, dollars, without_cents
from pipeline.acord25.evidence import CONFIRMED, DATE_CONFIRMED, DATE_UNCONFIRMED, UNCONFIRMED
from pipeline.acord25.layout import lines_of
from pipeline.acord25.parse import parse_date
from pipeline.acord25.reader import NUMBER_DIGITS
from pipeline.acord25.template import in_word_case
from pipeline.ocr.blocks import words_in
from pipeline.ocr.engine import OcrEngine, OcrWord
from pipeline.ocr.ink import DARK
from pipeline.ocr.labelink import SEARCH_PT, Label, erase_labels, inside
from pipeline.ocr.partylines import combined, plausible
from pipeline.textlayer import Mark, Page, Word

logger = logging.getLogger(__name__)

PAD = 0.12  # inch of paper around each cut-out and between them in the strip
MIN_PAD_PX = 4  # ... and at least this many pixels at a low resolution
MIN_CROP_PX = 4  # a cell's cut-out lower or narrower than this (its box off the page) holds no character
STRIP_PSM = 6  # tesseract's page segmentation of a strip of cut-outs stacked one under another: a block of text
CUT_SLACK_PX = 2  # a word read in a strip belongs to the cut-out it lies on, or overhangs by this much
MIN_INK = 0.004  # share of a cell's pixels that must be ink for it to hold a character ...
LETTER_INK_IN2 = 0.0008  # ... or this much ink (square inches): one small letter in a tall cell
MIN_STROKE_IN = 0.025  # inch: ink blots smaller than this square are specks, not print ...
# ... counting as one the blots this close to each other (inch; 1.2 pt): a letter's dot above its stem, a thin
# letter ('i', 'l', 'r') or a comma beside its word's next letter. Alone, each is smaller than a speck's square at
# 10 pt print (an 'i' stem 3 x 17 px at 300 dpi): painted out, it left its grey edge, read as "'" or nothing
# ('Prare' for Prairie, 'Rvers de.' for Riverside,)
PRINT_JOIN_IN = 1.2 / 72
# print is darker than DARK (pipeline.ocr.ink) or, in a cell printed faint (a blurred, upsampled scan), darker than
# halfway to paper, up to this
FAINT = 200


@dataclass(frozen=True)
class _Cut:
    cell: Cell
    left: int  # page pixels of the trimmed cut-out's top-left corner
    top: int
    at: int  # its top row in the strip


def reread_cells(page: Page, image: np.ndarray, cells: list[Cell], engine: OcrEngine, *, dpi: float,
                 place, printed: tuple[Label, ...] = ()) -> Page:
    """``page`` with each cell's words replaced by a second reading of the cell alone, where it is valid.

    ``image`` is the cleaned page the words were read from; ``place`` turns an OcrWord in page pixels
    into a Word in points (the page stage's own conversion).  The one-character cells (insurer letters, Y/N
    answers) are each read from their own box alone (:func:`read_alone`); each other kind of cell is read in a
    strip of its own (one tesseract call on a small image per kind present): wide amount cut-outs beside the
    date's zone change how tesseract reads it. ``printed`` is the form's print at its registered place on the
    page (:func:`pipeline.ocr.labelink.printed_in`): a label printed in a one-character cell is not read as its
    value; a label printed inside a block's box is taken out of the block's image before it is read
    (:func:`pipeline.ocr.labelink.erase_labels`); see :func:`_block` for how the words read over it are taken."""
    # the one-character cells (insurer letters, Y/N answers): each line of each cell's own print read alone
    page = read_alone(page, image, [c for c in cells if c.alphabet not in (AMOUNT, BLOCK, DATE)], engine, dpi=dpi,
                      place=place, printed=printed)
    # the form's own print inside an amount's box (the 2001/08 edition's "$" reaches into it) is taken out of the
    # image its cut-outs are read from: read with them it was a leading "5" ("$1,000,000" read "51,000,000")
    signs = [lb for lb in printed if any(c.alphabet == AMOUNT and _overlap(lb, c.box) for c in cells)]
    amounts = erase_labels(image, signs, scale=page.width / image.shape[1], alone=True)[0] if signs else image
    page = _reread(page, image, [c for c in cells if c.alphabet == DATE and not c.confirm], engine, dpi=dpi,
                   place=place)
    page = _reread(page, amounts, [c for c in cells if c.alphabet == AMOUNT and not c.confirm], engine, dpi=dpi,
                   place=place)
    # the sure amounts and dates read again only to confirm them share a strip read with only their characters
    # allowed: a second reading free to read letters says "no valid value" where a digit was doubtful, and so
    # nothing; held to digits it says which digit it saw
    page = _reread(page, amounts, [c for c in cells if c.confirm], engine, dpi=dpi, place=place, chars=CONFIRM_CHARS)
    # the one-line value boxes read again (a lone revision digit, a phone, a NAIC number) have a strip of their own:
    # read among the party blocks, tesseract's layout of the tall strip left a lone digit out
    page = _reread(page, image, [c for c in cells if c.alphabet == BLOCK and c.line], engine, dpi=dpi, place=place)
    blocks = [c for c in cells if c.alphabet == BLOCK and not c.line]
    labels = [lb for c in blocks for lb in inside(printed, c.box)]
    if labels:
        image, labels = erase_labels(image, labels, scale=page.width / image.shape[1])
    return _reread(page, image, blocks, engine, dpi=dpi, place=place, zoom=BLOCK_ZOOM, labels=labels)


def _overlap(label: Label, box) -> bool:
    """A printed word's registered box and a value's ``box`` (points) share some of the page, or would with the
    word's print as far from its registered place as a block's fit leaves it (labelink.SEARCH_PT)."""
    return label.x0 - SEARCH_PT < box.x1 and box.x0 < label.x1 + SEARCH_PT \
        and label.y0 - SEARCH_PT < box.y1 and box.y0 < label.y1 + SEARCH_PT


BLOCK_ZOOM = 1.0  # the party blocks' strip is read at the page's own size: enlarged twice it read more letters wrong (docs/accuracy.md)


def _reread(page: Page, image: np.ndarray, cells: list[Cell], engine: OcrEngine, *, dpi: float,
            place, chars: str | None = None, zoom: float = 1.0, labels: list[Label] = ()) -> Page:
    """``page`` with ``cells`` (dates, amounts, one-line boxes or party blocks) read again in one strip: the
    cut-outs stacked one under another, read as a block of lines."""
    if not cells:
        return page
    scale = page.width / image.shape[1]
    cuts, pieces = [], []
    pad = _pad_px(dpi)
    at = pad
    for cell in cells:
        x0, y0 = max(0, int(cell.box.x0 / scale)), max(0, int(cell.box.y0 / scale))
        x1, y1 = min(image.shape[1], int(cell.box.x1 / scale)), min(image.shape[0], int(cell.box.y1 / scale))
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        piece = _print_only(image[y0:y1, x0:x1], dpi, words=cell.alphabet == BLOCK)
        if piece is None:
            continue  # a blank cell (or speckle): nothing to read
        (top, bottom, left, right), piece = piece
        cuts.append(_Cut(cell, x0 + left, y0 + top, at))
        pieces.append(piece)
        at += bottom - top + pad
    if not cuts:
        return page
    width = max(p.shape[1] for p in pieces) + 2 * pad
    strip = np.full((at, width), 255, dtype=np.uint8)
    for cut, piece in zip(cuts, pieces):
        strip[cut.at:cut.at + piece.shape[0], pad:pad + piece.shape[1]] = piece
    if zoom != 1.0:
        big = cv2.resize(strip, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
        read = [_shrunk(w, zoom) for w in engine.words(big, dpi=int(round(dpi * zoom)), psm=STRIP_PSM, chars=chars)]
    else:
        read = engine.words(strip, dpi=int(round(dpi)), psm=STRIP_PSM, chars=chars)
    found: dict[int, list[OcrWord]] = {}
    for w in read:
        index = _cut_of(cuts, pieces, w)
        if index is not None:
            found.setdefault(index, []).append(w)
    words = list(page.words)
    marks = [m for i, c in enumerate(cuts) if c.cell.confirm and (m := confirmation(c.cell, found.get(i, [])))]
    outvoted = _outvoted(cuts, pieces, _disputed(cuts, found), engine, dpi=dpi, pad=pad)
    # an amount two readings alone outvoted the page's on is shown, never trusted: as a sure one unconfirmed
    marks += [Mark(UNCONFIRMED, b.x0, b.y0, b.x1, b.y1) for i in outvoted if not (c := cuts[i].cell).confirm
              for b in [c.box]]
    replaced = 0
    for index, got in found.items():
        cut = cuts[index]
        if cut.cell.confirm and index not in outvoted:
            continue
        if cut.cell.alphabet == BLOCK:
            moved = (lambda w, cut=cut: place(_moved(w, cut, pad)))
            kept = _line(words, cut, got, moved) if cut.cell.line else _block(words, cut, got, moved, labels)
            own = [moved(v) for v in got if v.text.strip()]
            marks += [m for m in [retold(cut.cell, words, own)] if m is not None]  # a phone read as another number
            replaced += kept is not words
            words = kept
            continue
        if cut.cell.alphabet == DATE:
            w = next((v for v in got if cut.cell.accepts(v.text)), None)
            if w is None:
                continue
            text, conf = w.text, w.conf
        else:  # an amount
            got = sorted(got, key=lambda v: v.left)
            value = outvoted.get(index) or dollars(_amount_text(" ".join(v.text for v in got)))
            if value is None:
                continue
            text = f"{value:,}"
            conf = min(v.conf for v in got)
            if index not in outvoted and dollars(_amount_text(cut.cell.seen)) is not None \
                    and not agree(cut.cell.seen, text):
                continue  # a valid page-level amount, doubtful already: a differing reading alone does not replace it
            if not agree(cut.cell.seen, text):
                conf = min(conf, DOUBTED)  # one reading alone, or two that differ: shown, never trusted
            right, bottom = max(v.right for v in got), max(v.bottom for v in got)
            first = got[0]
            w = OcrWord(text, first.left, min(v.top for v in got), right - first.left,
                        bottom - min(v.top for v in got), conf, first.line)
        moved = _moved(replace(w, text=text, conf=conf), cut, pad)
        box = cut.cell.box
        words = [v for v in words if not (_overlaps(v, cut.cell.clear or box) and _debris(v, cut.cell)
                                          and (v.text, v.x1) not in cut.cell.held)]
        words.append(place(moved))
        replaced += 1
    logger.debug("re-read %s cells, %s replaced", len(cuts), replaced)
    words.sort(key=lambda v: (round(v.y0, 1), v.x0))
    return Page(number=page.number, width=page.width, height=page.height, words=tuple(words),
                marks=page.marks + tuple(marks))


CONFIRM_CHARS = "0123456789$,./-"  # what a sure amount or date read again to confirm it may be read as
# tesseract confidence (0-100): a second reading of an amount cell read at least this surely (every word), and a third
# reading that says the same amount at least this surely, outvote a valid page-level amount that differs (two
# readings of the cell alone against the page's one). Set on tuning files alone: below every sure second reading of
# the first 40 extra 2016-xfa tuning scans' disputes (74 and up), and on the next 40 a dispute read at 70-85 is
# settled right (docs/accuracy.md, "OUTVOTE_SURE set on tuning files")
OUTVOTE_SURE = 70.0
OUTVOTE_ZOOM = 2.0  # the third reading's cut-outs are enlarged this much: another image, not the second read again


def _disputed(cuts: list[_Cut], found: dict[int, list[OcrWord]]) -> dict[int, int]:
    """The amount cells whose page-level reading is a valid amount (a rule's end or the "$" aside) and whose second
    reading is another valid amount, each of its words read at :data:`OUTVOTE_SURE` or more: index -> the second
    reading's amount."""
    out = {}
    for index, cut in enumerate(cuts):
        got = found.get(index)
        if cut.cell.alphabet != AMOUNT or not got or min(v.conf for v in got) < OUTVOTE_SURE:
            continue
        seen = dollars(_amount_text(cut.cell.seen))
        second = dollars(_amount_text(" ".join(v.text for v in sorted(got, key=lambda v: v.left))))
        if seen is not None and second is not None and second != seen:
            out[index] = second
    return out


def _outvoted(cuts: list[_Cut], pieces: list[np.ndarray], disputed: dict[int, int],
              engine: OcrEngine, *, dpi: float, pad: int) -> dict[int, int]:
    """Of the ``disputed`` amount cells (:func:`_disputed`), those whose third reading says the second reading's
    amount, each word at :data:`OUTVOTE_SURE` or more: index -> that amount. The third reading is one strip of
    their cut-outs, enlarged :data:`OUTVOTE_ZOOM` and held to :data:`CONFIRM_CHARS` (one tesseract call, only on
    a page with a disputed amount)."""
    if not disputed:
        return {}
    order = list(disputed)
    subs, at = [], pad
    for index in order:
        subs.append(replace(cuts[index], at=at))
        at += pieces[index].shape[0] + pad
    width = max(pieces[i].shape[1] for i in order) + 2 * pad
    strip = np.full((at, width), 255, dtype=np.uint8)
    for sub, index in zip(subs, order):
        piece = pieces[index]
        strip[sub.at:sub.at + piece.shape[0], pad:pad + piece.shape[1]] = piece
    big = cv2.resize(strip, None, fx=OUTVOTE_ZOOM, fy=OUTVOTE_ZOOM, interpolation=cv2.INTER_CUBIC)
    read = [_shrunk(w, OUTVOTE_ZOOM) for w in engine.words(big, dpi=int(round(dpi * OUTVOTE_ZOOM)), psm=STRIP_PSM,
                                                         chars=CONFIRM_CHARS)]
    third: dict[int, list[OcrWord]] = {}
    for w in read:
        j = _cut_of(subs, [pieces[i] for i in order], w)
        if j is not None:
            third.setdefault(order[j], []).append(w)
    out = {}
    for index, got in third.items():
        value = dollars(_amount_text(" ".join(v.text for v in sorted(got, key=lambda v: v.left))))
        if value == disputed[index] and min(v.conf for v in got) >= OUTVOTE_SURE:
            out[index] = value
    return out


def confirmation(cell: Cell, got: list[OcrWord]) -> Mark | None:
    """The mark over an amount or date ``cell`` read again to confirm its sure page-level reading
    (``cell.seen``): for an amount, :data:`CONFIRMED` when ``got``, the cell's second reading alone, is the
    same amount (its cents, if printed, left aside), :data:`UNCONFIRMED` when it is another amount; for a date,
    :data:`DATE_CONFIRMED` or :data:`DATE_UNCONFIRMED` alike (the same day, however printed, or another); None
    when it is no valid value of its kind (a cut-out read as noise says nothing of the first reading). Here the
    page's words stay: two readings that differ say only that one of them is wrong (an amount the second reading
    contradicts at OUTVOTE_SURE is settled by a third, elsewhere). An amount's reading that is no valid amount but
    says as many digits as the first reading and other ones (:func:`_other_digits`) contradicts it all the same."""
    text = " ".join(v.text for v in sorted(got, key=lambda v: v.left))
    box = cell.box
    if cell.alphabet == DATE:
        value, seen, kinds = _date_of(text), _date_of(cell.seen), (DATE_CONFIRMED, DATE_UNCONFIRMED)
    else:
        value, seen, kinds = dollars(_amount_text(text)), dollars(cell.seen), (CONFIRMED, UNCONFIRMED)
        if value is None and _other_digits(seen, text):
            return Mark(UNCONFIRMED, box.x0, box.y0, box.x1, box.y1)
    if value is None:
        return None
    return Mark(kinds[0] if value == seen else kinds[1], box.x0, box.y0, box.x1, box.y1)


def _other_digits(seen: int | None, text: str) -> bool:
    """A second reading of a sure amount ``seen`` (dollars) that says as many digits as it, and other ones, its
    marks aside: "1.000000" against 4,000,000 (a first digit misread in the first reading, its marks misread in
    the second: neither a valid amount of the other's). Its digits are the cut-out's own print read again, so a
    digit they differ on is one of the two readings wrong; a reading with a digit more or fewer (a "$" read as
    "5", a digit lost) says nothing of which."""
    digits = _digits(_amount_text(text))
    return seen is not None and len(digits) == len(str(seen)) and digits != str(seen)


def _date_of(text: str) -> str | None:
    """The date a reading says (ISO), a gap read inside it ("01/15/ 2026") closed if need be."""
    return parse_date(text) or parse_date(text.replace(" ", ""))


def _shrunk(w: OcrWord, zoom: float) -> OcrWord:
    """A word read on the strip enlarged by ``zoom``, in the strip's own pixels."""
    left, top = int(round(w.left / zoom)), int(round(w.top / zoom))
    return replace(w, left=left, top=top, width=max(1, int(round(w.right / zoom)) - left),
                   height=max(1, int(round((w.top + w.height) / zoom)) - top))


def _moved(w: OcrWord, cut: _Cut, pad: int) -> OcrWord:
    """A word read in the strip, moved to where its cut-out lies on the page."""
    return replace(w, left=cut.left + w.left - pad, top=cut.top + w.top - cut.at)


UNREAD_SHARE = 0.2  # of a zone's print: this much outside every word read is a line OCR left out
UNREAD_IN2 = 0.01  # ... when it is at least this much ink (square inches): a short word's worth
# NEAR_PT (pipeline.acord25.cells): a word whose centre lies this near a zone may cover some of its print


def unread_print(page: Page, image: np.ndarray, zone, *, scale: float, dpi: float,
                 least: float = UNREAD_IN2) -> bool:
    """True when ``zone`` (points) of the cleaned page holds print that none of the page's words
    was read from: a line page-level OCR left out (at least ``least`` square inches of ink)."""
    x0, y0 = max(0, int(zone.x0 / scale)), max(0, int(zone.y0 / scale))
    x1, y1 = min(image.shape[1], int(zone.x1 / scale)), min(image.shape[0], int(zone.y1 / scale))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return False
    crop = image[y0:y1, x0:x1]
    found = _print_found(crop, dpi)
    if found is None:
        return False
    # the print counted at the level it was found at (the pixels :func:`_print_only` kept), not at DARK: a blurred,
    # upsampled scan's digit is print mostly fainter than DARK (a lone revision digit of a 150 dpi scan, 71 pixels
    # darker than DARK where the same digit scanned at 300 dpi has 112, was taken for no print)
    (top, _, left, _), _, ink = found
    total = int(ink.sum())
    pad = max(2, int(0.03 * dpi))
    for w in words_in(page.words, zone, margin=NEAR_PT):
        a, b = int(w.y0 / scale) - y0 - top - pad, int(w.y1 / scale) - y0 - top + pad
        c, d = int(w.x0 / scale) - x0 - left - pad, int(w.x1 / scale) - x0 - left + pad
        ink[max(0, a):max(0, b), max(0, c):max(0, d)] = False
    left_out = int(ink.sum())
    return left_out >= least * dpi * dpi and left_out >= UNREAD_SHARE * total


LINE_SURE = 0.75  # OCR confidence (0-1) of each word of a one-line box's own reading taken where the page read none
# (partylines.LONE_SURE's level: a line only one reading has is kept at this mean confidence)


def _line(words: list[Word], cut: _Cut, got: list[OcrWord], place) -> list[Word]:
    """``words`` with a one-line value box's own reading ``got`` taken in: where the page's reading has no word in
    the box (nor within :data:`NEAR_PT` of it), ``got`` when it is one line of print-shaped words (a party's words
    or a code's: :func:`code_shaped`), each read at
    :data:`LINE_SURE` or more (a lone digit too: its cut-out's specks were painted out before it was read, so a
    character read there is print, where a party block's lone character may be a speck's); else as a party's
    block (:func:`_block`)."""
    first = words_in(words, cut.cell.box, margin=NEAR_PT)
    second = [place(v) for v in got if v.text.strip()]
    own = words_in(words, cut.cell.box)  # (a neighbour's word near the box is not replaced: its own box's value)
    if own and len(lines_of(second)) == 1 and (_of_kind(cut.cell, own, second) or _surer_code(cut.cell, own, second)):
        return [w for w in words if w not in own] + second
    if cut.cell.kind in ALONE_KINDS and cut.cell.reads(own):
        return words  # a code the page read, its own reading not taken: a party block's line scoring (:func:`_block`,
        # made for names and streets) would take any word-shaped reading over a number it scores as no word
    if first:
        return _block(words, cut, got, place)
    if (second and len(lines_of(second)) == 1 and all(plausible(w.text) or code_shaped(w.text) for w in second)
            and min(_sureness(w) for w in second) >= LINE_SURE):
        return words + second
    return words


# a code's print: capitals and digits, joined by the marks codes are printed with, holding NUMBER_DIGITS digits or
# more (the reader's: speckle is not read as a run of digits)
# (a policy number, a date, a phone number; a party's words are print-shaped by
# partylines.plausible, which takes no such code)
_CODE = re.compile(r"^[A-Z0-9]+(?:[-/.#][A-Z0-9]+)*$")


def code_shaped(text: str) -> bool:
    """A word shaped as a code's print (:data:`_CODE`, with NUMBER_DIGITS digits or more)."""
    return bool(_CODE.match(text)) and sum(c.isdigit() for c in text) >= NUMBER_DIGITS


def _of_kind(cell: Cell, first: list[Word], second: list[Word]) -> bool:
    """A one-line box's own reading ``second`` (one line) gives a value of its field's kind (``Cell.reads``: a date's box, a
    date) where the page's words there, ``first``, give none: the page's junk over clear print ('ee' '4' 'fae' for
    05/15/24), which a party block's line scores, made for names and streets, would keep (a date is no word of
    theirs)."""
    return cell.reads(second) and not cell.reads(first)


def _surer_code(cell: Cell, first: list[Word], second: list[Word]) -> bool:
    """A code box read again alone whatever its page-level words read (``cells.ALONE_KINDS``: a phone number) whose
    own reading ``second`` gives a value of its kind, every word read at :data:`LINE_SURE` or more and surer than
    the least sure of the page's words the page's value is read from (:func:`_holding`; not its label's leftover
    print beside it, whose doubt says nothing of the number's): the page read the number on one line with that
    print, and a digit misread so is read less surely than the number read alone."""
    if cell.kind not in ALONE_KINDS or not cell.reads(second):
        return False
    least = min(_sureness(w) for w in second)
    return least >= LINE_SURE and least > min(_sureness(w) for w in _holding(cell, first) or first)


def _holding(cell: Cell, words: list[Word]) -> list[Word]:
    """The words of a one-line box that its value is read from: each without which the box's words read another
    value (or none)."""
    value = cell.value(words)
    return [w for w in words if cell.value([v for v in words if v is not w]) != value] if value is not None else []


def retold(cell: Cell, page: list[Word], own: list[Word]) -> Mark | None:
    """An :data:`UNCONFIRMED` mark over a code box read again alone (``cells.ALONE_KINDS``) whose own reading
    (``own``, placed on the page) says another number than the page's words there (``page``), whichever of the two
    was kept (:func:`_line`): two readings that differ say only that one of them is wrong, so the value is shown,
    never trusted (its ``confirmed`` false, its confidence lowered), as an amount two readings alone outvoted the
    page's on (:func:`_outvoted`). None when the two say the same number, or either gives none."""
    if cell.kind not in ALONE_KINDS:
        return None
    was, now = cell.value(words_in(page, cell.box)), cell.value(own)
    if was is None or now is None or _digits(was) == _digits(now):
        return None
    return Mark(UNCONFIRMED, cell.box.x0, cell.box.y0, cell.box.x1, cell.box.y1)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _sureness(w: Word) -> float:
    return w.confidence if w.confidence is not None else 0.0


def _block(words: list[Word], cut: _Cut, got: list[OcrWord], place, labels=()) -> list[Word]:
    """``words`` with the block's page-level reading and ``got`` (its own reading) combined line by line
    (:func:`pipeline.ocr.partylines.combined`). The page's words are those lying in the box or within
    :data:`NEAR_PT` of it: a line straddling the box's edge is cut out with the block and read again.

    ``labels`` are the form's labels printed in the box whose print was painted out of the block's image
    before it was read (:func:`pipeline.ocr.labelink.erase_labels`). A word of ``got`` lying wholly inside
    one (within :data:`LABEL_SLACK_PT`) is what is left of the label's print and is left out, but a word in a
    word's own case inside a label a value is typed over (:func:`_label_print`). Where ``got``
    has words over a label's box (a value printed over the label), the page's words there were read from
    the two prints together: they are left out of the page's reading, and the block's reading of that line
    is taken when it is the better one (:func:`pipeline.ocr.partylines.combined`)."""
    first = words_in(words, cut.cell.box, margin=NEAR_PT)
    second = [w for w in (place(v) for v in got if v.text.strip()) if not any(_label_print(w, lb) for lb in labels)]
    if not second:
        return words
    over = [lb for lb in labels if any(_over(w, lb) for w in second)]
    mine = [w for w in first if not any(_over(w, lb) for lb in over)]
    both = combined(mine, second)
    if both == first:
        return words
    return [w for w in words if w not in first] + both


LABEL_SLACK_PT = 1.0  # a word read this far past a label's registered box may still be the label's print


def _within(word: Word, label: Label) -> bool:
    """The word lies wholly in the label's registered box (within :data:`LABEL_SLACK_PT`)."""
    return (word.x0 >= label.x0 - LABEL_SLACK_PT and word.x1 <= label.x1 + LABEL_SLACK_PT
            and word.y0 >= label.y0 - LABEL_SLACK_PT and word.y1 <= label.y1 + LABEL_SLACK_PT)


def _label_print(word: Word, label: Label) -> bool:
    """A word of a block's own reading is what is left of ``label``'s print: it lies wholly in the label's box
    (:func:`_within`), unless the label is one a value is typed over whenever its field is filled (``typed_over``:
    the 2001/08 PRODUCER and INSURED) and the word is read in a word's own case (a name's first word as short as
    the label, 'Harbor'; what is left of a label in capitals reads as capitals or junk). The word's doubt stays with
    it, as over such a label on the page (:func:`pipeline.acord25.template.in_word_case`)."""
    return _within(word, label) and not (label.typed_over and in_word_case(word.text))


def _over(word: Word, label: Label) -> bool:
    """The word is printed over the label: it reaches across the label's registered box, its middle on the
    label's rows (a line below, whose top touches the label's box, is not)."""
    return word.x0 < label.x1 and word.x1 > label.x0 and label.y0 <= word.cy <= label.y1


# -- one-character cells: each read from its own box -----------------------------------------------------------------

CELL_SLACK_PT = 3.0  # a cell's own print may lie this far past its registered box (a block's fit leaves about this)
CELL_LABEL_SLACK_PT = 0.5  # a blot whose middle lies this near a printed label's registered box is the label's print
# a gap across a line of a cell's print wider than this share of the line's height parts two prints (the cell's own
# and a neighbour's letter that the box, placed a few points off, takes in); a filler's letters ("N/A") lie closer
PRINT_GAP = 1.0
LETTER_PSM = 7  # a line of one cell read alone: one line of text (one word, 8, or raw, 13, read far less)
# each line is read twice, alone both times, at its own size and at twice it: tesseract reads some lone capitals
# as nothing at one size and surely at the other (held to the cell's alphabet it reads more of them as nothing, and
# a filler "N/A" as "N"; free, a line that is not one character reads as more): docs/accuracy.md, ynalone
LETTER_ZOOMS = (1.0, 2.0)


def read_alone(page: Page, image: np.ndarray, cells: list[Cell], engine: OcrEngine, *, dpi: float, place,
               printed: tuple[Label, ...] = ()) -> Page:
    """``page`` with each one-character cell (an insurer letter, a Y/N answer) read from its own box alone.

    A cell's own print is found among the blots of ink in its box grown by :data:`CELL_SLACK_PT`, on none of the
    form's labels (``printed``): of a line's prints parted by a wide gap (:data:`PRINT_GAP`), the one nearest the
    box's middle, when it lies wholly in the grown box and its middle in the box: a neighbour's letter, a rule or a
    label running into the box is not the cell's (:func:`_own_lines`). Its lines (the "other" row may stack one value a line) are each cut
    out alone, on paper, and read by tesseract calls of their own (:func:`_line_of_cell`): what a line reads as
    depends on that line's print only, never on what other cells hold. A line read as one character of the cell's
    alphabet is the cell's value there, and the page's debris words in the cell (:func:`_debris`) give way to the
    cell's values, but on a line read as anything else (a filler "N/A", a blur, a letter tesseract is not sure of):
    the page's words there stay as they are."""
    scale = page.width / image.shape[1]
    words = list(page.words)
    lines = 0
    for cell in cells:
        grown = cell.box.grown(CELL_SLACK_PT)
        labels = [lb for lb in printed if grown.meets(lb)]
        read, unsure = [], []  # the lines read as a value (as words), and those that were not (their boxes)
        for left, top, piece in _own_lines(image, cell, dpi, scale, labels):
            got = _line_of_cell(piece, cell, engine, dpi)
            lines += 1
            word = place(OcrWord(got[0] if got else "", left, top, piece.shape[1], piece.shape[0],
                                 got[1] if got else 0.0, (1, 1, 1)))
            (read if got else unsure).append(word)
        if read:  # the page's debris in the cell gives way, but on a line of print not read surely here
            words = [v for v in words if not (_overlaps(v, cell.box) and _debris(v, cell)
                                              and not any(u.y0 <= v.cy <= u.y1 for u in unsure))] + read
    logger.debug("%s one-character cells, %s lines read alone", len(cells), lines)
    words.sort(key=lambda v: (round(v.y0, 1), v.x0))
    return replace(page, words=tuple(words))


def _pad_px(dpi: float) -> int:
    """Pixels of paper around a cut-out (PAD, at least MIN_PAD_PX)."""
    return max(MIN_PAD_PX, int(PAD * dpi))


def _line_of_cell(piece: np.ndarray, cell: Cell, engine: OcrEngine, dpi: float) -> tuple[str, float] | None:
    """One line of a one-character cell's own print (``piece``), read alone at each of :data:`LETTER_ZOOMS`:
    its character and the least confidence, when the readings that give one character of the cell's alphabet at
    :data:`SURE_LETTER` or more give the same one; else None (no sure reading, or two that differ)."""
    pad = _pad_px(dpi)
    paper = np.full((piece.shape[0] + 2 * pad, piece.shape[1] + 2 * pad), 255, dtype=np.uint8)
    paper[pad:pad + piece.shape[0], pad:pad + piece.shape[1]] = piece
    sure = []
    for zoom in LETTER_ZOOMS:
        image = paper if zoom == 1.0 else cv2.resize(paper, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
        got = engine.words(image, dpi=int(round(dpi * zoom)), psm=LETTER_PSM)
        text = "".join(w.text for w in got).strip(_EDGES)
        conf = min((w.conf for w in got), default=0.0)
        if cell.accepts(text) and conf >= SURE_LETTER:
            sure.append((text.upper(), conf))
    if not sure or len({t for t, _ in sure}) > 1:
        return None
    return sure[0][0], min(c for _, c in sure)


def _own_lines(image: np.ndarray, cell: Cell, dpi: float, scale: float,
               labels: list[Label]) -> list[tuple[int, int, np.ndarray]]:
    """The lines of print that are ``cell``'s own, top to bottom: (left, top in page pixels, the line's cut-out
    with every other blot painted as paper)."""
    slack = CELL_SLACK_PT / scale
    x0, y0 = max(0, int(cell.box.x0 / scale - slack)), max(0, int(cell.box.y0 / scale - slack))
    x1 = min(image.shape[1], int(cell.box.x1 / scale + slack))
    y1 = min(image.shape[0], int(cell.box.y1 / scale + slack))
    crop = image[y0:y1, x0:x1]
    if min(crop.shape) < MIN_CROP_PX:
        return []
    dark = crop < _print_level(crop)
    count, blots, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    smallest = (MIN_STROKE_IN * dpi) ** 2
    own, across = [], set()
    for i in range(1, count):
        left, top, width, height, area = stats[i]
        if top == 0 or top + height == crop.shape[0]:
            continue  # print running out of the cell up or down (a rule's remains)
        cx, cy = (x0 + left + width / 2) * scale, (y0 + top + height / 2) * scale  # points
        if any(lb.x0 - CELL_LABEL_SLACK_PT <= cx <= lb.x1 + CELL_LABEL_SLACK_PT
               and lb.y0 - CELL_LABEL_SLACK_PT <= cy <= lb.y1 + CELL_LABEL_SLACK_PT for lb in labels):
            continue  # the form's own print (the "(Y/N)" over the excluded-member answer, a label's first letters)
        own.append(i)
        if (left == 0 or left + width == crop.shape[1]) and area >= smallest:
            across.add(i)  # running out of the cell sideways: its print is a neighbour's, or overflows the cell
    middle = (cell.box.x0 + cell.box.x1) / 2 / scale - x0  # crop pixels
    out = []
    for line in _lines_of_blots(stats, own):
        prints = [p for p in _prints_of_line(stats, line) if max(stats[i][4] for i in p) >= smallest]  # not specks
        if not prints:
            continue
        ids = min(prints, key=lambda p: abs(
            (min(stats[i][0] for i in p) + max(stats[i][0] + stats[i][2] for i in p)) / 2 - middle))
        if across & set(ids):
            continue  # the print nearest the box's middle runs out of the cell: not the cell's own
        ids = [i for i in ids if stats[i][4] >= smallest]  # the print's specks are left out of its cut-out
        top, bottom = min(stats[i][1] for i in ids), max(stats[i][1] + stats[i][3] for i in ids)
        left, right = min(stats[i][0] for i in ids), max(stats[i][0] + stats[i][2] for i in ids)
        if not (cell.box.x0 <= (x0 + (left + right) / 2) * scale <= cell.box.x1
                and cell.box.y0 <= (y0 + (top + bottom) / 2) * scale <= cell.box.y1):
            continue  # the print nearest the box's middle is not the cell's own
        mask = np.isin(blots[top:bottom, left:right], ids)
        piece = np.where(mask, crop[top:bottom, left:right], np.uint8(255))
        out.append((x0 + int(left), y0 + int(top), np.ascontiguousarray(piece)))
    return out


def _lines_of_blots(stats: np.ndarray, ids: list[int]) -> list[list[int]]:
    """Blots (indexes of ``stats``, connected components' boxes) grouped into lines, top to bottom: blots whose
    rows overlap are one line."""
    lines: list[list] = []  # [bottom, blots]
    for i in sorted(ids, key=lambda i: stats[i][1]):
        top, bottom = stats[i][1], stats[i][1] + stats[i][3]
        if lines and top < lines[-1][0]:
            lines[-1][0] = max(lines[-1][0], bottom)
            lines[-1][1].append(i)
        else:
            lines.append([bottom, [i]])
    return [blots for _, blots in lines]


def _prints_of_line(stats: np.ndarray, ids: list[int]) -> list[list[int]]:
    """A line's blots parted where the gap across them is wider than :data:`PRINT_GAP` times the line's height."""
    height = max(stats[i][1] + stats[i][3] for i in ids) - min(stats[i][1] for i in ids)
    prints: list[list] = []  # [right, blots]
    for i in sorted(ids, key=lambda i: stats[i][0]):
        left, right = stats[i][0], stats[i][0] + stats[i][2]
        if prints and left - prints[-1][0] <= PRINT_GAP * height:
            prints[-1][0] = max(prints[-1][0], right)
            prints[-1][1].append(i)
        else:
            prints.append([right, [i]])
    return [blots for _, blots in prints]


GARBLED = 0.3  # a page-level word read less sure than this in a one-letter cell is noise ('Seles')
_EDGES = "|[]().,'‘’"  # rule ends and specks read at a letter's sides
SURE_LETTER = 60.0  # tesseract confidence: a letter read among debris in its cell is taken at this or more
DOUBTED = 85.0  # tesseract confidence (0-100) of an amount the page-level reading does not confirm
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                             "!": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9",
                             "q": "9", ".": ",", ";": ",", ":": ","})


def _amount_text(text: str) -> str:
    """A second reading of an amount cell without the form's "$" (read as "$", "S" or "§") and stray edges."""
    text = text.strip("|[](){}'‘’\"_~-")
    if text[:1] in ("$", "§") or (text[:1] in ("S", "s") and text[1:2].isdigit()):
        text = text[1:]
    return text.strip()


def agree(seen: str, read: str) -> bool:
    """True when the page-level reading ``seen`` says the same digits as ``read``, letters that look
    like digits taken as those digits ("l,OOO,000" agrees with "1,000,000"; "," or "ihen.000" does not), its cents,
    if printed, left aside ("$500,000.00" agrees with "500,000"; "1,000.50" agrees with nothing)."""
    mapped = without_cents(_amount_text(seen).translate(_LOOKALIKES))
    if mapped is None:  # cents other than zeros: its digits misread
        return False
    digits = "".join(c for c in mapped if c != ",")
    return bool(digits) and digits.isdigit() and digits == read.replace(",", "")


def _print_level(crop: np.ndarray) -> float:
    """The grey level below which a cut-out's pixels are print: halfway from its paper (median) to its darkest
    pixel, between DARK and FAINT (a blurred, upsampled scan prints faint)."""
    paper, darkest = float(np.median(crop)), float(crop.min())
    return max(DARK, min(FAINT, (paper + darkest) / 2))


def _print_only(crop: np.ndarray, dpi: float, *, words: bool = False) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """The crop trimmed to its print, specks painted out: ((top, bottom, left, right), pixels), or None if blank.
    In a cell of words (``words``: a party block, a one-line text box), blots within :data:`PRINT_JOIN_IN` of each
    other are judged together (a thin letter, a letter's dot, a comma with its word); amounts and dates are read
    from their cut-outs as before (their digits' strokes stand alone above the speck's square)."""
    found = _print_found(crop, dpi, words=words)
    return None if found is None else found[:2]


def _print_found(crop: np.ndarray, dpi: float, *, words: bool = False) \
        -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray] | None:
    """:func:`_print_only`'s trimmed box and pixels, and which of those pixels are the print it kept (a bool mask
    the pixels' shape): the print at the level it was found at."""
    paper = float(np.median(crop))
    level = _print_level(crop)
    dark = crop < level
    smallest = (MIN_STROKE_IN * dpi) ** 2
    least = min(MIN_INK * crop.size, LETTER_INK_IN2 * dpi * dpi)
    mask = _strokes(dark, dark, smallest, join=max(1, round(PRINT_JOIN_IN * dpi)) if words else 0)
    if mask.sum() < least:
        # nothing left but specks: a thin stroke the dark level broke into speck-sized pieces (a serif digit on a
        # blurred scan) is whole again when its pieces are joined through their faint edges
        # (a blot as tall as a stroke is wide: a rule's faint remains, flat, are not joined into print)
        mask = _strokes(dark, crop < (level + paper) / 2, smallest, tall=MIN_STROKE_IN * dpi)
        if mask.sum() < least:
            return None
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    piece = np.where(mask | (crop >= level), crop, np.uint8(255))[top:bottom, left:right]
    return (top, bottom, left, right), np.ascontiguousarray(piece), mask[top:bottom, left:right].copy()


def _strokes(dark: np.ndarray, reach: np.ndarray, smallest: float, tall: float = 0.0, join: int = 0) -> np.ndarray:
    """The ``dark`` pixels that lie in a blot of ``reach`` (``dark`` itself, or a fainter level's pixels that hold
    it) of at least ``smallest`` pixels and ``tall`` pixels high: print, not specks. With ``join`` (pixels), also
    those of a smaller blot that lies within ``join`` of a core blot (one that is print alone or stands as tall as
    a speck's square is wide: a letter's stem, a comma; it, too) when the blots within ``join`` of each other
    around it hold ``smallest`` pixels together and stand that tall: a letter's dot beside its stem, a word's thin
    letters beside the others. Never in a chain: the dark pieces left along a flat rule's faint remains, each
    within ``join`` of the next, are kept only where they lie that close to a core blot, not across the cell."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(reach.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= smallest) & (stats[1:, cv2.CC_STAT_HEIGHT] >= tall)
    if not join:
        return keep[labels] & dark
    high = max(tall, np.sqrt(smallest))
    core = keep | (stats[:, cv2.CC_STAT_HEIGHT] >= high)
    core[0] = False
    near = cv2.dilate(reach.astype(np.uint8), np.ones((join + 1, join + 1), np.uint8))  # gaps up to ``join`` closed
    kinds, groups = cv2.connectedComponents(near, connectivity=8)
    held = reach.astype(bool)
    group = np.zeros(count, dtype=np.int64)
    group[labels[held]] = groups[held]  # each blot's group
    group[0] = 0
    size = np.bincount(group[1:], weights=stats[1:, cv2.CC_STAT_AREA], minlength=kinds)  # the blots' own pixels
    top = np.full(kinds, reach.shape[0])
    bottom = np.zeros(kinds, dtype=np.int64)
    np.minimum.at(top, group[1:], stats[1:, cv2.CC_STAT_TOP])  # the group's height from its blots' own rows,
    np.maximum.at(bottom, group[1:], stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT])  # not the gaps'
    joined = (size >= smallest) & (bottom - top >= high)
    # within ``join`` of a core blot: a gap of at most ``join`` pixels between them, as the groups are joined
    close = cv2.dilate(core[labels].astype(np.uint8), np.ones((2 * join + 3, 2 * join + 3), np.uint8)).astype(bool)
    by_core = np.zeros(count, dtype=bool)
    by_core[labels[close & held]] = True
    by_core[0] = False
    return (keep | (joined[group] & by_core))[labels] & dark


def _cut_of(cuts: list[_Cut], pieces: list[np.ndarray], w: OcrWord) -> int | None:
    cy = w.top + w.height / 2
    for i, (cut, piece) in enumerate(zip(cuts, pieces)):
        if cut.at - CUT_SLACK_PX <= cy <= cut.at + piece.shape[0] + CUT_SLACK_PX:
            return i
    return None


def _overlaps(word: Word, box) -> bool:
    """The word lies on the cell's rows and reaches into it (a reading run across two cells counts)."""
    return box.y0 <= word.cy <= box.y1 and word.x0 < box.x1 and word.x1 > box.x0


def _debris(word: Word, cell: Cell) -> bool:
    """A page-level word in a one-letter cell that the second reading supersedes (not printed text)."""
    if cell.alphabet == DATE:
        return False  # the date's zone holds print too: the date read is added, nothing taken away
    if cell.alphabet == AMOUNT:
        return word.text != "$" and parse_date(word.text) is None  # the amount's misreadings; the "$" stays
    core = "".join(c for c in word.text.upper() if c.isalnum())
    return len(core) <= 2 or set(core) <= set(cell.alphabet) or (word.confidence or 0.0) < GARBLED
