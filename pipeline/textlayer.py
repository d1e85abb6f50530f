"""Read a born-digital PDF's text layer into words with positions.

Coordinates are PDF points with a TOP-LEFT origin (y grows downward), in the
frame of the page as displayed (``/Rotate`` and the crop box applied).  Words
whose box shows no ink when the page is rendered (text hidden under a white
box, white-on-white text) are dropped: what the page shows is what counts.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import logging
import math
import re
import threading
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.errors import EncryptedDocument, TooLarge, UnreadableDocument
from pipeline.pageobjects import PageObjects, address, by_address, text_object, unchecked
from pipeline.pdfstreams import refuse_stream_bombs
from pipeline.registration import PageRegistration

logger = logging.getLogger(__name__)

_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_RENDER_SCALE = 1.5  # for the ink check; ~108 dpi is plenty to see a glyph
_INK_LEVEL = 215  # a grey level darker than this counts as ink

# Limits on hostile PDFs, checked before pdfium parses or draws what they bound (README "Limits"):
MAX_DOCUMENT_PAGES = 1000  # a PDF with more pages is refused outright (COI_MAX_PAGES bounds the pages read)
MAX_IMAGE_PIXELS = 60_000_000  # an embedded image, a page drawn for OCR: a 300 dpi page of 22 x 30 inches
MAX_CHECK_PIXELS = 20_000_000  # the ink check draws a larger page at a lower scale


class Boxed:
    """Centre and size of anything with a box ``x0, y0, x1, y1`` (points, top-left origin)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True)
class Word(Boxed):
    """One word of the text layer; box in points, top-left origin."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None  # OCR's certainty (0-1); None for a text layer
    # Where the word comes in the page's drawing (its text object's place in the content, see _in_drawing_order):
    # a word drawn later has a larger one, and shows over an earlier one it overlaps. None for OCR words and in
    # readings stored before it was kept.
    drawn: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        if self.drawn is not None:
            out["drawn"] = self.drawn
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Word":
        return cls(
            text=str(data["text"]),
            x0=float(data["x0"]),
            y0=float(data["y0"]),
            x1=float(data["x1"]),
            y1=float(data["y1"]),
            confidence=_optional_float(data.get("confidence")),
            drawn=None if data.get("drawn") is None else int(data["drawn"]),
        )


@dataclass(frozen=True)
class Mark(Boxed):
    """A graphic that is not text: ``cross`` (a small X or tick drawn as
    lines, as in a checked box), ``image`` (e.g. a signature or logo) or
    ``drawing`` (curves, e.g. a vector signature).  OCR also gives ``box`` for a check box
    it saw empty and ``rule`` for an upright printed rule (a table's column line).  Box as
    for :class:`Word`."""

    kind: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None  # for marks measured in pixels (scans); None when drawn

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Mark":
        return cls(
            kind=str(data["kind"]),
            x0=float(data["x0"]),
            y0=float(data["y0"]),
            x1=float(data["x1"]),
            y1=float(data["y1"]),
            confidence=_optional_float(data.get("confidence")),
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Page:
    """One page: 1-based number, displayed size in points, its words and
    its non-text marks (check crosses, images, drawings)."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    marks: tuple[Mark, ...] = ()
    # The text layer's words the page does not show (dropped for want of ink), in the words' order; None
    # when not looked for. Kept so that the trust signals need not read the layer a second time.
    hidden: tuple[Word, ...] | None = None
    # A scanned page's turn, levelling and fit to the template, as the OCR stage found them; None for a
    # text layer's page and in readings stored before it was kept.
    registration: PageRegistration | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "number": self.number,
            "width": self.width,
            "height": self.height,
            "words": [w.to_dict() for w in self.words],
            "marks": [m.to_dict() for m in self.marks],
        }
        if self.hidden is not None:
            out["hidden"] = [w.to_dict() for w in self.hidden]
        if self.registration is not None:
            out["registration"] = self.registration.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Page":
        return cls(
            number=int(data["number"]),
            width=float(data["width"]),
            height=float(data["height"]),
            words=tuple(Word.from_dict(w) for w in data["words"]),
            marks=tuple(Mark.from_dict(m) for m in data.get("marks", ())),
            hidden=tuple(Word.from_dict(w) for w in data["hidden"]) if data.get("hidden") is not None else None,
            registration=PageRegistration.from_dict(data["registration"]) if data.get("registration") else None,
        )


# PDFium is not thread-safe: two threads inside it at once can crash the process, and a worker
# runs several threads. Every entry point that touches it takes this lock (re-entrant: they nest).
PDFIUM = threading.RLock()


def serialised(fn):
    @functools.wraps(fn)
    def one_at_a_time(*args, **kwargs):
        with PDFIUM:
            return fn(*args, **kwargs)

    return one_at_a_time


def open_pdf(pdf: bytes) -> pdfium.PdfDocument:
    """Open PDF bytes with pdfium, mapping failures to pipeline errors."""
    if not pdf.lstrip()[:5].startswith(b"%PDF") and b"%PDF" not in pdf[:1024]:
        raise UnreadableDocument("The file is not a PDF; send the certificate as a PDF or an image.")
    try:
        doc = pdfium.PdfDocument(pdf, password=None)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == _PASSWORD_ERROR:
            raise EncryptedDocument(
                "The PDF is password-protected; send a copy without a password."
            ) from e
        raise UnreadableDocument(
            "The PDF is damaged and cannot be opened; send a fresh copy of the certificate."
        ) from e
    pages = len(doc)  # from the page tree, before any page is parsed
    if pages > MAX_DOCUMENT_PAGES:
        doc.close()
        raise TooLarge(f"The PDF has {pages} pages, more than the {MAX_DOCUMENT_PAGES} accepted; "
                       "send the certificate on its own.")
    return doc


def _refuse_huge_images(page: pdfium.PdfPage, number: int) -> None:
    """TooLarge when an image on the page has more than MAX_IMAGE_PIXELS (read from its dictionary,
    before pdfium decodes it: drawing the page would hold the whole image in memory). Called when the
    page's walk (:class:`~pipeline.pageobjects.PageObjects`) found such an image: it names the one it meets first."""
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    todo = [(pdfium_c.FPDFPage_GetObject(page.raw, i), 0) for i in range(count)]
    width, height = ctypes.c_uint(), ctypes.c_uint()
    while todo:
        obj, depth = todo.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 6:
            todo.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), depth + 1)
                        for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and pdfium_c.FPDFImageObj_GetImagePixelSize(obj, width, height):
            if width.value * height.value > MAX_IMAGE_PIXELS:
                raise TooLarge(f"Page {number} of the PDF holds an image of {width.value} x {height.value} pixels, "
                               f"more than the {MAX_IMAGE_PIXELS:,} read; send a copy scanned at 300 dpi.")


