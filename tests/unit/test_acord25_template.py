"""The 2016/03 template and the registration of a page to it (pure: no shared corpus)."""

from pipeline.acord25.template import load, register
from pipeline.textlayer import Page, Word


def _page(template, dx=0.0, dy=0.0, lower_table=0.0, extra=()):
    words = [Word(t, x0 + dx, y0 + dy + (lower_table if y0 > 286 else 0), x1 + dx, y1 + dy + (lower_table if y0 > 286 else 0))
             for t, x0, y0, x1, y1 in template.printed]
    return Page(number=1, width=612, height=792, words=[*words, *extra], marks=[])


def test_given_the_blank_shifted_when_registered_then_every_block_finds_the_shift():
    template = load("2016/03")
    reg = register(_page(template, dx=2.0, dy=-1.5), template)
    for fit in reg.blocks.values():
        assert abs(fit.transform.tx - 2.0) < 0.2 and abs(fit.transform.ty + 1.5) < 0.2 and fit.residual < 0.5


def test_given_a_coverage_table_12pt_lower_when_registered_per_block_then_only_that_block_moves():
    template = load("2016/03")
    reg = register(_page(template, lower_table=12.0), template)
    assert abs(reg.fit("coverages").transform.ty - 12.0) < 0.2
    assert abs(reg.fit("producer").transform.ty) < 0.2


def test_given_a_value_among_the_labels_then_only_the_labels_are_print():
    template = load("2016/03")
    value = Word("ACME", 100.0, 135.0, 130.0, 143.0)
    page = _page(template, extra=(value,))
    reg = register(page, template)
    assert len(page.words) - 1 not in reg.printed_words
    assert len(reg.printed_words) >= 0.95 * len(template.printed)


def test_given_a_page_of_other_words_then_it_does_not_register():
    template = load("2016/03")
    page = Page(number=1, width=612, height=792, words=[Word("hello", 10, 10, 40, 18)], marks=[])
    assert register(page, template) is None


def _ocr_page(template, scale=1.0, dx=0.0, dy=0.0, misread=None, extra=()):
    """The blank as OCR would give it: every word with a confidence, optionally shrunk and misread."""
    misread = misread or {}
    words = [Word(misread.get(t, t), x0 * scale + dx, y0 * scale + dy, x1 * scale + dx, y1 * scale + dy, confidence=0.9)
             for t, x0, y0, x1, y1 in template.printed]
    return Page(number=1, width=612, height=792, words=[*words, *extra], marks=[])


def test_given_ocr_words_one_letter_off_a_label_then_they_read_as_that_label():
    from pipeline.acord25.template import vocabulary

    reads = vocabulary("2016/03")
    assert reads.labels(Word("lNSURER", 0, 0, 1, 1, confidence=0.8)) == ("INSURER",)
    assert reads.labels(Word("COMMERClAL", 0, 0, 1, 1, confidence=0.8)) == ("COMMERCIAL",)
    assert reads.labels(Word("Plumbing", 0, 0, 1, 1, confidence=0.8)) == ()


def test_given_a_text_layer_word_one_letter_off_a_label_then_it_is_not_that_label():
    from pipeline.acord25.template import vocabulary

    assert vocabulary("2016/03").labels(Word("lNSURER", 0, 0, 1, 1)) == ()


def test_given_a_scan_with_misread_labels_when_registered_then_the_misread_labels_are_print():
    template = load("2016/03")
    page = _ocr_page(template, dx=1.0, misread={"INSURER": "lNSURER", "COMMERCIAL": "C0MMERCIAL"})
    reg = register(page, template)
    assert reg is not None
    misread = [j for j, w in enumerate(page.words) if w.text in ("lNSURER", "C0MMERCIAL")]
    assert misread and all(j in reg.printed_words for j in misread)


def test_given_a_scan_shrunk_to_nine_tenths_when_registered_then_the_fit_finds_the_scale():
    template = load("2016/03")
    reg = register(_ocr_page(template, scale=0.9, dx=30.0, dy=35.0), template)
    assert reg is not None
    for name in ("producer", "coverages", "holder"):
        t = reg.fit(name).transform
        assert abs(t.sx - 0.9) < 0.01 and abs(t.sy - 0.9) < 0.01
        x, y = t.point(300.0, 400.0)
        assert abs(x - 300.0) < 1.0 and abs(y - 395.0) < 1.0


def test_given_an_ocr_word_lying_on_a_label_past_recognition_then_it_is_print():
    template = load("2016/03")
    text, x0, y0, x1, y1 = next(p for p in template.printed if p[0] == "PRODUCER")
    garbled = Word("PRQDVCFR", x0, y0, x1, y1, confidence=0.5)
    page = _ocr_page(template, extra=(garbled,))
    reg = register(page, template)
    assert len(page.words) - 1 in reg.printed_words


