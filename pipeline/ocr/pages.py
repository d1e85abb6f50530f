"""One page through the OCR stages: raster -> upright, level -> words and marks -> Page."""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from pipeline.ocr import checkboxes, deskew, labelink, orient, photo, raster, rules, zoned, zones
from pipeline.ocr.bitmask import PackedMask
from pipeline.ocr.engine import OcrEngine, OcrWord, TesseractEngine
from pipeline.ocr.labels import snap_labels
from pipeline.registration import PageRegistration
from pipeline.textlayer import Mark, Page, Word

logger = logging.getLogger(__name__)

OCR_DPI = 300
MIN_OCR_DPI = 270
# OpenCV's own thread pool, for a page's image work: one thread. Its parallel labelling and morphology spent
# up to twice the CPU of one thread for the same masks (2 cores, docs/accuracy.md), and the OCR pool already
# reads pages side by side, one per process and core (docs/scaling.md)
OPENCV_THREADS = 1
# threads beside the page's own for its image work: one, finding the long rules and registering the page by them
# while the page's thread finds the check boxes and the ink's straight runs (the worker has 2 cores; the OCR pool
# runs one page a process and core, so on a busy worker the two threads share what one would use; the CPU spent is
# the same either way, only the wait shortens when a core is free: docs/accuracy.md, scanfast); none, the work run
# on the page's thread, when the caller says no core is idle for it (``side_thread``, :func:`side_thread_helps`)
SIDE_THREADS = 1
CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # this process's cgroup's CPU quota and period (cgroup v2, in a container)
_JUNK = re.compile(r"^[|_\-—–~'‘’\"“”.,:;!`=\[\](){}]+$")


def usable_cores(cpu_max: Path = CPU_MAX) -> int:
    """The cores this process may run on: its CPU affinity where the system tells it (``taskset`` may allow fewer
    than the machine has), else ``os.cpu_count()``; fewer where a cgroup v2 quota allows less (a container run
    with ``--cpus``, a Kubernetes CPU limit: :func:`quota_cores`)."""
    try:
        cores = len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(cores, quota_cores(cpu_max) or cores)


def quota_cores(cpu_max: Path = CPU_MAX) -> int | None:
    """The cores a cgroup v2 CPU quota allows, rounded up ("200000 100000": 2; "150000 100000": 2), or None
    where there is none ("max 100000", no such file, not Linux)."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):  # "max", unreadable, not two numbers
        return None


def side_thread_helps(page_threads: int, cores: int) -> bool:
    """Whether a page's side work (its long rules, :func:`_long_rules`) gains from a thread of its own.

    The side thread spends no less CPU than the page's own thread would; it only shortens the page's wait,
    and only when a core is idle to run it. When the OCR pools of the machine already run ``page_threads``
    pages at once, one a thread, on ``cores`` cores, and none is left idle, the side thread only adds its
    images to the process's peak while both threads' work is alive at once (20-25 MB at 300 dpi: docs/scaling.md,
    ocrmem4, ocrmem5): the side work is then run on the page's thread, before the rest."""
    return page_threads < cores


def ocr_pages(data: bytes, kind: str, *, max_pages: int, engine: OcrEngine | None = None,
              dpi: int = OCR_DPI, side_thread: bool = True) -> list[Page]:
    """The words and marks of every page of a scanned PDF or an image file. ``side_thread``: a page's side
    work on a thread of its own (:func:`side_thread_helps`), else on the page's thread; the same words and
    marks either way."""
    engine = engine or TesseractEngine()
    pages = []
    # a page drawn when the one before it is read: one page's pixels alive at a time, not the whole file's
    for r in raster.raster_pages(data, kind, max_pages=max_pages, dpi=dpi):
        held = [r]
        del r  # the page is held by ``held`` alone, and let go by ``_read`` (its pixels as drawn) once levelled
        pages.append(_read(held, engine, side_thread=side_thread))
    return pages


def ocr_raster(page: raster.Raster, engine: OcrEngine, *, side_thread: bool = True) -> Page:
    """The words and marks of one page drawn by :mod:`pipeline.ocr.raster`."""
    return _read([page], engine, side_thread=side_thread)


