"""Values after OCR on the 2016-xfa scans (branch xfamiss5): a word whose box tesseract drew flat, put back on its
line."""

from __future__ import annotations

from dataclasses import replace

from pipeline.acord25.extract import extract_certificate
from pipeline.acord25.reader import prepared
from pipeline.textlayer import Page, Word


def _flattened(page: Page, text: str, confidence: float, stretch: float = 0.0) -> Page:
    """``page`` with the first word ``text`` read as OCR reads it on some scans: its box a speck's height (1 pt) at
    the bottom of its line, stretched ``stretch`` points to the left, at ``confidence``."""
    words, done = [], False
    for w in page.words:
        if w.text == text and not done:
            w = replace(w, x0=w.x0 - stretch, y0=w.y1 - 2.0, y1=w.y1 - 1.0, confidence=confidence)
            done = True
        words.append(w)
    return replace(page, words=tuple(words))


def _insurer(cert: dict, letter: str) -> tuple[int, dict]:
    return next((i, v) for i, v in enumerate(cert["insurers"]) if v["letter"] == letter)


def test_given_a_names_first_word_read_with_a_flat_box_then_it_is_the_names_and_doubted(page):
    scanned = _flattened(page, "Pioneer", 0.39, stretch=60.0)
    cert = extract_certificate([scanned], None, "ocr")
    i, insurer = _insurer(cert, "A")
    assert insurer["name"] == "Pioneer Mutual Insurance Co"
    assert cert["evidence"][f"/insurers/{i}/name"]["confidence"] < 0.9  # no surer than its doubtful word


def test_given_a_flat_word_then_its_box_takes_the_next_words_rows_and_its_letters_width():
    nxt = Word("Floater", 78.0, 536.0, 99.0, 546.0, confidence=0.93)
    flat = Word("Installation", 30.0, 544.0, 75.0, 545.0, confidence=0.0)
    page = Page(number=1, width=612, height=792, words=(flat, nxt), marks=())
    got = next(w for w in prepared(page).words if w.text == "Installation")
    assert (got.y0, got.y1, got.x1) == (536.0, 546.0, 75.0)
    assert abs(got.x0 - (75.0 - 3.0 * 12)) < 1e-9


def test_given_a_flat_short_word_or_one_far_from_the_next_then_it_stays_a_speck():
    nxt = Word("Floater", 78.0, 536.0, 99.0, 546.0, confidence=0.93)
    short = Word("eee", 60.0, 544.0, 75.0, 545.0, confidence=0.2)  # a speck read as a few letters
    repeated = Word("mmmmm", 60.0, 544.0, 75.0, 545.0, confidence=0.1)  # speckle read as one letter again and again
    far = Word("Installation", 10.0, 544.0, 55.0, 545.0, confidence=0.0)  # ends 23 pt before the next word
    other_row = Word("Installation", 30.0, 560.0, 75.0, 561.0, confidence=0.0)  # below the line
    for flat in (short, repeated, far, other_row):
        page = Page(number=1, width=612, height=792, words=(flat, nxt), marks=())
        assert prepared(page).words == (flat, nxt)
    text_layer = replace(far, x0=30.0, x1=75.0, confidence=None)  # a text layer's word is where it was drawn
    page = Page(number=1, width=612, height=792, words=(text_layer, nxt), marks=())
    assert prepared(page).words == (text_layer, nxt)


def test_given_an_ocr_description_holding_a_mark_no_free_text_prints_then_it_is_doubted():
    from pipeline.acord25.plausible import review

    cert = {"description_of_operations": "Re: Main St | per contract", "policies": [
        {"line": "automobile_liability", "description": "Hired/Non-O\\", "limits": {}},
        {"line": "general_liability", "description": "Stop Gap: $1,000 & more (ded) #5; 50%", "limits": {}},
        {"line": "automobile_liability", "description": "Owned Vehicles > 26,000 lbs [Fleet 7] = j_doe", "limits": {}}]}
    evidence = {p: {"confidence": 0.95, "how": "in_box", "ocr": 0.95} for p in (
        "/description_of_operations", "/policies/0/description", "/policies/1/description", "/policies/2/description")}
    review(cert, evidence, ocr=True)
    assert evidence["/policies/0/description"]["confidence"] < 0.9
    assert evidence["/description_of_operations"]["confidence"] < 0.9
    assert evidence["/policies/1/description"]["confidence"] == 0.95  # a free text's own marks
    assert evidence["/policies/2/description"]["confidence"] == 0.95  # marks typed in descriptions


def test_given_a_street_in_an_ocr_description_read_with_a_lookalike_suffix_then_it_is_mended(page):
    scanned = replace(page, words=tuple(replace(w, text="Bivd.") if w.text == "reroof." else w for w in page.words))
    digit = replace(scanned, words=tuple(replace(w, text="2952") if w.text == "Riverside" and w.y0 > 500 else w
                                         for w in scanned.words))
    cert = extract_certificate([digit], None, "ocr")
    assert cert["description_of_operations"].startswith("Re: 2952 Depot Blvd. Certificate holder")
    text_layer = replace(digit, words=tuple(replace(w, confidence=None) for w in digit.words))
    assert "Depot Bivd." in extract_certificate([text_layer], None, "text_layer")["description_of_operations"]