# pdfium keeps the glyphs it has drawn in one cache per font face, alive while some open document's font
# uses that face. The faces of the standard fonts (the ones pdfium draws a PDF's fonts that are not embedded
# with: Helvetica, Arial, Times...) are shared by every document, so a document of our own that uses them
# keeps their glyphs for the next certificate, instead of each drawing them again for its ink check. A glyph
# is taken from the cache under the key it was drawn with: the glyph, its matrix's four terms to 1/10000, the
# width asked, anti-aliasing, a substituted font's weight, slant and direction (as pdfium does within one
# document, and for two documents open at once). docs/accuracy.md (branch inkcheck): the same pixels measured.
_STANDARD_FONTS = ("Courier", "Courier-Bold", "Courier-BoldOblique", "Courier-Oblique", "Helvetica",
                   "Helvetica-Bold", "Helvetica-BoldOblique", "Helvetica-Oblique", "Times-Roman", "Times-Bold",
                   "Times-BoldItalic", "Times-Italic", "Symbol", "ZapfDingbats")
KEEP_GLYPHS_FOR = 100  # documents read; then the kept glyphs are let go (the cache grows with every new size)


class _GlyphKeeper:
    """A small document of our own that draws one glyph of each standard font, kept open (pdfium's calls
    are made under PDFIUM, by :func:`read_document`)."""

    def __init__(self) -> None:
        self.doc: pdfium.PdfDocument | None = None
        self.page: pdfium.PdfPage | None = None
        self.fonts: list[Any] = []
        self.reads = 0
        self.failed = False

    def keep(self) -> None:
        """Called once per document read: opens the keeping document, or opens it anew after
        KEEP_GLYPHS_FOR documents (letting go of the glyphs kept)."""
        self.reads += 1
        if self.failed or (self.doc is not None and self.reads <= KEEP_GLYPHS_FOR):
            return
        self.close()
        self.reads = 1
        try:
            self.doc, self.page, self.fonts = _standard_fonts_drawn()
        except Exception:  # a speed-up only: the ink check draws every glyph itself without it
            logger.warning("could not keep the standard fonts' glyphs; each document draws its own", exc_info=True)
            self.failed = True

    def close(self) -> None:
        for font in self.fonts:
            pdfium_c.FPDFFont_Close(font)
        self.fonts = []
        if self.page is not None:
            self.page.close()
            self.page = None
        if self.doc is not None:
            self.doc.close()
            self.doc = None


def _standard_fonts_drawn() -> tuple[pdfium.PdfDocument, pdfium.PdfPage, list[Any]]:
    """A new document whose one page holds a letter in each standard font, drawn once (which ties each
    font's glyph cache to it); the document, its page and its fonts' handles, to be closed together."""
    doc = pdfium.PdfDocument.new()
    fonts: list[Any] = []
    try:
        page = doc.new_page(60, 12 * len(_STANDARD_FONTS))
        for k, name in enumerate(_STANDARD_FONTS):
            font = pdfium_c.FPDFText_LoadStandardFont(doc.raw, name.encode("ascii"))
            if not font:
                raise pdfium.PdfiumError(f"no standard font {name}")
            fonts.append(font)
            text = pdfium_c.FPDFPageObj_CreateTextObj(doc.raw, font, 10.0)
            pdfium_c.FPDFText_SetText(text, (ctypes.c_ushort * 2)(ord("a"), 0))
            pdfium_c.FPDFPageObj_Transform(text, 1, 0, 0, 1, 4, 2 + 12 * k)
            pdfium_c.FPDFPage_InsertObject(page.raw, text)
        if not pdfium_c.FPDFPage_GenerateContent(page.raw):
            raise pdfium.PdfiumError("could not write the page's content")
        page.render(scale=1.0, grayscale=True)
    except Exception:
        for font in fonts:
            pdfium_c.FPDFFont_Close(font)
        doc.close()
        raise
    return doc, page, fonts


_GLYPHS = _GlyphKeeper()


@atexit.register
def _let_glyphs_go() -> None:
    """At exit, the keeping document is closed before pypdfium2 closes what is still open (it warns of each)."""
    if PDFIUM.acquire(timeout=1.0):  # (a thread still reading at exit: left to pypdfium2)
        try:
            _GLYPHS.close()
        finally:
            PDFIUM.release()


@serialised
def read_text_layer(pdf: bytes, *, max_pages: int = 50, drop_hidden: bool = True) -> list[Page]:
    """Return the words of up to ``max_pages`` pages of a PDF."""
    return [page for page, _ in read_pages(pdf, max_pages=max_pages, drop_hidden=drop_hidden)]


# What a caller of read_pages learns of each page as it was drawn, before its form fields were merged
# into it: (the page, its 1-based number, its count of words when they are those of the page read, else None,
# and its objects as walked for the read when they are those of the page read, else None).
PageLook = Callable[[pdfium.PdfPage, int, "int | None", "PageObjects | None"], Any]


@serialised
def read_pages(pdf: bytes, *, max_pages: int = 50, drop_hidden: bool = True,
               look: PageLook | None = None) -> list[tuple[Page, Any]]:
    """Each of up to ``max_pages`` pages with what ``look`` made of it (None without ``look``).

    One opening of the PDF for both: a caller that needs the words and a look at the drawing (the
    layer checks of :mod:`pipeline.layertrust`) pays for parsing the document and its pages once."""
    return read_document(pdf, max_pages=max_pages, drop_hidden=drop_hidden, look=look)[0]