class _InPlace:
    """Where a page's side work runs when no core is left for a thread of its own: on the page's thread,
    at once (``submit`` gives a future already done; the executor's interface, so the page's steps are the
    same code either way)."""

    def __enter__(self) -> _InPlace:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(fn(*args, **kwargs))  # what it raises, it raises here (the page fails either way)
        return done


def _side_work(side_thread: bool) -> ThreadPoolExecutor | _InPlace:
    """The executor of a page's side work: a thread of its own, or the page's thread (:func:`side_thread_helps`)."""
    if side_thread:
        return ThreadPoolExecutor(max_workers=SIDE_THREADS, thread_name_prefix="ocr-rules")
    return _InPlace()


def _read(held: list[raster.Raster], engine: OcrEngine, *, side_thread: bool = True) -> Page:
    """:func:`ocr_raster` of the one page in ``held``, taken out of it: when nothing else holds the page, its pixels
    as drawn (8.4 MB at 300 dpi) go as soon as the page is levelled, not after tesseract has read it."""
    started = time.monotonic()
    if cv2.getNumThreads() != OPENCV_THREADS:
        cv2.setNumThreads(OPENCV_THREADS)
    page = held.pop()
    image, width_pt, height_pt = page.image, page.width_pt, page.height_pt
    number, per_px = page.number, page.width_pt / page.image.shape[1]
    del page
    corners = photo.find_page(image)
    sheet = None  # a photographed sheet's corners, in points of the raster
    if corners is not None:
        sheet = tuple((round(float(x) * per_px, 2), round(float(y) * per_px, 2)) for x, y in corners)  # a photographed sheet: squared up, and measured as the letter page it is
        image = photo.square_up(image, corners)
        short, long = sorted((raster.LETTER_W, raster.LETTER_H))
        width_pt, height_pt = (short, long) if image.shape[0] >= image.shape[1] else (long, short)
        logger.info("page %s: a photographed sheet, squared up", number)
    dpi = image.shape[1] * 72.0 / width_pt
    image = photo.even_lighting(image, dpi)
    if dpi < MIN_OCR_DPI:  # 5.5 pt labels need ~300 dpi; upsampling a 150-200 dpi scan reads far better
        factor = OCR_DPI / dpi
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        dpi = image.shape[1] * 72.0 / width_pt
    # the tilt is measured once on the page as it lies: the ruled turn levels the rules by it, and a page left
    # unturned (most are) is levelled by it too; a turned page is measured again as it then lies
    angle = deskew.estimate_skew(image)
    turn = orient.find_upright(image, dpi, engine, skew=angle)
    if turn.rotate:
        image = orient.rotate_clockwise(image, turn.rotate)
        if turn.rotate in (90, 270):
            width_pt, height_pt = height_pt, width_pt
        angle = deskew.estimate_skew(image)
    image = deskew.deskew(image, angle)
    image = deskew.despeckle(image, dpi)
    level, ink = deskew.binarised(image)
    # a photographed sheet's hairlines (check boxes' sides), blurred by the lens and resampled by the squaring
    # up, are lost to one page-wide ink level: its boxes are outlined against the paper around them
    outline = deskew.binarise_local(image, dpi) if sheet is not None else None
    scale = width_pt / image.shape[1]
    cheap_path = zoned.enabled() and turn.by == "rules"  # only the value boxes, when the rules place them
    # the page's long rules and their registration to the form (no words needed) on a thread of their own,
    # beside the check boxes and the ink's straight runs here: the two share nothing until the rules are
    # painted out, and OpenCV's and numpy's work lets go of the interpreter's lock (module note of SIDE_THREADS)
    # (on the page's thread instead, first, when no core is idle to run it: ``side_thread``)
    with _side_work(side_thread) as side:
        ruled = side.submit(_long_rules, image, dpi, scale, cheap_path, level)
        boxes = checkboxes.check_boxes(ink, dpi, outline=outline)
        # the straight runs of the ink: its rules are painted out, and the signature's ink is told from them
        # (``joined``: both directions, as bits, all ``read`` needs of them)
        standing, joined = rules.standing_and_straight(ink, dpi)
        hairlines, rule_marks, candidates = ruled.result()
    sides = checkboxes.box_sides(boxes, ink.shape)  # drawn now, not held while the rules were found
    clean = rules.remove_rules(image, ink, dpi, extra=cv2.bitwise_or(sides, hairlines, dst=sides), rules=standing)
    # from here on the ink is only looked at in places (check-box cells, the signature's box): kept as bits
    ink = PackedMask.of(ink)
    size = (round(width_pt, 2), round(height_pt, 2))
    placed = PageRegistration(turn=turn.rotate, turned_by=turn.by, skew=angle, size=size, corners=sheet)
    read = functools.partial(_page_of, number=number, size=size, boxes=boxes, rule_marks=rule_marks, ink=ink,
                             straight=joined, dpi=dpi, scale=scale)
    # what is read from here on is ``clean`` (and the ink and straight runs, as bits): the page's other images (a
    # 300 dpi page's are 8.4 MB each) are let go before tesseract's own memory comes on top
    del image, outline, joined, standing, sides, hairlines, ruled  # (the future holds its result)
    if cheap_path:
        cheap = _by_zones(clean, ink, candidates, read, engine, dpi, placed)
        zoned.note(cheap is not None)
        if cheap is not None:
            logger.info("OCR page %s by its value boxes: turned %s, skew %.2f, %s words in %.1f s", number,
                        turn.rotate, angle, len(cheap.words), time.monotonic() - started)
            return cheap
        logger.info("OCR page %s: its value boxes could not be placed; reading the whole page", number)
    found = engine.words(clean, dpi=int(round(dpi)))
    done = read(found)
    logger.info("OCR page %s: turned %s, skew %.2f, %s words, %s marks in %.1f s", number, turn.rotate,
                angle, len(done.words), len(done.marks), time.monotonic() - started)
    return _second_reading(done, clean, engine, dpi, placed, ink)


