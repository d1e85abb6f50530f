"""What the PDF's own structure says (pikepdf, pypdfium2): its information entries, its annotations,
and what the last content streams of a page painted over what was drawn before them.

A page's content may be several streams drawn one after the other. Agency systems and the tools that
flatten forms append the values' stream to the form's own; someone editing a finished certificate
(an online editor, a script) appends another one, which paints a white box over a value and new text
in its place. The page is drawn with and without each of its last streams: ink that one of them turned
white was covered by it.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pikepdf
import pypdfium2.raw as pdfium_c

from pipeline.signals.model import Code, Severity, Signal, bbox
from pipeline.textlayer import PDFIUM, Page, open_pdf

log = logging.getLogger(__name__)

SCALE = 1.5  # dots per point when a page is drawn for comparison (~108 dpi)
INK = 200  # grey level below which a dot is ink (small type is mostly anti-aliased grey)
PAPER = 235  # grey level above which a dot is paper
MIN_COVERED_WIDTH = 12.0  # points: narrower covered ink is a rule or one glyph (a "$" under a value's box)
MIN_COVERED_HEIGHT = 4.0
MIN_COVERED_DOTS = 15
LAST_STREAMS = 2  # how many of a page's last content streams are checked
MAX_PAGE_STREAMS = 64  # a page split into more streams than this is not checked stream by stream
STATE_ONLY_BYTES = 256  # longest stream looked into for only saving and setting the state (q, Q, cm): a wrapper
_COMMENT = re.compile(rb"%[^\r\n]*")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_STATE_OPERATORS = frozenset((b"q", b"Q", b"cm"))


@dataclass
class Structure:
    info: dict[str, str] = field(default_factory=dict)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    live_fields: bool = False


@contextmanager
def opened(pdf: bytes | pikepdf.Pdf) -> Iterator[pikepdf.Pdf]:
    """The file opened with pikepdf (closed after), or the caller's opening as it is (the caller closes it)."""
    if isinstance(pdf, pikepdf.Pdf):
        yield pdf
        return
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        yield doc


def structure(pdf: bytes | pikepdf.Pdf, *, max_pages: int = 50) -> Structure:
    """The information entries, the annotations (boxes in display points, top-left origin) and whether
    form fields still hold values. ``pdf``: the bytes, or the file already opened (read, not changed)."""
    with opened(pdf) as doc:
        out = Structure(info={str(k).lstrip("/"): _text(v) for k, v in doc.docinfo.items()
                              if isinstance(v, (pikepdf.String, pikepdf.Name))})
        for index, page in enumerate(doc.pages[:max_pages]):
            for annot in page.obj.get("/Annots") or []:
                if not isinstance(annot, pikepdf.Dictionary) or "/Rect" not in annot:
                    continue
                subtype = str(annot.get("/Subtype", "")).lstrip("/")
                if subtype == "Widget":
                    out.live_fields = out.live_fields or _filled(annot)
                    continue
                if int(annot.get("/F", 0)) & 2:  # hidden
                    continue
                out.annotations.append({
                    "page": index + 1, "subtype": subtype, "bbox": _display(page, annot.Rect),
                    "text": _text(annot.get("/Contents")).strip()[:200],
                    "object": f"{annot.objgen[0]} {annot.objgen[1]} R" if annot.is_indirect else None})
        return out


def overdraw_signals(pdf: bytes | pikepdf.Pdf, pages: list[Page], *, max_pages: int = 50) -> list[Signal]:
    """A white box (or an opaque image) in one of a page's last content streams over ink drawn before it.
    ``pdf``: the bytes, or the file already opened (read, not changed)."""
    signals = []
    with opened(pdf) as doc:
        for index, page in enumerate(doc.pages[:max_pages]):
            contents = page.obj.get("/Contents")
            if not isinstance(contents, pikepdf.Array) or not 2 <= len(contents) <= MAX_PAGE_STREAMS:
                continue
            streams = list(contents)
            blank = _blank_prefix(streams)
            checked = [j for j in range(max(1, len(streams) - LAST_STREAMS), len(streams)) if j > blank]
            if not checked:
                continue
            drawn = _draw_prefixes(page, streams, sorted({n for j in checked for n in (j, j + 1)}))
            words = next((p.words for p in pages if p.number == index + 1), ())
            for j in checked:
                for box in _covered(drawn[j], drawn[j + 1]):
                    signals.append(_covered_signal(index + 1, box, streams[j], words))
    return signals


def _blank_prefix(streams: list[Any]) -> int:
    """How many of the first streams draw nothing, only save, restore or set the state (PyMuPDF wraps a page's
    content in a ``q`` stream and a ``Q`` one): the page drawn with them alone is blank, so no stream after them
    can cover ink of theirs, and that comparison is not drawn."""
    count = 0
    for stream in streams:
        if not _state_only(stream):
            break
        count += 1
    return count