@serialised
def read_document(pdf: bytes, *, max_pages: int = 50, drop_hidden: bool = True,
                  look: PageLook | None = None) -> tuple[list[tuple[Page, Any]], dict[str, str] | None]:
    """:func:`read_pages`, and the form's field values (:func:`read_form_fields`) read from each page
    before its fields are flattened, in the same opening; None for the fields when the document has more
    pages than were read (:func:`read_form_fields` then reads them all)."""
    refuse_stream_bombs(pdf)
    doc = open_pdf(pdf)
    _GLYPHS.keep()
    try:
        has_form = doc.get_formtype() != pdfium_c.FORMTYPE_NONE
        if has_form:
            _init_forms(doc)
        pages: list[tuple[Page, Any]] = []
        fields: dict[str, str] | None = {} if len(doc) <= max_pages else None
        for index in range(min(len(doc), max_pages)):
            number = index + 1
            try:
                page = doc[index]
                drawn = has_form or _filled_by_annotations(page)  # values in form fields or annotations: merged in
                seen = look(page, number, None, None) if drawn and look is not None else None
                if drawn:
                    if has_form and fields is not None:
                        _page_fields(doc.formenv.raw, page, fields)
                    page = _flattened_page(doc, index, page)
            except pdfium.PdfiumError as e:
                raise UnreadableDocument(
                    f"Page {number} of the PDF is damaged; send a fresh copy of the certificate."
                ) from e
            try:
                read, raw_words, objects = _read_page(page, number, drop_hidden=drop_hidden)
                if look is not None and not drawn:
                    seen = look(page, number, raw_words, objects)
                pages.append((read, seen))
            finally:
                page.close()
        return pages, fields
    finally:
        doc.close()


class _DropXfaNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "XFA support" not in record.getMessage()


def _init_forms(doc: pdfium.PdfDocument) -> None:
    """Start pdfium's form environment; XFA forms fall back to their AcroForm
    (this pdfium build has no XFA, and says so on every call: not useful here)."""
    noisy = logging.getLogger("pypdfium2._helpers.document")
    notice = _DropXfaNotice()
    noisy.addFilter(notice)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc.init_forms()
    finally:
        noisy.removeFilter(notice)


FILLING_ANNOTATIONS = 5  # shown annotations on a page, most of them over none of its text: it was filled with them
OVER_TEXT_SHARE = 0.2  # of them, at most this share may lie over the page's text (a label a value overran)
_UNSHOWN_ANNOTS = frozenset((pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_WIDGET))
_CLEAR_PT = 1.5  # an annotation's edge may touch the print around it by this much
_COVERED_CHARS = 2  # letters and digits of the page's own text under an annotation: it lies over text


def _filled_by_annotations(page: pdfium.PdfPage) -> bool:
    """True when the page's values are annotations a viewer draws (a PDF editor's typewriter text on a blank
    form): FILLING_ANNOTATIONS or more of them, nearly all over none of the page's own text. Annotations laid
    over a finished certificate's text are an alteration: left out, for the trust signals to report."""
    boxes = []
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            flags = pdfium_c.FPDFAnnot_GetFlags(annot)
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetSubtype(annot) not in _UNSHOWN_ANNOTS and \
                    not flags & (pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW) and \
                    pdfium_c.FPDFAnnot_GetRect(annot, rect):
                boxes.append((rect.left, min(rect.bottom, rect.top), rect.right, max(rect.bottom, rect.top)))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    if len(boxes) < FILLING_ANNOTATIONS:
        return False
    textpage = page.get_textpage()
    try:
        over = sum(sum(ch.isalnum() for ch in textpage.get_text_bounded(
            x0 + _CLEAR_PT, y0 + _CLEAR_PT, x1 - _CLEAR_PT, y1 - _CLEAR_PT)) >= _COVERED_CHARS
            for x0, y0, x1, y1 in boxes if x1 - x0 > 2 * _CLEAR_PT and y1 - y0 > 2 * _CLEAR_PT)
    finally:
        textpage.close()
    return over <= OVER_TEXT_SHARE * len(boxes)


@serialised
def pages_read_with_annotations(pdf: bytes, *, max_pages: int = 50) -> set[int]:
    """The pages (1-based) whose annotations :func:`read_pages` reads as the page's text: a form-less PDF's pages
    filled with annotations (:func:`_filled_by_annotations`)."""
    doc = open_pdf(pdf)
    try:
        if doc.get_formtype() != pdfium_c.FORMTYPE_NONE:
            return set()  # (a form's pages are flattened whole, as they always were)
        found = set()
        for index in range(min(len(doc), max_pages)):
            page = doc[index]
            try:
                if _filled_by_annotations(page):
                    found.add(index + 1)
            finally:
                page.close()
        return found
    finally:
        doc.close()


def _flattened_page(doc: pdfium.PdfDocument, index: int, page: pdfium.PdfPage) -> pdfium.PdfPage:
    """The page (``doc[index]``) with its form fields' and annotations' appearances merged into the
    content, so that filled-in values are read like any other text."""
    try:
        if pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) == pdfium_c.FLATTEN_FAIL:
            raise pdfium.PdfiumError("Failed to flatten annotations / form fields.")
    except pdfium.PdfiumError:
        logger.warning("could not flatten the form fields of page %s", index + 1)
        return page
    page.close()
    return doc[index]


def _read_page(page: pdfium.PdfPage, number: int, *, drop_hidden: bool) -> tuple[Page, int, PageObjects]:
    """The page, how many words its text layer had before those without ink were dropped, and its objects
    (one walk for the words' drawing order, the marks and the refusal of huge images: TooLarge first)."""
    objects = PageObjects(page)
    if objects.most_pixels > MAX_IMAGE_PIXELS:
        _refuse_huge_images(page, number)
    transform = _DisplayTransform(page)
    textpage = page.get_textpage()
    try:
        words = transform.words(_in_drawing_order(objects, textpage, _raw_words(textpage)))
    finally:
        textpage.close()
    raw_words = len(words)
    boxes = _boxes(words)  # (x0, y0, x1, y1) of each word, for the ink check and the reading order
    hidden: list[Word] | None = None
    if drop_hidden:
        inked = _visible(page, words, boxes) if words else []
        if not all(inked):
            shown = np.array(inked, dtype=bool)
            hidden = _in_reading_order([w for w, i in zip(words, inked) if not i], boxes[~shown])
            words, boxes = [w for w, i in zip(words, inked) if i], boxes[shown]
        else:
            hidden = []
    words = _in_reading_order(words, boxes)
    marks = [transform.mark(kind, box) for kind, box in objects.marks()]
    logger.debug("page %s: %s words, %s marks", number, len(words), len(marks))
    page_read = Page(
        number=number,
        width=transform.width,
        height=transform.height,
        words=tuple(words),
        marks=tuple(marks),
        hidden=None if hidden is None else tuple(hidden),
    )
    return page_read, raw_words, objects