def _long_rules(image: np.ndarray, dpi: float, scale: float, register: bool,
                level: float | None = None) -> tuple[np.ndarray, list[Mark], list]:
    """The page's long rules: (the mask of those to paint out, a ``rule`` mark for each, in points, and the
    page registered by them to each template that matches, best first, when ``register``: :func:`zoned.register`).
    ``level``: the page's ink level (:func:`deskew.binarised`), when the caller has picked it already.

    They are found on ink not blurred with gaps bridged, so that a faint hairline rule (which the blurred ink
    breaks into dots) is marked, for placing columns and rows, and, when upright, painted out too (else it is
    read as "|" beside each value; a level one bridged may run into print)."""
    hairlines, segments = rules.long_printed_rules(deskew.binarise_fine(image, level), dpi, bridge_pt=rules.DASHED_GAP_PT)
    rule_marks = [Mark("rule", *(round(v * scale, 2) for v in segment)) for segment in segments]
    candidates = zoned.register([(m.x0, m.y0, m.x1, m.y1) for m in rule_marks]) if register else []
    return hairlines, rule_marks, candidates


def _page_of(found: list[OcrWord], *, number: int, size: tuple[float, float], boxes: list[checkboxes.CheckBox],
             rule_marks: list[Mark], ink: np.ndarray | PackedMask, straight: PackedMask, dpi: float,
             scale: float) -> Page:
    """The page's words (read in page pixels) and marks: its check boxes, its rules and a signature's ink."""
    words, marks = _place(found, boxes, scale)
    marks += rule_marks
    marks += _signature(words, ink, straight, dpi, scale)
    words.sort(key=lambda w: (round(w.y0, 1), w.x0))
    return Page(number=number, width=size[0], height=size[1], words=tuple(words), marks=tuple(marks))


def _by_zones(clean: np.ndarray, ink: PackedMask, candidates: list, read, engine: OcrEngine, dpi: float,
              placed: PageRegistration) -> Page | None:
    """The page read by its value boxes only (:mod:`pipeline.ocr.zoned`), with its second readings; None
    when the rules do not place the boxes (``candidates``: the page registered by its rules to each template
    that matches, :func:`zoned.register`) or the words read do not make the page an ACORD 25."""
    from pipeline.acord25.identify import identify_page
    from pipeline.acord25.reader import prepared
    from pipeline.acord25.template import restore

    if not candidates:
        return None
    scale = placed.size[0] / clean.shape[1]
    runs = [zoned.overrun(r) for r in candidates]  # the strips text values' print may run over, and their rules
    boxes = [z for r in candidates for z in zoned.zones(r)] + [z for strips, _ in runs for z in strips]
    paper = [z for _, rules in runs for z in rules]
    page = read(zoned.read_zones(clean, boxes, engine, dpi=dpi, scale=scale, paper=paper))
    info = identify_page(page)
    if info is None:
        return None
    # the edition the footer names, when its rules matched nearly as well as the best's; else the best
    registration = next((r for r in candidates if r.template.edition == info.edition), candidates[0])
    registration = restore(prepared(page), registration.template, registration.blocks, registration.glob)
    return _second_reading(page, clean, engine, dpi, placed, ink, registration)


