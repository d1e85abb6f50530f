"""The text layer's words built from every character's boxes asked at once (``textlayer._raw_words``) equal
the character-by-character loop they replace (``plain_raw_words`` below, the loop as it was), on pages built
to exercise each of its choices: kerned and letter-spaced text, lines at several heights, line-ending hyphens,
text too tall or flat for its loose box, rotated and stretched text, characters beyond the BMP."""

from __future__ import annotations

import ctypes
import math

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.pdfgen.canvas import Canvas

from pipeline import textlayer
from pipeline.pageobjects import address, by_address, text_object
from tests.pdfs import drawn_pdf

_char_box = by_address(pdfium_c.FPDFText_GetCharBox, pointers=True)
_loose_char_box = by_address(pdfium_c.FPDFText_GetLooseCharBox, pointers=True)
_char_matrix = by_address(pdfium_c.FPDFText_GetMatrix)
_font_size = by_address(pdfium_c.FPDFText_GetFontSize)


def _plain_spaced(raw: int, last: int, i: int, gap: float, matrix) -> bool:
    if text_object(raw, i) == text_object(raw, last):
        return False
    if not _char_matrix(raw, i, matrix):
        return True
    em = _font_size(raw, i) * math.hypot(matrix.a, matrix.b)
    return em <= 0 or gap > textlayer.SPACE_EM * em


def plain_raw_words(textpage) -> list:
    """The character loop as it was: two pdfium calls per character, each word grown character by character."""
    raw = address(textpage.raw)
    codes = textlayer._char_codes(textpage, textpage.count_chars())
    box, loose = (ctypes.c_double * 4)(), pdfium_c.FS_RECTF()
    at_left, at_loose = ctypes.addressof(box), ctypes.addressof(loose)
    matrix = pdfium_c.FS_MATRIX()
    advanced_to, last = 0.0, 0
    words, text = [], []
    x0 = y0 = x1 = y1 = 0.0
    first = 0
    for i, code in enumerate(codes):
        if code == textlayer._HYPHEN_MARK:
            ch = "-"
        else:
            ch = chr(code) if 0 < code < 0x110000 and code not in textlayer._BREAK_CODES else " "
            if ch.isspace():
                if text:
                    words.append(("".join(text), (x0, y0, x1, y1), first))
                    text = []
                continue
        _char_box(raw, i, at_left, at_left + 8, at_left + 16, at_left + 24)
        l, r, b, t = box[0], box[1], box[2], box[3]
        advance_from, advance_to = l, r
        if _loose_char_box(raw, i, at_loose):
            advance_from, lt, advance_to, lb = loose.left, loose.top, loose.right, loose.bottom
            if 0 < lt - lb < max(40.0, 4 * (t - b)):
                b, t = min(lb, b), max(lt, t)
        if text:
            height = max(y1 - y0, t - b, 1.0)
            same_line = abs((b + t) / 2 - (y0 + y1) / 2) < height * 0.5
            gap = l - x1
            if not same_line or gap < -height * 0.8 or \
                    gap > height * 0.3 and _plain_spaced(raw, last, i, advance_from - advanced_to, matrix):
                words.append(("".join(text), (x0, y0, x1, y1), first))
                text = []
        advanced_to, last = advance_to, i
        if not text:
            x0, y0, x1, y1 = l, b, r, t
            first = i
        else:
            x0, y0, x1, y1 = min(x0, l), min(y0, b), max(x1, r), max(y1, t)
        text.append(ch)
    if text:
        words.append(("".join(text), (x0, y0, x1, y1), first))
    return words


def _kerned_and_spaced(c: Canvas) -> None:
    c.setFont("Helvetica", 10)
    c.drawString(72, 700, "CERTIFICATE OF LIABILITY INSURANCE  DATE (MM/DD/YYYY)")
    for k, letter_ in enumerate("Evidence"):  # a form's appearance set glyph by glyph
        c.drawString(72 + k * 6.5, 680, letter_)
    c.drawString(140, 680, "next")  # a text object after a narrow gap
    c.drawString(300, 680, "far")
    text = c.beginText(72, 660)
    text.setCharSpace(2.5)
    text.textOut("letter-spaced words ")
    text.setCharSpace(0)
    text.textOut("then tight")
    c.drawText(text)
    c.setFont("Helvetica", 6)
    c.drawString(72, 640, "small")
    c.setFont("Helvetica", 18)
    c.drawString(110, 636, "BIG")  # a taller word on the same baseline
    c.setFont("Helvetica", 10)
    c.drawString(160, 645, "raised")  # half a line up: off the line
    c.drawString(72, 620, "abc")
    c.drawString(70, 620, "x")  # far back from the word's right edge
    c.drawString(72, 600, "insur-")
    c.drawString(72, 590, "ance.  .  ,  A.B.")


