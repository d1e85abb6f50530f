"""Snap OCR words back onto the form's own printed labels.

The extractor finds the form by its labels, word by word.  OCR of 5-6 pt print
merges words ("INSURERA:"), changes case ("occur") and misreads a letter
("poucy").  Each run of words on one OCR line that closely matches a label of
the ACORD 25 vocabulary (the phrases the extractor itself looks for) is
replaced by that label's words, its box shared out by letter count.  Values
are left alone: fuzzy matches need a long label and a doubtful OCR reading.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import replace

from pipeline.textlayer import Word

_EXTRA = (
    "CERTIFICATE OF LIABILITY INSURANCE", "AUTHORIZED REPRESENTATIVE", "DESCRIPTION OF OPERATIONS / LOCATIONS",
    "RETENTION $", "PER STATUTE", "POLICY EFF", "POLICY EXP", "E-MAIL", "PHONE", "PRO- JECT",
    "COMMERCIAL GENERAL LIABILITY", "CLAIMS-MADE", "(MM/DD/YYYY)", "INSR LTR", "NAIC #",
    "AUTOS ONLY", "NON-OWNED", "SCHEDULED", "(Ea occurrence)", "(Per accident)", "(Per person)",
)
_SHORT_FUZZY = 7  # letters: shorter labels must match exactly (ignoring case and spaces)


@functools.lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], ...]:
    """Label phrases as word tuples, longest first (from the extractor's own lists)."""
    from pipeline.acord25 import coverages, frame, identify

    phrases: set[str] = set(_EXTRA)
    phrases.update(frame.HEADER_LABELS, frame.TABLE_LABELS, identify._STRUCTURE)
    for table in (coverages.GL_LIMITS, coverages.AUTO_LIMITS, coverages.UMBRELLA_LIMITS, coverages.WC_LIMITS,
                  coverages.AUTO_BOXES):
        for _, variants in table:
            for variant in variants:
                phrases.update(variant.split("|"))
    for letter in frame.LETTERS:
        phrases.add(f"INSURER {letter} :")
    words = {tuple(p.split()) for p in phrases if p.strip()}
    return tuple(sorted(words, key=lambda w: (-len(_key("".join(w))), w)))


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def snap_labels(lines: list[list[Word]]) -> list[Word]:
    """All words of ``lines`` (each left to right), with label look-alikes replaced by the labels."""
    out: list[Word] = []
    for line in lines:
        out.extend(_snap_line(line))
    return out


def _snap_line(line: list[Word]) -> list[Word]:
    words = list(line)
    fixed = [False] * len(words)
    for phrase in vocabulary():
        target = _key("".join(phrase))
        i = 0
        while i < len(words):
            match = None if fixed[i] else _match(words, fixed, i, phrase, target)
            if match is None:
                i += 1
                continue
            new = _split(words[i:match], phrase)
            words[i:match] = new
            fixed[i:match] = [True] * len(new)
            i += len(new)
    return words


def _match(words: list[Word], fixed: list[bool], start: int, phrase: tuple[str, ...], target: str) -> int | None:
    """End index (exclusive) of a run from ``start`` that reads as ``phrase``; None if none does."""
    text = ""
    for end in range(start, min(len(words), start + len(phrase) + 2)):
        if fixed[end]:
            return None
        if end > start and words[end].x0 - words[end - 1].x1 > 3 * max(words[end].height, 4.0):
            return None  # a wide gap: the next word is in another box
        text += _key(words[end].text)
        if len(text) > len(target) + 2:
            return None
        if text == target:
            if len(phrase) == end - start + 1 and all(w.text == p for w, p in zip(words[start:end + 1], phrase)):
                return None  # already exactly the label
            return end + 1
        if len(target) >= _SHORT_FUZZY and abs(len(text) - len(target)) <= 2:
            run = words[start:end + 1]
            doubtful = min((w.confidence if w.confidence is not None else 1.0) for w in run) < 0.92
            if doubtful and difflib.SequenceMatcher(None, text, target).ratio() >= 0.82:
                return end + 1
    return None


def _split(run: list[Word], phrase: tuple[str, ...]) -> list[Word]:
    x0, x1 = run[0].x0, run[-1].x1
    y0, y1 = min(w.y0 for w in run), max(w.y1 for w in run)
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
