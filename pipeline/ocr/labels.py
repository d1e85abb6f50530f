"""Snap OCR words back onto the form's own printed labels.

The reader registers the page by the form's labels, word by word.  OCR of 5-6 pt
print merges words ("INSURERA:"), changes case ("occur") and misreads a letter
("poucy").  Each run of words on one OCR line that closely matches one of the
form template's printed labels is replaced by that label's words, its box shared
out by letter count.  Values are left alone: fuzzy matches need a long label and
a doubtful OCR reading.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from dataclasses import replace

from pipeline.textlayer import Word

_SHORT_FUZZY = 7  # letters: shorter labels must match exactly (ignoring case and spaces)
FUZZY_MIN = 0.82  # a near miss is a label when it is at least this like it (difflib's ratio) ...
FUZZY_MARGIN = 0.04  # ... and no other label is within this of it
LONE_WORD = 7  # letters: a heading printed alone this long is a label of its own


@functools.lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], ...]:
    """Label phrases as word tuples, longest first: the form template's printed labels
    (:func:`pipeline.acord25.template.printed_phrases`). A single word is a label when it is not
    only letters ("CLAIMS-MADE", "NAME:") or is a capitalised heading of LONE_WORD letters or more."""
    from pipeline.acord25.template import printed_phrases

    words = {p for p in printed_phrases() if len(re.sub(r"\W", "", "".join(p))) >= 3
             and (len(p) > 1 or not p[0].isalpha() or (p[0].isupper() and len(p[0]) >= LONE_WORD))}
    return tuple(sorted(words, key=lambda w: (-len(_key("".join(w))), w)))


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def snap_labels(lines: list[list[Word]]) -> list[Word]:
    """All words of ``lines`` (each left to right), with label look-alikes replaced by the labels."""
    out: list[Word] = []
    for line in lines:
        out.extend(_snap_line(line))
    return out


@functools.lru_cache(maxsize=1)
def _targets() -> tuple[tuple[tuple[str, ...], str, Counter], ...]:
    """Each label phrase of :func:`vocabulary`, in its order, with its key and the key's letter counts."""
    return tuple((phrase, _key("".join(phrase)), Counter(_key("".join(phrase)))) for phrase in vocabulary())


def _snap_line(line: list[Word]) -> list[Word]:
    words = list(line)
    keys = [_key(w.text) for w in words]  # kept in step with ``words``
    fixed = [False] * len(words)
    for phrase, target, _ in _targets():  # exact (ignoring case and spaces) first, longest labels first
        i = 0
        while i < len(words):
            end = None if fixed[i] else _exact(words, keys, fixed, i, target)
            if end is None:
                i += 1
                continue
            same = end - i == len(phrase) and all(_key(w.text) == _key(p) for w, p in zip(words[i:end], phrase))
            if same and (len(phrase) > 1 or words[i].text == phrase[0]):
                if len(phrase) > 1 and not _in_prose(words, i, end - 1):  # 'personal & ADV INJURY'
                    words[i:end] = [replace(w, text=p) for w, p in zip(words[i:end], phrase)]
                    keys[i:end] = [_key(p) for p in phrase]
                fixed[i:end] = [True] * (end - i)  # already the label's words (or prose that reads like one)
                i = end
                continue
            if _in_prose(words, i, end - 1):
                i += 1
                continue
            new = _split(words[i:end], phrase)
            words[i:end] = new
            keys[i:end] = [_key(w.text) for w in new]
            fixed[i:end] = [True] * len(new)
            i += len(new)
    i = 0
    while i < len(words):  # then near misses of long labels, on doubtful readings only
        found = None if fixed[i] else _fuzzy(words, keys, fixed, i)
        if found is None or _in_prose(words, i, found[0] - 1):
            i += 1
            continue
        end, phrase = found
        new = _split(words[i:end], phrase)
        words[i:end] = new
        keys[i:end] = [_key(w.text) for w in new]
        fixed[i:end] = [True] * len(new)
        i += len(new)
    return words


