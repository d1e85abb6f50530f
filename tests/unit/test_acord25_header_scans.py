"""Header names on a scan: the notice's last line or OCR debris above a name is not the name (no tesseract)."""

from __future__ import annotations

from pipeline.acord25.header import _name_and_address
from pipeline.textlayer import Word


def _line(y: float, *texts: str, confidence: float = 0.96) -> list[Word]:
    words, x = [], 20.0
    for t in texts:
        words.append(Word(t, x, y, x + 6 * len(t), y + 8, confidence=confidence))
        x += 6 * len(t) + 4
    return words


def test_given_the_notices_last_line_read_into_the_producer_zone_then_the_name_is_the_line_below():
    words = [*_line(100, "this", "certificate", "does", "not", "confer", "rights", "to", "the", "certificate",
                    "holder", "in", "lieu", "of", "such"),
             *_line(112, "Pinecrest", "Insurance", "Services"),
             *_line(124, "7679", "Market", "St")]
    name, address = _name_and_address(words)
    assert name.text == "Pinecrest Insurance Services"
    assert address.text == "7679 Market St"


def test_given_unsure_debris_above_the_name_then_it_is_skipped():
    words = [*_line(100, "ey", confidence=0.3), *_line(112, "ABC", "Insurance"), *_line(124, "100", "Producer", "Ave")]
    name, _ = _name_and_address(words)
    assert name.text == "ABC Insurance"


def test_given_a_line_without_letters_or_digits_above_the_name_then_it_is_skipped():
    words = [*_line(100, "°", confidence=0.9), *_line(112, "Bluewater", "Agency")]
    name, _ = _name_and_address(words)
    assert name.text == "Bluewater Agency"


def test_given_a_short_name_read_surely_then_it_is_kept():
    words = [*_line(100, "AB", confidence=0.95), *_line(112, "1 Main St")]
    name, address = _name_and_address(words)
    assert name.text == "AB"
    assert address.text == "1 Main St"


def test_given_a_name_made_of_a_few_form_words_then_it_is_kept():
    words = [*_line(100, "Certificate", "Desk"), *_line(112, "1", "Main", "St")]
    name, _ = _name_and_address(words)
    assert name.text == "Certificate Desk"


def test_given_the_notice_read_with_the_word_coverages_then_the_section_heading_is_still_the_one_found(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    notice = min((w for w in page.words if w.y0 < 80 and w.text.isupper() and len(w.text) > 4), key=lambda w: -w.x0)
    misread = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="COVERAGES") if w is notice else w for w in page.words))
    cert = extract_certificate([misread])
    assert cert["insurers"] == extract_certificate([page])["insurers"] == truth["insurers"]
    assert [p["policy_number"] for p in cert["policies"]] == [p["policy_number"] for p in truth["policies"]]


def test_given_the_insureds_last_line_read_tall_across_the_zones_edge_then_its_address_is_not_trusted(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    heading = next(w for w in page.words if w.text == "COVERAGES")
    last = max((w for w in page.words if w.x0 < 200 and 187 < w.y0 and w.y1 < heading.y0), key=lambda w: w.y0)
    line = [w for w in page.words if abs(w.y0 - last.y0) < 1 and w.x0 < 300]
    tall = 2 * (heading.y0 - last.y0) + 2  # its centre below the heading's top
    misread = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, y1=w.y0 + tall) if w in line else w for w in page.words))
    assert extract_certificate([page])["evidence"]["/insured/address"]["confidence"] >= 0.9
    cert = extract_certificate([misread])
    assert cert["insured"]["address"] != truth["insured"]["address"]  # the line is left out ...
    assert cert["evidence"]["/insured/address"]["confidence"] < 0.9  # ... and the address is not trusted


def test_given_unsure_short_debris_after_a_name_then_it_is_not_part_of_the_name():
    words = [*_line(100, "ABC", "Insurance"), Word("ee", 200, 100, 212, 108, confidence=0.2),
             *_line(112, "100", "Producer", "Ave"), Word("|", 220, 112, 222, 120, confidence=0.7)]
    name, address = _name_and_address(words)
    assert name.text == "ABC Insurance"
    assert address.text == "100 Producer Ave"


def test_given_a_short_word_read_surely_at_a_names_end_then_it_is_kept():
    name, _ = _name_and_address([*_line(100, "Acme", "Roofing", "Co", confidence=0.93)])
    assert name.text == "Acme Roofing Co"


def test_given_debris_in_an_insurer_row_then_the_name_is_its_one_line_without_it(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    first = truth["insurers"][0]
    name_words = [w for w in page.words if w.text in first["name"].split() and 160 < w.y0 < 190 and w.x0 > 340]
    right, bottom = max(w.x1 for w in name_words), max(w.y1 for w in name_words)
    debris = (Word("ee", right + 30, name_words[0].y0, right + 40, name_words[0].y1, confidence=0.25),
              Word("2", name_words[0].x0, bottom + 0.5, name_words[0].x0 + 4, bottom + 3.5, confidence=0.6))
    scan = dataclasses.replace(page, words=page.words + debris)
    assert extract_certificate([scan])["insurers"][0] == first


def test_given_the_insured_label_misread_then_the_word_like_it_under_producer_is_the_label(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    label = next(w for w in page.words if w.text == "INSURED" and w.x0 < 60)
    scan = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="NSURED", confidence=0.92) if w is label else w for w in page.words))
    cert = extract_certificate([scan])
    assert cert["insured"] == truth["insured"]
    assert cert["producer"]["address"] == truth["producer"]["address"]  # the insured's lines are not the producer's


def test_given_the_insured_label_read_as_noise_then_the_rule_above_the_block_places_it_below_trust(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate
    from pipeline.textlayer import Mark

    label = next(w for w in page.words if w.text == "INSURED" and w.x0 < 60)
    scan = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="MIOURED", confidence=0.0) if w is label else w for w in page.words))
    assert extract_certificate([scan])["insured"]["name"] is None  # the insured's lines go to the producer
    ruled = dataclasses.replace(scan, marks=scan.marks + (Mark("rule", 20, 179.5, 306, 180.5),))
    cert = extract_certificate([ruled])
    assert cert["insured"] == truth["insured"]
    assert cert["producer"]["address"] == truth["producer"]["address"]
    assert cert["evidence"]["/insured/name"]["confidence"] < 0.9