def _turned_and_stretched(c: Canvas) -> None:
    c.setFont("Times-Roman", 11)
    c.saveState()
    c.translate(300, 400)
    c.rotate(90)
    c.drawString(0, 0, "turned text runs up")
    c.restoreState()
    c.saveState()
    c.translate(72, 300)
    c.scale(1.8, 0.6)
    c.drawString(0, 0, "stretched WIDE and flat")
    c.restoreState()
    c.setFont("Courier", 0.5)
    c.drawString(72, 250, "tiny print")
    c.setFont("Helvetica", 60)
    c.drawString(72, 150, "Huge")


def _pages():
    for draw in (_kerned_and_spaced, _turned_and_stretched):
        yield drawn_pdf(draw)


@pytest.mark.parametrize("pdf", list(_pages()))
def test_given_a_page_then_its_words_built_from_the_boxes_asked_at_once_equal_the_character_loop(pdf):
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        try:
            plain = plain_raw_words(textpage)
            assert len(plain) > 5
            assert textlayer._raw_words(textpage) == plain
        finally:
            textpage.close()
            page.close()
    finally:
        doc.close()


def test_given_the_certificates_pages_then_the_words_equal_the_character_loop(tmp_path):
    """The official form, filled, and a real born-digital certificate when ../shared has one."""
    from bench.corpus import certificate
    from bench import formfill

    if not formfill.available():
        pytest.skip("no official form")
    pdf = certificate(0, "born-digital").data
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            try:
                assert textlayer._raw_words(textpage) == plain_raw_words(textpage)
            finally:
                textpage.close()
                page.close()
    finally:
        doc.close()


def test_given_no_characters_or_only_spaces_then_there_are_no_words():
    doc = pdfium.PdfDocument(drawn_pdf(lambda c: c.drawString(72, 700, "   ")))
    try:
        page = doc[0]
        textpage = page.get_textpage()
        try:
            assert textlayer._raw_words(textpage) == plain_raw_words(textpage) == []
        finally:
            textpage.close()
            page.close()
    finally:
        doc.close()


def test_char_texts_judge_each_code_as_the_loop_did():
    codes = [0x41, 0x20, 0xA0, 0x2, 0xFFFE, 0xFFFF, 0, 0x2003, 0x1F600, 0x10FFFF + 1, 0x61, 0x0A]
    got = textlayer._char_texts(codes)
    assert got == ["A", None, None, "-", None, None, None, None, "\U0001F600", None, "a", None]


def plain_in_drawing_order(objects, textpage, raw):
    """The drawing order as it was: a sort of (text object's place, character) keys word by word."""
    sequence, handle = objects.text_rank, address(textpage.raw)
    keys = [(sequence.get(text_object(handle, first) or 0, -1), first) for _, _, first in raw]
    ranks = [0] * len(raw)
    for rank, k in enumerate(sorted(range(len(raw)), key=keys.__getitem__)):
        ranks[k] = rank
    return [(text, box, rank) for (text, box, _), rank in zip(raw, ranks)]


def _overdrawn(c: Canvas) -> None:
    """Text objects drawn out of their left-to-right order on one line, and one inside a form XObject."""
    c.setFont("Helvetica", 10)
    for x, text in ((300, "third"), (72, "first"), (180, "second"), (72.5, "over"), (400, "x"), (40, "y")):
        c.drawString(x, 700, text)
    c.beginForm("stamp")
    c.drawString(72, 500, "inside a form")
    c.endForm()
    c.doForm("stamp")
    c.drawString(60, 500, "after it")


@pytest.mark.parametrize("pdf", list(_pages()) + [drawn_pdf(_overdrawn)])
def test_given_a_page_then_the_drawing_order_equals_the_sort_of_its_keys(pdf):
    from pipeline.pageobjects import PageObjects

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        try:
            objects, raw = PageObjects(page), textlayer._raw_words(textpage)
            got = textlayer._in_drawing_order(objects, textpage, raw)
            assert got == plain_in_drawing_order(objects, textpage, raw)
            assert sorted(rank for _, _, rank in got) == list(range(len(raw)))
            assert textlayer._in_drawing_order(objects, textpage, []) == []
        finally:
            textpage.close()
            page.close()
    finally:
        doc.close()


