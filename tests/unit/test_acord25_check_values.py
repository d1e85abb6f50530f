"""A check box's value from what the OCR stage saw in it: marks first, an OCR'd 'X' only where no box was
seen or measured; and which cells the OCR stage measures itself (pure: the 2016/03 template, no image)."""

from pipeline.acord25.cells import unseen_checks
from pipeline.acord25.fieldkinds import is_checked
from pipeline.acord25.template import load, register
from pipeline.textlayer import Mark, Page, Word


def _x(box) -> Word:
    x0, y0, x1, y1 = box
    return Word("X", x0 + 3, y0 + 2, x1 - 3, y1 - 2, confidence=0.6)


def _mark(kind: str, box) -> Mark:
    return Mark(kind, *box, confidence=0.9)


def test_given_a_box_measured_checked_then_it_is_checked_whatever_ocr_read():
    box = (36.0, 408.0, 50.0, 420.0)
    assert is_checked([], [_mark("cross", box)])
    assert is_checked([_x(box)], [_mark("cross", box)])


def test_given_a_box_seen_empty_when_ocr_read_an_x_beside_it_then_it_is_not_checked():
    box = (36.0, 408.0, 50.0, 420.0)
    assert not is_checked([_x(box)], [_mark("box", box)])


def test_given_no_box_seen_when_ocr_read_an_x_in_its_place_then_it_is_checked():
    box = (36.0, 408.0, 50.0, 420.0)
    assert is_checked([_x(box)], [])
    assert is_checked([_x(box)], [Mark("rule", 42.0, 380.0, 42.5, 460.0)])  # a column rule is no box
    assert not is_checked([], [])


def _registered_blank(marks):
    template = load("2016/03")
    words = [Word(t, x0, y0, x1, y1) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=words, marks=marks)
    return template, page, register(page, template)


def test_given_cells_with_a_rule_or_an_x_read_but_no_box_found_then_they_are_measured_and_found_boxes_are_not():
    template = load("2016/03")
    by_key = {f.key.rsplit("+", 1)[-1]: f for f in template.fields if "covered_autos" in f.key}
    owned, hired, scheduled = by_key["owned"].box, by_key["hired"].box, by_key["scheduled"].box
    rule = Mark("rule", hired[0] + 6, hired[1] - 30, hired[0] + 6.5, hired[3] + 30)  # a rule through the hired cell
    template, page, reg = _registered_blank([_mark("box", owned), rule])
    page = Page(number=1, width=612, height=792, words=[*page.words, _x(scheduled)], marks=page.marks)
    cells = unseen_checks(page, reg)

    def measured(box) -> bool:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return any(c.x0 <= cx <= c.x1 and c.y0 <= cy <= c.y1 for c in cells)

    assert measured(hired)
    assert measured(scheduled)  # an 'X' read there is no box seen
    assert not measured(owned)