def _in_drawing_order(objects: PageObjects, textpage: pdfium.PdfTextPage, raw: list[RawWord]) -> list[RawWord]:
    """``raw`` with each word's third item its place in the page's drawing: the rank of its first character's
    text object among the page's text objects in content order (form XObjects' in their place,
    :class:`~pipeline.pageobjects.PageObjects`), then of that character. pdfium's own character order follows
    the content, except that it sorts the text objects of one line left to right: a value printed over an
    older one, or run over a label, may come first there."""
    sequence, handle = objects.text_rank, ctypes.c_void_p(address(textpage.raw))
    get_object = _char_text_object
    firsts = [first for _, _, first in raw]
    places = [sequence.get(get_object(handle, first) or 0, -1) for first in firsts]
    ranks = np.empty(len(raw), dtype=np.intp)
    ranks[np.lexsort((firsts, places))] = np.arange(len(raw))  # (by place, then character: each key once)
    return [(text, box, rank) for (text, box, _), rank in zip(raw, ranks.tolist())]


def _reading_order(w: Word) -> tuple[float, float]:
    return round(w.y0, 1), w.x0


def _in_reading_order(words: list[Word], boxes: np.ndarray | None = None) -> list[Word]:
    """``sorted(words, key=_reading_order)``, the keys' rounding done together (:func:`_rounded`); ``boxes``: the
    words' (x0, y0, x1, y1) as an array (:func:`_boxes`), when the caller has them. The words are ranked by
    ``np.lexsort`` on the same two keys (stable, as ``sorted``: keys alike keep the words' order); keys that are
    not all finite numbers (NaN compares otherwise in a tuple) are sorted as tuples."""
    if len(words) < 2:
        return list(words)
    if boxes is None:
        boxes = _boxes(words)
    ys, xs = np.array(_rounded(boxes[:, 1], 1), dtype=float), boxes[:, 0]
    if np.isfinite(ys).all() and np.isfinite(xs).all():
        return [words[k] for k in np.lexsort((xs, ys)).tolist()]
    keys = list(zip(ys.tolist(), xs.tolist()))
    return [words[k] for k in sorted(range(len(words)), key=keys.__getitem__)]


def _boxes(words: list[Word]) -> np.ndarray:
    """The words' boxes as an array of rows (x0, y0, x1, y1): the same floats."""
    return np.array([[w.x0 for w in words], [w.y0 for w in words], [w.x1 for w in words], [w.y1 for w in words]],
                    dtype=float).reshape(4, -1).T


_TIE_MARGIN = 1e-6  # a scaled value this close to a half (in units of the last digit kept) is rounded by Python
_EXACT_BELOW = 2.0 ** 26  # scaled values below this are within 1.5e-8 of their exact product: far inside the margin


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    """``[round(v, digits) for v in values]`` (Python's correctly rounded decimal rounding, half to even), for
    many at once. The value times 10**digits is rounded to an integer in numpy and divided back: the same
    integer as the exact product's rounding whenever that product is not within _TIE_MARGIN of a half (the
    float product is within 1.5e-8 of it below _EXACT_BELOW), and then the same float (the division is
    correctly rounded, as is the conversion of Python's decimal digits). Values near a half, huge or not
    finite are rounded by Python's own ``round``."""
    scale = 10.0 ** digits
    scaled = values * scale
    rounded = (np.rint(scaled) / scale).tolist()
    with np.errstate(invalid="ignore"):  # (infinities: not clear, rounded below)
        part = scaled - np.floor(scaled)
    clear = (np.abs(part - 0.5) > _TIE_MARGIN) & (np.abs(scaled) < _EXACT_BELOW)
    if not clear.all():
        plain = values.tolist()
        for k in np.flatnonzero(~clear).tolist():
            rounded[k] = round(plain[k], digits)
    return rounded


RawWord = tuple[str, tuple[float, float, float, float], int]  # text, box (left, bottom, right, top), first character's index


def _raw_words(textpage: pdfium.PdfTextPage) -> list[RawWord]:
    """The words of a text page, each with its box (left, bottom, right, top) in page space and the index of its
    first character, in pdfium's character order.

    Characters are joined while they sit on one line without a gap that is a space (:func:`_spaced`); spaces (and
    pdfium's generated characters, which are only spaces and line breaks) end a word. The page's text comes from one
    pdfium call; each other character then costs two (its tight and its loose box), in three steps:
    :func:`_char_boxes` asks pdfium for every box, :func:`_line_boxes` works out each character's box for
    grouping lines and its advance in numpy, and :func:`_joined` goes through the characters in order, the one
    step whose every choice depends on the word built so far, taken in numpy where no choice is left to it
    (:func:`_words`)."""
    raw = address(textpage.raw)
    count = textpage.count_chars()
    codes = _char_codes(textpage, count)
    texts = np.array(_char_texts(codes), dtype=object)
    at = np.flatnonzero(texts != None)  # noqa: E711 (each character's text against None, in numpy)
    if not len(at):
        return []
    kept = at.tolist()
    tight, loose, has_loose = _char_boxes(raw, kept)
    return _words(raw, kept, texts[at].tolist(), _line_boxes(tight, loose, has_loose), at)


def _char_texts(codes: list[int]) -> list[str | None]:
    """Each character's text in a word, None for one that ends a word: pdfium's mark for a line-ending hyphen
    is "-"; a space, a code that is no character and pdfium's 0xFFFE/0xFFFF marks end the word (each distinct
    code judged once)."""
    judged: dict[int, str | None] = {}
    for code in set(codes):
        if code == _HYPHEN_MARK:
            judged[code] = "-"
        else:
            ch = chr(code) if 0 < code < 0x110000 and code not in _BREAK_CODES else _WORD_BREAK
            judged[code] = None if ch.isspace() else ch
    return list(map(judged.__getitem__, codes))


# One character's boxes as pdfium writes them: its tight box (FPDFText_GetCharBox: left, right, bottom, top as
# doubles) then its loose box (FPDFText_GetLooseCharBox: an FS_RECTF, left, top, right, bottom as floats).
_BOXES = np.dtype([("left", "=f8"), ("right", "=f8"), ("bottom", "=f8"), ("top", "=f8"),
                   ("loose_left", "=f4"), ("loose_top", "=f4"), ("loose_right", "=f4"), ("loose_bottom", "=f4")])


