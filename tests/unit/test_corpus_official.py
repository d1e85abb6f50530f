"""bench.corpus: certificates on the official ACORD 25 blanks, their truth, and the writers' output.

The blanks are read from ../shared/corpus/real (ACORD's art is not in this repository): every test
that needs them takes the ``real_corpus`` fixture (so it is marked ``corpus``) and skips without it.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is run from the checkout, not installed

from bench import formfill  # noqa: E402
from bench.agency import Style, agency_certificate  # noqa: E402
from bench.corpus import TUNING, VALIDATION, born_digital, seeds, split_of  # noqa: E402
from schemas import validate  # noqa: E402

PLAIN = Style(font="Helvetica", size=8, fillers=0.0, stale=0.0, extra_lines=0.0, free_text=0.0, stacked=0.0,
              continuation=0.0, shrink=True)


def _chars(pdf: bytes) -> list[tuple[str, float, float]]:
    """Characters of page 1's text layer: (text, centre x, centre y) in PDF points (origin bottom-left)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        height = float(page.height)
        return [(c["text"], (c["x0"] + c["x1"]) / 2, height - (c["top"] + c["bottom"]) / 2) for c in page.chars]


def _text_in(chars, rect: tuple[float, float, float, float]) -> str:
    """The characters whose centre lies in ``rect`` (PDF points), line by line."""
    x0, y0, x1, y1 = rect
    inside = [c for c in chars if x0 - 1 <= c[1] <= x1 + 1 and y0 - 1 <= c[2] <= y1 + 1]
    return "".join(c[0] for c in sorted(inside, key=lambda c: (-round(c[2]), c[1])))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _one_line_values(inks):
    return [i for i in inks if i.kind == "text" and i.field and len(i.lines) == 1 and not i.stale
            and i.align != "wrap"]


def test_given_the_seed_split_then_tuning_and_validation_never_share_a_seed():
    assert split_of(0) == "tuning" and split_of(999) == "tuning" and split_of(1000) == "validation"
    assert not set(TUNING) & set(range(VALIDATION.start, VALIDATION.start + 2000))
    assert list(seeds("validation", 3)) == [1000, 1001, 1002]
    with pytest.raises(ValueError):
        seeds("tuning", 5, start=997)  # would run into the validation seeds


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_given_a_seed_when_a_certificate_is_made_then_its_truth_follows_the_contract(real_corpus, seed):
    pdf, truth, recipe = born_digital(seed)
    assert validate("certificate", truth) == []
    assert truth["form"]["edition"] == formfill.BLANKS[recipe.blank].edition
    assert pdf.startswith(b"%PDF")
    assert born_digital(seed)[1] == truth  # the same seed, the same certificate


def test_given_the_official_acroform_then_field_rectangles_come_from_the_form(real_corpus):
    rects = formfill.geometry("2016-acroform")
    assert len(rects) >= 120
    assert formfill.geometry("2016-xfa").keys() == rects.keys()  # the XFA edition names the same fields
    x0, y0, x1, y1 = rects["Insurer_NAICCode_A"]
    assert x0 < x1 and y0 < y1 and x1 <= 612 and y1 <= 792


def test_given_the_2025_specimen_then_its_rectangles_follow_its_own_labels(real_corpus):
    """The 2025/12 coverage table sits lower than the 2016/03 one; the header does not move."""
    old, new = formfill.geometry("2016-acroform"), formfill.geometry("2025-specimen")
    header, table = "Producer_FullName_A", "GeneralLiability_EachOccurrence_LimitAmount_A"
    assert new[header] == pytest.approx(old[header], abs=0.5)
    table_shift = new[table][1] - old[table][1]
    assert table_shift < -5
    assert new["Vehicle_CombinedSingleLimit_EachAccidentAmount_A"][1] - old[
        "Vehicle_CombinedSingleLimit_EachAccidentAmount_A"][1] == pytest.approx(table_shift, abs=0.5)


@pytest.mark.parametrize("blank, writer", [("2016-acroform", "overlay"), ("2016-xfa", "fields-flat"),
                                           ("2025-specimen", "overlay"), ("2016-acroform", "freetext-flat")])
def test_given_a_filled_form_then_its_text_layer_holds_each_value_in_its_field(real_corpus, blank, writer):
    import random

    truth, inks = agency_certificate(random.Random(7), formfill.geometry(blank), PLAIN,
                                     formfill.BLANKS[blank].edition)
    edition = formfill.BLANKS[blank].edition
    if writer == "overlay":
        pdf = formfill.fill_overlay(blank, inks, edition)
    elif writer == "fields-flat":
        pdf = formfill.fill_fields(blank, inks, edition, flatten=True)
    else:
        pdf = formfill.fill_freetext(blank, inks, edition, flatten=True)
    values, chars = _one_line_values(inks), _chars(pdf)
    assert len(values) > 20
    for ink in values:
        assert _squash(ink.lines[0]) in _squash(_text_in(chars, ink.rect)), ink.field
    assert _squash(truth["insured"]["name"].split()[0]) in _squash(_text_in(chars, formfill.geometry(blank)[
        "NamedInsured_FullName_A"]))


