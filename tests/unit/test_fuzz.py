"""Fuzzing the MIME splitter and the PDF loader for a bounded number of examples (issue 7).

The only property: a result, or a PipelineError (a recorded status with a reason); never another
exception. Example counts keep this file at a few seconds; no deadline (nothing timed in tests).
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import stages
from pipeline.errors import PipelineError
from pipeline.filetypes import safe_filename
from pipeline.mime import split_message
from samples.certificates import demo_certificate, draw_certificate

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HEADER_TEXT = st.text(st.characters(codec="latin-1"), max_size=40)


def assert_sane(result) -> None:
    for attachment in result.attachments:
        assert attachment.filename and "/" not in attachment.filename and ".." not in attachment.filename
        assert attachment.data
    for text in [result.subject, result.sender, *(a.filename for a in result.attachments)]:
        if text is not None:
            text.encode("utf-8")


@FUZZ
@given(st.binary(max_size=4096))
def test_split_message_on_arbitrary_bytes_returns_a_result(raw):
    assert_sane(split_message(raw))


@FUZZ
@given(st.lists(st.sampled_from([b"Content-Type: multipart/mixed; boundary=B\r\n", b"Content-Type: message/rfc822\r\n",
                                 b"Content-Disposition: attachment; filename*=utf-8''%2e%2e%2fa.pdf\r\n",
                                 b"Content-Transfer-Encoding: base64\r\n", b"Content-Type: text/plain; charset=x\r\n",
                                 b"Subject: =?utf-8?q?=FF=FE?=\r\n", b"From: <@>\r\n", b"\r\n", b"--B\r\n", b"--B--\r\n",
                                 b"JVBERi0xLjQK\r\n", PDF, b"\xff\xfe\x00", b"Content-Type: ;;;=\r\n"]),
                max_size=60))
def test_split_message_on_shuffled_mime_lines_returns_a_result(lines):
    assert_sane(split_message(b"".join(lines)))


def mime_tree(depth: int):
    leaf = st.tuples(st.sampled_from(["application/pdf", "image/png", "application/octet-stream", "text/plain"]),
                     st.sampled_from([PDF, b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, b"", b"PK\x03\x04", b"hello"]),
                     st.one_of(st.none(), HEADER_TEXT),
                     st.sampled_from(["attachment", "inline", None]))
    return st.recursive(leaf, lambda children: st.lists(children, min_size=1, max_size=4), max_leaves=20)


def build(tree, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    message.set_content("body")
    for node in tree if isinstance(tree, list) else [tree]:
        if isinstance(node, list):
            message.add_attachment(build(node, subject))  # a forwarded message
            continue
        mime, data, name, disposition = node
        maintype, subtype = mime.split("/")
        name = None if name is None else "".join(c for c in name if c not in "\r\n")
        if maintype == "text":
            message.add_attachment(data.decode("latin-1"), subtype=subtype, filename=name)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name,
                                   disposition=disposition or "attachment")
    return message


@FUZZ
@given(mime_tree(4), HEADER_TEXT)
def test_split_message_on_random_mime_trees_keeps_every_pdf_within_the_limits(tree, subject):
    try:
        raw = build(tree, subject).as_bytes()
    except (ValueError, TypeError):  # a name the email package itself will not write
        return
    result = split_message(raw)
    assert_sane(result)
    assert len(result.attachments) <= 50


@FUZZ
@given(st.text(max_size=300))
def test_safe_filename_never_keeps_a_directory_or_control_character(name):
    safe = safe_filename(name, "application/pdf")
    assert safe and len(safe) <= 120 and "/" not in safe and "\\" not in safe and ".." not in safe
    assert not safe.startswith(".") and not any(ord(c) < 32 for c in safe)


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return draw_certificate(demo_certificate())


def read_or_refuse(data: bytes) -> None:
    try:
        stages.read_text(data)
    except PipelineError as e:
        assert e.code and e.message


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_pdf_loader_on_truncated_certificates_returns_a_reading_or_a_pipeline_error(certificate, data):
    read_or_refuse(certificate[:data.draw(st.integers(0, len(certificate)))])


@settings(FUZZ, max_examples=80)
@given(st.data())
def test_pdf_loader_on_certificates_with_flipped_bytes_returns_a_reading_or_a_pipeline_error(certificate, data):
    mutated = bytearray(certificate)
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(mutated) - 1))
        mutated[at] = data.draw(st.integers(0, 255))
    read_or_refuse(bytes(mutated))


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_pdf_loader_on_spliced_certificates_returns_a_reading_or_a_pipeline_error(certificate, data):
    """A chunk cut out or a run of junk put in: offsets in the xref no longer match."""
    start = data.draw(st.integers(0, len(certificate)))
    end = data.draw(st.integers(start, min(len(certificate), start + 2000)))
    junk = data.draw(st.binary(max_size=200))
    read_or_refuse(certificate[:start] + junk + certificate[end:])