def _state_only(stream: Any) -> bool:
    """The stream is short and holds only ``q``, ``Q``, ``cm`` and numbers (no operator that draws); False when
    it cannot be read."""
    try:
        if not isinstance(stream, pikepdf.Stream) or int(stream.get("/Length", STATE_ONLY_BYTES + 1)) > STATE_ONLY_BYTES:
            return False
        data = stream.read_bytes()
    except Exception:  # (a damaged stream: drawn and compared, as any other)
        return False
    if len(data) > STATE_ONLY_BYTES:
        return False
    tokens = _COMMENT.sub(b" ", data).replace(b"\x00", b" ").split()
    return all(token in _STATE_OPERATORS or _NUMBER.fullmatch(token) for token in tokens)


def _draw_prefixes(page: pikepdf.Page, streams: list[Any], counts: list[int]) -> dict[int, np.ndarray]:
    """The page drawn with only its first ``n`` content streams, for each ``n`` of ``counts`` (annotations
    left out). One file holds a copy of the page per ``n`` (the same dictionary, its Contents cut), saved
    and opened once: each prefix is drawn once, where the page compared with each of its last streams drew
    the middle one twice and every drawing was a file of its own."""
    single = pikepdf.new()
    single.pages.append(page)
    first = single.pages[0].obj
    if "/Annots" in first:  # drawn without annotations: only the content streams are compared
        del first["/Annots"]
    copied = [single.copy_foreign(s) for s in streams[:max(counts)]]
    for at, n in enumerate(counts):
        target = first if at == 0 else single.make_indirect(pikepdf.Dictionary(first))
        target.Contents = pikepdf.Array(copied[:n])
        if at:
            single.pages.append(pikepdf.Page(target))
    buffer = io.BytesIO()
    single.save(buffer)
    with PDFIUM:
        pdf = open_pdf(buffer.getvalue())
        try:
            return {n: _render(pdf, at) for at, n in enumerate(counts)}
        finally:
            pdf.close()


def _render(pdf: Any, index: int) -> np.ndarray:
    """Page ``index`` drawn in grey at SCALE, without annotations or form fields (a copy of its dots)."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=SCALE, grayscale=True, draw_annots=False, may_draw_forms=False)
        try:
            return _grey(bitmap)
        finally:
            bitmap.close()
    finally:
        page.close()


def _grey(bitmap: Any) -> np.ndarray:
    """The bitmap's grey levels (rows of columns), copied out of pdfium's buffer; another format than grey
    through PIL's conversion, as before."""
    if bitmap.format == pdfium_c.FPDFBitmap_Gray:
        return np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
    return np.asarray(bitmap.to_pil().convert("L"))


def _covered_signal(number: int, box: tuple[float, float, float, float], stream: Any, words) -> Signal:
    now = " ".join(w.text for w in words if _inside(w, box))
    said = f"; it now shows {now[:60]!r} there" if now else ""
    obj = f"{stream.objgen[0]} {stream.objgen[1]} R" if stream.is_indirect else None
    return Signal(Code.DRAWN_OVER, Severity.TAMPER,
                  f"On page {number}, something drawn after the certificate was made covers what was printed "
                  f"there{said}. A value may have been painted over and replaced: confirm it with the insured's "
                  "agent.", {"page": number, "bbox": bbox(*box), "object": obj,
                             "detail": {"now_reads": now or None}})


def _covered(before: np.ndarray, after: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Boxes (points, top-left origin) where ink of ``before`` is paper in ``after``."""
    if before.shape != after.shape:
        return []
    erased = ((before < INK) & (after > PAPER)).astype(np.uint8)
    if int(erased.sum()) < MIN_COVERED_DOTS:
        return []
    joined = cv2.dilate(erased, np.ones((5, 9), np.uint8))  # the glyphs of one value into one blob
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = []
    for x, y, w, h, _area in stats[1:count]:
        dots = int(erased[y:y + h, x:x + w].sum())
        if w / SCALE >= MIN_COVERED_WIDTH and h / SCALE >= MIN_COVERED_HEIGHT and dots >= MIN_COVERED_DOTS:
            boxes.append((x / SCALE, y / SCALE, (x + w) / SCALE, (y + h) / SCALE))
    return boxes


def _inside(word, box: tuple[float, float, float, float]) -> bool:
    return box[0] - 2 <= word.cx <= box[2] + 2 and box[1] - 2 <= word.cy <= box[3] + 2


def _filled(widget: pikepdf.Dictionary) -> bool:
    node, depth = widget, 0
    while node is not None and depth < 8:
        value = node.get("/V")
        if value is not None:
            return bool(_text(value).strip()) and _text(value) != "/Off"
        node, depth = node.get("/Parent"), depth + 1
    return False


def _display(page: pikepdf.Page, rect: Any) -> tuple[float, float, float, float]:
    """A rectangle of PDF space as the reading's words are: display points, top-left origin."""
    x0, y0, x1, y1 = (float(v) for v in rect)
    left, bottom, right, top = (float(v) for v in page.cropbox)
    rotation = int(page.obj.get("/Rotate", 0)) % 360
    corners = [(x, y) for x in (min(x0, x1), max(x0, x1)) for y in (min(y0, y1), max(y0, y1))]
    points = [{90: (y - bottom, x - left), 180: (right - x, y - bottom), 270: (top - y, right - x)}.get(
        rotation, (x - left, top - y)) for x, y in corners]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, pikepdf.String):
        try:
            return str(value)
        except UnicodeDecodeError:
            return bytes(value).decode("latin-1", "replace")
    return str(value)