def test_token_counts_count_the_tokens_and_wordlike_tokens_of_a_text():
    for text in ("CERTIFICATE", "LLC", "xkcdqrstv", "A1-B2", "Smith&Wesson", "", "NAIC#", "rhythm's"):
        tokens = textlayer.tokens_of(text)
        assert textlayer._token_counts(text) == (len(tokens), sum(textlayer._looks_like_word(t) for t in tokens))


def test_rounded_equals_pythons_round_value_by_value():
    import numpy as np

    rng = np.random.default_rng(7)
    values = np.concatenate((
        rng.uniform(-1000, 1000, 20000),
        np.round(rng.uniform(-800, 800, 5000), 3),  # many near a half of the last digit kept: 0.125, 2.675...
        np.array([0.125, 0.375, 2.675, 1.005, -1.005, 0.5, -0.5, 1.5, 2.5, -0.0, 0.0, 1e-9, -1e-9, 0.045, 0.055,
                  2.0 ** 26 / 100 + 0.005, 2.0 ** 30, -(2.0 ** 40) + 0.125, 1e300, float("inf"), -float("inf")]),
    ))
    for digits in (1, 2):
        got = textlayer._rounded(values, digits)
        want = [round(v, digits) for v in values.tolist()]
        assert [repr(g) for g in got] == [repr(w) for w in want]  # (repr: -0.0 and 0.0 told apart too)
    nan = textlayer._rounded(np.array([float("nan")]), 2)
    assert math.isnan(nan[0])


def test_in_reading_order_equals_the_sort_by_its_key():
    import random

    from pipeline.textlayer import Word

    rng = random.Random(3)
    words = [Word(f"w{k}", rng.choice((10.0, 20.5, 33.3)), rng.choice((100.04, 100.05, 100.06, 99.95, 250.25)) +
                  rng.choice((0.0, 0.01)), 50.0, 110.0) for k in range(400)]
    assert textlayer._in_reading_order(words) == sorted(words, key=textlayer._reading_order)
    assert [id(w) for w in textlayer._in_reading_order(words)] == [id(w) for w in sorted(words, key=textlayer._reading_order)]
    assert textlayer._in_reading_order([]) == []


def test_given_words_with_ties_signed_zeros_and_odd_numbers_when_put_in_reading_order_then_as_the_sort_by_its_key():
    """The lexsort of the keys (and its boxes given as an array) against ``sorted``; keys that are not all finite
    (NaN, infinities) are sorted as tuples, as before."""
    import random

    from pipeline.textlayer import Word

    rng = random.Random(8)
    odd = (0.0, -0.0, 0.05, -0.05, 1e-300, 7.25, 7.35)
    for extra in ((), (float("nan"),), (float("inf"), -float("inf"))):
        words = [Word(f"w{k}", rng.choice(odd + extra), rng.choice(odd + extra), 1.0, 2.0) for k in range(300)]
        want = [id(w) for w in sorted(words, key=textlayer._reading_order)]
        assert [id(w) for w in textlayer._in_reading_order(words)] == want
        assert [id(w) for w in textlayer._in_reading_order(words, textlayer._boxes(words))] == want
    assert textlayer._boxes([]).shape == (0, 4)
    assert textlayer._boxes([Word("a", 1.5, 2.5, 3.5, 4.5)]).tolist() == [[1.5, 2.5, 3.5, 4.5]]


def test_given_pages_of_words_when_asked_for_usable_text_then_as_counting_every_token_of_every_word():
    """has_usable_text counts each distinct text once, times its words: the same answer as the plain count, on
    pages around its thresholds (fewer words, fewer tokens, a word-like share either side of 0.6)."""
    import random

    from pipeline.textlayer import Page, Word

    def plain(pages, min_words=40):
        words = [w.text for p in pages for w in p.words]
        tokens = [t for text in words for t in textlayer.tokens_of(text)]
        if len(words) < min_words or len(tokens) < min_words // 2:
            return False
        return sum(1 for t in tokens if textlayer._looks_like_word(t)) / len(tokens) >= 0.6

    rng = random.Random(6)
    pool = ("CERTIFICATE", "of", "xkcdqrstv", "zzzzzz", "LLC", "1,000", "$", "Smith&Wesson", "bcdfgh", "A")
    answers = set()
    for _ in range(300):
        pages = [Page(n, 612.0, 792.0, tuple(Word(rng.choice(pool), 1.0, 2.0, 3.0, 4.0)
                                             for _ in range(rng.randrange(0, 50)))) for n in range(rng.randrange(1, 3))]
        answers.add(plain(pages))
        assert textlayer.has_usable_text(pages) == plain(pages)
    assert answers == {True, False}
