"""A party block's line typed in its ruled cell above the form field's rectangle (pure: the templates, no
shared corpus). The holder's FullName field starts well below the CERTIFICATE HOLDER label; a filler may
type the name just under the label, above the field."""

from __future__ import annotations

import pytest

from pipeline.acord25 import extract as extract_module
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word
from tests.readings import field_box


def _holder(top_line_y: float, confidence: float | None, edition: str) -> dict:
    """The blank's print and a holder block whose name line's middle stands at ``top_line_y``, above the field."""
    x0, y0, _, _ = field_box("certificate_holder", edition)
    printed = [Word(t, a, b, c, d, confidence=confidence) for t, a, b, c, d in load(edition).printed]
    name = [Word("Harbor", x0 + 2, top_line_y - 4, x0 + 30, top_line_y + 4, confidence=confidence),
            Word("Authority", x0 + 33, top_line_y - 4, x0 + 70, top_line_y + 4, confidence=confidence)]
    street = [Word("12", x0 + 2, y0 + 14, x0 + 12, y0 + 22, confidence=confidence),
              Word("Dock", x0 + 15, y0 + 14, x0 + 35, y0 + 22, confidence=confidence),
              Word("St", x0 + 38, y0 + 14, x0 + 46, y0 + 22, confidence=confidence)]
    city = [Word("Mobile,", x0 + 2, y0 + 26, x0 + 32, y0 + 34, confidence=confidence),
            Word("AL", x0 + 35, y0 + 26, x0 + 45, y0 + 34, confidence=confidence),
            Word("36602", x0 + 48, y0 + 26, x0 + 72, y0 + 34, confidence=confidence)]
    page = Page(number=1, width=612, height=792, words=[*printed, *name, *street, *city], marks=[])
    method = "ocr" if confidence is not None else "text_layer"
    return extract_module.extract_certificate([page], None, method)["certificate_holder"]


@pytest.mark.parametrize("edition", ["2016/03", "2010/05"])
def test_given_a_text_layer_name_typed_under_the_holder_label_above_its_field_then_it_is_the_name(edition):
    field = next(f for f in load(edition).fields if f.key == "certificate_holder")
    assert field.cell_top is not None and field.cell_top < field.box[1] - 6
    holder = _holder((field.cell_top + field.box[1]) / 2 - 0.5, None, edition)
    assert holder["name"] == "Harbor Authority"
    assert holder["address"] == "12 Dock St, Mobile, AL 36602"


def test_given_the_producer_block_whose_label_is_inside_its_field_then_it_has_no_cell_above():
    assert all(f.cell_top is None for f in load("2016/03").fields if f.key in ("producer", "insured"))