def _char_boxes(raw: int, kept: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tight boxes (left, right, bottom, top) and loose boxes (left, top, right, bottom) of the characters
    ``kept``, and whether pdfium gave each loose box. pdfium writes both into one buffer (given as ``byref``s
    made once: :func:`~pipeline.pageobjects.unchecked`), copied out after each character as it stands: a
    character whose tight box pdfium does not give keeps the previous one's, as it always did."""
    buffer = (ctypes.c_char * _BOXES.itemsize)()
    places = [ctypes.byref(buffer, _BOXES.fields[name][1]) for name in ("left", "right", "bottom", "top")]
    at_left, at_right, at_bottom, at_top = places
    at_loose = ctypes.byref(buffer, _BOXES.fields["loose_left"][1])
    page = ctypes.c_void_p(raw)
    get_box, get_loose = _char_box, _loose_char_box
    copied = bytearray()
    append = copied.extend
    has_loose = []
    given = has_loose.append
    for i in kept:
        get_box(page, i, at_left, at_right, at_bottom, at_top)
        given(get_loose(page, i, at_loose))
        append(buffer)
    boxes = np.frombuffer(bytes(copied), dtype=_BOXES)
    tight = np.stack([boxes[name].astype(float) for name in ("left", "right", "bottom", "top")])
    loose = np.stack([boxes[name].astype(float) for name in ("loose_left", "loose_top", "loose_right", "loose_bottom")])
    return tight, loose, np.array(has_loose, dtype=bool)


def _line_boxes(tight: np.ndarray, loose: np.ndarray, has_loose: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each character's box for grouping it with its line (left, right, bottom, top), its height, its middle
    height, and where its advance starts and ends, as arrays. The loose box spans the font's ascent and descent:
    tight glyph boxes of "." and "A" differ too much to group lines reliably. A loose box is taken into the
    height when pdfium gives it and it is higher than nothing but less than 40 pt or four times the glyph's
    height; the advance is the loose box's when given, else the tight box's. (The same comparisons, in the
    same floating point, as character by character.)"""
    l, r, b, t = tight
    loose_left, loose_top, loose_right, loose_bottom = loose
    span = 4 * (t - b)
    tall = loose_top - loose_bottom
    merge = has_loose & (0 < tall) & (tall < np.where(40.0 > span, 40.0, span))
    b = np.where(merge & (loose_bottom < b), loose_bottom, b)
    t = np.where(merge & (loose_top > t), loose_top, t)
    advance_from = np.where(has_loose, loose_left, l)
    advance_to = np.where(has_loose, loose_right, r)
    return l, r, b, t, t - b, (b + t) / 2, advance_from, advance_to


def _words(raw: int, kept: list[int], texts: list[str], lines: tuple[np.ndarray, ...],
           at: np.ndarray | None = None) -> list[RawWord]:
    """:func:`_joined` over the characters ``kept`` (``at``: the same indexes as an array; ``texts`` theirs,
    ``lines`` their :func:`_line_boxes`), the
    choices made together where they are already made. A gap in ``kept`` always starts a word, and a run of
    characters without one is a word of its own unless a character in it is off the line, far back or past a
    spaced gap of the run so far. Each character is judged against its run so far at once (the run's lowest
    bottom, highest top and furthest right before it: :func:`_running`), with the loop's own comparisons in the
    same floating point: a run in which no character starts a word is a word, with its box the least and
    greatest of its characters'; a run in which one does is joined by the loop itself (it starts afresh at a
    gap, so alone it makes the same words). Boxes that are not all finite numbers of single precision (as
    pdfium writes them), or hold a negative zero, take the loop for the whole page."""
    lefts, rights, bottoms, tops, heights, middles, advance_froms, advance_tos = lines
    edges = np.stack((bottoms, tops, rights, lefts))
    if not _orderable(edges):
        return _joined(raw, kept, texts, *(a.tolist() for a in lines))
    at = np.array(kept, dtype=np.intp) if at is None else at
    starts = np.ones(len(kept), dtype=bool)
    starts[1:] = at[1:] != at[:-1] + 1
    runs = np.cumsum(starts) - 1
    inside = np.flatnonzero(~starts)  # characters joined or not by what came before them in their run
    first = np.flatnonzero(starts)
    last = np.empty_like(first)
    last[:-1], last[-1] = first[1:] - 1, len(kept) - 1
    ran = _running(edges, runs, np.concatenate((inside - 1, last)))
    y0, y1, x1 = ran[:3, :len(inside)]
    height = y1 - y0
    tall = heights[inside]
    height = np.where(tall > height, tall, height)
    height = np.where(_LEAST_HEIGHT > height, _LEAST_HEIGHT, height)
    gap = lefts[inside] - x1
    apart = ~(np.abs(middles[inside] - (y0 + y1) / 2) < height * _OFF_LINE) | (gap < -height * _FAR_BACK)
    broken = set(runs[inside[apart]].tolist())
    wide = ~apart & (gap > height * _WIDE_GAP)
    if wide.any():
        spaced, matrix = _spaced, pdfium_c.FS_MATRIX()
        with np.errstate(all="ignore"):  # (a loose box pdfium gave as infinite: NaN, as the loop got it, unremarked)
            advanced = advance_froms[inside] - advance_tos[inside - 1]
        run_of = runs.tolist()
        for k, g in zip(inside[wide].tolist(), advanced[wide].tolist()):
            run = run_of[k]
            if run not in broken and spaced(raw, kept[k - 1], kept[k], g, matrix):
                broken.add(run)
    bottom, top, right, left = ran[:, len(inside):].tolist()  # each run's, at its last character
    boxes = zip(left, bottom, right, top)
    ends = first[1:].tolist() + [len(kept)]
    first_list = first.tolist()
    text = "".join(texts)
    if len(text) == len(texts):  # (each character's text is one character: :func:`_char_texts`)
        words = list(zip(map(text.__getitem__, map(slice, first_list, ends)), boxes, at[first].tolist()))
    else:
        words = [("".join(texts[s:e]), box, kept[s]) for s, e, box in zip(first_list, ends, boxes)]
    for run in sorted(broken, reverse=True):
        s, e = first_list[run], ends[run]
        words[run:run + 1] = _joined(raw, kept[s:e], texts[s:e], *(a[s:e].tolist() for a in lines))
    return words


def _orderable(values: np.ndarray) -> bool:
    """Whether every value is a finite number that single precision holds exactly and none is a negative zero:
    then :func:`_running`'s keys order them as the loop's comparisons do, and equal values are the same."""
    return bool(np.isfinite(values).all() and (values.astype(np.float32) == values).all()
                and not (np.signbit(values) & (values == 0)).any())


_LEAST = np.array([[-1.0], [1.0], [1.0], [-1.0]])  # of bottoms, tops, rights and lefts: the least of two is sought
_LOW = (1 << 32) - 1  # a key's place in the low half of an int64, the run's number in the high half
_SIGN = 1 << 31


def _running(values: np.ndarray, runs: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """For each row of ``values`` (bottoms, tops, rights, lefts), at each of ``columns`` (characters), the least
    bottom, greatest top and right and least left from the start of that character's run to it (``runs``: each
    character's run, never decreasing). The least of values is the greatest of their negatives (exact, and
    :func:`_orderable` values have no negative zero to turn into a positive one). Each value is keyed by its
    single precision bits, turned so that the integers order as the numbers do, in the low half of an int64
    whose high half is the run's number: one running maximum then never carries a value into the next run."""
    bits = (values * _LEAST).astype(np.float32).view(np.int32)
    keys = (bits ^ ((bits >> 31) & 0x7FFFFFFF)).astype(np.int64) + _SIGN  # ordered as the numbers, 0 to 2**32 - 1
    top = np.maximum.accumulate((runs.astype(np.int64) << 32) | keys, axis=1).take(columns, axis=1)
    keys = ((top & _LOW) - _SIGN).astype(np.int32)
    bits = keys ^ ((keys >> 31) & 0x7FFFFFFF)
    return bits.view(np.float32).astype(float) * _LEAST