def _runs(words: list[Word], keys: list[str], fixed: list[bool], start: int, longest: int):
    """(end, text) of the runs from ``start``: words on one level, no wide gap, none fixed (``keys``: each
    word's :func:`_key`)."""
    text = ""
    for end in range(start, min(len(words), start + longest)):
        w = words[end]
        if fixed[end]:
            return
        if end > start:
            prev = words[end - 1]
            if w.x0 - prev.x1 > 3 * max(w.height, 4.0) or abs(w.cy - words[start].cy) > 0.5 * max(w.height, 4.0):
                return
        text += keys[end]
        yield end + 1, text


def _exact(words: list[Word], keys: list[str], fixed: list[bool], start: int, target: str) -> int | None:
    if not target.startswith(keys[start]):
        return None  # no run from here can spell the label (a cheap test first: most words start none)
    for end, text in _runs(words, keys, fixed, start, 8):
        if text == target:
            return end
        if len(text) >= len(target) or not target.startswith(text):
            return None
    return None


def _fuzzy(words: list[Word], keys: list[str], fixed: list[bool], start: int) -> tuple[int, tuple[str, ...]] | None:
    best: tuple[float, int, tuple[str, ...]] | None = None
    second = 0.0
    for end, text in _runs(words, keys, fixed, start, 6):
        run = words[start:end]
        if min((w.confidence if w.confidence is not None else 1.0) for w in run) >= 0.95:
            continue
        letters = Counter(text)
        for phrase, target, target_letters in _targets():
            if len(target) < _SHORT_FUZZY or abs(len(text) - len(target)) > 2 or not _digits_fit(text, target):
                continue
            # difflib's ratio is at most the share of letters the two have in common (its quick_ratio): a
            # label below FUZZY_MIN - FUZZY_MARGIN by that bound can be neither the match nor a rival to it
            common = sum((letters & target_letters).values())
            if 2.0 * common / (len(text) + len(target)) < FUZZY_MIN - FUZZY_MARGIN:
                continue
            ratio = difflib.SequenceMatcher(None, text, target).ratio()
            if best is None or ratio > best[0]:
                second = best[0] if best else 0.0
                best = (ratio, end, phrase)
            elif ratio > second:
                second = ratio
    if best is None or best[0] < FUZZY_MIN or second > best[0] - FUZZY_MARGIN:
        return None  # no label close enough, or two labels equally close
    return best[1], best[2]


def _digits_fit(text: str, target: str) -> bool:
    """True when the digits of an OCR run could be the label's: they are the label's digits, or some of them
    in order (a digit read as a look-alike letter drops out). A label's digits are printed data (the form's
    number, its edition): a run holding other digits ('ACORD 25 (2001/08)' near '(2016/03)') is another
    print, never snapped onto it."""
    digits = iter(c for c in target if c.isdigit())
    return all(c in digits for c in text if c.isdigit())


def _in_prose(words: list[Word], start: int, end: int) -> bool:
    """True when a lower-case word sits right beside the run: running text, not a label."""
    # a word space is ~0.3 of the font size; a label and the value typed after it are further apart
    h = 0.6 * max(words[start].height, 4.0)
    if start > 0 and words[start].x0 - words[start - 1].x1 < h and re.search(r"[a-z]", words[start - 1].text):
        return True
    if end + 1 < len(words) and words[end + 1].x0 - words[end].x1 < h and re.search(r"[a-z]", words[end + 1].text):
        return True
    return False


def _split(run: list[Word], phrase: tuple[str, ...]) -> list[Word]:
    x0, x1 = run[0].x0, run[-1].x1
    tallest = max(run, key=lambda w: w.height)  # the fullest reading of the font's height
    y0, y1 = tallest.y0, tallest.y1
    if len(run) == len(phrase):
        return [replace(w, text=p, confidence=0.99) for w, p in zip(run, phrase)]
    total = sum(len(p) + 1 for p in phrase) - 1
    out, pos = [], 0
    for p in phrase:
        a = x0 + (x1 - x0) * pos / total
        b = x0 + (x1 - x0) * (pos + len(p)) / total
        out.append(Word(p, round(a, 2), y0, round(b, 2), y1, confidence=0.99))
        pos += len(p) + 1
    return out
