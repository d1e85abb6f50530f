"""The ACORD 25 as data, and the registration of a page to it.

    template = load("2016/03")
    registration = register(page, template)
    registration.to_page(field.block, field.box)  # the field's box on this page

A template per edition (``templates/<yyyy-mm>.json``, written once by ``scripts/make_template.py``,
e.g. from the official AcroForm's field rectangles and the blank's printed words; :func:`editions`
lists them) holds, in the text layer's space
(points, origin top-left): every printed word of the blank, the blocks (header, producer, contact,
insurers, insured, numbers, coverages, description, holder, signature, footer) with their anchor
labels, and each field's box, kind and contract key. No coordinate of the form is written in code.

Registration is a robust fit per block of the page's printed labels (found in the text layer by
their text) to the template's: **RANSAC** over one-correspondence translation hypotheses (every
label/word pair with the same text is tried; the consensus is the set of anchors that land within
``INLIER_PT``), then a least-squares refit of scale and translation per axis on that consensus, and
one re-selection of inliers. On a scan the form's **ruled lines** are anchors too: the OCR stage
marks the page's long rules, the template holds the blank's (found by the same finder), and a level
rule fixes a block's shift down the page, an upright one its shift across; hypotheses then also pair
a column rule's shift with a row rule's, and a rule that agrees counts as a label does. A block with
too few anchors of its own borrows the labels around it; one that still has too few takes the page's
global fit. Each block keeps its transform and its residual (the largest inlier error, in points),
which the field reader turns into its tolerance.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.textlayer import Page, Word

TEMPLATES = Path(__file__).with_name("templates")
SEARCH_PT = 100.0  # how far a printed label may sit from its template place before registration
INLIER_PT = 3.0  # a label within this distance of its registered place agrees with the fit
BLOCK_MARGIN_PT = 40.0  # a block's fit also uses the labels this close around it
MIN_ANCHORS = 5  # fewer agreeing labels than this: the block takes the global fit
# a block registered by its rules alone is fitted on its own with this many agreeing (one level, one upright: a
# rule is no misread label); on 8 tuning scans and photos such fits of 2-4 rules were within 1.1 pt of the
# fits on the blocks' labels (docs/accuracy.md, "A scanned page by its value boxes")
MIN_RULE_ANCHORS = 2  # a block fitted on rules alone takes its own fit when two of its rules (a row and a column) agree
MIN_SCALE_POINTS = 8  # a scale is fitted only from this many labels spread over 200 pt; else a shift
RUN_WORDS = 3  # words in the print's own order that make a run of moved print
MOVED_X_PT, MOVED_Y_PT = 300.0, 20.0  # a notice's line may wrap elsewhere in another edition, not move far down
# a check box's label is a word the form prints nowhere else this close to the box: the box moves with the one
# word of that text found near its place (:func:`_moved_labels`), so a repeated word ("AUTOS" under each auto box)
# could move it onto its neighbour's row
LABEL_ALONE_PT = 40.0
SCALE_SEARCH_PT = 250.0  # a page scanned or photographed at another scale: its labels may sit this far off
MIN_SCALE, MAX_SCALE = 0.8, 1.25  # the scales a page is ever read at (a shrunk scan, a photo squared up)
MAX_ASPECT = 0.08  # across and down scales of one page differ by no more than this
SPREAD_PT = 100.0  # two labels give a scale only when this far apart both ways
SCALE_GAIN = 1.5  # the scaled fit replaces the shift-only one when this many times as many labels agree with it
HYPOTHESES = 3000  # two-label hypotheses tried at most (a fixed sample, the same every run)
# A shift's window of pairs (sorted across) is widened by this beyond INLIER_PT, far above the rounding of
# a subtraction of page coordinates (~1e-13 pt), so that every pair the exact test passes lies in it
# float rounding: a pair exactly INLIER_PT away stays in its shift's window, as the table counted it, and two
# anchors' pairs exactly 2 * INLIER_PT apart are no conflict (_most_agreeing)
WINDOW_SLACK_PT = 1e-6
MIN_GLOBAL = 8  # fewer than this on the whole page: the page is not this form (no registration)
PRINT_COVER = 0.6  # an OCR word this much covered by the form's registered print is print, whatever it reads as
FUZZY_MIN_CHARS = 4  # an OCR word this long (letters and digits) may be one edit from the label it misreads
SURE_WORD = 0.95  # an OCR word read this surely is what it reads: never a misread label (print only by its own letters)
WORD_CASE_SURE = 0.75  # ... and so is a word read this surely in a word's own case ("Maple") lying on print in capitals
_WORD_CASE = re.compile(r"^[A-Z]?[a-z]{2,}[.,]?$")  # a capitalised or lower-case word: not how capitals are misread
RULE_SEARCH_PT = 20.0  # how far a page's rule may sit from a block's rule placed by the page's global fit
RULE_OVERLAP = 0.5  # a page rule matches a template rule when it runs along this share of the shorter one
BLOCK_STRETCH = 0.08  # a block's rules may be this much further apart than the page's scale says (another print of the form)
# a block is one of evenly spaced rows (:func:`block_rows`) when its level rules leave this many gaps: three rules, the
# fewest that show a pitch repeated (a block of two rules is one row, and has no neighbour row inside it to slip to)
ROW_GAPS = 2


@dataclass(frozen=True, eq=False)
class Field:
    """One field of a template. A field is made once, by :func:`load` (cached), so it is equal only to itself:
    it keys the reader's tables by identity, hashed in C, not by a Python ``__hash__`` of its six values on every
    lookup (about 1,100 lookups a document)."""

    name: str  # the AcroForm field's name, or the party block's key
    key: str  # contract key, relative to its row for coverage rows ("general_liability/policy_number")
    kind: str  # text, party, phone, email, naic, date, amount, letter, yn, check, remarks, signature
    box: tuple[float, float, float, float]
    block: str
    label: int | None = None  # a check box's own printed label (an index of the template's print)
    cell_top: float | None = None  # a party block: where its ruled cell's room for a value starts (below its label),
    # when that is above the form field's rectangle (``box``): a typed line may stand there
    typed_top: float | None = None  # a party block whose ``box`` was grown up to its label: where the form's own
    # fields start (a value is typed from there down); None when ``box`` starts there already

    @property
    def typed(self) -> tuple[float, float, float, float]:
        """Where the form has a value typed: its field's rectangle (``box``, from ``typed_top`` when given)."""
        return (self.box[0], self.box[1] if self.typed_top is None else self.typed_top, self.box[2], self.box[3])


@dataclass(frozen=True)
class Template:
    edition: str
    size: tuple[float, float]
    printed: tuple[tuple[str, float, float, float, float], ...]
    blocks: dict[str, dict[str, Any]]
    fields: tuple[Field, ...]
    rows: dict[str, tuple[float, float]]
    rules: tuple[tuple[float, float, float, float], ...] = ()  # the blank's ruled lines (x0, y0, x1, y1)


@lru_cache(maxsize=None)
def editions() -> tuple[str, ...]:
    """The editions there is a template of (one ``templates/<yyyy-mm>.json`` each), newest first."""
    return tuple(sorted((p.stem.replace("-", "/") for p in TEMPLATES.glob("*.json")), reverse=True))


@lru_cache(maxsize=None)
def load(edition: str = "2016/03") -> Template:
    data = json.loads((TEMPLATES / f"{edition.replace('/', '-')}.json").read_text())
    fields = tuple(Field(f["name"], f["key"], f["kind"], tuple(f["box"]), f["block"], f.get("label"),
                         f.get("cell_top"), f.get("typed_top"))
                   for f in data["fields"])
    return Template(data["edition"], tuple(data["page"]), tuple(tuple(w) for w in data["print"]),
                    data["blocks"], fields, {k: tuple(v) for k, v in data["rows"].items()},
                    tuple(tuple(r) for r in data.get("rules", ())))


def label_rivals(printed, index: int, box: tuple[float, float, float, float]) -> list[int]:
    """The printed words (indexes of ``printed``: (text, x0, y0, x1, y1) each) other than ``index`` that read
    as it does (:func:`_key`) and lie within LABEL_ALONE_PT of ``box`` both ways: none for a good label."""
    own = _key(printed[index][0])
    x0, y0, x1, y1 = box
    return [i for i, (text, a, b, c, d) in enumerate(printed) if i != index and _key(text) == own
            and a - x1 <= LABEL_ALONE_PT and x0 - c <= LABEL_ALONE_PT
            and b - y1 <= LABEL_ALONE_PT and y0 - d <= LABEL_ALONE_PT]


def _key(text: str) -> str:
    """A label's letters and digits, upper case: what an OCR reading of it is compared by."""
    return "".join(c for c in text.upper() if c.isalnum())


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


class Vocabulary:
    """The template's printed words, and which of them a page word reads as.

    A text-layer word is a label only when its text is the label's. An OCR word (one with a
    confidence) is compared by its letters and digits, upper case, and when those are not a
    label's, it may still be one edit from exactly one label (one letter misread, dropped or added:
    a symmetric-deletion match, for words of FUZZY_MIN_CHARS or more). The labels come from the
    template alone."""

    def __init__(self, template: "Template") -> None:
        self.texts = {t[0] for t in template.printed}
        self.by_key: dict[str, set[str]] = {}
        for text in self.texts:
            self.by_key.setdefault(_key(text), set()).add(text)
        self.by_deletion: dict[str, set[str]] = {}
        for key in self.by_key:
            if len(key) >= FUZZY_MIN_CHARS:
                for variant in _deletions(key) | {key}:
                    self.by_deletion.setdefault(variant, set()).add(key)
        self._cache: dict[str, tuple[str, ...]] = {}

    def labels(self, word: Word) -> tuple[str, ...]:
        """The template texts ``word`` reads as (none, one, or a few that share its letters)."""
        if word.confidence is None:
            return (word.text,) if word.text in self.texts else ()
        got = self._cache.get(word.text)
        if got is None:
            got = self._cache[word.text] = self._fuzzy(word.text)
        return got

    def print_of(self, word: Word) -> tuple[str, ...]:
        """The template texts ``word`` may be the form's print of. An OCR word read as surely as SURE_WORD
        is never a misreading of a label: only its own letters and digits, a label's, make it print."""
        if word.confidence is None or word.confidence < SURE_WORD:
            return self.labels(word)
        return tuple(sorted(self.by_key.get(_key(word.text), ())))

    def _fuzzy(self, text: str) -> tuple[str, ...]:
        key = _key(text)
        if not key:
            return ()
        if key in self.by_key:
            return tuple(sorted(self.by_key[key]))
        if len(key) < FUZZY_MIN_CHARS:
            return ()
        near: set[str] = set()
        for variant in _deletions(key) | {key}:
            near |= self.by_deletion.get(variant, set())
        near = {k for k in near if abs(len(k) - len(key)) <= 1}
        if len(near) != 1:  # nothing near, or two labels as near: not a reading of either
            return ()
        return tuple(sorted(self.by_key[near.pop()]))