def _joined(raw: int, kept: list[int], texts: list[str], lefts: list[float], rights: list[float],
            bottoms: list[float], tops: list[float], heights: list[float], middles: list[float],
            advance_froms: list[float], advance_tos: list[float]) -> list[RawWord]:
    """The words the characters ``kept`` (indexes in pdfium's order; ``texts`` theirs) make, from their boxes
    (:func:`_line_boxes`). A character starts a new word after a character that ends words (a gap in ``kept``),
    or when it is off the word's line, far back from its right edge, or past a gap that is a space
    (:func:`_spaced`). (min and max written out below: as builtins they cost more than the rest of the loop;
    the same values.)"""
    spaced, matrix = _spaced, pdfium_c.FS_MATRIX()
    words: list[RawWord] = []
    x0 = y0 = x1 = y1 = advanced_to = 0.0
    first = start = last = -2
    for k, (i, l, r, b, t, tall, middle, advance_from, advance_to) in enumerate(
            zip(kept, lefts, rights, bottoms, tops, heights, middles, advance_froms, advance_tos)):
        if start >= 0:
            if i != last + 1:
                words.append(("".join(texts[start:k]), (x0, y0, x1, y1), first))
                start = -1
            else:
                height = y1 - y0
                if tall > height:
                    height = tall
                if _LEAST_HEIGHT > height:
                    height = _LEAST_HEIGHT
                gap = l - x1
                if not abs(middle - (y0 + y1) / 2) < height * _OFF_LINE or gap < -height * _FAR_BACK or \
                        gap > height * _WIDE_GAP and spaced(raw, last, i, advance_from - advanced_to, matrix):
                    words.append(("".join(texts[start:k]), (x0, y0, x1, y1), first))
                    start = -1
        advanced_to, last = advance_to, i
        if start < 0:
            x0, y0, x1, y1 = l, b, r, t
            first, start = i, k
        else:
            if l < x0:
                x0 = l
            if b < y0:
                y0 = b
            if r > x1:
                x1 = r
            if t > y1:
                y1 = t
    words.append(("".join(texts[start:]), (x0, y0, x1, y1), first))
    return words


def _spaced(raw: int, last: int, i: int, gap: float, matrix: Any) -> bool:
    """Whether a gap between character ``last`` and character ``i`` that has no space between them (neither in
    the text nor generated by pdfium) ends a word; ``gap``: from the end of ``last``'s advance to ``i``.

    Within one text object, never: pdfium judged the object's own spacing and generates a space where it
    moves on by a space's width; a gap it leaves is kerning, letter-spacing, or a character it dropped as drawn
    twice at one place (its rule against fake bold: a value printed over an older one loses a comma). Between
    text objects, when wider than SPACE_EM of the character's em across the line (its font size through its
    text matrix: text drawn stretched or squeezed has wider or narrower spaces). Narrower is kerning or
    letter-spacing, as a PDF printer or a form's appearance sets glyph by glyph ("E vi d e n c e"); glyph
    boxes alone cannot tell them from a space."""
    if text_object(raw, i) == text_object(raw, last):
        return False
    if not _char_matrix(raw, i, matrix):
        return True
    em = _font_size(raw, i) * math.hypot(matrix.a, matrix.b)
    return em <= 0 or gap > SPACE_EM * em


# a character starts a new word (in :func:`_joined` and :func:`_words` alike), in heights of the word so far:
_LEAST_HEIGHT = 1.0  # (a word's height is taken as at least this, in points)
_OFF_LINE = 0.5  # its middle this far from the word's: off the line
_FAR_BACK = 0.8  # it starts this far left of the word's right: far back (a new line, an overprint)
_WIDE_GAP = 0.3  # a gap this wide is asked of :func:`_spaced`
SPACE_EM = 0.2  # narrower than a space in any common font (0.25-0.28 em; Calibri 0.23), wider than kerning
_WORD_BREAK = " "
_BREAK_CODES = frozenset((0xFFFE, 0xFFFF))  # pdfium's marks that are no character: they end a word
_HYPHEN_MARK = 0x2  # what FPDFText_GetUnicode gives for a hyphen that ends a line (FPDFText_GetText gives 0xFFFE)
# pdfium's character functions, taking the text page by its address (:func:`pipeline.pageobjects.by_address`)
_char_box = unchecked(pdfium_c.FPDFText_GetCharBox)  # (text page as a c_void_p, index, four byrefs)
_loose_char_box = unchecked(pdfium_c.FPDFText_GetLooseCharBox)  # (text page as a c_void_p, index, a byref)
_char_text_object = unchecked(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)  # (text page as a c_void_p, index)
_char_matrix = by_address(pdfium_c.FPDFText_GetMatrix)
_font_size = by_address(pdfium_c.FPDFText_GetFontSize)


