"""ocr_pages with fake engines, and read() routing images and scans to OCR."""

from __future__ import annotations

import gc
import io
import random
import weakref

import numpy as np
import pytest
from PIL import Image

from pipeline.filetypes import PNG, TIFF
from pipeline.ocr import OcrFailed, OcrWord, Orientation, ocr_pages
from pipeline.stages import read
from samples.certificates import draw_certificate, random_certificate
from samples.scans import Degradation, scan_pdf


class FakeEngine:
    """Reads the same words whatever the image: boxes in pixels of the image it is given."""

    def __init__(self, words: list[OcrWord], turn: int = 0) -> None:
        self._words, self.turn, self.sizes = words, turn, []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.sizes.append(image.shape)
        return self._words

    def orientation(self, image, *, dpi):
        return Orientation(self.turn, 9.0)


class FailingEngine(FakeEngine):
    def words(self, image, *, dpi, psm=3, chars=None):
        raise OcrFailed("The OCR engine failed on a page (exit 1): simulated")


def _png(size=(2550, 3300), dpi=300) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def test_given_an_image_when_ocred_then_words_are_in_points_with_confidences():
    engine = FakeEngine([OcrWord("Harbor", 300, 600, 240, 60, 91.0, (1, 1, 1))])
    [page] = ocr_pages(_png(), PNG, max_pages=3, engine=engine)
    assert (page.width, page.height) == (612, 792)
    [word] = page.words
    assert word.text == "Harbor" and word.confidence == 0.91
    assert word.x0 == pytest.approx(72) and word.x1 == pytest.approx(129.6)
    assert word.y0 < 144 < 158.4 <= word.y1  # the box spans the font, not just the ink


def test_given_a_page_lying_on_its_side_when_ocred_then_the_page_is_turned_and_sized_upright():
    engine = FakeEngine([], turn=90)
    [page] = ocr_pages(_png(size=(3300, 2550)), PNG, max_pages=1, engine=engine)
    assert (page.width, page.height) == (612, 792)
    assert engine.sizes == [(3300, 2550)]  # OCR ran on the upright image


def test_given_a_low_resolution_image_when_ocred_then_it_is_read_at_300_dpi_and_placed_in_points():
    engine = FakeEngine([OcrWord("Harbor", 300, 600, 240, 60, 91.0, (1, 1, 1))])
    [page] = ocr_pages(_png(size=(850, 1100), dpi=100), PNG, max_pages=1, engine=engine)
    assert engine.sizes == [(3300, 2550)]
    assert (page.width, page.height) == (612, 792) and page.words[0].x0 == pytest.approx(72)


def test_given_an_engine_that_fails_when_ocred_then_the_error_reaches_the_caller():
    with pytest.raises(OcrFailed, match="simulated"):
        ocr_pages(_png(), PNG, max_pages=1, engine=FailingEngine([]))


def test_given_an_image_when_read_then_it_goes_to_ocr():
    reading = read(_png(), ocr_engine=FakeEngine([OcrWord("Hello", 10, 10, 40, 12, 90.0, (1, 1, 1))]))
    assert reading.method == "ocr"
    assert [w.text for w in reading.pages[0].words] == ["Hello"]


def test_given_an_image_only_pdf_when_read_then_it_goes_to_ocr_and_a_text_pdf_does_not():
    pdf = draw_certificate(random_certificate(random.Random(5)))
    scan = scan_pdf(pdf, Degradation(dpi=100, kind="application/pdf"), random.Random(1))
    assert read(scan, ocr_engine=FakeEngine([])).method == "ocr"
    assert read(pdf, ocr_engine=FailingEngine([])).method == "text_layer"


def test_given_ocr_words_when_serialised_then_confidences_round_trip():
    from pipeline.textlayer import Page

    engine = FakeEngine([OcrWord("Harbor", 300, 600, 240, 60, 91.0, (1, 1, 1))])
    [page] = ocr_pages(_png(), PNG, max_pages=1, engine=engine)
    assert Page.from_dict(page.to_dict()) == page
    assert np.isclose(Page.from_dict(page.to_dict()).words[0].confidence, 0.91)


# --- words that swallowed a check box -------------------------------------------------------------

from pipeline.ocr.checkboxes import CheckBox  # noqa: E402
from pipeline.ocr.pages import _place  # noqa: E402

_BOX = CheckBox(1000, 1000, 1040, 1040, fill=0.3)  # a checked box, 40 px (9.6 pt at 300 dpi)
_PX = 72 / 300


def test_given_a_label_read_with_its_check_box_when_placed_then_the_label_starts_right_of_the_box():
    swallowed = OcrWord("XEXCESS", 1008, 1005, 150, 30, 88.0, (1, 1, 1))  # the X in the box read as a letter
    words, marks = _place([swallowed], [_BOX], _PX)
    [label] = words
    assert label.text == "EXCESS"
    assert label.x0 >= _BOX.x1 * _PX - 0.01 and label.x1 == pytest.approx(1158 * _PX)
    assert [m.kind for m in marks] == ["cross"] and marks[0].cx < label.x0  # the box left of its label


