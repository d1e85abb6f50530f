"""Values OCR garbled in a scan's value cells, read by their field's kind (branch scanmiss)."""

from __future__ import annotations

from pipeline.acord25.fieldkinds import read_amount, rounded
from pipeline.acord25.parse import parse_amounts
from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word


def _ocr_page(template, extra=()):
    words = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    return Page(number=1, width=612, height=792, words=[*words, *extra], marks=[])


def test_given_a_thousands_comma_read_as_two_marks_then_the_amount_is_whole():
    assert parse_amounts("5,;000,000.00") == [5_000_000]
    assert parse_amounts("1,.000,000") == [1_000_000]


def test_given_a_doubted_limit_whose_zeros_read_as_look_alikes_then_it_is_the_round_limit():
    def cell(text, confidence):
        return [[Word(text, 10.0, 10.0, 60.0, 18.0, confidence=confidence)]]

    assert read_amount(cell("599,000.00", 0.34))[0] == 500_000
    assert read_amount(cell("1,060,000.00", 0.35))[0] == 1_000_000
    assert read_amount(cell("19,000", 0.28))[0] == 10_000


def test_given_a_surely_read_or_printed_amount_then_it_is_kept_as_read():
    assert read_amount([[Word("190,000", 10.0, 10.0, 60.0, 18.0, confidence=0.93)]])[0] == 190_000
    assert read_amount([[Word("190,000", 10.0, 10.0, 60.0, 18.0)]])[0] == 190_000  # a text layer's


def test_rounded_leaves_every_amount_that_is_not_a_first_digit_and_look_alike_zeros():
    for amount in (900_000, 250_000, 1_500_000, 1_590_000, 60_000, 9_000, 2_500):
        assert rounded(amount) == amount


def test_given_a_name_run_on_over_specks_into_the_code_cell_then_the_cell_keeps_its_code():
    """Given an insurer's name, specks OCR read as letters, and the NAIC code, all one phrase across the
    name's box into the code's cell, when read, then the code cell has its code."""
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    name = next(f.box for f in template.fields if f.key == "insurers/A/name")
    naic = next(f.box for f in template.fields if f.key == "insurers/A/naic")
    y0, y1 = name[1] + 3, name[3] - 3
    x = name[0] + 4
    words = []
    for text, width, confidence in (("Atlantic", 28, 0.96), ("Mutual", 22, 0.97), ("Co", 8, 0.97)):
        words.append(Word(text, x, y0, x + width, y1, confidence=confidence))
        x += width + 3
    x += 1
    while x < naic[0] + 4:  # specks read as letters, 2 pt apart, up to the code cell and into it
        words.append(Word("fae", x, y0, x + 10, y1, confidence=0.0))
        x += 12
    words.append(Word("15013", x, y0, x + 18, y1, confidence=0.97))
    cert = extract_module.extract_certificate([_ocr_page(template, extra=words)], None, "ocr")
    insurer = next(i for i in cert["insurers"] if i["letter"] == "A")
    assert insurer["naic"] == "15013"
    assert insurer["name"].startswith("Atlantic Mutual Co")


def test_given_a_street_whose_suffix_ocr_doubted_then_the_suffix_stays_and_the_speck_after_it_goes():
    """Given '8219 River Rd' with 'Rd' read at 0.46 and set lower than 'River', and a speck 'pee' after it,
    when the party block's stray fragments are trimmed, then the street keeps its suffix."""
    from pipeline.acord25.reader import _stray_trimmed

    line = [Word("8219", 24.0, 145.0, 44.0, 153.0, confidence=0.94),
            Word("River", 48.0, 139.0, 70.0, 153.0, confidence=0.93),
            Word("Rd", 75.0, 145.0, 85.0, 153.0, confidence=0.46),
            Word("pee", 194.0, 144.0, 210.0, 153.0, confidence=0.37)]
    kept, cut = _stray_trimmed([line])
    assert [w.text for w in kept[0]] == ["8219", "River", "Rd"]
    assert [w.text for w in cut] == ["pee"]


def test_given_a_name_line_ending_in_a_doubted_fragment_then_the_fragment_is_still_cut():
    from pipeline.acord25.reader import _stray_trimmed

    line = [Word("Acme", 24.0, 139.0, 50.0, 153.0, confidence=0.95),
            Word("Roofing", 54.0, 139.0, 90.0, 153.0, confidence=0.95),
            Word("Rd", 95.0, 145.0, 105.0, 153.0, confidence=0.3)]
    kept, _ = _stray_trimmed([line])
    assert [w.text for w in kept[0]] == ["Acme", "Roofing"]