def _char_codes(textpage: pdfium.PdfTextPage, count: int) -> list[int]:
    """Each character's code point, as ``FPDFText_GetUnicode`` gives it, from one ``FPDFText_GetText``
    call. That text is UTF-16, one unit per character, except that a line-ending hyphen reads 0xFFFE (it
    is asked again, alone) and a character beyond the BMP takes two units (then every one is asked)."""
    raw = textpage.raw
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer) if count else 1
    units = np.frombuffer(buffer, dtype=np.uint16, count=count)
    if written != count + 1 or ((units >= 0xD800) & (units <= 0xDFFF)).any():  # not one unit per character
        return [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)]
    codes = units.tolist()
    for i in np.flatnonzero(units == 0xFFFE).tolist():
        codes[i] = pdfium_c.FPDFText_GetUnicode(raw, i)
    return codes


class _DisplayTransform:
    """Maps page space (bottom-left origin, unrotated) to displayed space."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        self.left, self.bottom, self.right, self.top = page.get_cropbox()
        self.rotation = page.get_rotation() % 360
        w, h = self.right - self.left, self.top - self.bottom
        self.width, self.height = (h, w) if self.rotation in (90, 270) else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def mark(self, kind: str, box: tuple[float, float, float, float]) -> Mark:
        w = self.word(kind, box)
        return Mark(kind=kind, x0=w.x0, y0=w.y0, x1=w.x1, y1=w.y1)

    def words(self, raw: list[RawWord]) -> list[Word]:
        """:meth:`word` of each of ``raw``; an unturned page's written out (min and max as the builtins
        choose: the second only when strictly smaller or larger)."""
        if self.rotation != 0:
            return [self.word(text, box, drawn) for text, box, drawn in raw]
        if not raw:
            return []
        left, top = self.left, self.top
        edges = np.array([box for _, box, _ in raw], dtype=float)
        xa, ya, xb, yb = edges[:, 0] - left, top - edges[:, 1], edges[:, 2] - left, top - edges[:, 3]
        x0s, y0s = _rounded(np.where(xb < xa, xb, xa), 2), _rounded(np.where(yb < ya, yb, ya), 2)
        x1s, y1s = _rounded(np.where(xb > xa, xb, xa), 2), _rounded(np.where(yb > ya, yb, ya), 2)
        out = []
        new = object.__new__
        for (text, _, drawn), x0, y0, x1, y1 in zip(raw, x0s, y0s, x1s, y1s):
            # a Word with the fields its __init__ sets, in its order (a frozen dataclass's __init__ sets
            # each through object.__setattr__: twice the cost, on every word of every page)
            word = new(Word)
            word.__dict__.update(text=text, x0=x0, y0=y0, x1=x1, y1=y1, confidence=None, drawn=drawn)
            out.append(word)
        return out

    def word(self, text: str, box: tuple[float, float, float, float], drawn: int | None = None) -> Word:
        l, b, r, t = box
        xa, ya = self.point(l, b)
        xb, yb = self.point(r, t)
        return Word(
            text=text,
            x0=round(min(xa, xb), 2),
            y0=round(min(ya, yb), 2),
            x1=round(max(xa, xb), 2),
            y1=round(max(ya, yb), 2),
            drawn=drawn,
        )


def _visible(page: pdfium.PdfPage, words: list[Word], boxes: np.ndarray | None = None) -> list[bool]:
    """For each word, whether its box holds some ink on the rendered page (all True when the page cannot be
    drawn). ``boxes``: the words' boxes as an array (:func:`_boxes`), when the caller has them."""
    width, height = page.get_size()
    scale = min(_RENDER_SCALE, (MAX_CHECK_PIXELS / max(width * height, 1.0)) ** 0.5)  # a huge page: fewer dots
    try:
        bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
        ink = _grey_levels(bitmap)
    except Exception:  # rendering is a refinement; never lose the text over it
        logger.warning("could not render page to check hidden text; keeping all words", exc_info=True)
        return [True] * len(words)
    inked = _inked(ink, *_pixel_boxes(words, scale, ink.shape, boxes))
    dropped = inked.count(False)
    if dropped:
        logger.info("dropped %s hidden words of %s", dropped, len(words))
    return inked


_BAND_ROWS = 4  # the bands' rows, at most this many times the page's: else each box on its own


def _inked(ink: np.ndarray, lefts: Any, tops: Any, rights: Any, bottoms: Any) -> list[bool]:
    """For each pixel box (:func:`_pixel_boxes`: edges inside the render), whether it is not empty and its
    darkest grey level is darker than _INK_LEVEL: ``ink[top:bottom, left:right].min() < _INK_LEVEL``, the
    same minimum found in two steps. The boxes of one band of rows (a line's words mostly share their top
    and bottom) take one minimum down the band's columns; every box's minimum along its band's row is then
    one ``reduceat`` over those rows laid end to end (each row one pixel longer, white, so that no box's end
    is past the array), the boxes in order of their start. The bands and spans are found in numpy, not word
    by word. A page whose bands hold more than _BAND_ROWS times its rows has each box's minimum found on
    its own."""
    height, width = ink.shape
    x0, y0, x1, y1 = (np.asarray(edges, dtype=np.intp).reshape(-1) for edges in (lefts, tops, rights, bottoms))
    inked = np.zeros(len(x0), dtype=bool)
    boxes = np.flatnonzero((x1 > x0) & (y1 > y0))
    if not len(boxes):
        return inked.tolist()
    keys, band = np.unique(y0[boxes] * (height + 1) + y1[boxes], return_inverse=True)  # sorted: by top, then bottom
    band_tops, band_bottoms = keys // (height + 1), keys % (height + 1)
    if int((band_bottoms - band_tops).sum()) > _BAND_ROWS * height:  # (a hostile page's many tall bands)
        for k in boxes.tolist():
            inked[k] = ink[y0[k]:y1[k], x0[k]:x1[k]].min() < _INK_LEVEL
        return inked.tolist()
    rows = np.full((len(keys), width + 1), 255, dtype=ink.dtype)
    for b, (top, bottom) in enumerate(zip(band_tops.tolist(), band_bottoms.tolist())):
        np.minimum.reduce(ink[top:bottom], axis=0, out=rows[b, :width])  # (a reduceat down the rows: 10x slower)
    band = band.reshape(-1) * (width + 1)
    starts, ends = band + x0[boxes], band + x1[boxes]
    order = np.argsort(starts, kind="stable")
    spans = np.empty(2 * len(boxes), dtype=np.intp)
    spans[0::2], spans[1::2] = starts[order], ends[order]
    darkest = np.minimum.reduceat(rows.reshape(-1), spans)[0::2]  # the odd ones span the gaps between boxes
    inked[boxes[order]] = darkest < _INK_LEVEL
    return inked.tolist()


