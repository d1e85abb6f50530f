"""The MIME splitter: which parts of an email become documents."""

from __future__ import annotations

from email.message import EmailMessage

from pipeline.mime import INLINE_LOGO_MAX_BYTES, split_message

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def mail(body: str = "see attached") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "agent@example.test"
    message["To"] = "acme@coi.localhost"
    message["Subject"] = "COI"
    message.set_content(body)
    return message


def test_given_a_pdf_attachment_then_it_becomes_one_attachment():
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="coi.pdf")
    result = split_message(message.as_bytes())
    assert [(a.filename, a.content_type, a.data) for a in result.attachments] == [("coi.pdf", "application/pdf", PDF)]
    assert result.subject == "COI"


def test_given_a_pdf_sent_as_octet_stream_with_a_wrong_name_then_its_bytes_decide():
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="octet-stream", filename="scan.bin")
    [attachment] = split_message(message.as_bytes()).attachments
    assert attachment.content_type == "application/pdf"


def test_given_a_small_inline_logo_then_it_is_skipped_but_a_large_inline_image_is_kept():
    message = mail()
    message.add_related(PNG, maintype="image", subtype="png", cid="<logo@x>", filename="logo.png")
    big = PNG + b"\x01" * INLINE_LOGO_MAX_BYTES
    message.add_attachment(big, maintype="image", subtype="png", filename="photo.png", disposition="inline")
    result = split_message(message.as_bytes())
    assert [a.filename for a in result.attachments] == ["photo.png"]


def test_given_a_forwarded_message_then_its_attachments_are_found():
    inner = mail()
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="inner.pdf")
    outer = mail("forwarding")
    outer.add_attachment(inner)  # message/rfc822
    result = split_message(outer.as_bytes())
    assert [a.filename for a in result.attachments] == ["inner.pdf"]


def test_given_no_usable_attachment_then_the_reason_names_what_was_wrong():
    message = mail()
    message.add_attachment(b"PK\x03\x04 not a pdf", maintype="application", subtype="zip", filename="coi.docx")
    result = split_message(message.as_bytes())
    assert result.attachments == []
    assert "coi.docx" in result.no_attachment_reason()
    assert "PDF, PNG, JPEG or TIFF" in result.no_attachment_reason()


def test_given_a_body_only_message_then_the_reason_says_there_was_no_attachment():
    result = split_message(mail().as_bytes())
    assert result.attachments == [] and result.skipped == []
    assert result.no_attachment_reason().startswith("The message had no attachment")


def test_given_a_hostile_file_name_then_directories_and_control_characters_are_dropped():
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../etc/pa\x07sswd.pdf")
    [attachment] = split_message(message.as_bytes()).attachments
    assert attachment.filename == "passwd.pdf"


def test_given_deep_nesting_then_splitting_stops_at_the_depth_limit():
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="deep.pdf")
    for _ in range(12):
        outer = mail("fwd")
        outer.add_attachment(message)
        message = outer
    result = split_message(message.as_bytes(), max_depth=10)
    assert result.attachments == []
    assert any("nested deeper" in s.reason for s in result.skipped)
