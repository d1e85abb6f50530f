"""Is a page's text layer to be trusted? (read before choosing between the text layer and OCR)

Scanners and "searchable PDF" tools lay an invisible OCR text layer (render mode 3) over the page
image. That layer is sometimes garbage: random characters, a wrong encoding, or words whose boxes
do not sit on the ink. Born-digital PDFs can carry garbage too (a font without a usable ToUnicode
map). The measures here are general: they know English and the look of a scan, not any particular
file.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium

from pipeline.pageobjects import PageObjects
from pipeline.textlayer import Page, Word, _raw_words, _token_counts, open_pdf, read_document, serialised, tokens_of

IMAGE_PAGE = 0.5  # share of the page one image must cover for the page to be a scan
INVISIBLE_LAYER = 0.8  # share of a page's characters drawn invisible: a scanner's OCR layer
MIN_PAGE_WORDS = 10  # fewer words than this on a scan page: there is no layer worth reading
MIN_TOKENS = 10  # alphabetic tokens needed before their quality is judged
WORDLIKE = 0.6  # share of tokens that look like words (vowels, no consonant soup)
KNOWN_ON_SCAN = 0.15  # share of tokens that are common English or insurance words, on a scan's layer
KNOWN_BORN_DIGITAL = 0.05  # the same for a born-digital page (lists of names are legitimately rare words)
ON_INK = 0.6  # share of a scan layer's words that must sit on ink

# Common English words and the words printed on certificates, endorsements and cover letters.  A
# real page of either kind has a good share of them; random characters and a shifted encoding have
# almost none.
_KNOWN = frozenset("""
a about above after all also an and any are as at be been before but by can certificate
certificates copy date dear do does each for from has have here herein if in information insurance
insured insurer insurers is it its may more no not of on or our please policy policies provided
request should so such that the their them there these this to under upon us was we which will
with within would you your
additional address aggregate agent agency applies authorized automobile bodily business
cancellation carrier claims commercial company completed comp contact coverage coverages covered
damage described description disease e-mail email employee employees employer endorsement excess
expiration fax general holder hired injury issued letter liability limit limits llc inc
locations made medical named number occurrence operations owned person phone policy premises
producer products project property remarks representative rented schedule scheduled sincerely
umbrella vehicles waiver workers compensation subrogation type form acord corporation
""".split())


@dataclass(frozen=True)
class LayerCheck:
    """How a page's text was drawn: the share of the page its largest image covers, the share of its
    characters drawn invisible, and how many words it had before words without ink were dropped (None:
    not counted, as the page is no scan whatever it counts: they matter only on a scan)."""

    number: int
    image_cover: float
    invisible: float
    raw_words: int | None

    @property
    def scan(self) -> bool:
        """A page whose content is a picture of a page (its text, if any, laid over by OCR)."""
        return self.image_cover >= IMAGE_PAGE or (self.invisible >= INVISIBLE_LAYER and self.raw_words > 0)


@serialised
def check_layers(pdf: bytes, *, max_pages: int = 50) -> list[LayerCheck]:
    """A :class:`LayerCheck` for each of the first ``max_pages`` pages (no rendering: cheap)."""
    doc = open_pdf(pdf)
    try:
        checks = []
        for index in range(min(len(doc), max_pages)):
            page = doc[index]
            try:
                checks.append(_check_page(page, index + 1))
            finally:
                page.close()
        return checks
    finally:
        doc.close()


@serialised
def read_checked(pdf: bytes, *, max_pages: int = 50) -> tuple[list[Page], list[LayerCheck]]:
    """The text layer's pages (:func:`pipeline.textlayer.read_text_layer`) and each page's
    :class:`LayerCheck`, from one opening of the PDF: the same as calling both, for half the work."""
    pages, checks, _ = read_checked_fields(pdf, max_pages=max_pages)
    return pages, checks


@serialised
def read_checked_fields(pdf: bytes, *, max_pages: int = 50) -> tuple[list[Page], list[LayerCheck], dict[str, str] | None]:
    """:func:`read_checked`, and the form's field values from the same opening
    (:func:`pipeline.textlayer.read_document`: None when not all pages were read)."""
    pairs, fields = read_document(pdf, max_pages=max_pages, look=_check_page)
    return [page for page, _ in pairs], [check for _, check in pairs], fields


def _check_page(page: pdfium.PdfPage, number: int, raw_words: int | None = None,
                objects: PageObjects | None = None) -> LayerCheck:
    """The page's check; ``raw_words``, when given, is the count of words its text page holds (counted
    here only when the page may be a scan); ``objects``, the page's objects as the read walked them (walked
    here when not given)."""
    left, bottom, right, top = page.get_cropbox()
    area = max((right - left) * (top - bottom), 1.0)
    if objects is None:
        objects = PageObjects(page, paths=False)
    cover = 0.0
    for x0, y0, x1, y1 in objects.images():
        w = max(0.0, min(x1, right) - max(x0, left))
        h = max(0.0, min(y1, top) - max(y0, bottom))
        cover = max(cover, w * h / area)
    shown, hidden = objects.shown, objects.hidden
    cover, invisible_share = round(cover, 3), round(hidden / (hidden + shown) if hidden + shown else 0.0, 3)
    if cover < IMAGE_PAGE and invisible_share < INVISIBLE_LAYER:
        raw_words = None  # no scan, whatever its words: they are not counted
    elif raw_words is None:
        textpage = page.get_textpage()
        try:
            raw_words = len(_raw_words(textpage))
        finally:
            textpage.close()
    return LayerCheck(number, cover, invisible_share, raw_words)


def text_quality(words: list[str]) -> tuple[int, float, float]:
    """(alphabetic tokens, share that look like words, share that are known words) of some text: the
    counts of each word's text (:func:`_quality_counts`, judged once per text) added up."""
    tokens = wordlike = known = 0
    for text, times in Counter(words).items():  # each distinct text judged once, times its words
        n, k, m = _quality_counts(text) if len(text) <= CACHED_TEXT_CHARS else _quality_counts.__wrapped__(text)
        tokens += times * n
        wordlike += times * k
        known += times * m
    if not tokens:
        return 0, 0.0, 0.0
    return tokens, wordlike / tokens, known / tokens