def _second_reading(page: Page, clean: np.ndarray, engine: OcrEngine, dpi: float,
                    placed: PageRegistration, ink: PackedMask, registration=None) -> Page:
    """The page with its doubtful value boxes read a second time, alone: one-letter table cells, the
    date, limit amounts and party blocks, one tesseract call for each kind present (see
    :mod:`pipeline.ocr.zones`). The boxes are the form template's, on the page registered to it; that
    registration is kept with the page (``placed``, with the template's fits, page-wide and per block, when
    there are any), and the extract step reads the page by it rather than registering it again. ``registration``,
    when given, is the page's already (the cheap path's, from the rules): it is neither identified nor
    registered again here, and its sure amounts are read again to confirm them (:func:`zones.confirmation`)."""
    from pipeline.acord25.cells import page_registration, unseen_checks, value_cells
    from pipeline.acord25.identify import identify_page, stored

    if registration is None and identify_page(page) is None:
        return replace(page, registration=placed)  # not an ACORD 25: no cells to look for
    confirm = registration is not None
    registration = registration or page_registration(page)
    if registration is None:
        return replace(page, registration=placed)
    placed = stored(placed, registration)
    scale = page.width / clean.shape[1]
    page = replace(page, marks=page.marks + tuple(_cell_marks(unseen_checks(page, registration), ink, dpi, scale)))
    unread = functools.partial(zones.unread_print, page, clean, scale=scale, dpi=dpi)
    # on a page read by its value boxes (its registration given, from the rules), every amount read surely is read
    # a second time too, alone, to confirm it: a digit misread in a word tesseract was sure of is caught only so
    cells = value_cells(page, unread, registration, confirm=confirm)
    if not cells:
        return replace(page, registration=placed)
    return replace(zones.reread_cells(page, clean, cells, engine, dpi=dpi, place=lambda w: _word(w, scale),
                                      printed=labelink.printed_in(registration)), registration=placed)


def _cell_marks(cells: list, ink: np.ndarray | PackedMask, dpi: float, scale: float) -> list[Mark]:
    """A ``cross`` or ``box`` mark for each check-box cell (points) the template placed where the OCR stage saw
    no box: the ink inside the cell itself, straight runs left out (:func:`checkboxes.cell_mark`)."""
    marks = []
    for cell in cells:
        size = checkboxes.cell_mark(ink, tuple(int(round(v / scale)) for v in (cell.x0, cell.y0, cell.x1, cell.y1)), dpi)
        logger.debug("check cell %s: a mark %.1f pt", cell, size)
        marks.append(Mark("cross" if size >= checkboxes.MARK_PT else "box", cell.x0, cell.y0, cell.x1, cell.y1,
                          confidence=round(checkboxes.cell_confidence(size), 3)))
    return marks


