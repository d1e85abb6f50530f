"""Header names on a scan: the notice's last line or OCR debris above a name is not the name (no tesseract)."""

from __future__ import annotations

from pipeline.textlayer import Word


def _line(y: float, *texts: str, confidence: float = 0.96) -> list[Word]:
    words, x = [], 20.0
    for t in texts:
        words.append(Word(t, x, y, x + 6 * len(t), y + 8, confidence=confidence))
        x += 6 * len(t) + 4
    return words


def test_given_the_notice_read_with_the_word_coverages_then_the_section_heading_is_still_the_one_found(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    notice = min((w for w in page.words if w.y0 < 80 and w.text.isupper() and len(w.text) > 4), key=lambda w: -w.x0)
    misread = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="COVERAGES") if w is notice else w for w in page.words))
    cert = extract_certificate([misread])
    assert cert["insurers"] == extract_certificate([page])["insurers"] == truth["insurers"]
    assert [p["policy_number"] for p in cert["policies"]] == [p["policy_number"] for p in truth["policies"]]


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


def test_given_the_insured_label_read_as_noise_then_the_insureds_block_is_still_read_from_its_box(page, truth):
    import dataclasses

    from pipeline.acord25 import extract_certificate

    label = next(w for w in page.words if w.text == "INSURED" and w.x0 < 60)
    scan = dataclasses.replace(page, words=tuple(
        dataclasses.replace(w, text="MIOURED", confidence=0.0) if w is label else w for w in page.words))
    cert = extract_certificate([scan])
    assert cert["insured"] == truth["insured"]
    assert cert["producer"]["address"] == truth["producer"]["address"]  # the insured's lines are not the producer's