PHRASE_GAP_PT = 6.0  # printed words closer than this on one line are one label ("INSURER A :")
PHRASE_WORDS = 6  # longer runs of print are notices, not labels
SAME_LINE_PT = 2.0  # printed words whose middles are this close in height stand on one line
NEXT_WORD_PT = 15.0  # ... and the next word of a run of print starts within this of the last one's end


@lru_cache(maxsize=None)
def printed_runs(edition: str = "2016/03") -> tuple[tuple[tuple[str, float, float, float, float], ...], ...]:
    """The form's printed words (text and box) in runs on one line with no wide gap, in print order."""
    runs: list[list[tuple[str, float, float, float, float]]] = []
    for w in load(edition).printed:
        last = runs[-1][-1] if runs else None
        if last is not None and abs((last[2] + last[4]) / 2 - (w[2] + w[4]) / 2) < SAME_LINE_PT \
                and 0 <= w[1] - last[3] < PHRASE_GAP_PT:
            runs[-1].append(w)
        else:
            runs.append([w])
    return tuple(tuple(run) for run in runs)


@lru_cache(maxsize=None)
def printed_phrases(edition: str = "2016/03") -> tuple[tuple[str, ...], ...]:
    """The form's labels as word tuples: its printed runs (:func:`printed_runs`) short enough to be labels."""
    return tuple(dict.fromkeys(tuple(w[0] for w in run) for run in printed_runs(edition) if len(run) <= PHRASE_WORDS))


FORM_PRINT_CHARS = 4  # a printed phrase shorter than this ("ER", "$", "LOC") may be part of any value


class FormPrint:
    """The form's own printed phrases (its labels: :func:`printed_phrases`), to be dropped from values.

    A run of a value's words that is one of the edition's printed phrases, letter for letter and in its
    case (a label read where no label was expected: "CERTIFICATE NUMBER:" printed elsewhere, "INSURED"
    above the block it names), is the form's, not the value's. Spaces do not count ("NUMBER :" is
    "NUMBER:"); phrases shorter than FORM_PRINT_CHARS do not count at all."""

    def __init__(self, phrases: tuple[tuple[str, ...], ...]) -> None:
        self.texts = {t for t in ("".join(p) for p in phrases) if len(t) >= FORM_PRINT_CHARS}
        self.longest = max((len(p) for p in phrases), default=0) + 2  # words: OCR may split a label's word
        self.starts = {t[:n] for t in self.texts for n in range(len(t) + 1)}  # what a run of words may begin with

    def unprinted(self, words: list[Word]) -> list[Word]:
        """``words`` (one line, left to right) without the runs of them that are a printed phrase: from each
        word, the longest run (of at most ``longest`` words) whose text is one, found by joining one word
        more while the text still begins one."""
        out, i = [], 0
        while i < len(words):
            end, text = None, ""
            for j in range(i + 1, min(len(words), i + self.longest) + 1):
                text += words[j - 1].text
                if text not in self.starts:
                    break
                if text in self.texts:
                    end = j
            if end is None:
                out.append(words[i])
                i += 1
            else:
                i = end
        return out


@lru_cache(maxsize=None)
def form_print(edition: str = "2016/03") -> FormPrint:
    return FormPrint(printed_phrases(edition))


@lru_cache(maxsize=None)
def vocabulary(edition: str = "2016/03") -> Vocabulary:
    return Vocabulary(load(edition))


@dataclass(frozen=True)
class Transform:
    """Template -> page, per axis: x' = sx * x + tx, y' = sy * y + ty."""

    sx: float = 1.0
    tx: float = 0.0
    sy: float = 1.0
    ty: float = 0.0

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.sx * x + self.tx, self.sy * y + self.ty

    def box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0 = self.point(box[0], box[1])
        x1, y1 = self.point(box[2], box[3])
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


@dataclass(frozen=True)
class BlockFit:
    transform: Transform
    residual: float  # largest error of an agreeing label or rule, points
    anchors: int  # labels and rules that agree
    own: bool  # fitted on the block's own labels (False: the global fit)
    rules: int = 0  # of the anchors, how many are ruled lines


