"""An OCR'd coverage description must account for its cell's print (branch descconf): a description read in a
later piece of its cell while the first piece held no word, or one whose line runs on into a cell that read nothing
of it, is doubted."""

from __future__ import annotations

from pipeline.acord25.extract import extract_certificate
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word

TEMPLATE = load("2016/03")
PIECES = sorted((f.box for f in TEMPLATE.fields if f.key == "automobile_liability/description"), key=lambda b: b[0])


def _row(*words: tuple[str, float, float, float]) -> dict:
    """The automobile row of an OCR'd 2016/03 page: a policy number and its dates, and ``words`` (text, x0, x1,
    confidence) on the description's line; the certificate read from it."""
    y0, y1 = PIECES[0][1] + 2, PIECES[0][3] - 2
    printed = [Word(t, x0, a, x1, b, confidence=0.95) for t, x0, a, x1, b in TEMPLATE.printed]
    values = [Word("BA1234567", 220.0, 400.0, 270.0, 408.0, confidence=0.96),
              Word("01/01/2024", 334.0, 400.0, 374.0, 408.0, confidence=0.96),
              Word("01/01/2025", 381.0, 400.0, 421.0, 408.0, confidence=0.96)]
    values += [Word(t, x0, y0, x1, y1, confidence=c) for t, x0, x1, c in words]
    cert = extract_certificate([Page(number=1, width=612, height=792, words=[*printed, *values], marks=[])],
                               None, "ocr")
    i = next(i for i, p in enumerate(cert["policies"]) if p["line"] == "automobile_liability")
    return {"description": cert["policies"][i]["description"], **cert["evidence"][f"/policies/{i}/description"]}


FIRST = [("Comp/Coll", PIECES[0][0] + 2, PIECES[0][0] + 40, 0.96)]
SECOND = [("Symbol", PIECES[1][0] + 2, PIECES[1][0] + 30, 0.96), ("1", PIECES[1][0] + 34, PIECES[1][0] + 37, 0.96)]


def test_given_a_description_read_in_its_cells_later_piece_with_the_first_piece_empty_then_it_is_doubted():
    alone = _row(*SECOND)
    assert alone["description"] == "Symbol 1"
    assert alone["how"] == "later_piece"
    assert alone["confidence"] < 0.9
    both = _row(*FIRST, *SECOND)
    assert both["description"] == "Comp/Coll Symbol 1"
    assert both["how"] == "in_box"
    assert both["confidence"] > alone["confidence"]


def test_given_a_descriptions_line_run_on_into_a_cell_that_read_nothing_of_it_then_its_doubt_counts():
    end = PIECES[1][2]  # the run-on word starts in the next column (ADDL INSD), a Y/N cell that reads no amount
    line = [*FIRST, *SECOND, ("Ded", end - 12, end - 1, 0.96)]
    doubted = _row(*line, ("$1,000", end + 6, end + 20, 0.76))
    sure = _row(*line, ("$1,000", end + 6, end + 20, 0.97))
    plain = _row(*line)
    assert doubted["description"] == sure["description"] == "Comp/Coll Symbol 1 Ded"
    assert doubted["confidence"] < 0.9
    assert doubted["ocr"] == 0.76
    assert sure["confidence"] == plain["confidence"]