def test_given_a_flattened_form_then_no_form_field_is_left(real_corpus):
    import random

    _, inks = agency_certificate(random.Random(3), formfill.geometry("2016-acroform"), PLAIN)
    live = formfill.fill_fields("2016-acroform", inks, "2016/03", flatten=False)
    flat = formfill.fill_fields("2016-acroform", inks, "2016/03", flatten=True)
    with pikepdf.open(io.BytesIO(live)) as pdf:
        assert len(pdf.Root.AcroForm.Fields) > 100
        assert any(str(w.get("/V", "")) for w in pdf.Root.AcroForm.Fields)
    with pikepdf.open(io.BytesIO(flat)) as pdf:
        assert len(pdf.Root.get("/AcroForm", {}).get("/Fields", [])) == 0
        assert not [a for a in pdf.pages[0].get("/Annots", []) if a.get("/Subtype") == "/Widget"]


def test_given_the_outlines_print_then_the_page_has_no_text_layer_but_shows_the_values(real_corpus):
    import random

    import numpy as np

    _, inks = agency_certificate(random.Random(5), formfill.geometry("2016-acroform"), PLAIN)
    pdf = formfill.fill_overlay("2016-acroform", inks, "2016/03")
    outlined = formfill.outlined(pdf)
    doc = pdfium.PdfDocument(outlined)
    try:
        assert doc[0].get_textpage().get_text_range().strip() == ""
        ink = np.asarray(doc[0].render(scale=1).to_pil().convert("L")) < 128
    finally:
        doc.close()
    original = pdfium.PdfDocument(pdf)
    try:
        before = np.asarray(original[0].render(scale=1).to_pil().convert("L")) < 128
    finally:
        original.close()
    assert abs(int(ink.sum()) - int(before.sum())) < 0.05 * before.sum()  # the same page, drawn as paths


def test_given_a_long_description_then_it_continues_on_a_continuation_page(real_corpus):
    import random

    style = Style(continuation=1.0, size=9)
    for seed in range(20):
        truth, inks = agency_certificate(random.Random(seed), formfill.geometry("2016-acroform"), style)
        if truth["description_of_operations"] and len(truth["description_of_operations"]) > 400:
            break
    pdf = formfill.fill_overlay("2016-acroform", inks, "2016/03")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 2
        text = " ".join(p.extract_text() for p in doc.pages)
    assert "CONTINUATION DESCRIPTION OF OPERATIONS" in text
    assert _squash(truth["description_of_operations"][-60:]) in _squash(text)


NEGATIVES = [pytest.param(p.name, marks=[pytest.mark.tesseract] if "scan" in p.name else [])  # scans are OCRed
             for p in sorted(formfill.REAL.glob("neg_*"))] if formfill.REAL.is_dir() else []


@pytest.mark.parametrize("name", NEGATIVES)
def test_given_a_document_that_is_no_acord_25_then_it_ends_as_not_a_certificate(real_corpus, name):
    from pipeline.errors import NotACertificate
    from pipeline.stages import extract, read

    with pytest.raises(NotACertificate):
        extract(read((real_corpus / name).read_bytes(), max_pages=5))


@pytest.mark.parametrize("blank", ["2016-acroform", "2025-specimen"])
def test_given_values_on_the_rows_first_line_then_each_stays_inside_its_own_row(real_corpus, blank):
    """The row-top style lifts a policy's number and dates to its row's first line, never into the row
    above (the umbrella row has one line above its field line): each stays in its row's band of the
    edition's template."""
    import json
    import random
    from dataclasses import replace

    edition = formfill.BLANKS[blank].edition
    templates = Path(__file__).resolve().parents[2] / "pipeline" / "acord25" / "templates"
    template = json.loads((templates / f"{edition.replace('/', '-')}.json").read_text())
    style = replace(PLAIN, row_top=True)
    geometry = formfill.geometry(blank)
    rows = {"excess_liability": template["rows"]["umbrella_liability"], **template["rows"]}
    checked = 0
    for seed in range(6):
        truth, inks = agency_certificate(random.Random(seed), geometry, style, edition)
        for policy in truth["policies"]:
            line = policy["line"]
            if line == "other":
                continue
            top, bottom = rows[line]
            number = next((i for i in inks if i.lines == (policy["policy_number"],)), None)
            assert number is not None
            centre = template["page"][1] - (number.rect[1] + number.rect[3]) / 2  # top-down, as the template
            assert top < centre < bottom, (line, centre, (top, bottom))
            checked += 1
    assert checked >= 12


def test_given_a_care_of_second_name_then_the_truth_puts_it_in_the_address(real_corpus):
    """A c/o line printed under a party's name is, in the truth, the address's first line (the form's
    own field for it is MailingAddress_LineOne, and ../shared's hand-checked truth does the same)."""
    import random

    geometry = formfill.geometry("2016-acroform")
    found = 0
    for seed in range(60):
        truth, inks = agency_certificate(random.Random(seed), geometry, PLAIN, "2016/03")
        for role in ("producer", "insured", "certificate_holder"):
            party = truth[role]
            assert "c/o" not in (party["name"] or ""), (seed, role)
            found += (party["address"] or "").startswith("c/o ")
    assert found > 0


def test_given_a_forced_resolution_then_the_seed_is_scanned_at_it_and_every_other_draw_is_kept(real_corpus):
    from PIL import Image

    from bench.corpus import certificate
    from bench.xfamiss import blank_seeds

    drawn, low = certificate(8, "scan"), certificate(8, "scan", dpi=150)
    assert low.name == "scan-8-dpi150" and low.truth == drawn.truth
    assert low.recipe.degradation == {**drawn.recipe.degradation, "dpi": 150}
    assert Image.open(io.BytesIO(low.data)).size[0] == round(8.5 * 150)  # a letter page's width at 150 dpi
    assert blank_seeds(3, "any") == [8, 9, 10]  # --blank any: every seed from the first extra one