def test_given_a_policy_number_ocr_read_with_signs_for_letters_then_the_letters_are_put_back():
    from pipeline.acord25.fieldkinds import mended_code

    assert mended_code("X$12345678") == "XS12345678"
    assert mended_code("©AB-0012345-00") == "CAB-0012345-00"
    assert mended_code("Policy $") == "Policy $"  # a sign in a word without digits is no code's letter


def test_given_a_scanned_policy_number_with_a_dollar_sign_for_its_s_then_the_certificate_reads_the_s():
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.key == "umbrella_liability/policy_number")
    y = (box[1] + box[3]) / 2
    word = Word("X$12345678", box[0] + 3, y - 4, box[0] + 50, y + 4, confidence=0.8)
    cert = extract_module.extract_certificate([_ocr_page(template, extra=(word,))], None, "ocr")
    assert cert["policies"][0]["policy_number"] == "XS12345678"


def _ruled(template, words, rule):
    from pipeline.textlayer import Mark

    page = _ocr_page(template, extra=words)
    return Page(number=1, width=612, height=792, words=page.words,
                marks=[*(Mark("rule", *r) for r in template.rules), Mark("rule", *rule)])


def test_given_a_line_through_a_value_across_its_box_then_the_box_is_not_cut_there():
    """Given an upright line through the contact's name (a border drawn around a field), when the page is read,
    then the name's box is whole and holds the name."""
    from pipeline.acord25.reader import FieldWords
    from pipeline.acord25.template import register

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.key == "producer/contact_name")
    y0, y1 = box[1] + 2, box[3] - 2
    x = box[0] + 55  # across most of the box's height, through the second word
    words = (Word("Priya", box[0] + 3, y0, box[0] + 24, y1, confidence=0.81),
             Word("Natarajan", box[0] + 26, y0, box[0] + 66, y1, confidence=0.96))
    page = _ruled(template, words, (x, box[1] - 1, x + 0.5, box[3] + 9))
    fw = FieldWords(page, register(page, template))
    name = next(f for f in template.fields if f.key == "producer/contact_name")
    assert [w.text for w in fw.words[name]] == ["Priya", "Natarajan"]


def test_given_a_line_across_an_empty_stretch_of_an_open_box_then_the_box_is_still_cut_there():
    from pipeline.acord25.reader import FieldWords
    from pipeline.acord25.template import register

    template = load("2016/03")
    page = _ruled(template, (), (17.8, 620.0, 594.7, 621.0))
    fw = FieldWords(page, register(page, template))
    remarks = next(f for f in template.fields if f.kind == "remarks")
    assert fw.boxes[remarks].y1 <= 621.0


def _after_revision_label(text, confidence):
    """A word read from the revision number's box whose left edge lies on the colon of "REVISION NUMBER:"."""
    template = load("2016/03")
    label = next(w for w in template.printed if w[0] == "NUMBER:" and w[1] > 300)
    box = next(f.box for f in template.fields if f.key == "revision_number")
    x0 = label[3] - 1.0  # on the colon
    return template, Word(text, x0, box[1] + 1, x0 + 4.5 * len(text), box[3] - 1, confidence=confidence)


def test_given_a_revision_digit_read_glued_to_its_labels_colon_then_the_colon_is_taken_off():
    """Given "REVISION NUMBER:" and the digit 5 typed close after it, OCR read as '15' (the colon as a 1),
    when read, then the revision number is 5."""
    from pipeline.acord25 import extract as extract_module

    template, word = _after_revision_label("15", 0.47)
    cert = extract_module.extract_certificate([_ocr_page(template, extra=[word])], None, "ocr")
    assert cert["revision_number"] == "5"


def test_given_a_lone_digit_made_doubtful_by_its_labels_colon_then_it_is_the_value():
    """Given the digit 3 read alone at 0.3 (its box widened over the label's colon), when read, then it is the
    revision number, not a speck."""
    from pipeline.acord25 import extract as extract_module

    template, word = _after_revision_label("3", 0.3)
    cert = extract_module.extract_certificate([_ocr_page(template, extra=[word])], None, "ocr")
    assert cert["revision_number"] == "3"
    assert cert["evidence"]["/revision_number"]["confidence"] < 0.9


def test_given_an_address_whose_last_dot_ocr_read_as_a_space_then_the_dot_is_put_back():
    from pipeline.acord25.fieldkinds import read_email

    words = [Word("office", 0, 0, 20, 8, confidence=0.9), Word("@maple-agency", 22, 0, 70, 8, confidence=0.8),
             Word("net", 72, 0, 82, 8, confidence=0.9)]
    assert read_email([words])[0] == "office@maple-agency.net"


