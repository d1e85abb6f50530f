"""One template per edition: each loads and holds the form, a page is read by the template it fits,
a check box moves with its label, and a certificate on the 2001/08 blank is read with its limits.

The tests on generated certificates draw them on the official blanks in ../shared (``real_corpus``:
they skip cleanly without it); the others use the templates alone.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from pipeline.acord25.identify import registered
from pipeline.acord25.template import editions, load, register
from pipeline.textlayer import Page, Word

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is run from the checkout, not installed

KINDS = {"text", "party", "phone", "email", "naic", "date", "amount", "letter", "yn", "check", "remarks", "signature"}
ROWS = {"general_liability", "automobile_liability", "umbrella_liability", "workers_compensation", "other"}
# what every edition of the form prints a place for (2001/08 has no contact lines, certificate number or SUBR WVD)
EVERY_EDITION = {"date", "producer", "insured", "certificate_holder", "insurers/A/name", "insurers/A/naic",
                 "description_of_operations", "signed", "general_liability/policy_number",
                 "general_liability/limits/each_occurrence", "automobile_liability/limits/combined_single_limit",
                 "umbrella_liability/limits/each_occurrence", "workers_compensation/limits/el_each_accident",
                 "other/policy_number", "other/limits/limit"}


def _blank_page(edition: str, dy: float = 0.0) -> Page:
    """The edition's own print as a text layer: the blank form as a born-digital page."""
    words = [Word(t, x0, y0 + dy, x1, y1 + dy) for t, x0, y0, x1, y1 in load(edition).printed]
    return Page(number=1, width=612, height=792, words=words, marks=[])


def test_there_is_a_template_for_each_edition_with_a_blank_or_a_filled_sample():
    assert {"2001/08", "2010/05", "2016/03", "2025/12"} <= set(editions())


@pytest.mark.parametrize("edition", editions())
def test_given_an_edition_its_template_loads_and_holds_a_place_for_every_core_field(edition):
    template = load(edition)
    assert template.edition == edition and template.size == (612.0, 792.0)
    keys = {f.key for f in template.fields}
    assert EVERY_EDITION <= keys, EVERY_EDITION - keys
    for f in template.fields:
        x0, y0, x1, y1 = f.box
        assert 0 <= x0 < x1 <= 612 and 0 <= y0 < y1 <= 792, f
        assert f.kind in KINDS and f.block in template.blocks, f
        head = f.key.split("/")[0]
        assert head in ROWS or head in {"date", "producer", "insured", "certificate_holder", "insurers",
                                         "certificate_number", "revision_number", "description_of_operations",
                                         "signed"}, f.key
        if head in ROWS:
            top, bottom = template.rows[head]
            assert top - 1 <= (y0 + y1) / 2 <= bottom + 1, f  # a coverage cell lies in its row
        if f.label is not None:
            assert f.kind == "check" and template.printed[f.label][0].strip(":-")
    for block in template.blocks.values():
        assert all(0 <= i < len(template.printed) for i in block["anchors"])
        assert all(0 <= i < len(template.rules) for i in block["rules"])
    assert len({f.key for f in template.fields if f.kind == "party"}) == 3


@pytest.mark.parametrize("edition", editions())
def test_given_an_editions_blank_page_then_it_is_registered_to_that_editions_template(edition):
    registration = registered(_blank_page(edition, dy=1.5))
    assert registration is not None and registration.template.edition == edition


def test_given_a_check_box_label_a_line_lower_then_the_box_moves_with_it():
    template = load("2016/03")
    field = next(f for f in template.fields if f.key == "general_liability/check:basis=claims_made")
    label = template.printed[field.label]
    lower = {label: 12.0}  # the label "CLAIMS-MADE" printed a line lower, as 2010/05 prints it
    words = [Word(t, x0, y0 + lower.get(w, 0.0), x1, y1 + lower.get(w, 0.0))
             for w in template.printed for t, x0, y0, x1, y1 in [w]]
    page = Page(number=1, width=612, height=792, words=words, marks=[])
    registration = register(page, template)
    assert registration.moved == {field: pytest.approx(12.0)}
    assert registration.place(field)[1] == pytest.approx(field.box[1] + 12.0)
    moved_label = next(j for j, w in enumerate(words) if w.text == label[0] and w.y0 == label[2] + 12.0)
    assert moved_label in registration.printed_words  # the label is print, not a value


def test_given_a_check_box_label_at_its_place_then_nothing_moves():
    template = load("2016/03")
    assert register(_blank_page("2016/03"), template).moved == {}


def _seed_on(blank: str, kind: str = "born-digital", text_layer: bool = True) -> int:
    """The first tuning seed whose certificate is drawn on ``blank`` (printed with a text layer)."""
    from bench import corpus

    for seed in corpus.TUNING:
        rng = random.Random(f"{kind}:{seed}")
        if corpus._pick(rng, corpus.BLANK_WEIGHTS) != blank:
            continue
        if text_layer and corpus.born_digital(seed, kind)[2].printed == "outlines":
            continue
        return seed
    raise AssertionError(f"no tuning seed draws on {blank}")


@pytest.mark.parametrize("blank", ["2016-acroform", "2016-xfa", "2025-specimen", "2001-acroform"])
def test_given_a_generated_certificate_on_each_blank_then_its_editions_template_is_chosen(real_corpus, blank):
    from bench import corpus, formfill
    from pipeline.stages import read_text

    pdf, _, _ = corpus.born_digital(_seed_on(blank))
    page = read_text(pdf, max_pages=1).pages[0]
    assert registered(page).template.edition == formfill.BLANKS[blank].edition


def test_given_a_generated_2001_08_certificate_then_it_is_extracted_with_its_limits(real_corpus):
    from bench import corpus
    from pipeline.stages import extract, read_text

    pdf, truth, _ = corpus.born_digital(_seed_on("2001-acroform"))
    got = extract(read_text(pdf, max_pages=5))
    assert got["form"] == {"type": "ACORD 25", "edition": "2001/08"}
    def limits(cert):
        return sorted((p["line"], p["policy_number"], sorted(p["limits"].items())) for p in cert["policies"])

    assert any(v is not None for p in truth["policies"] for v in p["limits"].values())
    assert limits(got) == limits(truth)


def test_given_the_filled_2010_05_sample_then_its_umbrella_row_is_read_from_its_checked_boxes(real_corpus):
    from pipeline.stages import extract, read_text

    name = "filled_acord25-2010-05_xfa-encrypted_sensible-docs_acord_25_test.pdf"
    got = extract(read_text((real_corpus / name).read_bytes(), max_pages=1))
    umbrella = [p for p in got["policies"] if p["line"] == "umbrella_liability"]
    assert [(p["basis"], p["policy_number"]) for p in umbrella] == [("claims_made", None)]
