"""Two readings of a party's block (the page's and the block's own, read alone), combined
line by line.

A party's block is a few lines: a name (a DBA), a street, a city with its state and ZIP code. Page-level OCR
garbles some of them (a letter misread, a label overprinted, junk read as a line) and reads others well; the
block read alone garbles others. So neither reading replaces the other whole: their lines are paired by
where they lie (a row: lines of either reading that share their height), and each row keeps the reading
that looks more like print of its kind (:func:`line_score`): words of a plausible shape read surely, a street
shaped as one, a city line whose state is its ZIP code's. A row only one reading has is kept when that
reading is sure of it (a line the other left out), and left out otherwise (junk read as a line). A row
both readings read as one line is combined word by word where their words pair: each word the better read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.acord25.fieldkinds import STRAY_LINE_CHARS
from pipeline.acord25.layout import lines_of
from pipeline.acord25.postal import is_city_line, is_street, state_of_zip
from pipeline.textlayer import Word

# a word's shape as print: a capitalised, upper- or lower-case word (with an inner apostrophe, hyphen, "&" or
# period: O'Neil, Winston-Salem, A&B, U.S.), a number (576, 12B, 12-14, #200, 1,000), or a joining sign
_PLAUSIBLE = re.compile(
    r"^[(\"']?(?:[A-Z][a-z]*(?:['’-][A-Za-z]+)*|[a-z]+(?:['’-][A-Za-z]+)*|[A-Z]+(?:['’&.-][A-Z]+)*\.?|[A-Z][a-z]*\.|"
    r"#?\d+[A-Za-z]?(?:-\d+)?|\d{1,3}(?:,\d{3})+|\d{5}-\d{4}|[&/#-])[.,;:)\"']?$")
STRUCTURE = 0.5  # share of a line's characters added to its score when it is shaped as a street or city line
LONE_SURE = 0.75  # mean confidence of a line only one reading has, for it to be kept
ALONE_SURE = 0.5  # confidence of a word of the block's reading that pairs with no word of the page's, to be kept
SURER = 0.2  # confidence: a block's word read this much surer than the page's same word replaces it
SAME_ROW = 0.3  # share of the shorter line's height two lines must overlap by to be one row
BETTER = 1.0  # score: a block reading's row replaces the page's only when it scores this much more


def plausible(text: str) -> bool:
    """True when a word is shaped as printed words are (not 'rAter', 'S358', 'Sp|ringfield')."""
    return bool(_PLAUSIBLE.match(text))


def line_score(words: Sequence[Word]) -> float:
    """How much a reading of a line looks like sure print: characters of plausible words weighted by
    confidence, and more when the line is shaped as a street or as a city line whose state is its ZIP's."""
    score = sum(len(w.text) * _confidence(w) for w in words if plausible(w.text))
    text = " ".join(w.text for w in words)
    if is_street(text) or _consistent_city(text):
        score += STRUCTURE * len(text)
    return score


def _consistent_city(text: str) -> bool:
    """A city line whose state is its ZIP code's ('Salem, OR 97301'; not 'Salem, OR 07301')."""
    if not is_city_line(text):
        return False
    parts = re.split(r"[\s,]+", text.strip())
    code, state = parts[-1][:5], parts[-2].strip(".").upper() if len(parts) > 1 else ""
    return state_of_zip(code) == state


def _confidence(w: Word) -> float:
    return w.confidence if w.confidence is not None else 1.0


def combined(first: Sequence[Word], second: Sequence[Word]) -> list[Word]:
    """The words of a party's block from its page reading ``first`` and its own reading ``second``: per
    row of lines, the better reading (``first`` unless ``second`` scores :data:`BETTER` more)."""
    out: list[Word] = []
    for mine, theirs in _rows(lines_of(first), lines_of(second)):
        if mine and theirs:
            better = sum(map(line_score, theirs)) >= sum(map(line_score, mine)) + BETTER
            chosen = theirs if better else mine
            if len(mine) == 1 and len(theirs) == 1:  # one line read twice: word by word where the words pair,
                mixed = (_word_by_word(theirs[0], mine[0], ours=False) if better else  # unless that scores less
                         _word_by_word(mine[0], theirs[0], ours=True))  # (a city line's state its ZIP's no more)
                chosen = [mixed] if line_score(mixed) >= line_score(chosen[0]) else chosen
        else:
            chosen = mine or [line for line in theirs if _sure(line)]
        out.extend(w for line in chosen for w in line)
    return out


def _word_by_word(line: list[Word], other: list[Word], *, ours: bool) -> list[Word]:
    """``line`` (the row's better reading; ``ours``: the page's) with each word that pairs with one word of
    ``other`` (they overlap across, and neither overlaps another) replaced by the better of the two: the
    block's word is taken only when it is clearly better read (:func:`_clearly_better`). A word of the block's
    reading that pairs with none is kept only when read surely (junk the page's reading left out)."""
    out = []
    for w in line:
        pair = [v for v in other if v.x0 < w.x1 and v.x1 > w.x0]
        if len(pair) == 1 and [u for u in line if u.x0 < pair[0].x1 and u.x1 > pair[0].x0] == [w]:
            page, block = (w, pair[0]) if ours else (pair[0], w)
            out.append(block if _clearly_better(block, page) else page)
        elif ours or pair or _confidence(w) >= ALONE_SURE:
            out.append(w)
    return out


def _clearly_better(block: Word, page: Word) -> bool:
    """The block's reading of a word is clearly better than the page's: of a plausible shape where the page's
    is not, or as plausible and read :data:`SURER` more surely."""
    if plausible(block.text) != plausible(page.text):
        return plausible(block.text)
    return _confidence(block) >= _confidence(page) + SURER


def _sure(line: list[Word]) -> bool:
    chars = sum(len(w.text) for w in line)
    return chars > 0 and sum(len(w.text) * _confidence(w) for w in line) / chars >= LONE_SURE \
        and any(plausible(w.text) and sum(c.isalnum() for c in w.text) > STRAY_LINE_CHARS for w in line)  # not a speck


def _rows(a: list[list[Word]], b: list[list[Word]]) -> list[tuple[list[list[Word]], list[list[Word]]]]:
    """Lines of the two readings grouped into rows: a line joins the row above when it overlaps that row's
    last line by :data:`SAME_ROW` of the shorter's height (the two readings place a line a few points apart);
    rows top to bottom, each as (lines of ``a``, lines of ``b``)."""
    tagged = sorted([(min(w.y0 for w in line), max(w.y1 for w in line), 0, line) for line in a] +
                    [(min(w.y0 for w in line), max(w.y1 for w in line), 1, line) for line in b],
                    key=lambda t: (t[0] + t[1]) / 2)
    rows: list[tuple[float, float, list, list]] = []
    for top, bottom, which, line in tagged:
        if rows:
            last_top, last_bottom, mine, theirs = rows[-1]
            shorter = min(bottom - top, last_bottom - last_top)
            if min(bottom, last_bottom) - max(top, last_top) >= SAME_ROW * shorter or (top + bottom) / 2 < last_bottom:
                (mine if which == 0 else theirs).append(line)
                rows[-1] = (min(top, last_top), max(bottom, last_bottom), mine, theirs)
                continue
        rows.append((top, bottom, [line] if which == 0 else [], [line] if which == 1 else []))
    return [(mine, theirs) for _, _, mine, theirs in rows]
