"""A scan's text layer that is garbage is detected and the page read by OCR instead.

Every document is made here: a certificate drawn by ``samples.certificates``, rendered to pixels as
``samples.scans`` does, laid full-page into a PDF with reportlab, and given an invisible
(render mode 3) text layer as scanners do: the real words, random characters, a shifted
encoding, words off the ink, or another document's text.
"""

from __future__ import annotations

import io
import random
import string

import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.acord25.confidence import confidence
from pipeline.ocr import OcrWord, Orientation
from pipeline.stages import extract, pages_to_ocr, read, read_text
from pipeline.layertrust import check_layers, text_quality, untrusted_layer
from pipeline.textlayer import read_text_layer
from samples.certificates import draw_certificate, draw_cover_letter, join_pdfs, random_certificate
from samples.scans import render

W, H = letter
CERT = random_certificate(random.Random(11))
BORN_DIGITAL = draw_certificate(CERT)
WORDS = read_text_layer(BORN_DIGITAL)[0].words  # the certificate's words where the page shows them


class FakeEngine:
    """Reads one word on any page and counts the pages it was given (no tesseract)."""

    def __init__(self) -> None:
        self.pages = 0

    def words(self, image, *, dpi, psm=3, chars=None):
        self.pages += 1
        return [OcrWord("Ocred", 10, 10, 60, 20, 90.0, (1, 1, 1))]

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def _scan(layer, *, dpi: int = 150, source: bytes = BORN_DIGITAL) -> bytes:
    """``source``'s first page as a full-page image, with ``layer(word) -> (text, x, baseline, size)``
    drawn invisibly for each certificate word (None: no text for that word)."""
    buffer = io.BytesIO()
    png = io.BytesIO()
    Image.fromarray(render(source, dpi), mode="L").save(png, "PNG")
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, W, H)
    for word in WORDS:
        placed = layer(word) if layer else None
        if placed is None:
            continue
        text, x, baseline, size = placed
        t = canvas.beginText()
        t.setTextRenderMode(3)
        t.setFont("Helvetica", size)
        t.setTextOrigin(x, H - baseline)
        t.textOut(text)
        canvas.drawText(t)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _aligned(text_of):
    return lambda w: (text_of(w.text), w.x0, w.y1 - 0.2 * w.height, 0.8 * w.height)


def _random_chars(rng: random.Random):
    alphabet = string.ascii_letters + string.digits + "#%&@~^"
    return lambda text: "".join(rng.choice(alphabet) for _ in text)


def _shifted(text: str) -> str:
    """A wrong encoding: every letter two places on (as with a font's broken character map)."""
    out = []
    for c in text:
        if c.isalpha():
            base = ord("a") if c.islower() else ord("A")
            out.append(chr(base + (ord(c) - base + 2) % 26))
        else:
            out.append(c)
    return "".join(out)


def _reasons(pdf: bytes) -> dict[int, str]:
    return pages_to_ocr(pdf, read_text_layer(pdf))


def test_given_a_scan_whose_invisible_layer_is_the_real_text_when_read_then_the_layer_is_trusted():
    scan = _scan(_aligned(lambda t: t))
    [check] = check_layers(scan)
    assert check.scan and check.image_cover > 0.95 and check.invisible == 1.0
    assert _reasons(scan) == {}
    reading = read(scan, ocr_engine=FakeEngine())
    assert reading.method == "text_layer"
    cert = extract(reading)
    assert cert["insured"]["name"] == CERT["insured"]["name"]
    # someone else's OCR: its words are readings with a confidence, never a born-digital certainty
    assert {w.confidence for w in reading.pages[0].words} == {0.95}
    born_digital = confidence("in_box", ocr=False, least=None, borrowed=False)
    assert max(item["confidence"] for item in cert["evidence"].values()) < born_digital


def test_given_a_born_digital_certificate_when_checked_then_no_page_goes_to_ocr():
    [check] = check_layers(BORN_DIGITAL)
    assert not check.scan and check.invisible == 0.0
    assert _reasons(BORN_DIGITAL) == {}
    assert read_text(BORN_DIGITAL) is not None


@pytest.mark.parametrize("garble", [_random_chars(random.Random(3)), _shifted], ids=["random", "wrong-encoding"])
def test_given_a_scan_whose_layer_is_garbage_on_the_ink_when_read_then_it_goes_to_ocr(garble):
    scan = _scan(_aligned(garble))
    pages = read_text_layer(scan)
    assert len(pages[0].words) > 300  # the garbage sits on the ink: the hidden-text check keeps it
    assert "garbage" in _reasons(scan)[1]
    assert read_text(scan) is None
    engine = FakeEngine()
    reading = read(scan, ocr_engine=engine)
    assert reading.method == "ocr" and engine.pages == 1
    assert [w.text for w in reading.pages[0].words] == ["Ocred"]


