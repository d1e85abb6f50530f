"""Scans and photos of the 2001/08 edition and the others (branch scan2001): a name's last y whose tail was cut, a
word glued to its label's colon, a name's doubtful first word read apart from the rest, a typed name in the signature
box read again alone."""

from __future__ import annotations

from pipeline.acord25.template import load
from pipeline.textlayer import Page, Word
from tests.readings import ocr_line


def _box(template, key: str) -> tuple[float, float, float, float]:
    return next(f.box for f in template.fields if f.key == key)


def _read(edition: str, words: list[Word]) -> dict:
    """The certificate read from a page of ``edition`` (OCR words) holding the form's print and ``words``."""
    from pipeline.acord25 import extract as extract_module

    template = load(edition)
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *words], marks=[])
    return extract_module.extract_certificate([page], None, "ocr")


def _insurer(cert: dict, letter: str) -> dict:
    return next(i for i in cert["insurers"] if i["letter"] == letter)


def _insurer_words(template, letter: str, words: list[tuple[str, float, float, float]]) -> list[Word]:
    """OCR words in insurer ``letter``'s name box: (text, left edge past the box's left edge, width, confidence)."""
    box = _box(template, f"insurers/{letter}/name")
    return [Word(t, box[0] + dx, box[1] + 2, box[0] + dx + width, box[1] + 10, confidence=conf)
            for t, dx, width, conf in words]


def test_given_a_names_last_y_read_as_v_then_it_is_put_back():
    from pipeline.acord25.fieldkinds import split_party, with_cut_y

    assert with_cut_y("Atlantic Casualtv Companv") == "Atlantic Casualty Company"
    assert with_cut_y("Libertv Bell Specialtv. Co") == "Liberty Bell Specialty. Co"
    # short words and abbreviations do end in a consonant and v: left as read
    assert with_cut_y("Merv Adv Food Serv Inv Conv Harv Irv, 9 Industrial Pkwv") == \
        "Merv Adv Food Serv Inv Conv Harv Irv, 9 Industrial Pkwv"
    # a v after a vowel ends words and names ('Rostov', 'Kyiv'); a capital V, a v inside a word are left alone
    assert with_cut_y("Rostov Kyiv Lviv TV Chevrolet Volvo") == "Rostov Kyiv Lviv TV Chevrolet Volvo"
    got = split_party([ocr_line("Granite Companv LLC", 10), ocr_line("12 Main St", 20),
                       ocr_line("Clinton, NJ 08812", 30)], None)
    assert got["name"] == "Granite Company LLC"


def test_given_an_insurers_name_with_a_cut_y_then_ocr_is_mended_and_a_text_layer_kept_as_printed():
    template = load("2016/03")
    words = _insurer_words(template, "A", [("Pioneer", 2, 36, 0.9), ("Casualtv", 40, 36, 0.9), ("Co", 80, 10, 0.9)])
    assert _insurer(_read("2016/03", words), "A")["name"] == "Pioneer Casualty Co"
    from pipeline.acord25.fieldkinds import split_party

    printed = [[Word("Casualtv", 20.0, 10.0, 60.0, 18.0), Word("LLC", 64.0, 10.0, 80.0, 18.0)],
               [Word("12", 20.0, 20.0, 30.0, 28.0), Word("Main", 34.0, 20.0, 50.0, 28.0), Word("St", 54.0, 20.0, 62.0, 28.0)]]
    assert split_party(printed, None)["name"] == "Casualtv LLC"


def test_given_a_colon_drawn_touching_its_box_then_it_is_that_boxs_label():
    from pipeline.acord25.reader import _label_colons

    # the 2001/08 blank's "INSURER C:" ends 0.02 pt inside its name's field; the other letters' end before theirs
    keys = {f.key for f, _ in _label_colons("2001/08")}
    assert {f"insurers/{letter}/name" for letter in "ABCDE"} <= keys


def test_given_a_word_glued_to_its_labels_colon_and_doubted_then_it_is_the_values_first_word():
    template = load("2001/08")
    box = _box(template, "insurers/C/name")
    # 'Keystone' read with the colon of "INSURER C:" (its left edge on the colon, left of the box), at 0.0
    words = [Word("Keystone", box[0] - 1.5, box[1] + 2, box[0] + 34, box[1] + 10, confidence=0.0),
             *_insurer_words(template, "C", [("Indemnity", 37, 38, 0.95), ("Co", 78, 10, 0.95)])]
    cert = _read("2001/08", words)
    assert _insurer(cert, "C")["name"] == "Keystone Indemnity Co"
    index = cert["insurers"].index(_insurer(cert, "C"))
    assert cert["evidence"][f"/insurers/{index}/name"]["confidence"] < 0.9  # its doubt caps the value's


def test_given_a_names_doubtful_first_word_read_apart_then_it_is_kept_before_the_sure_rest():
    template = load("2016/03")
    # a photo's words read far apart (more than a phrase's gap): the first read at 0.0, the rest surely
    words = _insurer_words(template, "A", [("Meridian", 2, 36, 0.0), ("Casualty", 45, 36, 0.95),
                                           ("Company", 84, 36, 0.95)])
    cert = _read("2016/03", words)
    assert _insurer(cert, "A")["name"] == "Meridian Casualty Company"
    assert cert["evidence"]["/insurers/0/name"]["confidence"] < 0.9


def test_given_doubtful_words_that_are_not_a_names_first_then_they_stay_out():
    template = load("2016/03")
    # speckle read as small letters, and doubtful words with nothing sure after them on their line, are not values
    words = _insurer_words(template, "A", [("eee", 2, 12, 0.0), ("Casualty", 21, 36, 0.95), ("Company", 60, 36, 0.95)])
    words += _insurer_words(template, "B", [("Meridian", 2, 36, 0.0), ("Sasnity", 45, 36, 0.1)])
    cert = _read("2016/03", words)
    assert _insurer(cert, "A")["name"] == "Casualty Company"
    assert all(i["letter"] != "B" for i in cert["insurers"])


def _signature_cells(marks: list, words: list[Word]) -> list:
    """The signature box's cells of a 2016/03 page (OCR print, ``words``, ``marks``) whose every zone holds print."""
    from pipeline.acord25.cells import BLOCK, page_registration, value_cells

    template = load("2016/03")
    printed = [Word(t, x0, y0, x1, y1, confidence=0.9) for t, x0, y0, x1, y1 in template.printed]
    page = Page(number=1, width=612, height=792, words=[*printed, *words], marks=marks)
    registration = page_registration(page)
    box = next(f.box for f in template.fields if f.kind == "signature")
    return [c for c in value_cells(page, lambda zone, least=None: True, registration)
            if c.alphabet == BLOCK and c.line and c.box.x0 <= box[0] and box[2] <= c.box.x1
            and c.box.y0 <= box[1] and box[3] <= c.box.y1]


def test_given_print_in_a_signature_box_no_word_was_read_from_then_it_is_read_again_alone():
    from pipeline.textlayer import Mark

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.kind == "signature")
    assert len(_signature_cells([], [])) == 1  # a typed name the zones' path did not read: read alone
    # a drawing found there signs it already; a name read there already is the box's reading
    assert _signature_cells([Mark("drawing", box[0] + 20, box[1] + 4, box[0] + 90, box[3] - 4)], []) == []
    assert _signature_cells([], [Word("Dana", box[0] + 20, box[1] + 8, box[0] + 44, box[1] + 16, confidence=0.9),
                                 Word("Whitfield", box[0] + 48, box[1] + 8, box[0] + 90, box[1] + 16,
                                      confidence=0.9)]) == []
