"""Party blocks and insurer names read by OCR (pure: the 2016/03 template, no shared corpus).

Each test puts OCR words in registered field boxes of the blank's own print, as tesseract gives them on
a scan, and reads the page with the template reader."""

from pipeline.acord25.reader import _untangled
from pipeline.textlayer import Word
from tests.readings import in_box as _word, read_over_print as _read


def _insurer(cert, letter):
    return next(i for i in cert["insurers"] if i["letter"] == letter)


def test_given_an_insurer_names_short_last_word_read_doubtfully_on_its_line_then_it_stays_in_the_name():
    cert = _read(_word("Meridian", "insurers/B/name", dx=4, width=36), _word("Indemnity", "insurers/B/name", dx=43, width=42),
                 _word("Co", "insurers/B/name", dx=88, width=10, confidence=0.15),
                 _word("43633", "insurers/B/naic", dx=6, width=25))
    assert _insurer(cert, "B")["name"] == "Meridian Indemnity Co"


def test_given_a_doubted_speck_off_the_line_after_an_insurer_name_then_it_is_cut_off():
    cert = _read(_word("Meridian", "insurers/B/name", dx=4, width=36), _word("Indemnity", "insurers/B/name", dx=43, width=42),
                 _word("ee", "insurers/B/name", dx=88, width=10, confidence=0.15, top=5.0, height=4.0),
                 _word("43633", "insurers/B/naic", dx=6, width=25))
    assert _insurer(cert, "B")["name"] == "Meridian Indemnity"


def test_given_a_street_lines_short_last_word_read_doubtfully_then_the_address_keeps_it():
    cert = _read(_word("Lakeshore", "producer", dx=6, width=40), _word("Group", "producer", dx=50, width=22),
                 _word("8219", "producer", dx=6, width=18, line=1), _word("River", "producer", dx=28, width=22, line=1),
                 _word("Rd", "producer", dx=54, width=10, confidence=0.37, line=1),
                 _word("Fairview,", "producer", dx=6, width=36, line=2), _word("TX", "producer", dx=46, width=9, line=2),
                 _word("75039", "producer", dx=59, width=22, line=2))
    assert cert["producer"]["address"] == "8219 River Rd, Fairview, TX 75039"


def test_given_a_word_read_taller_that_joined_the_line_above_across_a_word_then_it_goes_to_its_own_line():
    """'Dr' of '3301 Elm Dr' read taller and higher joins the licence line above, over its number."""
    line_above = [Word("Lic#", 24, 137, 40, 156, confidence=0.89), Word("8166909", 41, 139, 86, 151, confidence=0.43)]
    tall = Word("Dr", 60, 143, 68, 160, confidence=0.97)
    street = [Word("3301", 24, 151, 40, 160, confidence=0.91), Word("Elm", 44, 151, 56, 160, confidence=0.97)]
    lines = _untangled([[*line_above, tall], street])
    assert [[w.text for w in line] for line in lines] == [["Lic#", "8166909"], ["3301", "Elm", "Dr"]]


def test_given_words_of_one_line_side_by_side_then_the_lines_stay_as_they_are():
    line = [Word("Harbor", 74, 192, 96, 200, confidence=0.9), Word("Masonry", 97, 192, 124, 200, confidence=0.9)]
    below = [Word("6246", 74, 207, 89, 215, confidence=0.9), Word("Commerce", 90, 207, 124, 215, confidence=0.9)]
    assert _untangled([line, below]) == [line, below]


def test_given_a_names_words_read_at_two_heights_side_by_side_then_they_are_one_line_in_reading_order():
    """'Paving' read a little higher and smaller than 'Lakeshore' and 'LLC' beside it: one name line."""
    high = [Word("Paving", 118, 689.1, 146, 697.6, confidence=0.97)]
    low = [Word("Lakeshore", 74, 691.5, 115, 704.1, confidence=0.96), Word("LLC", 149, 691.5, 166, 704.1, confidence=0.97)]
    assert [[w.text for w in line] for line in _untangled([high, low])] == [["Lakeshore", "Paving", "LLC"]]


def test_given_a_text_layers_lines_then_they_are_left_as_drawn():
    """Text-layer words carry no OCR doubt: their lines are the drawing's, even when two words overlap."""
    line = [Word("Sako", 74, 192, 96, 200), Word("Holdings", 90, 192, 124, 200)]
    below = [Word("1507472", 100, 196, 130, 204)]
    assert _untangled([line, below]) == [line, below]