# a text this long or shorter is remembered across pages (the form's labels, names): a longer one, rarely
# repeated, is not, so a hostile layer's long texts are not kept for the process's life
CACHED_TEXT_CHARS = 64


@functools.lru_cache(maxsize=2**16)  # a page repeats its words (the form's labels): each is judged once
def _quality_counts(text: str) -> tuple[int, int, int]:
    """(alphabetic tokens, those that look like words, those that are known words) of a word's text: its
    :func:`~pipeline.textlayer.tokens_of`, counted by :func:`~pipeline.textlayer._looks_like_word` (the
    count :func:`~pipeline.textlayer.has_usable_text` takes too) and by ``_KNOWN``."""
    tokens, wordlike = _token_counts(text)
    return tokens, wordlike, sum(1 for t in tokens_of(text) if t.lower() in _KNOWN)


def untrusted_layer(page: Page, check: LayerCheck) -> str | None:
    """Why this page's text layer is not to be read (then OCR reads the page); None to trust it."""
    words = [w.text for w in page.words]
    if check.scan and check.raw_words >= MIN_PAGE_WORDS and len(words) < ON_INK * check.raw_words:
        return f"a text layer off the ink ({len(words)} of {check.raw_words} words on ink)"
    if check.scan and len(words) < MIN_PAGE_WORDS:
        return "a scanned page without a text layer"
    tokens, wordlike, known = text_quality(words)
    if tokens >= MIN_TOKENS:
        floor = KNOWN_ON_SCAN if check.scan else KNOWN_BORN_DIGITAL
        if wordlike < WORDLIKE or known < floor:
            return f"a garbage text layer ({wordlike:.0%} word-like, {known:.0%} known words)"
    return None


SCANNER_LAYER = 0.95  # how sure a word of a scanner's OCR layer is: read by someone else's OCR, unchecked


def as_scanner_ocr(page: Page, confidence: float = SCANNER_LAYER) -> Page:
    """A scan page's trusted text layer, its words marked as OCR readings (with a confidence).

    Its check boxes and signature are pixels of the image, not drawn marks: read as OCR, a box not
    seen is a guess, never a sure "unchecked", and values get the scan's plausibility checks."""
    words = tuple(Word(w.text, w.x0, w.y0, w.x1, w.y1, confidence) for w in page.words)
    return Page(page.number, page.width, page.height, words, page.marks, hidden=())  # a scan's hidden text: not ours to report
