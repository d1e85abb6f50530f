"""Values after OCR read by their field's kind and the form's structure (branch scanmiss3): two Y/N answers read as
one word across their cells' rule, a Y/N letter read with specks or a look-alike, a coverage row's cell holding
only stray fragments, a street suffix read with a look-alike 'l', a name's legal form read doubtfully."""

from __future__ import annotations

from pipeline.acord25.fieldkinds import read_yn, split_party
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word


def _line(text: str, y: float, confidence: float | None = 0.9, x: float = 20.0) -> list[Word]:
    words = []
    for t in text.split():
        words.append(Word(t, x, y, x + 6.0 * len(t), y + 8.0, confidence=confidence))
        x += 6.0 * len(t) + 4.0
    return words


def _box(template, key: str) -> tuple[float, float, float, float]:
    return next(f.box for f in template.fields if f.key == key)


def _policies(row_words: list[Word]) -> dict[str, dict]:
    """The policies read from a 2016/03 page (OCR words) holding the form's print and ``row_words``."""
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *row_words], marks=[])
    cert = extract_module.extract_certificate([page], None, "ocr")
    return {p["line"]: p for p in cert["policies"]}


def _row(row: str, answers: str, number: str, left_key: str = "additional_insured") -> list[Word]:
    """A coverage row's policy number and dates, and ``answers`` as one OCR word from the ADDL INSD column's middle
    to the SUBR WVD column's (its left column's box from ``left_key``'s row: the general liability row's)."""
    template = load("2016/03")
    num, eff, exp = (_box(template, f"{row}/{k}") for k in ("policy_number", "effective", "expiration"))
    addl = _box(template, f"general_liability/{left_key}")
    subr = _box(template, f"{row}/subrogation_waived")
    y = num[1] + 20.0
    return [Word(number, num[0] + 2, y, num[0] + 50, y + 8, confidence=0.95),
            Word("03/27/23", eff[0] + 3, y, eff[0] + 30, y + 8, confidence=0.9),
            Word("03/27/24", exp[0] + 3, y, exp[0] + 30, y + 8, confidence=0.9),
            Word(answers, addl[0] + 1.0, y, (subr[0] + subr[2]) / 2 + 2.0, y + 8, confidence=0.54)]


def test_given_two_yn_answers_read_as_one_word_across_their_rule_then_each_cell_has_its_own():
    got = _policies(_row("general_liability", "YIN", "GL-12345678"))["general_liability"]
    assert (got["additional_insured"], got["subrogation_waived"]) == (True, False)
    got = _policies(_row("general_liability", "NON)", "GL-12345678"))["general_liability"]
    assert (got["additional_insured"], got["subrogation_waived"]) == (False, False)


def test_given_a_rows_printed_na_run_into_its_lone_yn_cell_then_the_cell_has_its_answer():
    # workers compensation's ADDL INSD cell is no field (the form prints N/A there): its place is the other rows'
    got = _policies(_row("workers_compensation", "N/AIY", "WC-12345678"))["workers_compensation"]
    assert got["subrogation_waived"] is True


def test_given_a_word_with_no_mark_between_two_answers_then_it_is_not_cut():
    from pipeline.acord25.reader import _cut_at_rule
    from pipeline.acord25.layout import Box

    rules = [(194.0, Box(176.0, 300.0, 194.0, 384.0), Box(194.0, 300.0, 212.0, 384.0))]
    assert [w.text for w in _cut_at_rule(Word("YIN", 177.0, 330.0, 200.0, 338.0, confidence=0.5), rules)] == ["Y", "N"]
    assert len(_cut_at_rule(Word("NY", 177.0, 330.0, 200.0, 338.0, confidence=0.5), rules)) == 1  # a state
    assert len(_cut_at_rule(Word("YIN", 100.0, 330.0, 123.0, 338.0, confidence=0.5), rules)) == 1  # not across it
    assert len(_cut_at_rule(Word("YIN", 177.0, 330.0, 200.0, 338.0), rules)) == 1  # a text layer's, as printed


def test_given_a_yn_letter_read_with_specks_or_a_lookalike_then_it_is_the_answer():
    from pipeline.acord25.reader import _speck

    assert read_yn([[Word("N-", 177.0, 330.0, 187.0, 338.0, confidence=0.1)]]) == (False, "first_of_stack")
    assert read_yn([[Word("Y.°", 182.0, 330.0, 188.0, 338.0, confidence=0.1)]]) == (True, "first_of_stack")
    yen = Word("¥", 201.0, 337.0, 205.0, 346.0, confidence=0.77)
    assert read_yn([[yen]]) == (True, "first_of_stack")
    assert not _speck(yen) and _speck(Word("-", 201.0, 337.0, 205.0, 346.0, confidence=0.77))


def test_given_a_coverage_rows_cell_holding_only_stray_fragments_then_it_holds_nothing():
    from pipeline.acord25.reader import _without_stray_lines

    stray = [_line("dies", 10, 0.35)]
    assert _without_stray_lines(stray, True) == []
    assert _without_stray_lines(stray) == stray  # a party's or insurer's text: kept when nothing else is
    kept = [_line("Incl Contractual", 10, 0.9)]
    assert _without_stray_lines(kept + [_line("NIA", 20, 0.4)], True) == kept


def test_given_a_street_suffix_read_with_a_lookalike_then_it_is_mended():
    from pipeline.acord25.postal import with_suffix_mended

    assert with_suffix_mended("6246 Commerce Bivd") == "6246 Commerce Blvd"
    assert with_suffix_mended("4864 Commerce B1vd, Suite 3") == "4864 Commerce Blvd, Suite 3"
    assert with_suffix_mended("9138 Mii Rd") == "9138 Mii Rd"  # a street already: its name is not touched
    lines = [_line("Harbor Glass LLC", 10), _line("4864 Commerce Bivd", 20), _line("Greenville, SC 29676", 30)]
    assert split_party(lines, None)["address"] == "4864 Commerce Blvd, Greenville, SC 29676"


def test_given_a_names_legal_form_read_doubtfully_then_it_stays_on_the_name():
    from pipeline.acord25.reader import _stray_trimmed

    line = _line("Harbor Heating & Air Group", 10, 0.95) + _line("LLC", 10, 0.49, x=200.0)
    kept, cut = _stray_trimmed([line])
    assert [w.text for w in kept[0]][-1] == "LLC" and not cut
    tail = _line("Harbor Heating & Air Group", 10, 0.95) + _line("dene", 10, 0.3, x=200.0)
    assert [w.text for w in _stray_trimmed([tail])[0][0]][-1] == "Group"  # a fragment at the edge: cut