def test_given_a_layer_whose_words_are_off_the_ink_when_checked_then_the_page_goes_to_ocr():
    # the real words, but in the blank right margin: a layer made for another page geometry
    scan = _scan(lambda w: (w.text, 596, w.y1, 1.5))
    [page] = read_text_layer(scan)
    [check] = check_layers(scan)
    assert check.raw_words > 300 and len(page.words) < 0.6 * check.raw_words
    assert "off the ink" in untrusted_layer(page, check)
    assert 1 in _reasons(scan)


def test_given_a_scan_whose_layer_is_real_english_but_no_acord_labels_when_read_then_it_goes_to_ocr():
    # a plausible layer from the wrong page (a letter's words laid over the certificate image)
    letter_words = [w.text for w in read_text_layer(draw_cover_letter(CERT))[0].words]
    assert text_quality(letter_words)[2] > 0.3
    scan = _scan(lambda w: (letter_words[WORDS.index(w) % len(letter_words)], w.x0, w.y1 - 0.2 * w.height,
                            0.8 * w.height))
    [page] = read_text_layer(scan)
    [check] = check_layers(scan)
    assert untrusted_layer(page, check) is None  # the words look fine on their own ...
    assert "no ACORD 25 labels" in _reasons(scan)[1]  # ... but the scan shows no certificate in them
    assert read_text(scan) is None


def test_given_a_born_digital_letter_and_a_scanned_certificate_when_read_then_only_the_scan_is_ocred():
    document = join_pdfs(draw_cover_letter(CERT), _scan(None))
    assert read_text(document) is None
    engine = FakeEngine()
    reading = read(document, ocr_engine=engine)
    assert engine.pages == 1 and [p.number for p in reading.pages] == [1, 2]
    assert "Sincerely," in [w.text for w in reading.pages[0].words]  # the letter kept its text layer
    assert [w.text for w in reading.pages[1].words] == ["Ocred"]


@pytest.mark.tesseract
def test_given_a_scan_with_a_garbage_layer_when_read_with_tesseract_then_the_certificate_is_extracted():
    """The one real OCR of this file (a few seconds)."""
    scan = _scan(_aligned(_random_chars(random.Random(5))), dpi=200)
    reading = read(scan)
    assert reading.method == "ocr"
    cert = extract(reading)
    assert cert["form"]["type"] == "ACORD 25"
    assert cert["insured"]["name"] == CERT["insured"]["name"]
    assert [p["policy_number"] for p in cert["policies"]][:1] == [CERT["policies"][0]["policy_number"]]
    assert all(item["page"] == 1 for item in cert["evidence"].values())


def test_given_words_when_their_quality_is_measured_then_it_is_the_plain_count_over_all_their_tokens():
    """text_quality adds up counts kept per text; the same shares as counting every token of every word."""
    from pipeline.layertrust import _KNOWN
    from pipeline.textlayer import _looks_like_word, tokens_of

    rng = random.Random(5)
    pool = [w.text for w in WORDS] + ["xkcdqrstv", "LLC", "Smith&Wesson", "", "1,000,000", "The", "zzzzzzz"]
    for size in (0, 1, 3, 40, 400):
        words = [rng.choice(pool) for _ in range(size)]
        tokens = [token for t in words for token in tokens_of(t)]
        plain = (len(tokens), sum(1 for t in tokens if _looks_like_word(t)) / len(tokens),
                 sum(1 for t in tokens if t.lower() in _KNOWN) / len(tokens)) if tokens else (0, 0.0, 0.0)
        assert text_quality(words) == plain
    assert text_quality(["1,000", "$"]) == (0, 0.0, 0.0)


def test_given_long_texts_when_their_quality_is_counted_then_they_are_not_remembered_but_counted_alike():
    from pipeline.layertrust import CACHED_TEXT_CHARS, _quality_counts, text_quality

    long_words = [f"word{i} " * CACHED_TEXT_CHARS for i in range(50)]  # a hostile layer's long distinct texts
    before = _quality_counts.cache_info().currsize
    got = text_quality(long_words)
    assert _quality_counts.cache_info().currsize == before
    assert got[0] == 50 * CACHED_TEXT_CHARS  # each long text's tokens still counted (its "word" tokens)