def test_given_an_ocr_page_on_the_template_reader_then_tesseract_confidence_caps_the_value():
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    box = next(f for f in template.fields if f.key == "date").box
    cy = (box[1] + box[3]) / 2
    def read(confidence):
        date = Word("03/15/2024", box[0] + 2, cy - 4, box[0] + 50, cy + 4, confidence=confidence)
        return extract_module.extract_certificate([_ocr_page(template, extra=(date,))], None, "ocr")

    cert, sure = read(0.8), read(0.97)
    assert cert["date"] == "2024-03-15"
    assert cert["evidence"]["/date"]["ocr"] == 0.8
    assert cert["evidence"]["/date"]["confidence"] < sure["evidence"]["/date"]["confidence"]


def test_given_an_ocr_address_ending_in_a_zip_read_with_look_alike_letters_then_the_digits_are_restored():
    from pipeline.acord25.fieldkinds import split_party

    def line(*texts, y=0.0, conf=0.9):
        return [Word(t, 10.0 * i, y, 10.0 * i + 8, y + 8, confidence=conf) for i, t in enumerate(texts)]

    got = split_party([line("Acme", "Roofing", "LLC"), line("12", "Main", "St", y=10),
                       line("OWATONNA,", "MN", "SS060", y=20)], None)
    assert got["address"] == "12 Main St, OWATONNA, MN 55060"


def test_given_a_text_layer_address_then_its_zip_is_kept_as_printed():
    from pipeline.acord25.fieldkinds import split_party

    lines = [[Word("Acme", 0, 0, 8, 8)], [Word("12", 0, 10, 8, 18), Word("Main", 10, 10, 18, 18)],
             [Word("Salem,", 0, 20, 8, 28), Word("OR", 10, 20, 18, 28), Word("S7313", 20, 20, 28, 28)]]
    assert split_party(lines, None)["address"].endswith("OR S7313")


def test_given_an_ocr_word_glued_after_a_label_colon_then_the_label_part_is_dropped_as_print():
    from pipeline.acord25.reader import prepared

    page = Page(number=1, width=612, height=792, words=[Word("A:FEDERATED", 0, 0, 110, 8, confidence=0.9)], marks=[])
    words = prepared(page).words
    assert [w.text for w in words] == ["FEDERATED"]
    assert words[0].x0 == 20.0


def test_given_an_ocr_word_glued_after_a_colon_that_is_no_label_then_both_parts_are_kept():
    from pipeline.acord25.reader import prepared

    page = Page(number=1, width=612, height=792, words=[Word("Attn:Smith", 0, 0, 100, 8, confidence=0.9)], marks=[])
    assert [w.text for w in prepared(page).words] == ["Attn:", "Smith"]


def _ruled_page(template, moved=lambda x, y: (x, y), keep_label=lambda text, y: True):
    """An OCR page of the blank whose words and ruled lines are placed by ``moved`` (template -> page)."""
    from pipeline.textlayer import Mark

    words = []
    for t, x0, y0, x1, y1 in template.printed:
        if not keep_label(t, y0):
            continue
        (a, b), (c, d) = moved(x0, y0), moved(x1, y1)
        words.append(Word(t, a, b, c, d, confidence=0.9))
    marks = []
    for x0, y0, x1, y1 in template.rules:
        (a, b), (c, d) = moved(x0, y0), moved(x1, y1)
        marks.append(Mark("rule", a, b, c, d))
    return Page(number=1, width=612, height=792, words=words, marks=marks)


def test_given_a_scan_whose_lower_boxes_sit_higher_when_registered_then_a_block_with_few_labels_follows_its_rules():
    """The holder block prints two labels of its own; its ruled lines place it where its neighbours' labels do not."""
    template = load("2016/03")

    def moved(x, y):
        return x, y - 12.0 if y > 646 else y

    def kept(text, y):  # the notices and footer below the holder's label left unread
        return y < 646 or text in ("CERTIFICATE", "HOLDER")

    reg = register(_ruled_page(template, moved, kept), template)
    holder = reg.fit("holder")
    assert holder.rules >= 3
    assert abs(holder.transform.point(100.0, 700.0)[1] - 688.0) < 1.0
    assert abs(reg.fit("description").transform.point(100.0, 600.0)[1] - 600.0) < 1.0


