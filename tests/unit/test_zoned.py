"""The OCR stage's cheap path: a page registered by its ruled lines and read by its value boxes only."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.acord25.template import Transform, load, register_rules
from pipeline.filetypes import PNG
from pipeline.ocr import OcrWord, Orientation, ocr_pages, zoned

DPI = 300
PT = DPI / 72.0


def _moved(rules, t: Transform):
    return [t.box(r) for r in rules]


def test_given_the_forms_rules_scaled_and_shifted_when_registered_by_rules_then_the_fit_is_found_block_by_block():
    template = load("2016/03")
    truth = Transform(0.9, 12.0, 0.92, -8.0)
    registration = register_rules(_moved(template.rules, truth), template, Transform(0.9, 11.0, 0.92, -7.0))
    assert registration is not None
    for name, fit in registration.blocks.items():
        assert fit.transform.point(300, 400) == pytest.approx(truth.point(300, 400), abs=0.2), name
    assert registration.blocks["coverages"].own and registration.blocks["producer"].own
    assert not registration.blocks["footer"].own  # no rules of its own: the page-wide fit


def test_given_one_editions_rules_when_the_template_is_chosen_by_the_rules_then_that_edition_is_chosen():
    for edition in ("2016/03", "2001/08"):
        page_rules = _moved(load(edition).rules, Transform(0.95, 5.0, 0.95, 10.0))
        candidates = zoned.register(page_rules)
        assert candidates and candidates[0].template.edition == edition


def test_given_rules_of_no_form_when_registered_then_there_is_no_registration():
    assert zoned.register([(10.0, 10.0 + 30 * i, 500.0, 10.5 + 30 * i) for i in range(20)]) == []
    assert zoned.register([]) == []


def test_given_a_registered_page_when_zoned_then_value_boxes_the_title_and_the_footer_are_read_and_the_notice_is_not():
    template = load("2016/03")
    registration = register_rules(list(template.rules), template, Transform())
    zones = zoned.zones(registration)
    title = next(box for _, box in zoned.identifying_labels("2016/03") if box[1] < 50)

    def inside(box):
        return any(z[0] <= box[0] and z[1] <= box[1] and box[2] <= z[2] and box[3] <= z[3] for z in zones)

    footer = [w[1:] for w in template.printed if w[2] > 740]  # what tells print from a signature's ink below it
    assert inside(title) and footer and all(inside(box) for box in footer)
    assert all(inside(f.box) for f in template.fields if f.kind not in zoned.NOT_READ)
    notice = [w[1:] for w in template.printed if 45 <= w[2] <= 90]  # the header's notice: print, not values
    assert notice and not any(inside(box) for box in notice)


class StripEngine:
    """Reads one word over each run of ink rows of the image it is given (a stand-in for tesseract)."""

    def __init__(self) -> None:
        self.images = []

    def words(self, image, *, dpi, psm=3, chars=None):
        self.images.append(image)
        rows = np.flatnonzero((image < 128).any(axis=1))
        out, start = [], None
        for i, r in enumerate(rows):
            if start is None:
                start = r
            if i + 1 == len(rows) or rows[i + 1] != r + 1:
                cols = np.flatnonzero((image[start:r + 1] < 128).any(axis=0))
                out.append(OcrWord(f"w{len(out)}", int(cols[0]), int(start), int(cols[-1] - cols[0] + 1),
                                   int(r + 1 - start), 90.0, (1, 1, len(out))))
                start = None
        return out

    def orientation(self, image, *, dpi):
        return Orientation(0, 9.0)


def test_given_print_in_and_out_of_zones_when_read_then_one_call_sees_only_the_zones_print_where_it_lies():
    image = np.full((3300, 2550), 255, dtype=np.uint8)
    image[400:440, 300:600] = 0  # print in the first zone
    image[2000:2050, 1500:1700] = 0  # and in the second
    image[1000:1040, 300:600] = 0  # a label's print, in no zone
    engine = StripEngine()
    scale = 72.0 / DPI
    boxes = [(60.0, 90.0, 160.0, 110.0), (350.0, 470.0, 420.0, 500.0), (10.0, 700.0, 50.0, 720.0)]  # the last is blank
    words = zoned.read_zones(image, boxes, engine, dpi=DPI, scale=scale)
    assert len(engine.images) == 1
    assert sorted((w.left, w.top, w.width, w.height) for w in words) == [(300, 400, 300, 40), (1500, 2000, 200, 50)]


def _ruled_png(edition: str) -> bytes:
    image = np.full((3300, 2550), 255, dtype=np.uint8)
    for x0, y0, x1, y1 in load(edition).rules:
        cv2.rectangle(image, (int(x0 * PT), int(y0 * PT)), (int(x1 * PT), int(y1 * PT)), 0, thickness=3)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def test_given_the_switch_on_and_a_ruled_form_whose_zones_read_no_form_when_ocred_then_the_whole_page_is_read(monkeypatch):
    monkeypatch.setenv(zoned.SWITCH, "1")
    template = load("2016/03")  # the page drawn at the form's own scale: its template's rules register it
    monkeypatch.setattr(zoned, "register", lambda rules: [register_rules(list(template.rules), template, Transform())])
    engine = StripEngine()
    before = zoned.counts()
    ocr_pages(_ruled_png("2016/03"), PNG, max_pages=1, engine=engine)
    after = zoned.counts()
    assert after["tried"] == before["tried"] + 1 and after["read"] == before["read"]  # tried, fell back
    assert len(engine.images) == 2  # the zones first, then the whole page
    assert (engine.images[0] < 128).sum() < (engine.images[1] < 128).sum()


def test_given_the_switch_off_when_ocred_then_the_whole_page_is_read_once(monkeypatch):
    monkeypatch.setenv(zoned.SWITCH, "0")
    engine = StripEngine()
    before = zoned.counts()
    ocr_pages(_ruled_png("2016/03"), PNG, max_pages=1, engine=engine)
    assert zoned.counts() == before
    assert [im.shape for im in engine.images] == [(3300, 2550)]


def test_the_cheap_path_is_on_unless_the_switch_says_off(monkeypatch):
    monkeypatch.delenv(zoned.SWITCH, raising=False)
    assert zoned.enabled()
    for off in ("0", "off", "False", " no "):
        monkeypatch.setenv(zoned.SWITCH, off)
        assert not zoned.enabled()
    monkeypatch.setenv(zoned.SWITCH, "1")
    assert zoned.enabled()


def _strips_of(edition: str):
    template = load(edition)
    registration = register_rules(list(template.rules), template, Transform())
    return template, registration, zoned.overrun(registration)


def test_given_a_text_box_in_a_narrow_cell_when_zoned_then_its_print_is_read_past_its_side_up_to_the_next_print():
    """Given the 2016/03 form's automobile "other" description (a text box closed by a check box's column), when
    the page is zoned, then a strip right of its box is read, past its pad, over the cell's closing rule (read as
    paper there) and short of the next rule on its row."""
    template, registration, (strips, rules) = _strips_of("2016/03")
    box = next(f.box for f in template.fields if f.key == "automobile_liability/description")
    on_row = [s for s in strips if s[0] == pytest.approx(box[2]) and s[1] == pytest.approx(box[1])]
    assert on_row
    strip = on_row[0]
    assert strip[2] > box[2] + zoned.ZONE_PAD_PT + registration.fit("coverages").residual
    ahead = [r for r in template.rules
             if r[0] > box[2] and r[2] - r[0] < r[3] - r[1] and r[1] < box[3] and r[3] > box[1]]
    crossed, following = sorted(ahead)[:2]
    assert strip[2] < following[0]  # short of the next printed thing
    tol = 0.5  # points: the rules' own fit of the unmoved form
    assert any(p[0] <= crossed[0] and crossed[2] <= p[2] and abs(p[1] - box[1]) <= tol and abs(p[3] - box[3]) <= tol
               for p in rules)


def test_given_every_edition_when_zoned_then_the_overrun_strips_are_of_text_values_and_hold_no_printed_label():
    """Given each edition's template, when its overrun strips are taken, then each starts at the right side of a
    field of a kind that overruns and no printed word of the form lies in one (a label is never read as a value)."""
    from pipeline.acord25.reader import OVERRUN_KINDS

    for edition in ("2016/03", "2001/08", "2025/12", "2010/05"):
        template, _, (strips, _) = _strips_of(edition)
        sides = {(f.box[2], f.box[1]) for f in template.fields if f.kind in OVERRUN_KINDS}
        for x0, y0, x1, y1 in strips:
            assert any((x0, y0) == pytest.approx(side) for side in sides), edition
            assert not any(x0 < w[3] and w[1] < x1 and y0 < w[4] and w[2] < y1 for w in template.printed), edition


def test_given_a_rule_across_a_words_print_when_read_with_it_as_paper_then_the_rule_goes_and_the_letters_stay():
    """Given a zone holding print (strokes shorter than the zone) crossed by a rule running its whole height, when
    read with the rule's box as paper, then the rule's columns are painted as paper and the print beside them is
    read as before."""
    image = np.full((400, 600), 255, dtype=np.uint8)
    image[150:190, 100:300] = 0  # a word's print, shorter than the zone
    image[100:300, 320:323] = 0  # a cell's rule across the zone's whole height
    scale = 72.0 / DPI
    zone = (100 * scale, 100 * scale, 400 * scale, 300 * scale)
    engine = StripEngine()
    words = zoned.read_zones(image, [zone], engine, dpi=DPI, scale=scale,
                             paper=[(300 * scale, 100 * scale, 340 * scale, 300 * scale)])
    assert (engine.images[0][100:300, 320:323] == 255).all()
    assert (engine.images[0][150:190, 100:300] == 0).all()
    assert [(w.left, w.width) for w in words] == [(100, 200)]
    unpainted = StripEngine()
    zoned.read_zones(image, [zone], unpainted, dpi=DPI, scale=scale)
    assert (unpainted.images[0][100:300, 320:323] == 0).all()  # without it, the rule is read with the word


def test_given_a_party_block_when_zoned_then_no_overrun_strip_is_read_beside_it():
    """Given the 2016/03 form, when its overrun strips are taken, then none starts at a party block's right side
    (its closing rule is the column divider over the whole block: it stays)."""
    template, _, (strips, rules) = _strips_of("2016/03")
    parties = [f.box for f in template.fields if f.kind in zoned.WHOLE_BLOCKS]
    assert parties
    for box in parties:
        assert not any(s[0] == pytest.approx(box[2], abs=0.5) and s[1] < box[3] and box[1] < s[3] for s in strips)


def test_given_a_text_box_beside_a_read_value_or_in_an_open_row_when_zoned_then_it_has_no_overrun_strip():
    """Given the 2016/03 form, when its overrun strips are taken, then an insurer's name (its cell's rule, then the
    NAIC number's box, read as a value) and the certificate number (no rule closing its box) have none."""
    template, _, (strips, _) = _strips_of("2016/03")
    keys = ("insurers/A/name", "certificate_number")
    boxes = [f.box for f in template.fields if f.key in keys]
    assert len(boxes) == len(keys)
    for box in boxes:
        assert not any(s[0] == pytest.approx(box[2], abs=0.5) and s[1] < box[3] and box[1] < s[3] for s in strips)
