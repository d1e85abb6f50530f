"""Coverage values placed by the form's fixed layout when a scan's small labels were misread.

A drawn certificate is read as if by OCR (every word carries a confidence, no tesseract);
labels are then garbled the way a blurred scan garbles them."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.acord25 import extract_certificate
from pipeline.acord25.parse import parse_amount
from pipeline.samples import draw_certificate
from pipeline.textlayer import Mark, Page, read_text_layer
from readings import as_ocr, garbled, policy


@pytest.fixture(scope="module")
def drawn(truth) -> Page:
    return read_text_layer(draw_certificate(truth))[0]


def _confidence(cert: dict, pointer: str) -> float:
    return cert["evidence"][pointer]["confidence"]


# -- limits placed by their row ---------------------------------------------------------------------

LIMIT_COLUMN = 420.0  # points: the limit labels' column of the drawn form starts right of this


def test_given_limit_labels_misread_on_a_scan_then_their_amounts_are_placed_by_row_below_review(drawn, truth):
    scan = garbled(as_ocr(drawn), {"PERSONAL", "ADV", "INJURY", "POLICY", "LIMIT"}, x_from=LIMIT_COLUMN)
    cert = extract_certificate([scan])
    i, gl = policy(cert, "general_liability")
    j, wc = policy(cert, "workers_compensation")
    _, want_gl = policy(truth, "general_liability")
    _, want_wc = policy(truth, "workers_compensation")
    assert gl["limits"] == want_gl["limits"]
    assert wc["limits"] == want_wc["limits"]
    assert _confidence(cert, f"/policies/{i}/limits/personal_advertising_injury") < 0.9
    assert _confidence(cert, f"/policies/{j}/limits/el_disease_policy_limit") < 0.9
    assert _confidence(cert, f"/policies/{i}/limits/general_aggregate") >= 0.9  # its own label was read


def test_given_a_text_layer_with_a_limit_label_missing_then_no_amount_is_placed_by_row(drawn):
    cert = extract_certificate([garbled(drawn, {"PERSONAL", "ADV", "INJURY"}, x_from=LIMIT_COLUMN)])
    _, gl = policy(cert, "general_liability")
    assert gl["limits"]["personal_advertising_injury"] is None


def test_given_a_blank_limit_whose_label_is_misread_then_it_stays_blank(drawn, truth):
    _, want = policy(truth, "general_liability")
    blank = str(f"{want['limits']['medical_expense']:,}")
    page = dataclasses.replace(as_ocr(drawn), words=tuple(w for w in drawn.words if w.text != blank))
    page = as_ocr(garbled(page, {"MED", "EXP", "(Any", "one", "person)"}, x_from=LIMIT_COLUMN))
    cert = extract_certificate([page])
    _, gl = policy(cert, "general_liability")
    assert gl["limits"]["medical_expense"] is None
    assert gl["limits"]["each_occurrence"] == want["limits"]["each_occurrence"]
    assert gl["limits"]["personal_advertising_injury"] == want["limits"]["personal_advertising_injury"]


def test_given_a_thousands_comma_read_as_a_semicolon_then_the_amount_is_whole():
    assert parse_amount("500;000") == 500_000
    assert parse_amount("$1,000:000") == 1_000_000


# -- general aggregate boxes placed by position ---------------------------------------------------


def _with_aggregate_boxes(page: Page) -> Page:
    """The scan's empty boxes as the OCR stage reports them: POLICY, LOC and OTHER left unchecked."""
    words = {w.text: w for w in page.words if w.x0 < 160 and 355 < w.y0 < 380}
    boxes = []
    for text in ("POLICY", "LOC", "OTHER:"):
        w = words[text]
        boxes.append(Mark("box", w.x0 - 15, w.y0 - 1.5, w.x0 - 4.5, w.y0 + 8, confidence=0.97))
    marks = [dataclasses.replace(m, confidence=0.97) for m in page.marks]
    return dataclasses.replace(page, marks=tuple([*marks, *boxes]))