def test_given_an_email_address_ocr_read_with_no_confidence_then_it_is_still_the_value():
    """Given the producer's e-mail address read whole but at confidence 0.05 (not speckle: specks never read
    as name@domain.tld), when read, then it is the e-mail address, given below 0.9."""
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.key == "producer/email")
    word = Word("desk@oak-agency.com", box[0] + 4, box[1] + 1, box[0] + 90, box[3] - 1, confidence=0.05)
    cert = extract_module.extract_certificate([_ocr_page(template, extra=[word])], None, "ocr")
    assert cert["producer"]["email"] == "desk@oak-agency.com"
    assert cert["evidence"]["/producer/email"]["confidence"] < 0.9


def test_given_doubted_letters_read_after_a_code_in_its_box_then_they_are_cut_off():
    """Given a policy number read surely and two letters read doubtfully after it, the same print, when the
    phrase's ends are trimmed, then the code stands alone (a code's letters are read with its digits)."""
    from pipeline.acord25.reader import _trimmed

    phrase = [Word("PK-5520931", 217.0, 337.0, 278.0, 350.0, confidence=0.92),
              Word("qE", 284.0, 337.0, 293.0, 350.0, confidence=0.2)]
    assert [w.text for w in _trimmed(phrase, lambda w: False)] == ["PK-5520931"]


def test_given_a_word_ocr_did_not_believe_before_a_code_that_starts_with_letters_then_it_is_no_prefix():
    """Given a word read at 0.0 out of every box overlapping a policy number that starts with its own letters,
    when trimmed, then it is cut; before a code that starts with a digit, letters close to it stay (its prefix)."""
    from pipeline.acord25.reader import _trimmed

    junk = Word("ofsnid", 207.0, 496.0, 232.0, 507.0, confidence=0.0)
    assert [w.text for w in _trimmed([junk, Word("AB-3131313", 217.0, 499.0, 268.0, 509.0, confidence=0.9)],
                                     lambda w: w is junk)] == ["AB-3131313"]
    split = Word("AB", 205.0, 499.0, 215.0, 509.0, confidence=0.05)
    assert [w.text for w in _trimmed([split, Word("3131313", 217.0, 499.0, 268.0, 509.0, confidence=0.9)],
                                     lambda w: w is split)] == ["AB", "3131313"]


def _ocr_lines(*texts):
    return [[Word(t, 20.0, 10.0 * i, 20.0 + 5 * len(t), 10.0 * i + 8, confidence=0.9) for t in [text]]
            for i, text in enumerate(texts)]


def test_given_a_scanned_street_whose_house_number_holds_a_speck_then_the_address_starts_there():
    from pipeline.acord25.fieldkinds import split_party

    got = split_party(_ocr_lines("Oakhill Paving LLC", "4021. Elm Dr", "Suite 9", "Clinton, NJ 08812"), None)
    assert got["name"] == "Oakhill Paving LLC"
    assert got["address"].startswith("4021. Elm Dr")


def test_given_a_scanned_care_of_line_read_with_look_alikes_then_it_starts_the_address():
    from pipeline.acord25.fieldkinds import split_party

    for care_of in ("c’o", "elo", "c|o"):
        got = split_party(_ocr_lines("Oakhill Roofing Inc", f"{care_of} Oakhill Management", "12 Elm Dr",
                                     "Clinton, NJ 08812"), None)
        assert got["name"] == "Oakhill Roofing Inc"
        assert got["address"].startswith("c/o Oakhill Management")


def test_given_a_policy_number_ocr_read_with_a_currency_sign_for_its_c_then_the_c_is_put_back():
    from pipeline.acord25.fieldkinds import mended_code

    assert mended_code("€PL-4411223") == "CPL-4411223"
    assert mended_code("¢A55012345") == "CA55012345"


def test_given_a_value_read_glued_to_its_labels_colon_then_its_box_is_listed_for_a_second_reading():
    """Given the revision digit read as '15' over the colon of "REVISION NUMBER:", when the value boxes to read
    again are listed, then the revision number's box is one (read alone, without the colon); the same digit
    read clear of the colon is not."""
    from pipeline.acord25.cells import BLOCK, value_cells

    template, glued = _after_revision_label("15", 0.47)
    clear = Word("5", glued.x0 + 4, glued.y0, glued.x0 + 9, glued.y1, confidence=0.96)

    def listed(word):
        cells = value_cells(_ocr_page(template, extra=[word]), lambda box, **_: False)
        return [c for c in cells if c.alphabet == BLOCK and c.box.contains(word.x1 - 1, word.cy)]

    assert len(listed(glued)) == 1
    assert listed(clear) == []
