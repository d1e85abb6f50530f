"""Each check box's printed label in every edition's template: a word printed nowhere else near the box, so
that the box moves with its own row's label and never with its neighbour's (pure: the templates only)."""

import pytest

from pipeline.acord25.template import LABEL_ALONE_PT, editions, label_rivals, load, register
from pipeline.textlayer import Page, Word


@pytest.mark.parametrize("edition", editions())
def test_given_every_template_then_each_check_box_has_a_label_printed_once_near_it(edition):
    template = load(edition)
    checks = [f for f in template.fields if f.kind == "check"]
    assert checks
    for f in checks:
        assert f.label is not None, f.key
        assert label_rivals(template.printed, f.label, f.box) == [], (f.key, template.printed[f.label][0])


def test_given_a_word_printed_again_within_the_distance_then_it_is_a_rival_and_further_off_it_is_not():
    printed = [("AUTOS", 54.0, 414.0, 74.0, 421.0), ("AUTOS", 54.0, 426.0, 74.0, 433.0),
               ("autos", 54.0, 414.0 + LABEL_ALONE_PT + 20, 74.0, 421.0 + LABEL_ALONE_PT + 20),
               ("OWNED", 54.0, 408.0, 77.0, 415.0)]
    box = (36.0, 408.0, 50.0, 420.0)
    assert label_rivals(printed, 0, box) == [1]
    assert label_rivals(printed, 3, box) == []


def test_given_the_owned_rows_label_unread_when_registered_then_its_box_does_not_move_to_the_hired_row():
    # Given the 2016/03 blank, every printed word but the ALL OWNED AUTOS row's (lost on a scan)
    template = load("2016/03")
    owned = next(f for f in template.fields if f.key.endswith("covered_autos+owned"))
    row_y = (owned.box[1] + owned.box[3]) / 2
    words = [Word(t, x0, y0, x1, y1) for t, x0, y0, x1, y1 in template.printed
             if not (x0 < 100 and abs((y0 + y1) / 2 - row_y) < 5)]
    # When registered
    reg = register(Page(number=1, width=612, height=792, words=words, marks=[]), template)
    # Then the owned box stays where its block puts it (the hired row's AUTOS, a line below, is not its label)
    assert reg is not None and owned not in reg.moved
    assert abs(reg.place(owned)[1] - owned.box[1]) < 0.5
