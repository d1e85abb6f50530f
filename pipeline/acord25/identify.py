"""Is this page an ACORD 25, and which edition?

A page counts as an ACORD 25 when it carries the form's footer or title AND
enough of the form's own printed labels in their usual arrangement.  Look-alikes
that merely print "ACORD 25 (2016/03)" over a simplified table are refused.

Which layout to read it by is :func:`registered`: the edition's template whose printed
labels (and rules) the page fits best (the footer's words play no part: an edition
without a template of its own, such as 2014/01, is read by the template it fits). A page
the OCR stage registered keeps that registration (``Page.registration``, its blocks' fits:
:func:`stored`), and :func:`registered` takes it rather than fitting the page again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.acord25.layout import Sheet
from pipeline.acord25.template import (MIN_GLOBAL, SCALE_GAIN, TEMPLATES, BlockFit, Matched, PageWords,
                                      Registration, Transform, editions, load, register, restore)
from pipeline.registration import PageRegistration, StoredFit
from pipeline.textlayer import Page

logger = logging.getLogger(__name__)

KNOWN_EDITIONS = ("2025/12", "2016/03", "2014/01", "2010/05", "2009/09", "2001/08")
_EDITION = re.compile(r"^\((\d{4})/(\d{2})\)[.,;:]?$")  # OCR may join the sentence's full stop to it
_TITLE = ("CERTIFICATE", "OF", "LIABILITY", "INSURANCE")

# Labels printed on every edition of the form (2001/08 to 2025/12).
_STRUCTURE = (
    "PRODUCER",
    "INSURED",
    "INSURERS AFFORDING COVERAGE",
    "INSURER(S) AFFORDING COVERAGE",
    "NAIC #",
    "COVERAGES",
    "INSR LTR",
    "TYPE OF INSURANCE",
    "POLICY NUMBER",
    "EACH OCCURRENCE",
    "MED EXP (Any one person)",
    "PERSONAL & ADV INJURY",
    "GENERAL AGGREGATE",
    "PRODUCTS - COMP/OP AGG",
    "COMBINED SINGLE LIMIT",
    "AUTOMOBILE LIABILITY",
    "CLAIMS-MADE",
    "E.L. EACH ACCIDENT",
    "E.L. DISEASE - EA EMPLOYEE",
    "E.L. DISEASE - POLICY LIMIT",
    "CERTIFICATE HOLDER",
    "CANCELLATION",
    "AUTHORIZED REPRESENTATIVE",
)
_MIN_STRUCTURE = 15
_MIN_STRUCTURE_SCAN = 10  # titled or footed scans: small labels of a poor scan are often misread
_MIN_UNTITLED = 19  # labels found on a scan whose title and footer were not read


# Labels agreeing with one shift of the page that show it is at (or near) the form's scale, whatever else
# it shows: born-digital pages get 250 or more, the real scan at 0.84 x 0.87 gets 11 with any template.
AT_SCALE = 60


@dataclass(frozen=True)
class FormInfo:
    type: str
    edition: str | None
    page: int


def footer_edition(sheet: Sheet) -> str | None:
    """The edition from a footer such as 'ACORD 25 (2016/03)'; None when absent."""
    for anchor in sheet.find("ACORD 25"):
        found = _edition_after(sheet, anchor.words[-1])
        if found:
            return found
    if sheet.measured:
        # OCR may lose the first letters of the footer ('ORD 25'): '25' then '(yyyy/mm)' at the foot
        for w in sheet.words:
            if w.text == "25" and w.cy > 0.85 * sheet.page.height:
                found = _edition_after(sheet, w)
                if found:
                    return found
    return None


def _edition_after(sheet: Sheet, last) -> str | None:
    """The edition of the first word (in the page's order) that reads '(yyyy/mm)' just after ``last`` on its line."""
    cy, height, x1 = last.cy, last.height, last.x1
    for w in sheet.words:
        match = _EDITION.match(w.text)  # (the text first: a few words of a page read so, its geometry is the same test)
        if match and abs(w.cy - cy) < 0.6 * height and 0 <= w.x0 - x1 < 2.5 * height:
            return f"{match.group(1)}/{match.group(2)}"
    return None


def structure_score(sheet: Sheet) -> int:
    return sum(1 for label in _STRUCTURE if sheet.find(label))


def _title_words_on_top(page: Page) -> bool:
    """The title's words at the head of a scanned page, whatever order or lines OCR gave them
    (large bold type often comes back as two lines, out of order)."""
    top = {w.text.upper().strip(".,:;") for w in page.words if w.y1 < 0.1 * page.height}
    return all(word in top for word in _TITLE)


def identify_page(page: Page) -> FormInfo | None:
    sheet = Sheet(page)
    edition = footer_edition(sheet)
    titled = bool(sheet.find("CERTIFICATE OF LIABILITY INSURANCE")) or (sheet.measured and _title_words_on_top(page))
    score = structure_score(sheet)
    if edition is None and not titled and not (sheet.measured and score >= _MIN_UNTITLED):
        return None  # on a scan the title and footer may be misread; nearly all the labels still tell
    if score < (_MIN_STRUCTURE_SCAN if sheet.measured else _MIN_STRUCTURE):
        logger.info("page %s names ACORD 25 but has only %s of its labels", page.number, score)
        return None
    if edition is not None and edition not in KNOWN_EDITIONS:
        logger.info("unknown ACORD 25 edition %s on page %s", edition, page.number)
    return FormInfo(type="ACORD 25", edition=edition, page=page.number)


def identify(pages: list[Page]) -> FormInfo | None:
    """The first page that is an ACORD 25, with its edition; None if none is."""
    for page in pages:
        info = identify_page(page)
        if info is not None:
            return info
    return None


def registered(page: Page) -> Registration | None:
    """The page registered to the template it fits best: the registration stored with the page when it has
    one (:func:`restored`), else found here.

    The templates are ranked by how many of their labels one shift of the whole page agrees with
    (cheap), and the page is registered to the first. When even that one has too few, or the page shows
    far more of its labels than agree (a page scanned at another scale), the page is registered to every
    template and the one it fits best wins (:func:`_fit_order`)."""
    kept = restored(page)
    if kept is not None:
        return kept
    words = PageWords(page)  # matched to each template's labels once, for its shift fit and its registration
    matched = {edition: Matched(page, load(edition), words) for edition in editions()}
    first = _first(matched)
    best: Registration | None = None
    agreeing, shown = matched[first].shift_counts()
    if agreeing >= MIN_GLOBAL and (shown < SCALE_GAIN * agreeing or agreeing >= AT_SCALE):
        best = register(page, load(first), matched[first])  # a page at (or near) the form's own scale
    if best is None:
        shifts = {edition: m.shift_counts() for edition, m in matched.items()}
        ranked = sorted(shifts, key=lambda e: -shifts[e][0])
        for edition in ranked:
            registration = register(page, load(edition), matched[edition])
            if registration is not None and (best is None or _fit_order(registration) > _fit_order(best)):
                best = registration
    if best is not None:
        logger.info("page %s fits the %s template (%s anchors)", page.number, best.template.edition, best.agreement)
    return best


def _first(matched: dict[str, Matched]) -> str:
    """The edition whose template the most labels agree with one shift of the page, the first of equals in
    the templates' order: the first of :func:`registered`'s ranking. A template is fitted only while it
    could still come first: no fit has more agreeing labels than its pairs searched have labels
    (``Matched.most``), so once one template's fit has as many, those left are not fitted."""
    order = list(matched)
    best, agreeing = order[0], -1
    for edition in sorted(order, key=lambda e: -matched[e].most):  # the most promising first; stable
        most = matched[edition].most
        if most < agreeing or (most == agreeing and order.index(edition) > order.index(best)):
            break  # neither this template nor any after it can come first
        got = matched[edition].shift_counts()[0]
        if got > agreeing or (got == agreeing and order.index(edition) < order.index(best)):
            best, agreeing = edition, got
    return best


def _fit_order(registration: Registration) -> tuple[int, int, float]:
    """How well a page fits a template, best last: the labels agreeing with one fit of the whole page (an
    edition's blocks sit where they do relative to each other: 2025/12's coverage table is 12 pt lower
    than 2016/03's, which fits per block hide), then those agreeing with the blocks' own fits, then the
    smaller mean residual."""
    return registration.glob.anchors, registration.agreement, -registration.spread


def stored(placed: PageRegistration, registration: Registration) -> PageRegistration:
    """``placed`` (how the OCR stage turned and levelled the page) with ``registration``'s fits: the page-wide
    one and every block's, at full precision, and the template they are fits to."""
    glob = _stored_fit(registration.glob)
    return replace(placed, edition=registration.template.edition, transform=glob.transform,
                   residual=glob.residual, anchors=glob.anchors, template=template_digest(registration.template.edition),
                   blocks={name: _stored_fit(fit) for name, fit in registration.blocks.items()})


def restored(page: Page) -> Registration | None:
    """The registration stored with ``page`` (:func:`stored`), put back on its words as they are now
    (:func:`pipeline.acord25.template.restore`); None when the page has none to give: a text layer's
    page, a page that did not register, a reading stored before the blocks' fits were kept, or one
    whose template has changed since (its fits are to print that has moved)."""
    placed = page.registration
    if placed is None or placed.edition is None or placed.blocks is None or placed.page_fit is None:
        return None
    if placed.edition not in editions() or placed.template != template_digest(placed.edition):
        logger.info("page %s: its stored registration is to another %s template; registering again",
                    page.number, placed.edition)
        return None
    template = load(placed.edition)
    if set(placed.blocks) != set(template.blocks):
        return None
    return restore(page, template, {name: _block_fit(fit) for name, fit in placed.blocks.items()},
                   _block_fit(placed.page_fit))


@lru_cache(maxsize=None)
def template_digest(edition: str) -> str:
    """A short digest of ``edition``'s template file: a stored fit is to the template as it was."""
    path = TEMPLATES / f"{edition.replace('/', '-')}.json"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _stored_fit(fit: BlockFit) -> StoredFit:
    t = fit.transform
    return StoredFit((t.sx, t.tx, t.sy, t.ty), fit.residual, fit.anchors, fit.own, fit.rules)


def _block_fit(fit: StoredFit) -> BlockFit:
    return BlockFit(Transform(*fit.transform), fit.residual, fit.anchors, fit.own, fit.rules)