@dataclass
class Registration:
    template: Template
    blocks: dict[str, BlockFit]
    glob: BlockFit
    printed_words: set[int] = field(default_factory=set)  # indexes of page words that are the form's print
    moved: dict[Field, float] = field(default_factory=dict)  # check boxes whose label sits elsewhere: how far down

    def fit(self, block: str) -> BlockFit:
        return self.blocks.get(block, self.glob)

    def to_page(self, block: str, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return self.fit(block).transform.box(box)

    def place(self, f: Field) -> tuple[float, float, float, float]:
        """The field's box on the page: its block's fit, and for a check box the move of its own label."""
        x0, y0, x1, y1 = self.to_page(f.block, f.box)
        dy = self.moved.get(f, 0.0)
        return x0, y0 + dy, x1, y1 + dy

    def places(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`place` of every field of the template, in its order, as rows (x0, y0, x1, y1), and each field's
        block's residual: the same arithmetic, all fields at once."""
        names, of, boxes = _field_blocks(self.template.edition)
        fits = [self.fit(name) for name in names]
        sx, tx, sy, ty, residual = (np.array([getattr(f.transform, k) for f in fits] if k != "residual" else
                                             [f.residual for f in fits], dtype=float).reshape(-1)[of]
                                    for k in ("sx", "tx", "sy", "ty", "residual"))
        x0, y0 = sx * boxes[:, 0] + tx, sy * boxes[:, 1] + ty  # Transform.point of each corner
        x1, y1 = sx * boxes[:, 2] + tx, sy * boxes[:, 3] + ty
        # Transform.box's min and max as Python's: the first of two equal (a signed zero stays as it was)
        left, right = np.where(x1 < x0, x1, x0), np.where(x1 > x0, x1, x0)
        top, bottom = np.where(y1 < y0, y1, y0), np.where(y1 > y0, y1, y0)
        dy = np.zeros(len(of))
        if self.moved:
            index = _field_index(self.template.edition)
            for f, down in self.moved.items():
                dy[index[f]] = down
        return np.column_stack((left, top + dy, right, bottom + dy)).reshape(-1, 4), residual

    @property
    def agreement(self) -> int:
        """Labels and rules that agree with the blocks' own fits: how well the page fits this template."""
        return sum(f.anchors for f in self.blocks.values() if f.own)

    @property
    def spread(self) -> float:
        """The mean residual of the blocks fitted on their own labels (points)."""
        own = [f.residual for f in self.blocks.values() if f.own]
        return sum(own) / len(own) if own else INLIER_PT

    def to_dict(self) -> dict[str, Any]:
        return {name: {"transform": [f.transform.sx, f.transform.tx, f.transform.sy, f.transform.ty],
                       "residual": round(f.residual, 2), "anchors": f.anchors, "rules": f.rules, "own": f.own}
                for name, f in {**self.blocks, "page": self.glob}.items()}


@lru_cache(maxsize=None)
def _field_blocks(edition: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The blocks of the template's fields (each once), each field's (an index of them), and the fields' boxes."""
    fields = load(edition).fields
    names = tuple(dict.fromkeys(f.block for f in fields))
    return (names, np.array([names.index(f.block) for f in fields], dtype=int),
            np.array([f.box for f in fields], dtype=float).reshape(-1, 4))


@lru_cache(maxsize=None)
def _field_index(edition: str) -> dict[Field, int]:
    return {f: i for i, f in enumerate(load(edition).fields)}


def _centre(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
    return (x0 + x1) / 2, (y0 + y1) / 2


class PageWords:
    """A page's words as every template's matching needs them, found once per page: their centres as an
    array, and the text-layer words grouped by text (a text-layer word is a label only by its own text,
    whatever the template; OCR words are compared per template, by :class:`Vocabulary`)."""

    def __init__(self, page: Page) -> None:
        self.words = list(page.words)
        # (the four edges one word after another in one flat list: numpy reads a list of numbers much faster than a
        # list of tuples; the same array)
        self.boxes = boxes = np.array([v for w in self.words for v in (w.x0, w.y0, w.x1, w.y1)],
                                      dtype=float).reshape(-1, 4)
        self.centres = np.column_stack(((boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2))  # Word.cx, .cy
        self.by_text: dict[str, list[int]] = {}
        self.ocr = False
        for j, w in enumerate(self.words):
            if w.confidence is None:
                self.by_text.setdefault(w.text, []).append(j)
            else:
                self.ocr = True
        if not self.ocr:  # each word's text as a number: the place of its text among by_text's
            number = {text: k for k, text in enumerate(self.by_text)}
            self.text_ids = np.array([number[w.text] for w in self.words], dtype=int)

    def labels(self, template: Template) -> dict[str, list[int]]:
        """The page words (their indices, in page order) each printed label's text may be read from."""
        if self.ocr:
            return _words_by_label(template, self.words)
        texts = vocabulary(template.edition).texts
        return {text: js for text, js in self.by_text.items() if text in texts}

    def label_words(self, printed: "_Printed") -> tuple[np.ndarray, np.ndarray]:
        """A text layer's page: how many page words each of the template's texts has (``printed.texts``'
        order), and those words (their indexes), text after text, each text's in page order: the words
        of :meth:`labels`, counted with arrays (the same words: a text-layer word is a label by its text)."""
        known = np.array([printed.text_index.get(text, -1) for text in self.by_text], dtype=int).reshape(-1)
        of_word = known[self.text_ids]
        chosen = np.flatnonzero(of_word >= 0)
        return (np.bincount(of_word[chosen], minlength=len(printed.texts)),
                chosen[np.argsort(of_word[chosen], kind="stable")])


def _words_by_label(template: Template, words: list[Word]) -> dict[str, list[int]]:
    """The page words (their indices) each printed label's text may be read from."""
    by_text: dict[str, list[int]] = {}
    reads = vocabulary(template.edition)
    for j, w in enumerate(words):
        for text in reads.labels(w):
            by_text.setdefault(text, []).append(j)
    return by_text


@dataclass(frozen=True)
class _Printed:
    """A template's printed words as arrays: each one's text (an index of ``texts``), centre, and block."""

    texts: tuple[str, ...]
    text_of: np.ndarray
    centres: np.ndarray
    blocks: tuple[str, ...]
    anchors: tuple[int, ...]  # every block's anchors, block by block (the page-wide fit's)
    distinct_anchors: np.ndarray  # the same, each once
    block_names: tuple[str, ...]  # the blocks of ``blocks``, each once
    block_index: np.ndarray  # each word's block, an index of ``block_names``
    text_index: dict[str, int]  # each of ``texts``'s index
    anchor_array: np.ndarray  # ``anchors`` as an array


@lru_cache(maxsize=None)
def _printed_arrays(edition: str) -> _Printed:
    template = load(edition)
    texts = tuple(dict.fromkeys(t[0] for t in template.printed))
    index = {t: k for k, t in enumerate(texts)}
    centres = [_centre(*box) for _, *box in template.printed]
    anchors = tuple(i for b in template.blocks.values() for i in b["anchors"])
    blocks = tuple(block_of(template, cx, cy) for cx, cy in centres)
    names = tuple(dict.fromkeys(blocks))
    return _Printed(texts, np.array([index[t[0]] for t in template.printed], dtype=int),
                    np.array(centres, dtype=float).reshape(-1, 2), blocks,
                    anchors, np.unique(np.array(anchors, dtype=int)),
                    names, np.array([names.index(b) for b in blocks], dtype=int), index,
                    np.array(anchors, dtype=int))


class _LabelPairs:
    """Every (printed word of the template, page word of the same text) pair, with their centres, found
    once per page and grouped by printed word: each fit then takes its anchors' pairs near its prior
    as array operations."""

    def __init__(self, template: Template, words: PageWords, by_text: dict[str, list[int]] | None) -> None:
        """``by_text``: the page words each label's text may be read from (:meth:`PageWords.labels`); None for
        a text layer's page, whose words are matched by their texts' numbers (:meth:`PageWords.label_words`)."""
        printed = _printed_arrays(template.edition)
        # the page words of each of the template's texts, text after text (those of text k from start[k])
        if by_text is None:
            count, page_js = words.label_words(printed)
        else:
            found = sorted((printed.text_index[text], js) for text, js in by_text.items() if text in printed.text_index)
            count = np.zeros(len(printed.texts), dtype=int)
            count[[k for k, _ in found]] = [len(js) for _, js in found]
            page_js = np.array([j for _, js in found for j in js], dtype=int)
        # (numpy's array methods called as such, not through np.repeat and np.cumsum's wrappers: the same arrays)
        start = count.cumsum() - count
        counts = count[printed.text_of]  # pairs of each printed word, in print order
        rows = (start[printed.text_of] - counts.cumsum() + counts).repeat(counts) + np.arange(int(counts.sum()))
        self.ids = np.arange(len(counts)).repeat(counts)
        self.words = page_js[rows]
        # (rows of an (n, 2) array gathered by ``take``: numpy's general fancy indexing copies them element by
        # element, many times slower; the same values)
        self.src = printed.centres.take(self.ids, axis=0).reshape(-1, 2)
        self.dst = words.centres.take(self.words, axis=0).reshape(-1, 2)
        self.starts = np.concatenate(([0], counts.cumsum()))

    def rows(self, anchors: list[int] | tuple[int, ...]) -> np.ndarray:
        """The pairs of ``anchors``, in their order."""
        chosen = np.asarray(anchors, dtype=int)
        first, counts = self.starts[chosen], self.starts[chosen + 1] - self.starts[chosen]
        return (first - counts.cumsum() + counts).repeat(counts) + np.arange(int(counts.sum()))

    def near(self, anchors: list[int] | tuple[int, ...], prior: Transform,
             radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(anchor index, template centre, page centre) of each pair of ``anchors`` (in their order) whose page
        word lies within ``radius`` of where ``prior`` puts the template's."""
        rows = self.rows(anchors)
        src, dst = self.src.take(rows, axis=0), self.dst.take(rows, axis=0)
        px, py = prior.sx * src[:, 0] + prior.tx, prior.sy * src[:, 1] + prior.ty
        keep = (np.abs(dst[:, 0] - px) <= radius) & (np.abs(dst[:, 1] - py) <= radius)
        return self.ids.take(rows)[keep], src.compress(keep, axis=0), dst.compress(keep, axis=0)


class Matched:
    """A page's words matched to one template's labels (:class:`_LabelPairs`), with the page-wide one-shift
    fit taken on them once: :func:`shift_fit` and :func:`register` of the same page share it."""

    def __init__(self, page: Page, template: Template, words: PageWords | None = None) -> None:
        self.template = template
        self.words = words or PageWords(page)
        self._by_text = self.words.labels(template) if self.words.ocr else None  # (a text layer's: when asked)
        self.pairs = _LabelPairs(template, self.words, self._by_text)
        self.everything = _printed_arrays(template.edition).anchor_array  # (not to be changed: the template's)
        # the anchors whose text the page shows at all (those with a pair)
        anchors = _printed_arrays(template.edition).distinct_anchors
        self.readable = int((self.pairs.starts[anchors + 1] > self.pairs.starts[anchors]).sum())
        self.searched = self.pairs.near(self.everything, Transform(), SEARCH_PT)  # the pairs the shift fit weighs
        # no fit of those pairs has more agreeing labels than they have labels
        self.most = int(np.count_nonzero(np.bincount(self.searched[0])))  # (its distinct labels: indexes >= 0)
        self._shift: tuple[BlockFit | None] | None = None

    @property
    def by_text(self) -> dict[str, list[int]]:
        """The page words each of the template's label texts may be read from (:meth:`PageWords.labels`)."""
        if self._by_text is None:
            self._by_text = self.words.labels(self.template)
        return self._by_text

    @property
    def shift(self) -> BlockFit | None:
        """The page-wide fit of one shift (RANSAC over the anchors' pairs within SEARCH_PT)."""
        if self._shift is None:
            self._shift = (_ransac(*self.searched),)
        return self._shift[0]

    def shift_counts(self) -> tuple[int, int]:
        """(labels agreeing with :attr:`shift`, labels the page shows at all): :func:`shift_fit`'s answer."""
        return 0 if self.shift is None else self.shift.anchors, self.readable


def _axis_fit(a: np.ndarray, b: np.ndarray, scale: float = 1.0) -> tuple[float, float]:
    """Least squares b = s * a + t; only a translation (at ``scale``) when the points span too little to give a scale."""
    if len(a) < MIN_SCALE_POINTS or a.max() - a.min() < 200.0:
        return scale, _median(b - scale * a)
    s, t = np.polyfit(a, b, 1)
    if not MIN_SCALE <= s <= MAX_SCALE:  # a page is never drawn at another scale per block: keep it a shift
        return scale, _median(b - scale * a)
    return float(s), float(t)


def _median(values: np.ndarray) -> float:
    """``np.median`` of a few numbers (the middle one, or the mean of the two middle ones), without its
    overhead; numpy's own for none or for NaN."""
    ordered = sorted(values.tolist())
    n = len(ordered)
    if n == 0 or any(v != v for v in ordered):
        return float(np.median(values))
    half = n // 2
    return ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2


@dataclass(frozen=True)
class RulePairs:
    """Template rule / page rule pairs along one axis: (rule index, template coordinate, page coordinate)."""

    ids: np.ndarray
    src: np.ndarray
    dst: np.ndarray

    @staticmethod
    def none() -> "RulePairs":
        return RulePairs(np.zeros(0, dtype=int), np.zeros(0), np.zeros(0))


def _rule_pairs(template: Template, page_rules: list[tuple[float, float, float, float]], indexes: list[int],
                prior: Transform, radius: float) -> tuple[RulePairs, RulePairs]:
    """(level, upright) pairs of the block's rules placed by ``prior`` and the page's rules within ``radius``
    that run along them: a level rule gives a y (its middle), an upright one an x."""
    out: dict[bool, tuple[list[int], list[float], list[float]]] = {True: ([], [], []), False: ([], [], [])}
    for i in indexes:
        x0, y0, x1, y1 = template.rules[i]
        level = x1 - x0 >= y1 - y0
        px0, py0, px1, py1 = prior.box((x0, y0, x1, y1))
        for qx0, qy0, qx1, qy1 in page_rules:
            if (qx1 - qx0 >= qy1 - qy0) != level:
                continue
            if level:
                along = min(px1, qx1) - max(px0, qx0)
                shorter, off = min(px1 - px0, qx1 - qx0), (qy0 + qy1) / 2 - (py0 + py1) / 2
            else:
                along = min(py1, qy1) - max(py0, qy0)
                shorter, off = min(py1 - py0, qy1 - qy0), (qx0 + qx1) / 2 - (px0 + px1) / 2
            if abs(off) <= radius and along >= RULE_OVERLAP * shorter:
                ids, src, dst = out[level]
                ids.append(i)
                src.append((y0 + y1) / 2 if level else (x0 + x1) / 2)
                dst.append((qy0 + qy1) / 2 if level else (qx0 + qx1) / 2)
    return tuple(RulePairs(np.array(ids, dtype=int), np.array(src, dtype=float), np.array(dst, dtype=float))
                 for ids, src, dst in (out[True], out[False]))  # type: ignore[return-value]


def _distinct(ids: np.ndarray, agree: np.ndarray) -> np.ndarray:
    """For each hypothesis (a column of ``agree``), how many distinct ``ids`` have a pair that agrees."""
    if len(ids) == 0:
        return np.zeros(agree.shape[1:], dtype=int)
    order = np.argsort(ids, kind="stable")
    sorted_ids, agree = ids[order], agree[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
    return np.maximum.reduceat(agree.astype(np.int8), starts, axis=0).sum(axis=0)


def _labels_near(ids: np.ndarray, label_shift: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """For each of ``shifts``, how many distinct ``ids`` have a pair whose own shift is within INLIER_PT of it
    on both axes: ``_distinct`` of that test over every pair and shift, without the table of them all. The
    pairs are sorted across; each shift's window of them is found by bisection, widened by WINDOW_SLACK_PT
    so that it holds every pair the test passes, and the test (the same operations) is made on those alone."""
    if len(ids) == 0 or len(shifts) == 0:
        return np.zeros(len(shifts), dtype=int)
    order = np.argsort(label_shift[:, 0], kind="stable")
    across = label_shift[order, 0]
    first = np.searchsorted(across, shifts[:, 0] - (INLIER_PT + WINDOW_SLACK_PT), "left")
    window = np.searchsorted(across, shifts[:, 0] + (INLIER_PT + WINDOW_SLACK_PT), "right") - first
    shift = np.arange(len(shifts)).repeat(window)  # (the array methods, not np.repeat's wrapper: the same)
    pair = order.take((first - window.cumsum() + window).repeat(window) + np.arange(int(window.sum())))
    (px, py), (sx, sy) = _columns(label_shift), _columns(shifts)
    agree = (np.abs(px.take(pair) - sx.repeat(window)) <= INLIER_PT) & \
        (np.abs(py.take(pair) - sy.repeat(window)) <= INLIER_PT)  # (a shift's value repeated: its pairs')
    return _distinct_per_shift(shift.compress(agree), ids.take(pair.compress(agree)), len(shifts), int(ids.max()) + 1)


def _labels_near_many(groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """:func:`_labels_near` of each group (ids, label shifts, shifts), all groups in one pass: each group's pairs
    and shifts are laid along one line, the group's place on it (its number times a length longer than
    any group spans) before its own across, so that a shift's window holds its group's pairs near it; a pair
    agrees with a shift only in its own group (tested: a window may reach into the next), by the same test.
    Groups each on their own when the line would be too long for the windows' slack (a hostile page's far
    coordinates) or a coordinate is not a number."""
    sizes, widths = [len(ids) for ids, _, _ in groups], [len(shifts) for _, _, shifts in groups]
    if not groups or not sum(sizes) or not sum(widths):
        return [np.zeros(width, dtype=int) for width in widths]
    ids = np.concatenate([g[0] for g in groups])
    label_shift = np.concatenate([g[1].reshape(-1, 2) for g in groups])
    shifts = np.concatenate([g[2].reshape(-1, 2) for g in groups])
    both = np.concatenate((label_shift[:, 0], shifts[:, 0]))
    low, high = (float(both.min()), float(both.max())) if len(both) else (0.0, 0.0)
    length = high - low + 2 * (INLIER_PT + WINDOW_SLACK_PT) + 1.0
    if not np.isfinite(label_shift).all() or not np.isfinite(shifts).all() or len(groups) * length > _LINE_PT:
        return [_labels_near(*group) for group in groups]
    group_of_pair = np.arange(len(groups)).repeat(sizes)
    group_of_shift = np.arange(len(groups)).repeat(widths)
    along = group_of_pair * length + (label_shift[:, 0] - low)
    order = np.argsort(along, kind="stable")
    along = along[order]
    at = group_of_shift * length + (shifts[:, 0] - low)
    first = np.searchsorted(along, at - (INLIER_PT + WINDOW_SLACK_PT), "left")
    window = np.searchsorted(along, at + (INLIER_PT + WINDOW_SLACK_PT), "right") - first
    shift = np.arange(len(shifts)).repeat(window)  # (the array methods, not np.repeat's wrapper: the same)
    pair = order.take((first - window.cumsum() + window).repeat(window) + np.arange(int(window.sum())))
    (px, py), (sx, sy) = _columns(label_shift), _columns(shifts)
    agree = (group_of_pair.take(pair) == group_of_shift.repeat(window)) & \
        (np.abs(px.take(pair) - sx.repeat(window)) <= INLIER_PT) & \
        (np.abs(py.take(pair) - sy.repeat(window)) <= INLIER_PT)  # (a shift's value repeated: its pairs')
    counts = _distinct_per_shift(shift.compress(agree), ids.take(pair.compress(agree)), len(shifts), int(ids.max()) + 1)
    ends = np.cumsum(widths).tolist()
    return [counts[end - width:end] for end, width in zip(ends, widths)]  # (each group's: np.split's pieces)


def _distinct_per_shift(shift: np.ndarray, ids: np.ndarray, shifts: int, span: int) -> np.ndarray:
    """For each of ``shifts`` hypotheses, how many distinct ids in ``[0, span)`` it has among the pairs
    (``shift[k]``, ``ids[k]``): the pairs' keys sorted, each hypothesis's together, and each counted once."""
    found = np.sort(shift * span + ids)  # (hypothesis, id), as one number
    once = found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found  # each pair once
    return np.bincount(once // span, minlength=shifts)


def _columns(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two columns of an (n, 2) array, each contiguous: picking many rows of one column with ``take`` is
    numpy's plain gather, where ``points[rows, 0]`` goes through its general fancy indexing (about twice the work
    on the windows' many pairs). The same values."""
    return np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1])


_LINE_PT = 1e7  # the line _labels_near_many lays its groups on: at most this long (its float rounding << WINDOW_SLACK_PT)


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """``np.unique(rows, axis=0)`` for two columns of floats (sorted by the first, then the second), without
    the structured-array detour that makes numpy's own slow on small arrays."""
    ordered = rows.take(np.lexsort((rows[:, 1], rows[:, 0])), axis=0)  # (numpy's plain gathers: the same rows)
    if len(ordered) < 2:
        return ordered
    return ordered.compress(np.concatenate(([True], (ordered[1:] != ordered[:-1]).any(axis=1))), axis=0)


def _ransac(ids: np.ndarray, src: np.ndarray, dst: np.ndarray, scale: tuple[float, float] = (1.0, 1.0),
            rules: tuple[RulePairs, RulePairs] | None = None, prior: Transform | None = None,
            rows: "BlockRows | None" = None) -> BlockFit | None:
    """Translation hypotheses at ``scale`` (one per label/word pair, and each column rule's shift with each
    row rule's), the consensus of labels and rules, then a least-squares refit. Of hypotheses as many
    anchors agree with, the one nearest ``prior`` wins (a form's rules repeat every row: one row off
    agrees with all but one of them; ``rows``, a block of evenly spaced rows: :func:`_row_locked`)."""
    plan = _hypotheses(ids, src, dst, scale, rules, prior, rows)
    return None if plan is None else _consensus(plan, _labels_near(plan.ids, plan.label_shift, plan.shifts))


def _ransac_many(jobs: list[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float],
                                  tuple[RulePairs, RulePairs] | None, Transform | None]]
                 | list[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float],
                              tuple[RulePairs, RulePairs] | None, Transform | None, BlockRows | None]]
                 ) -> list[BlockFit | None]:
    """:func:`_ransac` of each job (its arguments), the labels agreeing with each job's hypotheses counted for
    all jobs at once (:func:`_labels_near_many`): the same fits."""
    plans = [_hypotheses(*job) for job in jobs]
    live = [plan for plan in plans if plan is not None]
    counts = iter(_labels_near_many([(plan.ids, plan.label_shift, plan.shifts) for plan in live]))
    return [None if plan is None else _consensus(plan, next(counts)) for plan in plans]


def _no_rules() -> tuple[RulePairs, RulePairs]:
    """(level, upright) pairs of a block without rules, made once: read only (:func:`_hypotheses`' default)."""
    pairs = RulePairs.none()
    for array in (pairs.ids, pairs.src, pairs.dst):
        array.flags.writeable = False
    return pairs, pairs


_NO_RULES = _no_rules()


@dataclass(frozen=True)
class BlockRows:
    """A block of evenly spaced rows (the insurers A-F, the coverage lines), from its template: ``pitch``, the
    median height between its level rules; ``rows``, how many pitches its box is high; ``labels`` and ``rules``,
    how many of the template's labels and rules its fit weighs. A fit shifted one row off matches every repeated
    row's labels and rules but the one at an end (and the neighbour's past the other): one row's share of them."""

    pitch: float
    rows: float
    labels: int
    rules: int

    def one_row(self, with_labels: bool) -> int:
        """The evidence one row holds (rounded up): what a shift by one row may gain or lose at the block's ends."""
        return math.ceil(((self.labels if with_labels else 0) + self.rules) / max(self.rows, 1.0))


@lru_cache(maxsize=None)
def block_rows(edition: str, block: str) -> BlockRows | None:
    """``block``'s rows on ``edition``'s template (:class:`BlockRows`); None when the block has fewer than
    ROW_GAPS gaps between its level rules (no rows to slip along). Level rules closer than INLIER_PT are one line
    to a fit (a rule drawn in pieces): their gap is no row."""
    template = load(edition)
    spec = template.blocks[block]
    level = sorted((y0 + y1) / 2 for x0, y0, x1, y1 in (template.rules[i] for i in spec.get("rules", []))
                   if x1 - x0 > y1 - y0)
    gaps = [b - a for a, b in zip(level, level[1:]) if b - a > INLIER_PT]
    if len(gaps) < ROW_GAPS:
        return None
    pitch = float(np.median(gaps))
    x0, y0, x1, y1 = spec["box"]
    return BlockRows(pitch, (y1 - y0) / pitch, len(spec.get("anchors", [])), len(spec.get("rules", [])))


def _row_locked(count: np.ndarray, dy: np.ndarray, prior_dy: float, rows: BlockRows, with_labels: bool) -> np.ndarray:
    """``count`` (the evidence for each hypothesis, its down shift ``dy``) with the hypotheses a row off the prior's
    (the page-wide fit's) or further left out (those within INLIER_PT of a row pitch from it, or past that), unless the
    best of them beats the best nearer the prior by more than one row's evidence (:meth:`BlockRows.one_row`): in a
    block of evenly spaced rows a shift by a row matches all its repeated print but one row's, so a row's worth of
    evidence more is no sign it is the true one (a 150 dpi scan's faint top rule missed, the next block's rule
    matched below it)."""
    near = np.abs(dy - prior_dy) < rows.pitch - INLIER_PT
    if not near.any() or near.all():
        return count
    if count[~near].max() > count[near].max() + rows.one_row(with_labels):
        return count
    return np.where(near, count, -1)


class _Plan:
    """A fit's pairs and hypotheses (:func:`_hypotheses`), before the count of the labels agreeing with them."""

    __slots__ = ("ids", "src", "dst", "scale", "level", "upright", "prior", "label_shift", "rule_dy", "rule_dx",
                 "shifts", "rows")


def _hypotheses(ids: np.ndarray, src: np.ndarray, dst: np.ndarray, scale: tuple[float, float],
                rules: tuple[RulePairs, RulePairs] | None, prior: Transform | None,
                rows: "BlockRows | None" = None) -> _Plan | None:
    """The first half of :func:`_ransac`: its translation hypotheses; None when there is nothing to fit.
    ``rows``: the block's row pitch and one row's evidence (:func:`block_rows`), when it is a block of rows."""
    level, upright = rules or _NO_RULES
    if len(ids) == 0 and (len(level.ids) == 0 or len(upright.ids) == 0):
        return None
    sx0, sy0 = scale
    scaled = src * np.array(scale)
    label_shift = dst - scaled
    rule_dy = level.dst - sy0 * level.src
    rule_dx = upright.dst - sx0 * upright.src
    hypotheses = label_shift.round(1)  # (np.round's own call, without its wrapper)
    if len(rule_dx) and len(rule_dy):
        xs = np.unique(np.round(np.concatenate((rule_dx, label_shift[:, 0])), 1))
        ys = np.unique(np.round(rule_dy, 1))
        hypotheses = np.concatenate((hypotheses, np.array(np.meshgrid(xs, ys)).reshape(2, -1).T))
    plan = _Plan()
    plan.ids, plan.src, plan.dst, plan.scale = ids, src, dst, scale
    plan.level, plan.upright, plan.prior = level, upright, prior
    plan.label_shift, plan.rule_dy, plan.rule_dx = label_shift, rule_dy, rule_dx
    plan.shifts = _unique_rows(hypotheses.reshape(-1, 2))
    plan.rows = rows
    return plan


def _consensus(plan: _Plan, count: np.ndarray) -> BlockFit:
    """The second half of :func:`_ransac`: ``count`` (the labels agreeing with each of the plan's shifts) with
    the rules', the hypothesis chosen, the refit."""
    ids, src, dst, level, upright, prior = plan.ids, plan.src, plan.dst, plan.level, plan.upright, plan.prior
    label_shift, rule_dy, rule_dx, shifts = plan.label_shift, plan.rule_dy, plan.rule_dx, plan.shifts
    ruled_y, ruled_x = len(level.ids) > 0, len(upright.ids) > 0
    sx0, sy0 = plan.scale
    # (the rules' terms are left out where a block has no rules of that axis: they add nothing then; each axis
    # on its own: a test over an axis of two is slow in numpy, the result is the same)
    if ruled_y:
        count = count + _distinct(level.ids, np.abs(rule_dy[:, None] - shifts[None, :, 1]) <= INLIER_PT)
    if ruled_x:
        count = count + _distinct(upright.ids, np.abs(rule_dx[:, None] - shifts[None, :, 0]) <= INLIER_PT)
    if prior is not None and plan.rows is not None:
        count = _row_locked(count, shifts[:, 1], prior.ty, plan.rows, len(ids) > 0)
    if prior is not None:
        near = np.abs(shifts - np.array([prior.tx, prior.ty])).sum(axis=1)
        best = shifts[int(np.lexsort((near, -count))[0])]
    else:  # (all equally near: the first of the most agreed)
        best = shifts[int(np.argsort(-count, kind="stable")[0])]
    inliers = np.abs(label_shift - best).max(axis=1) <= INLIER_PT
    on_y, on_x = np.abs(rule_dy - best[1]) <= INLIER_PT, np.abs(rule_dx - best[0]) <= INLIER_PT
    (src_x, src_y), (dst_x, dst_y) = _columns(src), _columns(dst)  # (each axis's points picked fast: the same)
    for _ in range(2):  # refit scale and translation on the consensus, then choose the inliers again
        ax, bx = src_x[inliers], dst_x[inliers]
        ay, by = src_y[inliers], dst_y[inliers]
        if ruled_x:
            ax, bx = np.concatenate((ax, upright.src[on_x])), np.concatenate((bx, upright.dst[on_x]))
        if ruled_y:
            ay, by = np.concatenate((ay, level.src[on_y])), np.concatenate((by, level.dst[on_y]))
        sx, tx = _axis_fit(ax, bx, sx0)
        sy, ty = _axis_fit(ay, by, sy0)
        # each pair's larger error of the two axes (the moved points' columns taken one by one: the same numbers)
        err = np.maximum(np.abs(src_x * sx + tx - dst_x), np.abs(src_y * sy + ty - dst_y))
        chosen = err <= INLIER_PT
        # the same consensus again: a second refit would give this fit again, and choose it again
        same = bool((chosen == inliers).all())
        if ruled_x or ruled_y:
            err_y, err_x = np.abs(level.src * sy + ty - level.dst), np.abs(upright.src * sx + tx - upright.dst)
            chosen_y, chosen_x = err_y <= INLIER_PT, err_x <= INLIER_PT
            if chosen.sum() + chosen_y.sum() + chosen_x.sum() < inliers.sum() + on_y.sum() + on_x.sum():
                break
            same = same and np.array_equal(chosen_y, on_y) and np.array_equal(chosen_x, on_x)
            on_y, on_x = chosen_y, chosen_x
        elif chosen.sum() < inliers.sum():
            break
        inliers = chosen
        if same:
            break
    if len(upright.ids) >= 2 or len(level.ids) >= 2:  # a block drawn wider or taller than the page's scale says
        ex, ey = np.abs(src[:, 0] * sx + tx - dst[:, 0]), np.abs(src[:, 1] * sy + ty - dst[:, 1])
        sx, tx = _stretched(src_x[ey <= INLIER_PT], dst_x[ey <= INLIER_PT], upright, sx, tx, sx0)
        sy, ty = _stretched(src_y[ex <= INLIER_PT], dst_y[ex <= INLIER_PT], level, sy, ty, sy0)
        moved = np.column_stack((src[:, 0] * sx + tx, src[:, 1] * sy + ty))
        err = np.abs(moved - dst).max(axis=1)
        err_y, err_x = np.abs(level.src * sy + ty - level.dst), np.abs(upright.src * sx + tx - upright.dst)
        inliers, on_y, on_x = err <= INLIER_PT, err_y <= INLIER_PT, err_x <= INLIER_PT
    n_labels = len(set(ids[inliers].tolist()))
    if ruled_x or ruled_y:
        n_rules = len(set(level.ids[on_y].tolist())) + len(set(upright.ids[on_x].tolist()))
        errors = np.concatenate((err[inliers], err_y[on_y], err_x[on_x]))
    else:
        n_rules, errors = 0, err[inliers]
    residual = float(errors.max()) if len(errors) else INLIER_PT
    return BlockFit(Transform(sx, tx, sy, ty), residual, n_labels + n_rules, True, n_rules)


def _stretched(label_src: np.ndarray, label_dst: np.ndarray, rules: RulePairs, s: float, t: float,
               page_scale: float) -> tuple[float, float]:
    """One axis of a block: the fit (s, t), or a scale and shift through two of its rules (spread SPREAD_PT
    or more, a scale within BLOCK_STRETCH of the page's) that more labels and rules agree with; refitted
    by least squares on what agrees (:func:`_refined`)."""
    on_labels, on_rules = _agreeing(label_src, label_dst, rules, s, t)
    best, best_score = (s, t), int(on_labels.sum()) + len(set(rules.ids[on_rules].tolist()))
    # every pair's scale and shift, scored all at once (the same arithmetic, element by element, as one by one):
    # the first of the best scores, when better than the fit's, as a loop over the pairs in order would keep
    a, b = np.triu_indices(len(rules.ids), 1)
    span = rules.src[b] - rules.src[a]
    a, b, span = a[np.abs(span) >= SPREAD_PT], b[np.abs(span) >= SPREAD_PT], span[np.abs(span) >= SPREAD_PT]
    hs = (rules.dst[b] - rules.dst[a]) / span
    near = np.abs(hs / page_scale - 1) <= BLOCK_STRETCH
    a, hs = a[near], hs[near]
    if len(hs):
        ht = rules.dst[a] - hs * rules.src[a]
        on_labels = np.abs(label_src[None, :] * hs[:, None] + ht[:, None] - label_dst[None, :]) <= INLIER_PT
        on_rules = np.abs(rules.src[None, :] * hs[:, None] + ht[:, None] - rules.dst[None, :]) <= INLIER_PT
        got = on_labels.sum(axis=1) + _distinct(rules.ids, on_rules.T)
        first = int(np.argmax(got))
        if got[first] > best_score:
            best = (hs[first], ht[first])
    return (s, t) if best == (s, t) else _refined(label_src, label_dst, rules, best, page_scale)


def _agreeing(label_src: np.ndarray, label_dst: np.ndarray, rules: RulePairs, s: float,
              t: float) -> tuple[np.ndarray, np.ndarray]:
    """Which labels and which rule pairs the axis's scale ``s`` and shift ``t`` place within INLIER_PT."""
    return np.abs(label_src * s + t - label_dst) <= INLIER_PT, np.abs(rules.src * s + t - rules.dst) <= INLIER_PT


def _refined(label_src: np.ndarray, label_dst: np.ndarray, rules: RulePairs, best: tuple[float, float],
             page_scale: float) -> tuple[float, float]:
    """``best`` refitted by least squares on the labels and rules it places (when they spread SPREAD_PT or
    more), unless the refit's scale strays past BLOCK_STRETCH of the page's."""
    on_labels, on_rules = _agreeing(label_src, label_dst, rules, *best)
    a, b = np.concatenate((label_src[on_labels], rules.src[on_rules])), \
        np.concatenate((label_dst[on_labels], rules.dst[on_rules]))
    fs, ft = np.polyfit(a, b, 1) if np.ptp(a) >= SPREAD_PT else best
    return (float(fs), float(ft)) if abs(fs / page_scale - 1) <= BLOCK_STRETCH else best


# Two anchors' pairs that both agree with one fit lie within 2 * INLIER_PT of each other's place by it: a bound
# on that distance is widened by WINDOW_SLACK_PT for the float rounding of the fit's own test (~1e-13 pt for places
# on a page)
CONFLICT_FAR_PT = 1e6  # pairs placed this far out (a hostile file's text) are left out of conflicts: rounding grows there


def _most_agreeing(matched: Matched, needed: float) -> int:
    """An upper bound on the anchors any fit at a scale between MIN_SCALE and MAX_SCALE can have agree (each
    within INLIER_PT of its one transform), once it is clear that it falls short of ``needed``; otherwise
    ``matched.readable`` (the anchors the page shows at all), the bound :func:`register` had. An anchor the
    page shows once has one pair; two such anchors conflict when no scale in the range brings both pairs
    within 2 * INLIER_PT of each other along an axis (as two inliers of one fit are): one of the two is then
    no inlier of any fit. Conflicting pairs of anchors found one after another, none sharing an anchor, each
    leave one anchor out: the bound is ``readable`` less their number. Sought only while that could bring it
    below ``needed`` (a page far from the shift fit's labels, as a scan at another scale, is not searched), and
    only among pairs placed within CONFLICT_FAR_PT."""
    readable, pairs = matched.readable, matched.pairs
    anchors = _printed_arrays(matched.template.edition).distinct_anchors
    single = anchors[pairs.starts[anchors + 1] - pairs.starts[anchors] == 1]
    spare = readable - math.ceil(needed)  # the anchors that may be left out while the fit still has ``needed``
    if spare < 0:  # short already
        return readable
    rows = pairs.starts[single]
    near = (np.abs(pairs.src[rows]) < CONFLICT_FAR_PT).all(axis=1) & (np.abs(pairs.dst[rows]) < CONFLICT_FAR_PT).all(axis=1)
    single, rows = single[near], rows[near]
    if len(single) // 2 <= spare:  # too few single anchors to tell
        return readable
    src, dst = pairs.src[rows], pairs.dst[rows]
    free = np.ones(len(single), dtype=bool)
    left_out = 0
    for i in range(len(single) - 1):
        if not free[i]:
            continue
        # how far apart the two places are at the scale that brings them closest, each axis
        d_src, d_dst = src[i + 1:] - src[i], dst[i + 1:] - dst[i]
        low, high = np.minimum(MIN_SCALE * d_src, MAX_SCALE * d_src), np.maximum(MIN_SCALE * d_src, MAX_SCALE * d_src)
        apart = np.maximum(np.maximum(low - d_dst, d_dst - high), 0.0).max(axis=1)
        conflict = np.flatnonzero((apart > 2 * INLIER_PT + WINDOW_SLACK_PT) & free[i + 1:])
        if len(conflict):
            free[i] = free[i + 1 + conflict[0]] = False
            left_out += 1
            if left_out > spare:
                return readable - left_out
    return readable


def _scaled_prior(ids: np.ndarray, src: np.ndarray, dst: np.ndarray) -> Transform | None:
    """A page at another scale (a shrunk scan, a photo): RANSAC over two-label hypotheses.

    Only labels whose text is found once on the page and once among the anchors make hypotheses (as a
    feature matcher keeps only unambiguous matches); each pair of them far apart both ways gives a scale
    and a shift per axis, and the one most labels (all pairs) agree with is the prior of the usual fit."""
    if len(ids) < 2:
        return None
    _, id_first, id_counts = np.unique(ids, return_index=True, return_counts=True)
    _, dst_inverse, dst_counts = np.unique(dst, axis=0, return_inverse=True, return_counts=True)
    once = np.flatnonzero((id_counts[np.searchsorted(np.unique(ids), ids)] == 1) & (dst_counts[dst_inverse.ravel()] == 1))
    if len(once) < 2:
        return None
    a, b = np.triu_indices(len(once), 1)
    a, b = once[a], once[b]
    d_src, d_dst = src[b] - src[a], dst[b] - dst[a]
    spread = (np.abs(d_src) >= SPREAD_PT).all(axis=1)
    a, b, d_src, d_dst = a[spread], b[spread], d_src[spread], d_dst[spread]
    if len(a) == 0:
        return None
    scales = d_dst / d_src
    fine = ((scales >= MIN_SCALE) & (scales <= MAX_SCALE)).all(axis=1) & (np.abs(scales[:, 0] - scales[:, 1]) <= MAX_ASPECT)
    a, scales = a[fine], scales[fine]
    if len(a) > HYPOTHESES:
        keep = np.random.default_rng(0).choice(len(a), HYPOTHESES, replace=False)
        a, scales = a[keep], scales[keep]
    shifts = dst[a] - scales * src[a]
    # a page drawn at its true scale gives many hypotheses exactly alike: each distinct one is counted once
    distinct, inverse = np.unique(np.c_[scales, shifts], axis=0, return_inverse=True)
    counts = _agreeing_labels(ids, src, dst, distinct[:, :2], distinct[:, 2:], 2 * INLIER_PT)[inverse.ravel()]
    if len(counts) == 0 or counts.max() == 0:
        return None
    k = int(np.argmax(counts))  # the first of the best, as a loop keeping only a strictly better one would
    return Transform(scales[k][0], shifts[k][0], scales[k][1], shifts[k][1])


def _agreeing_labels(ids: np.ndarray, src: np.ndarray, dst: np.ndarray, scales: np.ndarray,
                     shifts: np.ndarray, tolerance: float, chunk: int = 256) -> np.ndarray:
    """For each hypothesis (scale and shift per axis), how many distinct anchors it places within
    ``tolerance`` of their page word: all hypotheses at once, ``chunk`` at a time to bound memory. The
    pairs are grouped by anchor, so that "some pair of this anchor agrees" is one ``reduceat`` per chunk."""
    order = np.argsort(ids, kind="stable")
    ids, src, dst = ids[order], src[order], dst[order]
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    counts = np.zeros(len(scales), dtype=int)
    size = (min(chunk, len(scales)), len(ids))
    error, buffers = np.empty(size), (np.empty(size, dtype=bool), np.empty(size, dtype=bool))
    for start in range(0, len(scales), chunk):
        part = slice(start, start + chunk)
        rows = len(scales[part])
        e, near, also = error[:rows], buffers[0][:rows], buffers[1][:rows]
        # |src * scale + shift - dst| <= tolerance, each axis on its own (a max over an axis of two is slow in
        # numpy; the test is the same), computed in place: the same operations in the same order, no copies
        for axis, out in ((0, near), (1, also)):
            np.multiply(src[None, :, axis], scales[part, None, axis], out=e)
            np.add(e, shifts[part, None, axis], out=e)
            np.subtract(e, dst[None, :, axis], out=e)
            np.abs(e, out=e)
            np.less_equal(e, tolerance, out=out)
        near &= also
        counts[part] = np.logical_or.reduceat(near, starts, axis=1).sum(axis=1)
    return counts


def shift_fit(page: Page, template: Template) -> tuple[int, int]:
    """How many of the template's labels agree with one shift of the whole page (the first step of
    :func:`register`, without its scaled search or its block fits), and how many of its labels the page
    shows at all: a cheap measure of how well the page fits the template, and whether the page may be at
    another scale (as many labels shown as SCALE_GAIN times those that agree: :func:`register` then
    searches the scales)."""
    return Matched(page, template).shift_counts()


def register(page: Page, template: Template, matched: Matched | None = None) -> Registration | None:
    """The page's transform to ``template``, block by block; None when too few labels agree.
    ``matched``: the page's words matched to ``template`` already (:class:`Matched`), if they were."""
    matched = matched or Matched(page, template)
    words, pairs, everything = matched.words.words, matched.pairs, matched.everything
    glob = matched.shift
    # A fit around a scaled prior counts at most the anchors whose text the page shows at all: when that
    # many could not beat the shift-only fit by SCALE_GAIN, the scaled hypotheses are not worth trying.
    prior = None
    if glob is None or _most_agreeing(matched, SCALE_GAIN * glob.anchors) >= SCALE_GAIN * glob.anchors:
        prior = _scaled_prior(*pairs.near(everything, Transform(), SCALE_SEARCH_PT))
    if prior is not None:  # the page at another scale: the fit around that prior, if far more labels agree with it
        scaled = _ransac(*pairs.near(everything, prior, 4 * INLIER_PT), (prior.sx, prior.sy))
        if scaled is not None and (glob is None or scaled.anchors >= SCALE_GAIN * glob.anchors):
            glob = scaled
    if glob is None or glob.anchors < MIN_GLOBAL:
        return None
    glob = BlockFit(glob.transform, glob.residual, glob.anchors, False)
    page_rules = [(m.x0, m.y0, m.x1, m.y1) for m in page.marks if m.kind == "rule"]
    fits: dict[str, BlockFit] = {}
    radius = 4 * INLIER_PT + glob.residual
    scale = (glob.transform.sx, glob.transform.sy)
    blocks = [(name, _rule_pairs(template, page_rules, block.get("rules", []), glob.transform, RULE_SEARCH_PT)
               if page_rules else None) for name, block in template.blocks.items()]
    # (each block's own, counted at once)
    fitted = _ransac_many([(*pairs.near(template.blocks[name]["anchors"], glob.transform, radius), scale, rules,
                            glob.transform, block_rows(template.edition, name)) for name, rules in blocks])
    # a block with too few labels of its own borrows those around it (those fits too counted at once)
    weak = [k for k, fit in enumerate(fitted) if fit is None or fit.anchors < MIN_ANCHORS]
    again = _ransac_many([(*pairs.near(_around(template.edition, blocks[k][0]), glob.transform, radius), scale,
                           blocks[k][1], glob.transform, block_rows(template.edition, blocks[k][0])) for k in weak])
    for k, fit in zip(weak, again):
        fitted[k] = fit
    for (name, rules), fit in zip(blocks, fitted):
        fits[name] = fit if fit is not None and fit.anchors >= MIN_ANCHORS else glob
    return _on_words(Registration(template, fits, glob), words, pairs, matched.by_text, matched.words)


@lru_cache(maxsize=None)
def _around(edition: str, block: str) -> tuple[int, ...]:
    """The anchors (of every block, in the page-wide fit's order) whose print lies within BLOCK_MARGIN_PT of
    ``block``'s box: those a block with too few labels of its own borrows."""
    template = load(edition)
    x0, y0, x1, y1 = template.blocks[block]["box"]
    m = BLOCK_MARGIN_PT
    return tuple(i for i in _printed_arrays(edition).anchors if x0 - m <= _centre(*template.printed[i][1:])[0] <= x1 + m
                 and y0 - m <= _centre(*template.printed[i][1:])[1] <= y1 + m)


def register_rules(page_rules: list[tuple[float, float, float, float]], template: Template,
                   prior: Transform) -> Registration | None:
    """The page registered to ``template`` by its ruled lines alone (no words: the OCR stage's cheap path reads
    only the value boxes this places). ``prior``: the page-wide scale and shift the rules voted for
    (:func:`pipeline.ocr.ruled_turn.best_fit`). The page-wide fit is the consensus of all the template's rules
    near their place by ``prior``; each block is then fitted on its own rules (as :func:`register` fits it on
    its labels and rules), and a block with fewer than MIN_RULE_ANCHORS of them agreeing takes the page-wide fit.
    None when fewer than MIN_GLOBAL rules agree. The registration holds no print yet: :func:`restore` it on
    the words read."""
    none = (np.zeros(0, dtype=int), np.zeros((0, 2)), np.zeros((0, 2)))
    scale = (prior.sx, prior.sy)
    every = list(range(len(template.rules)))
    glob = _ransac(*none, scale, _rule_pairs(template, page_rules, every, prior, RULE_SEARCH_PT), prior)
    if glob is None or glob.anchors < MIN_GLOBAL:
        return None
    glob = BlockFit(glob.transform, glob.residual, glob.anchors, False, glob.rules)
    fits: dict[str, BlockFit] = {}
    for name, block in template.blocks.items():
        rules = _rule_pairs(template, page_rules, block.get("rules", []), glob.transform, RULE_SEARCH_PT)
        fit = _ransac(*none, (glob.transform.sx, glob.transform.sy), rules, glob.transform,
                      block_rows(template.edition, name))
        fits[name] = fit if fit is not None and fit.anchors >= MIN_RULE_ANCHORS else glob
    return Registration(template, fits, glob)


def restore(page: Page, template: Template, blocks: dict[str, BlockFit], glob: BlockFit) -> Registration:
    """A registration found before (the OCR stage's, stored with the reading) put back on ``page``: the
    blocks' fits as they were found, and what follows from them on the page's words as they are now (a
    value box read a second time changes its words): which words are the form's print, and which check
    boxes moved with their labels (:func:`register`'s last steps, for the one template)."""
    words = PageWords(page)
    by_text = words.labels(template)
    return _on_words(Registration(template, dict(blocks), glob), words.words,
                     _LabelPairs(template, words, by_text), by_text, words)


def _on_words(registration: Registration, words: list[Word], pairs: _LabelPairs,
              by_text: dict[str, list[int]], page: PageWords | None = None) -> Registration:
    """``registration`` (its fits) with the page words that are print and the check boxes moved with their labels.
    ``page``: ``words`` as :class:`PageWords` made them (their boxes and text numbers), when the caller has it."""
    template = registration.template
    registration.printed_words = _printed(words, template, registration, pairs, page)
    registration.moved, labels = _moved_labels(words, template, registration, by_text)
    registration.printed_words |= labels
    return registration


def _moved_labels(words: list[Word], template: Template, registration: Registration,
                  at: dict[str, list[int]]) -> tuple[dict[Field, float], set[int]]:
    """Check boxes whose label is printed a line or two away from where its block's fit puts it (another
    edition lays out a row's lines differently: 2014/01's general liability lines sit where 2016/03's do,
    its other rows where 2010/05's do): the box moves down (or up) with its label. Only a label found
    once within MOVED_Y_PT, straight above or below its place, and not at its place, moves its box; the
    words found are print. ``at``: the page words each label's text may be read from."""
    moved: dict[Field, float] = {}
    labels: set[int] = set()
    for f in template.fields:
        if f.label is None:
            continue
        text, *box = template.printed[f.label]
        fit = registration.fit(f.block)
        px, py = fit.transform.point(*_centre(*box))
        tol = INLIER_PT + fit.residual
        near = [j for j in at.get(text, ()) if abs(words[j].cx - px) <= tol and abs(words[j].cy - py) <= MOVED_Y_PT]
        if len(near) == 1 and abs(words[near[0]].cy - py) > tol:
            moved[f] = words[near[0]].cy - py
            labels.add(near[0])
    return moved, labels


def block_of(template: Template, x: float, y: float) -> str:
    for name, block in template.blocks.items():
        x0, y0, x1, y1 = block["box"]
        if x0 <= x <= x1 and y0 <= y <= y1:
            return name
    return "footer"


def _printed(words: list[Word], template: Template, registration: Registration,
             pairs: _LabelPairs | None = None, page: PageWords | None = None) -> set[int]:
    """Page words that are the form's own print: same text as a printed word at its registered place.
    ``pairs``: the page's label pairs (:class:`_LabelPairs`); a text-layer word is then print when one of
    its pairs lies at its printed word's place, tested for all pairs at once. ``page``: ``words`` as
    :class:`PageWords` made them, when the caller has it (:func:`_moved_print` takes their boxes and texts' numbers)."""
    printed = _printed_arrays(template.edition)
    fits = [registration.fit(block) for block in printed.block_names]  # each block's, then each word's by its block
    of = printed.block_index
    # each printed word's registered place (the transform's own arithmetic: x' = sx * x + tx) and tolerance
    px = np.array([f.transform.sx for f in fits])[of] * printed.centres[:, 0] + np.array([f.transform.tx for f in fits])[of]
    py = np.array([f.transform.sy for f in fits])[of] * printed.centres[:, 1] + np.array([f.transform.ty for f in fits])[of]
    tol = np.array([INLIER_PT + f.residual for f in fits])[of]
    found: set[int] = set()
    if pairs is not None:
        at = (np.abs(pairs.dst[:, 0] - px[pairs.ids]) <= tol[pairs.ids]) & \
            (np.abs(pairs.dst[:, 1] - py[pairs.ids]) <= tol[pairs.ids])
        found = {j for j in pairs.words[at].tolist() if words[j].confidence is None}
    todo = [j for j, w in enumerate(words) if pairs is None or w.confidence is not None]
    if todo:  # OCR words: by the texts they may be the print of (:meth:`Vocabulary.print_of`)
        places: dict[str, list[tuple[float, float, float]]] = {}
        for (text, *_), x, y, t in zip(template.printed, px.tolist(), py.tolist(), tol.tolist()):
            places.setdefault(text, []).append((x, y, t))
        reads = vocabulary(template.edition)
        for j in todo:
            w = words[j]
            for x, y, t in (p for text in reads.print_of(w) for p in places.get(text, ())):
                if abs(w.cx - x) <= t and abs(w.cy - y) <= t:
                    found.add(j)
                    break
    return found | _moved_print(words, template, registration, found, page) | \
        _covered_by_print(words, template, registration)


def _mostly_digits(text: str) -> bool:
    """A date, an amount, a code: the form's labels are words, so such a word is a value wherever it lies."""
    return sum(c.isdigit() for c in text) > sum(c.isalpha() for c in text)


def _covered_by_print(words: list[Word], template: Template, registration: Registration) -> set[int]:
    """OCR words on a printed line of the form and lying mostly (across) on the form's own print at its registered place (a label misread past
    recognition, or split: "(MM/DD/YYYY)" as "mMDDIY" "YYY)."). Text-layer words are left to their text,
    words mostly of digits are values, and so is a word read as surely as SURE_WORD unless it reads as the
    print it lies on, or a piece of it ("A" of "ANY" split off): a sure word is no misreading of another."""
    ocr = [j for j, w in enumerate(words) if w.confidence is not None and not _mostly_digits(w.text)]
    if not ocr:
        return set()
    fits = [registration.fit(block_of(template, *_centre(*box))) for _, *box in template.printed]
    placed = np.array([f.transform.box(tuple(box)) for f, (_, *box) in zip(fits, template.printed)],
                      dtype=float).reshape(-1, 4)
    slack = np.array([f.residual for f in fits], dtype=float)
    out = set()
    middle = (placed[:, 1] + placed[:, 3]) / 2
    for j in ocr:
        w = words[j]
        on_line = np.abs(middle - w.cy) <= 0.5 * np.maximum(placed[:, 3] - placed[:, 1], 1.0) + slack
        across = np.clip(np.minimum(placed[:, 2], w.x1) - np.maximum(placed[:, 0], w.x0), 0, None)
        if across[on_line].sum() < PRINT_COVER * max(w.width, 0.1):
            continue
        under = np.flatnonzero(on_line & (across > 0))
        if w.confidence >= SURE_WORD:  # a sure word is print only where it reads as (a piece of) the print it lies on
            own = _key(w.text)
            if not own or not any(own in _key(template.printed[i][0]) for i in under):
                continue
        if in_word_case(w.text) and all(template.printed[i][0].isupper() for i in under) \
                and (w.confidence >= WORD_CASE_SURE or all(typed_over_print(template.edition)[i] for i in under)):
            continue  # a value's word printed over a label in capitals (and read with the label's print taken out);
            # over a party's label that its name is typed over, however doubtfully it was read (the label's ink hid
            # part of its letters: a doubt, not a sign of print)
        out.add(j)
    return out


def in_word_case(text: str) -> bool:
    """A word read in a word's own case, capitalised or lower-case ('Maple', 'Rcustexse'): not how a label printed in
    capitals is misread ('INSKRE', 'PRMORUORR')."""
    return bool(_WORD_CASE.match(text))


def typed_over(template: Template, block: str, box: tuple[float, float, float, float], kind: str | None = None) -> bool:
    """Whether a printed word's ``box`` (template points), standing in ``block``, overlaps the typed rectangle
    (``Field.typed``) of one of that block's fields (of ``kind``, if given): a value filled in there is printed over
    the word. (A field of another block whose rectangle runs onto the word's edge is the word's neighbour, not its
    value.)"""
    return any(box[0] < f.typed[2] and f.typed[0] < box[2] and box[1] < f.typed[3] and f.typed[1] < box[3]
               for f in template.fields if f.block == block and kind in (None, f.kind))


@lru_cache(maxsize=None)
def typed_over_print(edition: str) -> tuple[bool, ...]:
    """For each printed word of ``edition``'s template (``Template.printed``, in order), whether a party's name is
    typed over it (:func:`typed_over` of its block's party fields: on the four templates, the 2001/08 PRODUCER and
    INSURED labels alone, whenever the block is filled)."""
    template = load(edition)
    return tuple(typed_over(template, block_of(template, (x0 + x1) / 2, (y0 + y1) / 2), (x0, y0, x1, y1), "party")
                 for _, x0, y0, x1, y1 in template.printed)


@lru_cache(maxsize=None)
def _follows(edition: str) -> dict[tuple[str, str], tuple[tuple[float, float], ...]]:
    """Each pair of printed texts that follow each other on a line of the form, with the first's centres."""
    follows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    printed = load(edition).printed
    for a, b in zip(printed, printed[1:]):
        if abs((a[2] + a[4]) / 2 - (b[2] + b[4]) / 2) < SAME_LINE_PT and 0 <= b[1] - a[3] < NEXT_WORD_PT:
            follows.setdefault((a[0], b[0]), []).append(_centre(*a[1:]))
    return {key: tuple(centres) for key, centres in follows.items()}


@dataclass(frozen=True)
class _FollowTable:
    """:func:`_follows` as arrays: the printed texts numbered (``number``), each pair of them that follows on a line
    coded ``first * len(number) + second`` (``codes``, sorted), and the first's centres, pair after pair (those of
    ``codes[k]`` from ``start[k]``, ``count[k]`` of them)."""

    number: dict[str, int]
    codes: np.ndarray
    start: np.ndarray
    count: np.ndarray
    centres: np.ndarray


@lru_cache(maxsize=None)
def _follow_table(edition: str) -> _FollowTable:
    follows = _follows(edition)
    number = {text: k for k, text in enumerate(dict.fromkeys(t[0] for t in load(edition).printed))}
    keyed = sorted((number[a] * len(number) + number[b], centres) for (a, b), centres in follows.items())
    count = np.array([len(centres) for _, centres in keyed], dtype=int)
    return _FollowTable(number, np.array([code for code, _ in keyed], dtype=np.int64), np.cumsum(count) - count, count,
                        np.array([c for _, centres in keyed for c in centres], dtype=float).reshape(-1, 2))


def _moved_print(words: list[Word], template: Template, registration: Registration, found: set[int],
                 page: PageWords | None = None) -> set[int]:
    """Runs of RUN_WORDS or more words that follow each other in the form's print, near their place.

    An edition's notices and headings move a little and are re-worded from one edition to another;
    three words in the print's own order, within MOVED_Y_PT (MOVED_X_PT across) of where the template
    prints them, are print. Words already found at their place count in a run: two words left over at
    a line's start, before three found, are print too.

    Two words next to each other on a line (:func:`_next_words`) chain when some pair of texts they may be the
    print of (:meth:`Vocabulary.print_of`) follows on a line of the form (:func:`_follows`) with its first word's
    place, by the page-wide fit, within MOVED_X_PT and MOVED_Y_PT of the first word: every pair, text pair and
    place tested at once. ``page``: ``words`` as :class:`PageWords` made them (their boxes and texts' numbers,
    taken rather than gathered again), when the caller has it."""
    table = _follow_table(template.edition)
    order, nexts = _next_words(words, None if page is None else page.boxes)
    chained = np.zeros(len(order), dtype=bool)
    if nexts:
        pair, code = _follow_codes(words, order, nexts, table, vocabulary(template.edition).print_of, page)
        at = np.minimum(np.searchsorted(table.codes, code), max(len(table.codes) - 1, 0))
        known = table.codes[at] == code if len(table.codes) else np.zeros(len(code), dtype=bool)
        pair, at = pair[known], at[known]
        count = table.count[at]
        rows = np.repeat(table.start[at] - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        pair = np.repeat(pair, count)
        t = registration.glob.transform
        px, py = t.sx * table.centres[rows, 0] + t.tx, t.sy * table.centres[rows, 1] + t.ty  # Transform.point
        first = np.array([order[k] for k in pair.tolist()], dtype=int)
        boxes = np.array([(words[j].x0, words[j].y0, words[j].x1, words[j].y1) for j in first.tolist()],
                         dtype=float).reshape(-1, 4) if page is None else page.boxes[first].reshape(-1, 4)
        ax, ay = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2  # Word.cx, .cy
        chained[pair[(np.abs(ax - px) <= MOVED_X_PT) & (np.abs(ay - py) <= MOVED_Y_PT)]] = True
    return _runs(order, chained.tolist())


def _runs(order: list[int], chained: list[bool]) -> set[int]:
    """The words (indices) of every run of at least RUN_WORDS words in ``order`` each chained to the next."""
    out, k = set(), 0
    while k < len(order):
        end = k
        while end < len(order) and chained[end]:
            end += 1
        if end - k + 1 >= RUN_WORDS:
            out.update(order[k:end + 1])
        k = end + 1
    return out


_ACROSS_DOWN = attrgetter("x0", "x1", "y0", "y1")


def _next_words(words: list[Word], edges: np.ndarray | None = None) -> tuple[list[int], list[int]]:
    """The words in the order :func:`_moved_print` reads them (by their middle's height rounded to the point,
    then across: print found counts in a run), and the places ``k`` in that order where the word at ``k + 1``
    stands next to the one at ``k`` on a line (middles within SAME_LINE_PT, starting within NEXT_WORD_PT after
    its end): the only places a run of print can go on. Found with arrays, by the same arithmetic as a loop
    over the words' own coordinates; a coordinate that is not a finite number takes that loop. ``edges``: the
    words' (x0, y0, x1, y1) as an array (:class:`PageWords`' boxes), when the caller has them."""
    if not words:
        return [], []
    if edges is None:
        boxes = np.fromiter(chain.from_iterable(map(_ACROSS_DOWN, words)), dtype=float, count=4 * len(words)).reshape(-1, 4)
    else:
        boxes = edges[:, [0, 2, 1, 3]]  # (x0, x1, y0, y1), as _ACROSS_DOWN gives them
    if not np.isfinite(boxes).all():  # (round() of such a number raises, as it always did)
        x0, x1 = boxes[:, 0].tolist(), boxes[:, 1].tolist()
        cy = [(w.y0 + w.y1) / 2 for w in words]
        order = sorted(range(len(words)), key=lambda j: (round(cy[j]), x0[j]))
        return order, [k for k in range(len(order) - 1) if abs(cy[order[k]] - cy[order[k + 1]]) < SAME_LINE_PT
                       and 0 <= x0[order[k + 1]] - x1[order[k]] < NEXT_WORD_PT]
    cy = (boxes[:, 2] + boxes[:, 3]) / 2  # Word.cy
    ranked = np.lexsort((boxes[:, 0], np.rint(cy)))  # stable: words alike in both keep the words' order
    x0, x1, cy = boxes[ranked, 0], boxes[ranked, 1], cy[ranked]
    gap = x0[1:] - x1[:-1]
    nexts = np.flatnonzero((np.abs(cy[:-1] - cy[1:]) < SAME_LINE_PT) & (gap >= 0) & (gap < NEXT_WORD_PT))
    return ranked.tolist(), nexts.tolist()


def _follow_codes(words: list[Word], order: list[int], nexts: list[int], table: _FollowTable,
                  print_of: Any, page: PageWords | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(k, code) for every pair of texts the words at ``order[k]`` and ``order[k + 1]`` may be the print of, for
    each k of ``nexts``: the codes of :class:`_FollowTable` (a text the form does not print has no number; such a
    pair has no code). A text-layer word is the print only of its own text. When no word may be the print of two
    texts (a text layer's page), the pairs are coded as arrays; ``page`` (:class:`PageWords` of ``words``, when
    the caller has it) then gives each word's text number, so that each distinct text is looked up once."""
    number, n = table.number, len(table.number)
    if page is not None and not page.ocr or all(w.confidence is None for w in words):  # each word one text or none:
        if page is not None:  # the pairs' codes as arrays (a PageWords without OCR words: by its texts' numbers)
            ids = np.array([number.get(text, -1) for text in page.by_text], dtype=np.int64)[page.text_ids]
        else:
            ids = np.array([number.get(w.text, -1) for w in words], dtype=np.int64)
        at = np.array(nexts, dtype=int)
        ranked = np.array(order, dtype=int)
        a, b = ids[ranked[at]], ids[ranked[at + 1]]
        known = (a >= 0) & (b >= 0)
        return at[known], a[known] * n + b[known]
    reads: dict[int, tuple[int, ...]] = {}

    def read(j: int) -> tuple[int, ...]:
        got = reads.get(j)
        if got is None:
            w = words[j]
            if w.confidence is None:
                k = number.get(w.text)
                got = () if k is None else (k,)
            else:
                got = tuple(number[text] for text in print_of(w) if text in number)
            reads[j] = got
        return got

    pair, code = [], []
    for k in nexts:
        for a in read(order[k]):
            for b in read(order[k + 1]):
                pair.append(k)
                code.append(a * n + b)
    return np.array(pair, dtype=int), np.array(code, dtype=np.int64)