def test_given_the_aggregate_labels_misread_then_the_checked_box_is_told_by_its_place(drawn, truth):
    _, want = policy(truth, "general_liability")
    scan = garbled(_with_aggregate_boxes(as_ocr(drawn)), {"POLICY", "PRO-", "JECT", "LOC"}, x_to=160)
    cert = extract_certificate([scan])
    i, gl = policy(cert, "general_liability")
    assert gl["aggregate_applies_per"] == want["aggregate_applies_per"] == "project"
    assert _confidence(cert, f"/policies/{i}/aggregate_applies_per") < 0.9


def test_given_the_aggregate_labels_misread_and_the_boxes_unseen_then_nothing_is_guessed(drawn):
    scan = garbled(as_ocr(drawn), {"POLICY", "PRO-", "JECT", "LOC"}, x_to=160)
    scan = dataclasses.replace(scan, marks=tuple(m for m in scan.marks if not (350 < m.y0 < 380)))
    _, gl = policy(extract_certificate([scan]), "general_liability")
    assert gl["aggregate_applies_per"] is None


# -- the excluded-member Y/N answer placed by position --------------------------------------------


def test_given_the_y_n_label_misread_then_the_excluded_member_answer_is_read_below_review(drawn, truth):
    _, want = policy(truth, "workers_compensation")
    labels = [w for w in drawn.words if w.text in ("Y", "/", "N") and 488 < w.y0 < 494 and w.x0 < 176]
    assert len(labels) >= 2  # the drawn form prints the Y / N label there
    scan = as_ocr(dataclasses.replace(drawn, words=tuple(
        dataclasses.replace(w, text="wit") if w in labels else w for w in drawn.words)))
    cert = extract_certificate([scan])
    j, wc = policy(cert, "workers_compensation")
    assert wc["any_member_excluded"] is want["any_member_excluded"] is False
    assert _confidence(cert, f"/policies/{j}/any_member_excluded") < 0.9


# -- the ADDL INSD / SUBR WVD columns found by their printed rules ------------------------------------

DRAWN_COLUMN_RULES = (18, 36, 176, 194, 212, 330, 377, 424, 516, 590)  # x of the drawn table's upright rules
SHIFT = 20.0  # points: the form printed this far right of where it belongs (a scanner's margin)


def _shifted(page: Page, dx: float) -> Page:
    return dataclasses.replace(
        page,
        words=tuple(dataclasses.replace(w, x0=w.x0 + dx, x1=w.x1 + dx) for w in page.words),
        marks=tuple(dataclasses.replace(m, x0=m.x0 + dx, x1=m.x1 + dx) for m in page.marks))


def _with_rules(page: Page, xs, top: float = 288.0, bottom: float = 562.0) -> Page:
    rules = tuple(Mark("rule", x - 0.5, top, x + 0.5, bottom) for x in xs)
    return dataclasses.replace(page, marks=page.marks + rules)


def _flags(cert: dict) -> dict:
    return {p["line"]: (p["additional_insured"], p["subrogation_waived"]) for p in cert["policies"]}


def test_given_the_flag_headings_misread_on_a_shifted_scan_then_the_column_rules_place_the_flags(page, truth):
    scan = _shifted(garbled(page, {"ADDL", "INSD", "SUBR", "WVD"}), SHIFT)
    want = _flags(truth)
    assert _flags(extract_certificate([scan])) != want  # placed by page position alone, the columns miss
    ruled = _with_rules(scan, [x + SHIFT for x in DRAWN_COLUMN_RULES])
    assert _flags(extract_certificate([ruled])) == want


def test_given_only_short_rules_of_stacked_check_boxes_then_they_are_not_taken_for_columns(page, truth):
    scan = _shifted(garbled(page, {"ADDL", "INSD", "SUBR", "WVD"}), SHIFT)
    boxes = _with_rules(scan, [x + SHIFT for x in (176, 194, 212)], top=300.0, bottom=380.0)  # the GL row only
    assert _flags(extract_certificate([boxes])) == _flags(extract_certificate([scan]))


