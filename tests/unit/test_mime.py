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


def _varied_mails() -> list[bytes]:
    """Mails whose headers take the parser's odd paths: encoded words, RFC 2231 names, a forwarded
    message, an inline logo, a broken Content-Type, raw 8-bit bytes, a header repeated."""
    plain = mail()
    plain.add_attachment(PDF, maintype="application", subtype="pdf", filename="coi.pdf")
    encoded = mail()
    encoded.replace_header("Subject", "Certificat d’assurance — société")
    encoded.add_attachment(PDF, maintype="application", subtype="pdf", filename="attestation été.pdf")
    related = mail()
    related.add_related(PNG, maintype="image", subtype="png", cid="<logo@x>", filename="logo.png")
    related.add_attachment(PNG + b"\x01" * INLINE_LOGO_MAX_BYTES, maintype="image", subtype="png",
                           filename="photo.png", disposition="inline")
    inner = mail()
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="inner.pdf")
    forwarded = mail("forwarding")
    forwarded.add_attachment(inner)
    head = (b"From: agent@example.test\r\nSubject: =?utf-8?q?broken_=E2=80?= \xe9t\xe9\r\n"
            b"In-Reply-To: <a@x>\r\nReferences: <b@x> <a@x>\r\n")
    broken = (head + b"Content-Type: multipart/mixed; boundary=\"b\"; boundary=\"c\"\r\n\r\n--b\r\n"
              b"Content-Type: application/pdf; name*=utf-8''co%C3%AF.pdf\r\nContent-Transfer-Encoding: base64\r\n"
              b"Content-Type: text/plain\r\n\r\nJVBERi0xLjQK\r\n--b\r\nContent-Type: ;;;\r\n\r\nx\r\n--b--\r\n")
    return [plain.as_bytes(), encoded.as_bytes(), related.as_bytes(), forwarded.as_bytes(), broken]


def test_given_varied_mails_then_the_split_is_what_the_default_policy_gives(monkeypatch):
    """Each header parsed once per message (``HeadersParsedOnce``) changes no attachment, name, skip
    or header read: the same split as with ``email.policy.default`` parsing every read afresh."""
    import email.policy

    import pipeline.mime

    once = [split_message(raw) for raw in _varied_mails()]
    monkeypatch.setattr(pipeline.mime, "one_message_policy", lambda: email.policy.default)
    assert [split_message(raw) for raw in _varied_mails()] == once
    assert sum(len(result.attachments) for result in once) >= 4 and any(result.refs for result in once)


def test_given_a_header_read_twice_then_it_is_parsed_once_and_only_for_its_own_message():
    import email

    from pipeline.mime import one_message_policy

    raw = mail().as_bytes()
    first, second = (email.message_from_bytes(raw, policy=one_message_policy()) for _ in range(2))
    assert first.get("Content-Type") is first.get("Content-Type")
    assert first.get("Content-Type") is not second.get("Content-Type")
    assert first.get("Content-Type") == second.get("Content-Type") == "text/plain; charset=\"utf-8\""