def test_given_a_block_drawn_wider_than_the_page_scale_says_then_its_column_rules_give_its_stretch():
    """Another print of the form draws the insurers' box 4 % wider: its upright rules at both sides fix that."""
    template = load("2016/03")

    def moved(x, y):
        return (306.0 + (x - 306.0) * 1.04 if 156 < y < 241 and x > 300 else x), y

    reg = register(_ruled_page(template, moved), template)
    right = reg.fit("insurers").transform.point(590.0, 200.0)[0]
    assert abs(right - (306.0 + 284.0 * 1.04)) < 1.5


def test_given_a_page_rule_across_a_box_the_template_draws_open_then_the_box_is_cut_there():
    """A shorter description box: the page's rule that closes it runs through the box its block's fit places."""
    from pipeline.acord25.reader import FieldWords
    from pipeline.textlayer import Mark

    template = load("2016/03")
    page = _ocr_page(template)
    page = Page(number=1, width=612, height=792, words=page.words,
                marks=[*(Mark("rule", *r) for r in template.rules), Mark("rule", 17.8, 620.0, 594.7, 621.0)])
    fw = FieldWords(page, register(page, template))
    remarks = next(f for f in template.fields if f.kind == "remarks")
    assert fw.boxes[remarks].y1 <= 621.0
    assert fw.boxes[remarks].y0 < 580.0


def test_given_a_dashed_customer_number_on_a_party_blocks_first_line_then_it_is_neither_name_nor_address():
    from pipeline.acord25.fieldkinds import split_party

    def line(*texts, y=0.0):
        return [Word(t, 10.0 * i, y, 10.0 * i + 8, y + 8, confidence=0.9) for i, t in enumerate(texts)]

    got = split_party([line("182-972-0"), line("Acme", "Roofing", "LLC", y=10), line("12", "Main", "St", y=20),
                       line("Salem,", "OR", "97301", y=30)], None)
    assert got["name"] == "Acme Roofing LLC"
    assert got["address"] == "12 Main St, Salem, OR 97301"


def test_given_phone_and_email_lines_in_a_party_block_then_they_are_neither_name_nor_address():
    from pipeline.acord25.fieldkinds import split_party

    lines = [[Word("Acme", 0, 0, 8, 8)], [Word("12", 0, 10, 8, 18), Word("Main", 10, 10, 18, 18)],
             [Word("615-555-1234", 0, 20, 40, 28)], [Word("E-mail:", 0, 30, 20, 38), Word("a@acme.com", 22, 30, 60, 38)]]
    got = split_party(lines, None)
    assert (got["name"], got["address"]) == ("Acme", "12 Main")


def test_given_an_ocr_speck_read_as_a_letter_then_it_is_no_value():
    from pipeline.acord25.reader import _speck

    assert _speck(Word("7", 224.0, 209.0, 226.0, 210.0, confidence=0.3))
    assert not _speck(Word("7", 224.0, 203.0, 228.0, 212.0, confidence=0.3))


def test_given_a_value_beside_a_label_misread_past_recognition_then_the_label_is_cut_off_but_still_caps_the_value():
    """'NAME:' read as 'iaMEs' at confidence 0 before the contact's name: the name is read without it,
    and its evidence box still holds it, so the reading's confidence cap sees it."""
    from pipeline.acord25 import extract as extract_module

    template = load("2016/03")
    box = next(f.box for f in template.fields if f.key == "producer/contact_name")
    y = (box[1] + box[3]) / 2
    glued = (Word("iaMEs", box[0] - 2, y - 4, box[0] + 20, y + 4, confidence=0.0),
             Word("CLIENT", box[0] + 23, y - 4, box[0] + 50, y + 4, confidence=0.95),
             Word("CENTER", box[0] + 53, y - 4, box[0] + 85, y + 4, confidence=0.95))
    cert = extract_module.extract_certificate([_ocr_page(template, extra=glued)], None, "ocr")
    clean = extract_module.extract_certificate([_ocr_page(template, extra=glued[1:])], None, "ocr")
    assert cert["producer"]["contact_name"] == "CLIENT CENTER"
    assert cert["evidence"]["/producer/contact_name"]["ocr"] == 0.0
    assert cert["evidence"]["/producer/contact_name"]["confidence"] < \
        clean["evidence"]["/producer/contact_name"]["confidence"]
    assert cert["evidence"]["/producer/contact_name"]["confidence"] < 0.9


def test_given_an_edition_loaded_twice_then_its_fields_are_the_same_objects_each_a_key_of_its_own():
    """The reader keys its tables by Field, hashed by identity: that holds only while ``load`` gives every caller
    the same field objects, and no two fields of a template are one key."""
    from pipeline.acord25.template import editions

    for edition in editions():
        first, again = load(edition).fields, load(edition).fields
        assert all(a is b for a, b in zip(first, again)) and len(first) == len(again)
        assert len({f: None for f in first}) == len(first)