# -- PER STATUTE placed by its box ------------------------------------------------------------------------


def _statute(cert: dict) -> tuple:
    j, wc = policy(cert, "workers_compensation")
    return wc["statutory"], cert["evidence"].get(f"/policies/{j}/statutory", {}).get("confidence")


def test_given_the_per_statute_label_misread_then_its_checked_box_is_told_by_its_place(page, truth):
    _, want = policy(truth, "workers_compensation")
    scan = garbled(page, {"PER", "STATUTE"}, x_from=420)
    statutory, confidence = _statute(extract_certificate([scan]))
    assert statutory is want["statutory"] is True
    assert confidence < 0.9


def test_given_the_per_statute_label_misread_and_its_box_unseen_then_it_is_unknown_not_false(page):
    scan = garbled(page, {"PER", "STATUTE"}, x_from=420)
    scan = dataclasses.replace(scan, marks=tuple(m for m in scan.marks if not 470 < m.y0 < 495))
    assert _statute(extract_certificate([scan]))[0] is None


def test_given_the_per_statute_label_misread_and_only_the_other_box_checked_then_it_is_not_statutory(page):
    scan = garbled(page, {"PER", "STATUTE"}, x_from=420)
    cross = next(m for m in scan.marks if 470 < m.y0 < 495)
    moved = dataclasses.replace(cross, x0=cross.x0 + 50, x1=cross.x1 + 50)  # in OTH-ER's box
    scan = dataclasses.replace(scan, marks=tuple(moved if m is cross else m for m in scan.marks))
    assert _statute(extract_certificate([scan]))[0] is not True


def test_given_the_column_rules_then_every_narrow_and_date_column_is_placed_by_them(page):
    from pipeline.acord25.layout import Box, Sheet
    from pipeline.acord25.positions import ruled_columns

    table = Box(0, 288, 612, 562)
    columns = ruled_columns(Sheet(_with_rules(page, DRAWN_COLUMN_RULES)), table)
    assert columns == {"ltr": (18, 36), "addl": (176, 194), "subr": (194, 212), "number": (212, 330),
                       "eff": (330, 377), "exp": (377, 424)}
    unlike = [x for x in DRAWN_COLUMN_RULES if x != 377]  # the date columns' middle rule unseen
    assert "eff" not in ruled_columns(Sheet(_with_rules(page, unlike)), table)
    assert ruled_columns(Sheet(page), table) == {}  # a text layer: no rule marks


# -- CLAIMS-MADE / OCCUR placed by the boxes' places ---------------------------------------------------


def _basis(cert: dict) -> tuple:
    i, gl = policy(cert, "general_liability")
    return gl["basis"], cert["evidence"].get(f"/policies/{i}/basis", {}).get("confidence")


def _claims_made_box_seen_empty(page: Page) -> Page:
    label = next(w for w in page.words if w.text == "CLAIMS-MADE" and w.y0 < 400)
    box = Mark("box", label.x0 - 12, label.y0 - 2, label.x0 - 2, label.y1 + 2, confidence=0.99)
    return dataclasses.replace(page, marks=page.marks + (box,))


def test_given_occur_misread_beside_an_empty_claims_made_box_then_the_check_beside_it_is_occurrence(page, truth):
    _, want = policy(truth, "general_liability")
    scan = garbled(_claims_made_box_seen_empty(page), {"OCCUR"}, x_to=200)
    basis, confidence = _basis(extract_certificate([scan]))
    assert basis == want["basis"] == "occurrence"
    assert confidence < 0.9


def test_given_occur_misread_and_the_claims_made_box_not_seen_then_the_basis_is_not_guessed(page):
    scan = garbled(page, {"OCCUR"}, x_to=200)
    assert _basis(extract_certificate([scan]))[0] is None