def _pixel_boxes(words: list[Word], scale: float, shape: tuple[int, ...],
                 boxes: np.ndarray | None = None) -> tuple[Any, ...]:
    """The words' boxes in the render's pixels, clipped to it: (lefts, tops, rights, bottoms), each edge
    ``int`` of its product with ``scale`` (right and bottom one more), computed together; word by word
    when a product is not a number or too large for an integer array (a hostile file's text far off the
    page: a left or top past the render is put at its edge, a right or bottom before it at 0, an empty box
    either way). ``boxes``: the words' boxes as an array (:func:`_boxes`), when the caller has them."""
    products = (_boxes(words) if boxes is None else boxes) * scale
    height, width = shape[0], shape[1]
    if not (np.abs(products) < 2.0 ** 62).all():
        at = [[int(v) for v in row] for row in products.tolist()]
        return ([min(max(a[0], 0), width) for a in at], [min(max(a[1], 0), height) for a in at],
                [max(min(a[2] + 1, width), 0) for a in at], [max(min(a[3] + 1, height), 0) for a in at])
    at = products.astype(np.int64)  # a truncation toward zero, as int()
    return (np.maximum(at[:, 0], 0), np.maximum(at[:, 1], 0),
            np.minimum(at[:, 2] + 1, width), np.minimum(at[:, 3] + 1, height))


def _grey_levels(bitmap: pdfium.PdfBitmap) -> np.ndarray:
    """The rendered page's grey levels (rows of columns): a grey bitmap's own pixels, without a copy (a
    view of pdfium's buffer: the caller keeps ``bitmap`` while it reads them); another format through
    PIL's conversion to grey."""
    if bitmap.format == pdfium_c.FPDFBitmap_Gray:
        return bitmap.to_numpy()
    return np.asarray(bitmap.to_pil().convert("L"))


_TOKEN = re.compile(r"[A-Za-z]{2,}")
_VOWELS = set("aeiouyAEIOUY")


def has_usable_text(pages: list[Page], *, min_words: int = 40) -> bool:
    """True when the text layer is real text, not empty or garbage (a scan).

    A real layer has enough words and most alphabetic tokens look like words
    (contain a vowel, are not long runs of one character class soup).
    """
    texts = Counter(w.text for p in pages for w in p.words)  # each distinct text counted once, times its words
    if sum(texts.values()) < min_words:
        return False
    tokens = wordlike = 0
    for text, words in texts.items():
        n, k = _token_counts(text)
        tokens += words * n
        wordlike += words * k
    if tokens < min_words // 2:
        return False
    return wordlike / tokens >= 0.6


@functools.lru_cache(maxsize=2**16)  # a page repeats its words (the form's labels): each is judged once
def _token_counts(text: str) -> tuple[int, int]:
    """(alphabetic tokens, those that look like words) of a word's text: :func:`tokens_of` and
    :func:`_looks_like_word`, counted once per text."""
    tokens = tokens_of(text)
    return len(tokens), sum(1 for t in tokens if _looks_like_word(t))


@functools.lru_cache(maxsize=2**16)  # a page repeats its words (the form's labels): each is cut once
def tokens_of(text: str) -> tuple[str, ...]:
    """The alphabetic tokens (two letters or more) of a word's text."""
    return tuple(m.group(0) for m in _TOKEN.finditer(text))


@functools.lru_cache(maxsize=2**16)  # a page repeats its words (the form's labels): each is judged once
def _looks_like_word(token: str) -> bool:
    if not any(c in _VOWELS for c in token):
        return len(token) <= 4 and token.isupper()  # abbreviations: LLC, NAIC
    return not _CONSONANT_RUN.search(token)


_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{6,}", re.IGNORECASE)


@serialised
def read_form_fields(pdf: bytes) -> dict[str, str]:
    """AcroForm field values (full name -> value) of a form that is not flattened.

    Text fields give their text; check boxes and radio buttons give their
    export value when on ("Off" / absent otherwise is left out).  Empty
    fields are left out; an empty dict means there are no filled fields.
    """
    doc = open_pdf(pdf)
    fields: dict[str, str] = {}
    try:
        if doc.get_formtype() == pdfium_c.FORMTYPE_NONE:
            return {}
        _init_forms(doc)
        handle = doc.formenv.raw
        for index in range(len(doc)):
            page = doc[index]
            _page_fields(handle, page, fields)
            page.close()
    except pdfium.PdfiumError as e:
        raise UnreadableDocument(
            "The PDF's form fields are damaged; send a flattened copy of the certificate."
        ) from e
    finally:
        doc.close()
    return fields


def _page_fields(handle: Any, page: pdfium.PdfPage, fields: dict[str, str]) -> None:
    """Add the page's filled fields not named yet to ``fields`` (name -> value)."""
    for annot in _widget_annots(page):
        name = _annot_string(pdfium_c.FPDFAnnot_GetFormFieldName, handle, annot)
        if not name:
            continue
        value = _field_value(handle, annot)
        if value and name not in fields:
            fields[name] = value


def _widget_annots(page: pdfium.PdfPage) -> Iterator[Any]:
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) == pdfium_c.FPDF_ANNOT_WIDGET:
                yield annot
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)


def _field_value(handle: Any, annot: Any) -> str:
    kind = pdfium_c.FPDFAnnot_GetFormFieldType(handle, annot)
    if kind in (pdfium_c.FPDF_FORMFIELD_CHECKBOX, pdfium_c.FPDF_FORMFIELD_RADIOBUTTON):
        if not pdfium_c.FPDFAnnot_IsChecked(handle, annot):
            return ""
        return _annot_string(pdfium_c.FPDFAnnot_GetFormFieldExportValue, handle, annot) or "On"
    value = _annot_string(pdfium_c.FPDFAnnot_GetFormFieldValue, handle, annot)
    return value.strip()


def _annot_string(func: Any, handle: Any, annot: Any) -> str:
    size = func(handle, annot, None, 0)
    if size <= 2:
        return ""
    buffer = (pdfium_c.FPDF_WCHAR * ((size + 1) // 2))()  # (at least ``size`` bytes, given as the pointer it is: no cast)
    func(handle, annot, buffer, size)
    return bytes(buffer)[: size - 2].decode("utf-16-le", errors="replace")
