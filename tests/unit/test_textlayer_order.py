"""The text layer's drawing order (Word.drawn) and its word building across kerned and letter-spaced text."""

from __future__ import annotations

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.acord25.reader import _uncovered
from pipeline.textlayer import Page, Word, read_text_layer
from tests.pdfs import drawn_pdf

H = letter[1]


def _covered_value(canvas: Canvas, stale: str, value: str, stale_x: float, value_x: float) -> None:
    """An agency system's correction: the old value, a white box over it, the new value on the box."""
    canvas.setFont("Helvetica", 10)
    canvas.drawString(stale_x, H - 100, stale)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(60, H - 106, 200, 16, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(value_x, H - 100, value)


def test_given_an_old_value_under_a_white_box_starting_right_of_the_new_one_then_the_new_one_is_drawn_later():
    """pdfium sorts one line's text objects left to right, so its character index puts the old value, which
    starts further right, after the new one; the drawing order is the content's."""
    pdf = drawn_pdf(lambda c: _covered_value(c, "AUTO05118283", "AUTO32450299", 72.5, 72))
    words = {w.text: w for w in read_text_layer(pdf)[0].words}
    assert words["AUTO05118283"].drawn < words["AUTO32450299"].drawn


def test_given_an_old_value_under_a_new_one_when_the_reader_takes_the_uncovered_words_then_the_new_one_is_kept():
    for stale_x, value_x in ((72.5, 72), (72, 72.5)):  # whichever starts further left
        pdf = drawn_pdf(lambda c: _covered_value(c, "GL-35533690", "GL-96582761", stale_x, value_x))
        kept, covering, _ = _uncovered(list(read_text_layer(pdf)[0].words))
        assert [w.text for w in kept] == ["GL-96582761"]
        assert [id(w) for w in kept] == list(covering)  # its value is doubted: it lay over another


def test_given_a_stored_reading_without_drawing_order_then_it_loads_and_overlaps_fall_back_on_word_order():
    old = {"number": 1, "width": 612, "height": 792, "marks": [],
           "words": [{"text": "GL-35533690", "x0": 72, "y0": 90, "x1": 120, "y1": 100},
                     {"text": "GL-96582761", "x0": 72.5, "y0": 90, "x1": 120.5, "y1": 100}]}
    page = Page.from_dict(old)
    assert [w.drawn for w in page.words] == [None, None]
    assert [w.text for w in _uncovered(list(page.words))[0]] == ["GL-96582761"]  # the later in the list
    drawn = [Word("B", 72, 90, 120, 100, drawn=7), Word("A", 72.5, 90, 120.5, 100, drawn=3)]
    assert Page.from_dict(Page(1, 612, 792, tuple(drawn)).to_dict()).words == tuple(drawn)
    assert [w.text for w in _uncovered(drawn)[0]] == ["B"]  # the later drawn, not the later in the list


def test_given_letter_spaced_text_in_one_text_object_then_it_is_one_word():
    """A form's appearance or a printer that spaces glyphs out (Tc) leaves gaps wider than a third of the line's
    height inside a word; pdfium generated no space there, and there is none in the text."""
    def draw(c: Canvas) -> None:
        text = c.beginText(72, H - 100)
        text.setFont("Helvetica", 10)
        text.setCharSpace(3.5)
        text.textOut("Evidence of coverage")
        c.drawText(text)
    assert [w.text for w in read_text_layer(drawn_pdf(draw))[0].words] == ["Evidence", "of", "coverage"]


def test_given_stretched_text_set_glyph_by_glyph_then_kerning_joins_and_a_space_wide_gap_splits():
    """Text drawn stretched across the line (a reprint's matrix) and placed glyph by glyph, each its own text
    object: a gap is judged against the em across the line, not the glyphs' height."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def draw(c: Canvas) -> None:
        c.saveState()
        c.translate(72, H - 100)
        c.scale(2.5, 1)  # 10 pt type, 25 pt across
        x = 0.0
        for word in ("Evidence", "of"):
            for ch in word:
                c.setFont("Helvetica", 10)
                c.drawString(x, 0, ch)
                x += stringWidth(ch, "Helvetica", 10) + 0.6  # 0.06 em of tracking (1.5 pt across the page)
            x += 3.5  # 0.35 em: a space's width, with no space drawn
        c.restoreState()
    assert [w.text for w in read_text_layer(drawn_pdf(draw))[0].words] == ["Evidence", "of"]