# -- a row placed by the rules ruled across the table ---------------------------------------------------

DRAWN_ROW_RULES = (300.5, 384, 444, 480, 530)  # y of the drawn table's rules across it


def _with_row_rules(page: Page, ys) -> Page:
    return dataclasses.replace(page, marks=page.marks + tuple(Mark("rule", 18, y - 0.5, 590, y + 0.5) for y in ys))


def _wc(cert: dict):
    found = [p for p in cert["policies"] if p["line"] == "workers_compensation"]
    return [(p["policy_number"], p["effective"], p["expiration"]) for p in found]


def test_given_every_label_of_the_wc_row_misread_then_the_rules_across_the_table_place_the_row(page, truth):
    labels = {w.text for w in page.words if 478 < w.y0 < 532 and len(w.text) >= 2 and not any(c.isdigit() for c in w.text)}
    scan = garbled(page, labels)
    scan = dataclasses.replace(scan, words=tuple(w for w in scan.words if not (478 < w.y0 < 532 and w.text == "$")))
    want = _wc(truth)
    assert _wc(extract_certificate([scan])) != want  # without the rules the row is lost in the one above
    ruled = _with_rules(_with_row_rules(scan, DRAWN_ROW_RULES), DRAWN_COLUMN_RULES)
    assert _wc(extract_certificate([ruled])) == want


def test_given_the_date_headings_misread_and_no_rules_seen_then_the_dates_stay_below_trust(page, truth):
    scan = garbled(page, {"(MM/DD/YYYY)"}, x_from=240, x_to=420)
    cert = extract_certificate([scan])
    i, gl = policy(cert, "general_liability")
    assert cert["evidence"][f"/policies/{i}/effective"]["confidence"] < 0.9
    ruled = extract_certificate([_with_rules(scan, DRAWN_COLUMN_RULES)])  # the rules place the columns
    assert ruled["evidence"][f"/policies/{i}/effective"]["confidence"] >= 0.9
    assert policy(ruled, "general_liability")[1]["effective"] == policy(truth, "general_liability")[1]["effective"]


# -- covered autos told by the boxes' places -------------------------------------------------------------


def _auto_scan(truth: dict, autos: list) -> Page:
    import copy

    from readings import drawn_scan

    changed = copy.deepcopy(truth)
    policy(changed, "automobile_liability")[1]["covered_autos"] = autos
    return drawn_scan(changed)


def _autos(cert: dict) -> tuple:
    i, auto = policy(cert, "automobile_liability")
    return auto["covered_autos"], cert["evidence"].get(f"/policies/{i}/covered_autos", {}).get("confidence")


def test_given_covered_autos_labels_misread_then_the_checked_boxes_are_told_by_their_places(truth):
    every = _auto_scan(truth, ["any", "owned", "scheduled", "hired", "non_owned"])
    grid = [m for m in every.marks if m.kind == "cross" and 390 < m.y0 < 440]
    assert len(grid) == 5  # the drawn form's five boxes
    scan = _auto_scan(truth, ["owned", "scheduled"])
    checked = {(round(m.x0), round(m.y0)) for m in scan.marks if m.kind == "cross"}
    seen_empty = tuple(dataclasses.replace(m, kind="box", confidence=0.99) for m in grid
                       if (round(m.x0), round(m.y0)) not in checked)
    scan = garbled(dataclasses.replace(scan, marks=scan.marks + seen_empty), {"OWNED", "SCHEDULED"}, x_to=200)
    autos, confidence = _autos(extract_certificate([scan]))
    assert autos == ["owned", "scheduled"]
    assert confidence < 0.9


def test_given_covered_autos_labels_misread_and_the_empty_boxes_unseen_then_they_are_not_placed(truth):
    scan = garbled(_auto_scan(truth, ["owned", "scheduled"]), {"OWNED", "SCHEDULED"}, x_to=200)
    assert _autos(extract_certificate([scan]))[0] != ["owned", "scheduled"]
