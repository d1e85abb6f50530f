"""A form label printed inside a value box taken out of the box's image before the box is read again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
import reportlab
from PIL import Image, ImageDraw, ImageFont

from pipeline.acord25.cells import BLOCK, Cell
from pipeline.acord25.layout import Box
from pipeline.acord25.template import BlockFit, Registration, Transform, editions, load
from pipeline.ocr.engine import OcrWord
from pipeline.ocr.labelink import FONTS, Label, erase_labels, inside, printed_in
from pipeline.ocr.pages import _word
from pipeline.ocr.zones import reread_cells
from pipeline.textlayer import Page, Word

DPI = 300
SCALE = 72 / DPI  # points per pixel
LABEL_AT = (40, 30)  # pixels: where the made-up label's print starts


def _label_image(text: str = "INSURED", *, stroke: bool = True, blur_pt: float = 0.0) -> tuple[np.ndarray, Label]:
    """A page with ``text`` printed as a form label in bold, and (``stroke``) a value's upright stroke
    printed across it, the print blurred by ``blur_pt`` (a Gaussian's sigma, points) as a scan or a photo blurs it;
    the label's registered box fits its print."""
    face = ImageFont.truetype(str(Path(reportlab.__file__).with_name("fonts") / FONTS[1]), 26)
    image = Image.new("L", (400, 120), 255)
    draw = ImageDraw.Draw(image)
    draw.text(LABEL_AT, text, font=face, fill=0)
    x0, y0, x1, y1 = draw.textbbox(LABEL_AT, text, font=face)
    if stroke:  # the value's upright strokes, taller than the label, printed across it
        for dx in (30, 70, 110):
            draw.rectangle((x0 + dx, 20, x0 + dx + 4, 90), fill=0)
    pixels = np.array(image)
    if blur_pt:
        pixels = cv2.GaussianBlur(pixels, (0, 0), blur_pt / SCALE)
    return pixels, Label(text, x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE)


def test_given_a_label_printed_under_a_value_then_its_print_is_painted_out_and_the_value_stays():
    image, label = _label_image()
    out, found = erase_labels(image, [label], scale=SCALE)
    x0, y0, x1, y1 = (int(v / SCALE) for v in (label.x0, label.y0, label.x1, label.y1))
    away = out[y0:y1 + 1, x0 + 45:x0 + 65]  # the label's print between two of the value's strokes
    assert found == [label]
    assert (image[y0:y1 + 1, x0 + 45:x0 + 65] < 128).sum() > 50  # print was there
    assert (away < 128).sum() == 0
    assert (out[20:91, x0 + 31:x0 + 34] < 128).any(axis=1).all()  # the stroke runs on through the label


def test_given_a_blurred_label_under_a_value_then_its_blurred_edge_becomes_paper_too():
    """A photo's print is blurred: the label's edge fades into grey around its glyphs. That grey is the label's (its
    drawn glyphs blurred as much explain it) and becomes paper; filled from around, it left a grey ghost of the
    label that OCR read with the value's first word."""
    image, label = _label_image(blur_pt=0.5)
    out, found = erase_labels(image, [label], scale=SCALE)
    x0, y0, x1, y1 = (int(v / SCALE) for v in (label.x0, label.y0, label.x1, label.y1))
    assert found == [label]
    assert (image[y0:y1 + 1, x0 + 45:x0 + 65] < 128).sum() > 50  # print was there
    assert out[y0:y1 + 1, x0 + 45:x0 + 65].min() >= 200  # paper, no ghost (it was 157 at the darkest)
    assert (out[24:87, x0 + 31:x0 + 34] < 128).any(axis=1).all()  # the value's stroke runs on through the label


def test_given_a_thin_upright_stroke_crossing_a_blurred_labels_bar_then_it_runs_on_as_dark_through_it():
    """A value's thin upright stroke (an ascender) printed across a bold label's bar, both blurred as a photo blurs
    them: the label's hidden core there is the value's ink (the stroke goes in above the bar and comes out below it),
    and is given the stroke's grey, not filled from the paper around (the fill alone left it grey, 179 at the
    lightest, which a reading takes for a gap: 'l' read 'i')."""
    face = ImageFont.truetype(str(Path(reportlab.__file__).with_name("fonts") / FONTS[1]), 60)
    drawing = Image.new("L", (400, 160), 255)
    draw = ImageDraw.Draw(drawing)
    draw.text(LABEL_AT, "TEE", font=face, fill=0)
    x0, y0, x1, y1 = draw.textbbox(LABEL_AT, "TEE", font=face)
    stroke = slice(x0 + 6, x0 + 9)  # under the left arm of the T's bar, clear of its stem
    draw.rectangle((stroke.start, 20, stroke.stop - 1, 100), fill=0)
    image = cv2.GaussianBlur(np.array(drawing), (0, 0), 0.5 / SCALE)
    label = Label("TEE", x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE, typed_over=True)
    out, found = erase_labels(image, [label], scale=SCALE)
    assert found == [label]
    away = int(image[92:98, stroke].min())  # the stroke's own grey below the label
    assert int(out[y0:y1, stroke].min(axis=1).max()) <= away + 10
    assert (image[y0 + 1:y0 + 6, x0 + 23:x0 + 31] < 128).all()  # the T's bar, right of its stem, away from the stroke
    assert out[y0:y0 + 7, x0 + 23:x0 + 31].min() >= 200  # is taken out: paper


def test_given_a_label_standing_alone_then_it_is_left_as_printed():
    """Nothing is printed over it: there is nothing to set apart, and the box's image is read as it is."""
    image, label = _label_image(stroke=False)
    out, found = erase_labels(image, [label], scale=SCALE)
    assert found == [] and out is image


THIN_STROKE_PX = 2  # a value's thin stroke (0.5 pt at 300 dpi) crossing the label: little ink beside its glyphs
THIN_STROKE_AT = 60  # pixels from the label's left where it crosses (between two of its letters' strokes)


def test_given_little_value_ink_over_a_label_then_it_is_taken_out_only_where_the_form_types_over_it():
    """A thin stroke of a value across the label leaves less ink beside its glyphs than a label standing alone
    may show on a scan (``OVERPRINT_SHARE``). Where the template says a field's typed rectangle holds the label,
    a value filled in is printed over it, and that little ink is enough (``TYPED_OVER_SHARE``)."""
    image, label = _label_image(stroke=False)
    x0 = int(label.x0 / SCALE) + THIN_STROKE_AT
    image[20:91, x0:x0 + THIN_STROKE_PX] = 0
    out, found = erase_labels(image, [label], scale=SCALE)
    assert found == [] and out is image
    typed = dataclasses.replace(label, typed_over=True)
    out, found = erase_labels(image, [typed], scale=SCALE)
    assert found == [typed] and out is not image


@pytest.mark.parametrize("edition", editions())
def test_a_party_label_is_typed_over_where_its_fields_rectangle_holds_it(edition):
    """2001/08's one field for the whole party block starts on its label's line; the other editions' line fields
    start under the label (the template's ``typed_top``: its block's box is grown up to the label only to read)."""
    template = load(edition)
    registration = Registration(template, {}, BlockFit(Transform(1.0, 0.0, 1.0, 0.0), 0.0, 0, False))
    party = {lb.text: lb.typed_over for lb in printed_in(registration) if lb.text in ("PRODUCER", "INSURED")
             and any(f.key == lb.text.lower() and f.box[1] - 1 <= lb.y0 <= f.box[3] for f in template.fields)}
    assert set(party) == {"PRODUCER", "INSURED"}
    assert set(party.values()) == {edition == "2001/08"}


def test_given_a_box_without_the_label_then_nothing_is_painted():
    image, label = _label_image("INSURED")
    elsewhere = Label("PRODUCER", label.x0, label.y0, label.x1 + 8, label.y1)
    blank = np.full_like(image, 255)
    out, found = erase_labels(blank, [label], scale=SCALE)
    assert found == [] and out is blank
    out, found = erase_labels(image[:, :30], [elsewhere], scale=SCALE)  # too narrow a cut to hold it
    assert found == []


@pytest.mark.parametrize("edition", editions())
def test_every_editions_party_blocks_hold_their_printed_labels_at_the_registered_place(edition):
    template = load(edition)
    shift = Transform(1.0, 5.0, 1.0, -3.0)
    registration = Registration(template, {}, BlockFit(shift, 0.0, 0, False))
    printed = printed_in(registration)
    for f in template.fields:
        if f.key in ("producer", "insured"):
            x0, y0, x1, y1 = shift.box(f.box)
            labels = inside(printed, Box(x0, y0, x1, y1))
            assert f.key.upper() in [lb.text for lb in labels]
            assert all(x0 <= (lb.x0 + lb.x1) / 2 <= x1 for lb in labels)


class _ReadsBlock:
    """Reads a block's strip as the given words, placed from the strip's first ink."""

    def __init__(self, words: list[tuple[str, int, int, int, int, float]]) -> None:
        self.given, self.seen = words, []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.seen.append(image)
        rows = np.nonzero((image < 200).any(axis=1))[0]
        cols = np.nonzero((image < 200).any(axis=0))[0]
        return [OcrWord(t, int(cols[0]) + dx, int(rows[0]) + dy, w, h, c, (1, 1, 1))
                for t, dx, dy, w, h, c in self.given]


def test_given_a_value_printed_over_a_label_then_the_label_is_read_out_of_the_block():
    image, label = _label_image()
    garbled = Word("INSKRE", label.x0, label.y0, label.x1, label.y1 + 2, confidence=0.1)
    page = Page(1, 400 * SCALE, 120 * SCALE, (garbled,))
    # the block read alone: the value's word over the label's box, a speck of the label left inside its box
    engine = _ReadsBlock([("Maple", 0, 5, 60, 20, 90.0), ("Group", 70, 5, 60, 20, 90.0)])
    cell = Cell(Box(10 * SCALE, 10 * SCALE, 390 * SCALE, 110 * SCALE), BLOCK)
    out = reread_cells(page, image, [cell], engine, dpi=DPI, place=lambda w: _word(w, SCALE), printed=(label,))
    assert [w.text for w in out.words] == ["Maple", "Group"]
    strip = engine.seen[0]
    assert (strip < 128).sum() < (image < 128).sum() - 100  # the label's print is not in what was read


def test_given_a_word_read_wholly_inside_a_painted_label_then_it_is_left_out():
    from pipeline.ocr import zones

    label = Label("INSURED", 10.0, 10.0, 40.0, 18.0)
    cut = zones._Cut(Cell(Box(5.0, 5.0, 200.0, 60.0), BLOCK), 0, 0, 0)
    page_words = [Word("Roofing", 12.0, 25.0, 50.0, 35.0, confidence=0.95)]
    # what is left of the label's print, read surely on a row of its own, and the value's line
    got = [OcrWord("SURED", 0, 0, 1, 1, 97.0, (1, 1, 1)), OcrWord("Roofing", 0, 0, 1, 1, 95.0, (1, 1, 2))]
    placed = {"SURED": Word("SURED", 20.0, 11.0, 39.0, 17.0, confidence=0.97), "Roofing": page_words[0]}
    out = zones._block(page_words, cut, got, lambda w: placed[w.text], [label])
    assert [w.text for w in out] == ["Roofing"]


def test_given_a_name_word_read_wholly_inside_a_label_it_is_typed_over_then_it_is_kept():
    """Given a party label a value is typed over whenever its field is filled (2001/08's INSURED), when the block's
    own reading has a word in a word's own case wholly inside the label's box (a first word as short as the label,
    'Harbor'), then it is the name's word and is kept; what is left of the label, read in capitals, is still left out,
    and so is the same word inside a label standing alone in the block."""
    from pipeline.ocr import zones

    cut = zones._Cut(Cell(Box(5.0, 5.0, 200.0, 60.0), BLOCK), 0, 0, 0)
    page_words = [Word("Roofing", 42.0, 11.0, 80.0, 19.0, confidence=0.95)]
    placed = {"Harbor": Word("Harbor", 11.0, 11.0, 39.0, 19.0, confidence=0.9),
              "SURED": Word("SURED", 20.0, 11.0, 39.0, 17.0, confidence=0.97), "Roofing": page_words[0]}

    def block(text: str, typed_over: bool) -> list[str]:
        label = Label("INSURED", 10.0, 10.0, 40.0, 18.0, typed_over=typed_over)
        got = [OcrWord(text, 0, 0, 1, 1, 90.0, (1, 1, 1)), OcrWord("Roofing", 0, 0, 1, 1, 95.0, (1, 1, 1))]
        return [w.text for w in zones._block(page_words, cut, got, lambda w: placed[w.text], [label])]

    assert block("Harbor", typed_over=True) == ["Harbor", "Roofing"]
    assert block("SURED", typed_over=True) == ["Roofing"]
    assert block("Harbor", typed_over=False) == ["Roofing"]


def _on_insured_label(text: str, confidence: float, edition: str = "2001/08") -> set[int]:
    from pipeline.acord25.template import _covered_by_print

    template = load(edition)
    registration = Registration(template, {}, BlockFit(Transform(), 0.0, 0, False))
    label = next(p for p in template.printed if p[0] == "INSURED")
    word = Word(text, label[1] + 1.0, label[2], label[3] + 1.0, label[4] + 1.0, confidence=confidence)
    return _covered_by_print([word], template, registration)


def test_given_a_value_word_read_over_a_label_in_capitals_then_it_is_no_print_of_the_label():
    assert _on_insured_label("Maple", 0.84) == set()


def test_given_a_capitals_misreading_or_a_doubtful_word_over_a_label_then_it_is_the_labels_print():
    assert _on_insured_label("INSKRE", 0.84) == {0}
    assert _on_insured_label("INSKRE", 0.3) == {0}
    assert _on_insured_label("Maple", 0.3, "2016/03") == {0}  # a label the name is typed under, not over


def test_given_a_doubtful_word_over_a_party_label_its_name_is_typed_over_then_it_is_the_names_not_print():
    """Given the 2001/08 INSURED label, in the insured field's typed rectangle (the name's first line is typed over
    it), when a word in a word's own case lies on it read doubtfully (the label's ink hid part of its letters),
    then it is the name's word, not the label's print (over 2016/03's INSURED label, typed under, it stays print: the
    test above)."""
    assert _on_insured_label("Maple", 0.3) == set()
    assert _on_insured_label("Rcustexse", 0.0) == set()


@pytest.mark.parametrize("edition", editions())
def test_the_party_labels_typed_over_are_the_2001_08_producer_and_insured_labels_alone(edition):
    from pipeline.acord25.template import typed_over_print

    template = load(edition)
    over = [template.printed[i][0] for i, typed in enumerate(typed_over_print(edition)) if typed]
    assert over == (["PRODUCER", "INSURED"] if edition == "2001/08" else [])


def test_given_a_sign_not_printed_where_the_form_has_it_then_a_value_under_its_place_is_not_taken_out_alone():
    """The form's "$" registered over an amount's first digit, but not printed (a form drawn without it): the digit
    is no label's print, though it matches the drawn "$" loosely, and taken out "alone" it would leave the value
    a digit short."""
    face = ImageFont.truetype(str(Path(reportlab.__file__).with_name("fonts") / FONTS[0]), 34)
    image = Image.new("L", (400, 120), 255)
    draw = ImageDraw.Draw(image)
    draw.text(LABEL_AT, "5,000,000", font=face, fill=0)
    x0, y0, x1, y1 = draw.textbbox(LABEL_AT, "5", font=face)
    sign = Label("$", x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE)
    pixels = cv2.GaussianBlur(np.array(image), (0, 0), 0.7)

    out, found = erase_labels(pixels, [sign], scale=SCALE, alone=True)

    assert found == [] and np.array_equal(out, pixels)


def _core(bar_top: int) -> tuple[np.ndarray, np.ndarray]:
    """A label's hidden core: a bar 5 pixels thick (rows ``bar_top`` on) and, apart from it, a stroke 5 pixels wide and
    8 high (rows 30-37: longer than the bar is thick, so a column's run through it lies along the label's stroke);
    and a page all paper."""
    hidden = np.zeros((60, 80), dtype=bool)
    hidden[bar_top:bar_top + 5, 5:75] = True
    hidden[30:38, 40:45] = True
    return hidden, np.full(hidden.shape, 255, dtype=np.uint8)


def test_given_a_value_stroke_crossing_a_labels_bar_then_it_runs_on_but_not_along_a_stroke_nor_from_one_side():
    """A column of the core with the value's ink just above and just below it, no farther apart than the label's
    thickest stroke is wide, is a value's stroke crossing the label's: it runs on through. A longer run lies along a
    stroke of the label (a value's stem beside the label's stem) and is left to the fill; ink on one side only (a
    stroke ending on the label) is not carried through."""
    from pipeline.ocr.labelink import _crossed

    hidden, image = _core(20)
    image[19, 10:13] = image[25, 10:13] = 0  # a value's stroke in above the bar and out below it
    image[29, 40:43] = image[38, 40:43] = 0  # ink above and below the label's 8-pixel stroke
    image[19, 60:63] = 0  # a stroke ending on the bar: ink above it, paper below
    crossed = _crossed(hidden, image)
    assert (crossed[20:25, 10:13] > 0).all() and (crossed[20:25, 10:13] < 128).all()
    assert not crossed[30:38, 40:45].any()
    assert not crossed[20:25, 60:63].any()


def test_given_a_labels_core_touching_the_crops_edge_then_its_stroke_width_is_measured_as_anywhere():
    """The label's thickest stroke is measured on its core framed by paper: a bar along the crop's top edge is as
    thick as the same bar inside it (OpenCV's distance transform takes the image's edge for no edge: 9.6 pixels
    across for a 5-pixel bar there), so a run along the label's 8-pixel stroke is not taken for a crossing either."""
    from pipeline.ocr.labelink import _crossed

    for bar_top in (0, 10):
        hidden, image = _core(bar_top)
        image[29, 40:45] = image[38, 40:45] = 0
        assert not _crossed(hidden, image)[30:38, 40:45].any(), bar_top