def _place(found: list[OcrWord], boxes: list[checkboxes.CheckBox], scale: float) -> tuple[list[Word], list[Mark]]:
    """Words in points (junk and box contents left out) and a cross mark for each checked box."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    marks: list[Mark] = []
    inside: dict[int, list[OcrWord]] = {}
    for w in (piece for word in found for piece in off_boxes(word, boxes)):
        cx, cy = w.left + w.width / 2, w.top + w.height / 2
        box = next((i for i, b in enumerate(boxes) if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1), None)
        if box is not None:
            inside.setdefault(box, []).append(w)
            continue
        if _JUNK.match(w.text) and w.conf < 60:
            continue
        lines.setdefault(w.line, []).append(_word(w, scale))
    words = snap_labels([fix_dollars(_level(sorted(line, key=lambda w: w.x0))) for line in lines.values()])
    for i, b in enumerate(boxes):
        content = inside.get(i, [])
        letters = [w for w in content if w.text.strip("|[]()").upper() in ("Y", "N")]
        if letters:  # a Y/N box holds a letter, not a check
            words.extend(replace(_word(w, scale), text=w.text.strip("|[]()").upper()) for w in letters)
            continue
        # a checked box is a cross; an empty one is kept too (kind "box"), so that the extractor can
        # tell "seen empty" from "not seen at all" and be sure of an unchecked box only when it saw it
        marks.append(Mark("cross" if b.checked else "box", round(b.x0 * scale, 2), round(b.y0 * scale, 2),
                          round(b.x1 * scale, 2), round(b.y1 * scale, 2), confidence=round(b.confidence, 3)))
    return words, marks


def off_boxes(w: OcrWord, boxes: list[checkboxes.CheckBox]) -> list[OcrWord]:
    """``w`` with any check box it ran into cut away (the pieces of print left of and right of it).

    On a scan a label's word often swallows the box printed just before it ("XEXCESS", a box
    read as part of "OCCUR"): its box then starts inside the check box, and the extractor,
    which looks for the box left of the label, looks in the wrong place.  A word no wider than
    the box with its centre inside is the box's content and is left whole for the caller.
    """
    pieces = [w]
    for b in boxes:
        nxt = []
        for p in pieces:
            cx, cy = p.left + p.width / 2, p.top + p.height / 2
            overlap_y = min(p.bottom, b.y1) - max(p.top, b.y0)
            content = b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1 and p.width <= 1.5 * (b.x1 - b.x0)
            if content or overlap_y < 0.5 * min(p.height, b.y1 - b.y0) \
                    or p.right <= b.x0 or p.left >= b.x1:
                nxt.append(p)
                continue
            nxt.extend(_cut(p, b))
        pieces = nxt
    return pieces


_BOX_GLYPHS = frozenset("|[](){}/\\xXkK×✓✔vV!'‘’\"“”.,:;_-~")  # what a box or its check reads as


def _cut(w: OcrWord, b: checkboxes.CheckBox) -> list[OcrWord]:
    """The parts of ``w`` left and right of box ``b``, each with its share of the letters.

    Letters are shared by width; the box's own reading (a check read as X, a side as |) is
    dropped from the inner ends, never a letter more than the box's width holds."""
    text, grace = w.text, 0.3 * w.height
    left_px, right_px = b.x0 - w.left, w.right - b.x1
    if left_px < grace and right_px < grace:
        return [w]  # no print beside the box to keep apart from it
    per = w.width / max(len(text), 1)
    most = max(1, round((min(w.right, b.x1) - max(w.left, b.x0)) / per))
    n_left = round(len(text) * left_px / w.width) if left_px >= grace else 0
    n_right = round(len(text) * right_px / w.width) if right_px >= grace else 0
    if left_px < grace:
        n_right = len(text)  # the box at the word's start: all its letters but the box's own
    elif right_px < grace:
        n_left = len(text)
    left, right = text[:n_left], text[len(text) - n_right:] if n_right else ""
    out = []
    if right:
        strip = 0
        while strip < most and strip < len(right) - 1 and right[strip] in _BOX_GLYPHS:
            strip += 1
        out.append(OcrWord(right[strip:], b.x1, w.top, w.right - b.x1, w.height, w.conf, w.line))
    if left:
        strip = 0
        while strip < most and strip < len(left) - 1 and left[-1 - strip] in _BOX_GLYPHS:
            strip += 1
        out.insert(0, OcrWord(left[:len(left) - strip], w.left, w.top, b.x0 - w.left, w.height, w.conf, w.line))
    return out


_AMOUNT = re.compile(r"^\$?\d{1,3}(,\d{3})+$|^\$?\d+$")
_DOLLAR_LOOKALIKES = frozenset({"s", "S", "§", "$", "5", "$s", "8"})


def fix_dollars(line: list[Word]) -> list[Word]:
    """The form's printed '$' before an amount, often read as 's', '§' or '5', made '$' again."""
    out = list(line)
    for i, w in enumerate(out[:-1]):
        nxt = out[i + 1]
        if w.text not in _DOLLAR_LOOKALIKES or w.text == "$" or not _AMOUNT.match(nxt.text.replace(".", ",")):
            continue
        if w.text in ("5", "8") and w.height >= 0.85 * nxt.height:
            continue  # as tall as the amount: maybe a real digit
        if 0 < nxt.x0 - w.x1 < 6 * max(nxt.height, 4.0):
            out[i] = replace(w, text="$")
    return out