def test_given_free_text_then_only_a_street_from_its_house_number_is_mended():
    from pipeline.acord25.postal import with_streets_mended

    assert with_streets_mended("at 2952 Commerce Bivd. per contract") == "at 2952 Commerce Blvd. per contract"
    assert with_streets_mended("covers 12 workers In Texas") == "covers 12 workers In Texas"  # no street's name
    # a two-letter suffix's look-alike is a common word in free text ('In' read as Lane's 'ln')
    assert with_streets_mended("Covers 2 Vehicles In Texas") == "Covers 2 Vehicles In Texas"
    assert with_streets_mended("at 12 Main St Bivd") == "at 12 Main St Bivd"  # the street ended before it


def _date_image():
    import cv2
    import numpy as np

    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "05/15/24", (100, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    return image


def _reread_date(*page_words: Word, kind: str = "date"):
    from pipeline.acord25.cells import BLOCK, Cell
    from pipeline.acord25.layout import Box
    from pipeline.ocr.pages import _word
    from pipeline.ocr.zones import reread_cells
    from tests.ocrfakes import ReadsBands

    scale = 72 / 300
    cell = Cell(Box(80 * scale, 200 * scale, 400 * scale, 260 * scale), BLOCK, line=True, kind=kind)
    page = Page(1, 1000 * scale, 1000 * scale, tuple(page_words))
    got = reread_cells(page, _date_image(), [cell], ReadsBands(["05/15/24"]), dpi=300, place=lambda w: _word(w, scale))
    return [w.text for w in got.words]


def test_given_a_date_box_the_page_read_as_junk_then_its_own_reading_of_a_date_replaces_it():
    junk = (Word("ee", 24.0, 50.0, 40.0, 58.0, confidence=0.21), Word("4", 44.0, 50.0, 47.0, 58.0, confidence=0.93))
    assert _reread_date(*junk) == ["05/15/24"]
    assert _reread_date(*junk, kind="") != ["05/15/24"]  # a box of no kind: the block's line scores keep the page's
    neighbour = Word("23681", 24.0, 43.0, 40.0, 49.0, confidence=0.54)  # the row above's value, its centre 2 pt out
    assert sorted(_reread_date(*junk, neighbour)) == ["05/15/24", "23681"]


def test_given_a_coverage_date_read_as_dropped_junk_then_it_is_listed_unless_the_print_runs_across_its_rule():
    from pipeline.acord25.cells import BLOCK, value_cells
    from pipeline.acord25.template import load

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.key == "workers_compensation/expiration")
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]

    def listed(word: Word) -> bool:
        page = Page(number=1, width=612, height=792, words=[*printed, word], marks=[])
        cells = value_cells(page, lambda b, **_: False)
        return any(c.alphabet == BLOCK and c.line and c.kind == "date" and c.box.contains(word.cx, word.cy)
                   for c in cells)

    y = (box[1] + box[3]) / 2
    assert listed(Word("IOQNOt/24", box[0] + 2, y - 4, box[0] + 40, y + 4, confidence=0.0))
    assert not listed(Word("05/01/202@/01/2", box[0] - 40, y - 4, box[0] + 42, y + 4, confidence=0.0))


def test_given_a_one_line_box_the_page_read_nothing_in_then_its_own_sure_reading_of_a_code_is_taken():
    """A policy number's box read as nothing by the page and 'WC-30459054' at 91 alone: a code is print."""
    import cv2
    import numpy as np

    from pipeline.acord25.cells import BLOCK, Cell
    from pipeline.acord25.layout import Box
    from pipeline.ocr.pages import _word
    from pipeline.ocr.zones import reread_cells
    from tests.ocrfakes import ReadsBands

    scale = 72 / 300
    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "WC-30459054", (100, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    cell = Cell(Box(80 * scale, 200 * scale, 400 * scale, 260 * scale), BLOCK, line=True, kind="text")
    page = Page(1, 1000 * scale, 1000 * scale, ())
    for text, taken in (("WC-30459054", True), ("05/15/24", True), ("S358|x", False)):
        got = reread_cells(page, image, [cell], ReadsBands([text], conf=91.0), dpi=300, place=lambda w: _word(w, scale))
        assert ([w.text for w in got.words] == [text]) is taken


def test_given_a_date_box_whose_own_reading_is_two_lines_then_it_does_not_replace_the_pages_words():
    """A one-line box's own reading replaces the page's junk only as one line: two lines read in a date's box
    (a neighbour's print taken into the cut-out) are no reading of its one value."""
    import cv2
    import numpy as np

    from pipeline.acord25.cells import BLOCK, Cell
    from pipeline.acord25.layout import Box
    from pipeline.ocr.pages import _word
    from pipeline.ocr.zones import reread_cells
    from tests.ocrfakes import ReadsBands

    image = np.full((1000, 1000), 255, dtype=np.uint8)
    cv2.putText(image, "05/15/24", (100, 222), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    cv2.putText(image, "05/15/25", (100, 252), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    scale = 72 / 300
    cell = Cell(Box(80 * scale, 200 * scale, 400 * scale, 260 * scale), BLOCK, line=True, kind="date")
    junk = (Word("ee", 24.0, 50.0, 40.0, 58.0, confidence=0.21), Word("4", 44.0, 50.0, 47.0, 58.0, confidence=0.93))
    page = Page(1, 1000 * scale, 1000 * scale, junk)
    fake = ReadsBands(["05/15/24", "05/15/25"])
    got = reread_cells(page, image, [cell], fake, dpi=300, place=lambda w: _word(w, scale))
    assert fake.calls >= 1
    assert [w.text for w in got.words] == ["ee", "4"]  # the page's words, left to the block's scoring
