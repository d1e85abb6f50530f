"""Hostile and broken input, generated here, through the pure stages (issue 7).

Each file ends in a PipelineError with a stable code and a sentence a person can act on; each message
in a bounded result with sanitised names. The limits are structural (checked before the work they
bound), so nothing here is timed: a test that loses its guard fails on the result, not on a clock.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from email.message import EmailMessage

import pypdfium2 as pdfium
import pytest

from pipeline import pdfstreams, stages, textlayer
from pipeline.errors import (EmptyDocument, EncryptedDocument, PipelineError, TooLarge, UnreadableDocument,
                             UnsupportedFileType)
from pipeline.mime import MAX_ATTACHMENTS, MAX_DEPTH, split_message
from pipeline.ocr import raster
from pdfs import blank_pages, build_pdf, encrypted_pdf
from samples.certificates import demo_certificate, draw_certificate

SMALL_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return draw_certificate(demo_certificate())


def refused(data: bytes, error: type[PipelineError], *, ocr: bool = False) -> PipelineError:
    """The error ``data`` ends in, checked to carry a code and a sentence."""
    with pytest.raises(error) as info:
        (stages.read_ocr if ocr else stages.read_text)(data)
    assert info.value.code and info.value.code == type(info.value).code
    assert info.value.message.endswith(".") and len(info.value.message.split()) >= 6
    return info.value


def stream(entries: bytes, data: bytes, *, flate: bool) -> bytes:
    body = zlib.compress(data) if flate else data
    return b"<< %s /Length %d %s>>\nstream\n%s\nendstream" % (
        entries, len(body), b"/Filter /FlateDecode " if flate else b"", body)


def one_page(content: bytes, resources: bytes = b"", *, flate: bool = False) -> bytes:
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << %s >> /Contents 4 0 R >>"
                      % resources, stream(b"", content, flate=flate)])


# --- files ---------------------------------------------------------------------------------------

def test_given_a_zero_byte_file_then_empty_document(certificate):
    assert refused(b"", EmptyDocument).code == "empty_document"
    assert refused(b"", EmptyDocument, ocr=True).code == "empty_document"


def test_given_a_truncated_pdf_then_unreadable_document(certificate):
    for cut in (10, 200, len(certificate) // 2):
        refused(certificate[:cut], UnreadableDocument)


def test_given_a_corrupt_pdf_then_unreadable_document():
    refused(b"%PDF-1.7\n" + bytes(range(256)) * 40, UnreadableDocument)


def test_given_a_pdf_whose_page_tree_holds_no_page_then_unreadable_document():
    empty = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    refused(empty, UnreadableDocument)
    refused(empty, UnreadableDocument, ocr=True)


def test_given_a_pdf_encrypted_with_a_user_password_then_encrypted_document():
    assert "password" in refused(encrypted_pdf(), EncryptedDocument).message


def test_given_a_certificate_carrying_javascript_then_it_is_read_as_any_pdf_and_the_script_never_runs(certificate):
    """An incremental update adds an /OpenAction JavaScript to the catalog; pdfium here has no
    JavaScript engine, so the document is read by its text layer like any other."""
    number = int(re.findall(rb"/Root (\d+) 0 R", certificate)[-1])
    entries = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*endobj" % number, certificate, re.S).group(1)
    assert b"/Catalog" in entries
    size = int(re.findall(rb"/Size (\d+)", certificate)[-1])
    start = int(re.findall(rb"startxref\s+(\d+)", certificate)[-1])
    update = io.BytesIO()
    base = len(certificate) + 1
    js_at = base
    update.write(b"%d 0 obj\n<< /S /JavaScript /JS (app.alert\\('pwned'\\); this.exportDataObject\\({}\\);) >>\nendobj\n"
                 % size)
    catalog_at = base + update.tell()
    update.write(b"%d 0 obj\n<<%s /OpenAction %d 0 R /AA << /WC %d 0 R >> >>\nendobj\n" % (number, entries, size, size))
    xref = base + update.tell()
    update.write(b"xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (number, catalog_at, size, js_at))
    update.write(b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size + 1, number, start, xref))
    scripted = certificate + b"\n" + update.getvalue()
    assert b"/JavaScript" in scripted
    reading = stages.read(scripted)
    assert reading.method == "text_layer"
    assert stages.extract(reading)["insured"]["name"] == demo_certificate()["insured"]["name"]


def test_given_a_ten_thousand_page_pdf_then_it_is_refused_by_the_page_count_before_any_page_is_read(monkeypatch):
    pdf = blank_pages(10_000)
    monkeypatch.setattr(textlayer, "_read_page", lambda *a, **k: pytest.fail("a page was read"))
    error = refused(pdf, TooLarge)
    assert "10000 pages" in error.message and str(textlayer.MAX_DOCUMENT_PAGES) in error.message
    refused(pdf, TooLarge, ocr=True)


def test_given_a_pdf_whose_page_count_lies_then_it_is_refused_too():
    liar = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 100000000 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])
    try:
        stages.read_text(liar)
    except (TooLarge, UnreadableDocument):
        pass  # refused either way; what matters is that no 10^8 pages are walked


def test_given_a_pdf_image_of_huge_dimensions_then_too_large_before_it_is_decoded():
    """A 30,000 x 30,000 image (900 M pixels) over words: drawing the page for the ink check would
    make pdfium decode it whole (1.7 GB measured for 40,000^2). Its declared size refuses it first."""
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 700 Td (Certificate of insurance) Tj ET"
    pdf = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> "
                     b"/Font << /F1 6 0 R >> >> /Contents 4 0 R >>",
                     stream(b"", content, flate=False),
                     stream(b"/Type /XObject /Subtype /Image /Width 30000 /Height 30000 /ColorSpace /DeviceGray "
                            b"/BitsPerComponent 8", b"\x00" * 1000, flate=True),
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
    error = refused(pdf, TooLarge)
    assert "30000 x 30000" in error.message
    refused(pdf, TooLarge, ocr=True)


def test_given_a_content_stream_zip_bomb_then_too_large_without_inflating_it():
    """128 MB of spaces compress to ~130 KB; pdfium would inflate them whole (2 GB measured for 1 GB)."""
    squeeze = zlib.compressobj(9)
    block = b" " * 2**20
    bomb = b"".join(squeeze.compress(block) for _ in range(128)) + squeeze.flush()
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)
    pdf = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", content])
    assert "decompression bomb" in refused(pdf, TooLarge).message
    refused(pdf, TooLarge, ocr=True)


def test_given_a_normal_flate_content_stream_then_the_bomb_check_lets_it_through():
    pdf = one_page(b"BT /F1 12 Tf 72 700 Td (hello) Tj ET" * 50, b"/Font << /F1 << /Type /Font /Subtype /Type1 "
                   b"/BaseFont /Helvetica >> >>", flate=True)
    pdfstreams.refuse_stream_bombs(pdf)  # no error
    assert textlayer.read_text_layer(pdf)[0].words


def test_given_a_huge_page_then_the_ink_check_draws_it_within_its_pixel_budget(monkeypatch):
    """A 200 x 200 inch page (the largest PDF allows) at the ink check's 1.5 scale is 466 M pixels."""
    drawn = []
    real_render = pdfium.PdfPage.render

    def render(page, scale=1, **kwargs):
        bitmap = real_render(page, scale=scale, **kwargs)
        drawn.append(bitmap.width * bitmap.height)
        return bitmap

    monkeypatch.setattr(pdfium.PdfPage, "render", render)
    pdf = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Resources << /Font << /F1 5 0 R >> >> "
                     b"/Contents 4 0 R >>", stream(b"", b"BT /F1 400 Tf 72 13000 Td (Certificate) Tj ET", flate=False),
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
    [page] = textlayer.read_text_layer(pdf)
    assert [w.text for w in page.words] == ["Certificate"]  # still seen on the ink
    assert drawn and max(drawn) <= textlayer.MAX_CHECK_PIXELS * 1.01  # pdfium rounds each side up