def test_given_a_label_whose_box_reaches_into_the_check_box_when_placed_then_its_letters_stay():
    reaching = OcrWord("OCCUR", 1030, 1008, 100, 25, 91.0, (1, 1, 1))
    [label], _ = _place([reaching], [_BOX], _PX)
    assert label.text == "OCCUR" and label.x0 == pytest.approx(1040 * _PX)


def test_given_two_labels_run_together_across_a_box_when_placed_then_they_are_split_at_the_box():
    run = OcrWord("MADE|XOCCUR", 880, 1008, 280, 25, 85.0, (1, 1, 1))  # "MADE" 880-1000, box, "OCCUR" 1040-1160
    words, _ = _place([run], [_BOX], _PX)
    assert [w.text for w in words] == ["MADE", "OCCUR"]
    assert words[0].x1 <= _BOX.x0 * _PX + 0.01 and words[1].x0 >= _BOX.x1 * _PX - 0.01


def test_given_a_word_beside_a_box_when_placed_then_it_is_untouched():
    beside = OcrWord("EXCESS", 1050, 1005, 150, 30, 90.0, (1, 1, 1))
    [label], _ = _place([beside], [_BOX], _PX)
    assert label.text == "EXCESS" and label.x0 == pytest.approx(1050 * _PX)


def test_given_a_capital_i_read_as_a_bang_then_it_is_an_i_again():
    from pipeline.ocr.pages import _tidy

    assert _tidy("!nsurance") == "Insurance" and _tidy("Century!nsurance") == "CenturyInsurance"
    assert _tidy("Heritage") == "Heritage" and _tidy("Now!") == "Now!" and _tidy("!") == "!"


def _tiff(frames: int, size=(2550, 3300), dpi=300) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("L", size, 255) for _ in range(frames)]
    images[0].save(buffer, "TIFF", dpi=(dpi, dpi), save_all=True, append_images=images[1:])
    return buffer.getvalue()


class _Watched:
    """Every page drawn (``raster._image_page`` wrapped), and a weak reference to its pixels as drawn."""

    def __init__(self, monkeypatch) -> None:
        from pipeline.ocr import raster

        self.drawn: list[weakref.ref] = []
        draw = raster._image_page

        def watched(*args, **kwargs):
            page = draw(*args, **kwargs)
            self.drawn.append(weakref.ref(page.image))
            return page

        monkeypatch.setattr(raster, "_image_page", watched)

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.drawn)


class _Watching(FakeEngine):
    """Notes, each time it reads a page's words, how many pages had been drawn and how many drawn ones are alive."""

    def __init__(self, watched: _Watched) -> None:
        super().__init__([])
        self.watched, self.seen = watched, []

    def words(self, image, *, dpi, psm=3, chars=None):
        gc.collect()
        self.seen.append((len(self.watched.drawn), self.watched.alive()))
        return super().words(image, dpi=dpi, psm=psm, chars=chars)


def test_given_a_file_of_several_pages_when_ocred_then_each_page_is_drawn_when_the_one_before_is_read(monkeypatch):
    watched = _Watched(monkeypatch)
    engine = _Watching(watched)
    pages = ocr_pages(_tiff(3), TIFF, max_pages=3, engine=engine)
    assert [p.number for p in pages] == [1, 2, 3]
    assert [drawn for drawn, _ in engine.seen] == [1, 2, 3]  # page 2 not drawn before page 1 was read


def test_given_a_page_when_ocred_then_its_pixels_as_drawn_are_let_go_before_tesseract_reads(monkeypatch):
    watched = _Watched(monkeypatch)
    engine = _Watching(watched)
    ocr_pages(_tiff(2), TIFF, max_pages=2, engine=engine)
    assert [alive for _, alive in engine.seen] == [0, 0]  # only the levelled page's own images are held


class _Counting(FakeEngine):
    """Notes, each time it reads words, how many page-sized blocks numpy holds (tracemalloc's numpy domain)."""

    def __init__(self, pixels: int) -> None:
        super().__init__([])
        self.pixels, self.held = pixels, []

    def words(self, image, *, dpi, psm=3, chars=None):
        import tracemalloc

        numpy_domain = tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)
        traces = tracemalloc.take_snapshot().filter_traces([numpy_domain]).traces
        self.held.append(sum(t.size >= self.pixels for t in traces))
        return super().words(image, dpi=dpi, psm=psm, chars=chars)


def test_given_a_page_when_tesseract_reads_it_then_no_other_page_sized_image_is_held():
    # the ink and its straight runs, looked at only in places from then on, are held as bits (an eighth of the bytes)
    import tracemalloc

    engine = _Counting(2550 * 3300)
    tracemalloc.start()
    try:
        ocr_pages(_png(), PNG, max_pages=1, engine=engine)
    finally:
        tracemalloc.stop()
    assert engine.held == [1]  # the image read