_TALL = re.compile(r"[A-Z0-9bdfhklt()\[\]{}/|#$&%@!?'\"]")
_DESCENDER = re.compile(r"[gjpqy()\[\]{}|]")
def _level(line: list[Word]) -> list[Word]:
    """Words of one OCR line in one font share one box height: specks and rule ends inflate
    single ink boxes, and the extractor reads a height change as a label/value boundary."""
    if len(line) < 2:
        return line
    heights = sorted(w.height for w in line)
    middle = heights[len(heights) // 2]
    bottoms = sorted(w.y1 for w in line if 0.7 * middle <= w.height <= 1.45 * middle)
    bottom = bottoms[len(bottoms) // 2]
    out = []
    for w in line:
        if 0.7 * middle <= w.height <= 1.45 * middle or (w.height > middle and abs(w.y1 - bottom) < 0.3 * middle):
            w = replace(w, y0=round(bottom - middle, 2), y1=round(bottom, 2))
        out.append(w)
    return out


def _tidy(text: str) -> str:
    """Stray rule ends and speckle read as quotes or bars at a word's edges are not part of it; a
    capital I read as '!' before the rest of its word ('!nsurance') is an I."""
    tidy = text.lstrip("|‘’“”'\"`,.:;_~").rstrip("|‘’“”'\"`_~")
    tidy = _BANG_I.sub("I", tidy)
    return tidy if tidy and any(c.isalnum() for c in tidy) else text


_BANG_I = re.compile(r"!(?=[a-z]{2})")


CAP, XHEIGHT, DESCENT, ASCENT = 0.72, 0.52, 0.22, 0.93  # of the font size (Helvetica-like)


def _word(w: OcrWord, scale: float) -> Word:
    """A Word in points whose box spans the font's ascent to descent, as a text layer's does.

    Tesseract boxes hug the ink ("one" is shorter than "ONE"); the extractor compares
    word heights to tell labels from values, so boxes are rebuilt from the font size.
    """
    text = _tidy(w.text)
    top = CAP if _TALL.search(text) else XHEIGHT
    bottom = DESCENT if _DESCENDER.search(text) else 0.0
    size = w.height / (top + bottom)
    baseline = w.bottom - bottom * size
    return Word(text=text, x0=round(w.left * scale, 2), y0=round((baseline - ASCENT * size) * scale, 2),
                x1=round(w.right * scale, 2), y1=round((baseline + DESCENT * size) * scale, 2),
                confidence=round(max(0.0, w.conf) / 100.0, 3))


def _signature(words: list[Word], ink: np.ndarray | PackedMask, straight: PackedMask, dpi: float,
               scale: float) -> list[Mark]:
    """A drawing mark for hand-made ink in the AUTHORIZED REPRESENTATIVE box (``straight``: the ink's straight
    runs, :func:`pipeline.ocr.rules.straight_runs`, left out of it)."""
    label = _phrase(words, ("AUTHORIZED", "REPRESENTATIVE"))
    if label is None:
        return []
    x0, y0, x1, y1 = label
    px = 1 / scale
    zone = (int((x0 - 4) * px), int((y1 + 0.5) * px), int(ink.shape[1] - 8 * px * 72 / dpi * dpi / 72),
            int((y1 + 45) * px))
    printed = [(int(w.x0 * px), int(w.y0 * px), int(w.x1 * px) + 1, int(w.y1 * px) + 1)
               for w in words if (w.confidence or 0) >= 0.8 and w.y0 >= y0]
    found = checkboxes.signature_ink(ink, straight, zone, dpi, printed)
    if found is None:
        return []
    l, t, r, b = (v * scale for v in found)
    return [Mark("drawing", round(l, 2), round(t, 2), round(r, 2), round(b, 2), confidence=0.9)]


def _phrase(words: list[Word], texts: tuple[str, ...]) -> tuple[float, float, float, float] | None:
    for w in words:
        if w.text.upper() != texts[0]:
            continue
        nxt = [v for v in words if v.text.upper() == texts[1] and abs(v.cy - w.cy) < w.height and 0 < v.x0 - w.x1 < 3 * w.height]
        if nxt:
            v = nxt[0]
            return (w.x0, min(w.y0, v.y0), v.x1, max(w.y1, v.y1))
    return None