def test_given_a_huge_pdf_page_then_ocr_refuses_it_from_its_size_before_poppler_draws_it(monkeypatch):
    import pdf2image

    monkeypatch.setattr(pdf2image, "convert_from_bytes", lambda *a, **k: pytest.fail("Poppler was asked to draw"))
    pdf = one_page(b"", b"")
    pdf = pdf.replace(b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 14400 14400]")
    with pytest.raises(TooLarge) as info:
        raster.rasterize(pdf, "application/pdf", max_pages=5)
    assert "200 x 200 inches" in info.value.message


def png(width: int, height: int, rows: bytes = b"") -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8_000, 100_000, 2**31 - 1])
def test_given_an_image_whose_dimensions_are_a_decompression_bomb_then_too_large(side):
    assert refused(png(side, side), TooLarge, ocr=True).code == "too_large"


def test_given_a_real_png_zip_bomb_then_too_large_before_it_is_inflated(monkeypatch):
    """8,000^2 pixels of zeros: 64 MB inflated from ~60 KB."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("the pixels were decoded"))
    bomb = png(8_000, 8_000, (b"\x00" * 8_001) * 8_000)
    assert len(bomb) < 100_000
    assert "8000 x 8000" in refused(bomb, TooLarge, ocr=True).message


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, b"\xff\xd8\xff" + b"\x00" * 100,
                                  b"II*\x00" + b"\xff" * 100, b"II*\x00\x08\x00\x00\x00\x00\x00\x08\x00\x00\x00"],
                         ids=["png", "jpeg", "tiff", "tiff-ifd-loop"])
def test_given_a_damaged_image_then_unreadable_document(data):
    refused(data, UnreadableDocument, ocr=True)


@pytest.mark.parametrize("data", [b"PK\x03\x04" + b"\x00" * 100, b"<html>a web page</html>", b"\x00" * 10],
                         ids=["zip-named-pdf", "html-named-pdf", "nul-bytes"])
def test_given_a_file_of_another_type_whatever_its_name_then_unsupported_file_type(data):
    refused(data, UnsupportedFileType)


def test_given_a_png_named_pdf_then_its_bytes_decide_and_it_goes_to_ocr():
    assert stages.read_text(png(10, 10, b"\x00" * 110)) is None  # an image: the OCR half reads it


# --- messages ------------------------------------------------------------------------------------

def mail(body: str = "see attached") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.localhost", "COI"
    message.set_content(body)
    return message


def multipart_nest(levels: int) -> bytes:
    """A PDF inside ``levels`` nested multipart/mixed parts, as raw bytes (the email package's own
    generator recurses too deeply to write such a message)."""
    part = (b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="deep.pdf"\r\n\r\n'
            + SMALL_PDF)
    for level in range(levels):
        part = (b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n%s\r\n--b%d--\r\n'
                % (level, level, part, level))
    return b"From: agent@example.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + part


@pytest.mark.parametrize("levels", [50, 1_000])
def test_given_a_message_nested_far_too_deep_then_nothing_is_taken_and_the_reason_says_so(levels):
    result = split_message(multipart_nest(levels))
    assert result.attachments == []
    assert result.skipped and all("nested" in s.reason for s in result.skipped)
    assert "nested" in result.no_attachment_reason()
    assert result.subject == "deep"


def test_given_a_message_within_the_depth_limit_then_its_attachment_is_found():
    [attachment] = split_message(multipart_nest(MAX_DEPTH - 1)).attachments
    assert attachment.filename == "deep.pdf"


def test_given_a_thousand_attachments_then_the_first_ones_are_kept_and_the_rest_skipped_with_the_reason():
    message = mail()
    for i in range(1_000):
        message.add_attachment(SMALL_PDF + b"%d" % i, maintype="application", subtype="pdf", filename=f"c{i}.pdf")
    result = split_message(message.as_bytes())
    assert len(result.attachments) == MAX_ATTACHMENTS
    assert len(result.skipped) == 1_000 - MAX_ATTACHMENTS
    assert all(f"more than {MAX_ATTACHMENTS} attachments" in s.reason for s in result.skipped)
    assert result.skipped_note().endswith(f"and {1_000 - MAX_ATTACHMENTS - 10} more.")


HOSTILE_NAMES = ["../../etc/passwd", "..\\..\\windows\\win.ini", "..", "...", "a..b.pdf", "/abs/x.pdf",
                 "C:\\x\\y.pdf", "\x00\x01evil\x7f\x1b[31m.pdf", "\u202egnp.pdf", ".hidden.pdf", "x" * 500 + ".pdf",
                 " ", "%2e%2e%2fx.pdf", "sub/../../x.pdf"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_given_a_hostile_file_name_then_the_stored_name_has_no_directory_dots_or_control_characters(name):
    message = mail()
    message.add_attachment(SMALL_PDF, maintype="application", subtype="pdf", filename=name)
    [attachment] = split_message(message.as_bytes()).attachments
    stored = attachment.filename
    assert stored and len(stored) <= 120
    assert "/" not in stored and "\\" not in stored and ".." not in stored and not stored.startswith(".")
    assert not any(ord(c) < 32 or ord(c) == 127 or 0x200e <= ord(c) <= 0x202e for c in stored)


def test_given_non_utf8_headers_then_the_subject_sender_and_file_name_are_clean_text():
    raw = (b"From: \xe9l\xe8ve <agent@example.test>\r\nTo: acme@coi.test\r\nSubject: Certificat \xe9t\xe9 \xff\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
           b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"c\xe9rt\xff.pdf\"\r\n\r\n"
           + SMALL_PDF + b"\r\n--B--\r\n")
    result = split_message(raw)
    assert result.subject.startswith("Certificat") and "agent@example.test" in result.sender
    for text in (result.subject, result.sender, result.attachments[0].filename):
        text.encode("utf-8")  # no lone surrogates: storable in PostgreSQL and JSON
    assert result.attachments[0].filename.endswith(".pdf")


def test_given_a_zero_byte_attachment_then_it_is_skipped_as_empty():
    message = mail()
    message.add_attachment(b"", maintype="application", subtype="pdf", filename="coi.pdf")
    result = split_message(message.as_bytes())
    assert result.attachments == [] and "empty" in result.no_attachment_reason()
