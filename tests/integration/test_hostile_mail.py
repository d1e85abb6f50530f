"""One message of hostile attachments and one good certificate through the real chain (issue 7):
each hostile file ends failed with its code and a sentence, the worker keeps going, and the
certificate is decided."""

from __future__ import annotations

import struct
import zlib

import pytest
from sqlalchemy import select

from infra.admin import add_account
from infra.models import Document, InboundMessage
from samples.certificates import demo_certificate, draw_certificate
from pdfs import blank_pages, build_pdf, encrypted_pdf
from services import send_mail, wait_for

pytestmark = pytest.mark.integration

FINAL = ("failed", "decided", "not_a_certificate")


@pytest.fixture
def account(app):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


def zip_bomb_pdf() -> bytes:
    """A page whose content stream inflates to 128 MB of spaces (~130 KB compressed)."""
    squeeze = zlib.compressobj(9)
    bomb = b"".join(squeeze.compress(b" " * 2**20) for _ in range(128)) + squeeze.flush()
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                      b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)])


def pixel_bomb_png() -> bytes:
    """A PNG declaring 100,000 x 100,000 pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
            + chunk(b"IEND", b""))


def test_given_hostile_attachments_beside_a_certificate_then_each_fails_with_a_reason_and_the_certificate_is_decided(
        app, account, smtp_door, worker):
    certificate = draw_certificate(demo_certificate())
    hostile = {
        "corrupt.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 40, "unreadable_document"),
        "truncated.pdf": (certificate[: len(certificate) // 2], "unreadable_document"),
        "locked.pdf": (encrypted_pdf(), "encrypted_document"),
        "pages.pdf": (blank_pages(10_000), "too_large"),
        "bomb.pdf": (zip_bomb_pdf(), "too_large"),
        "bomb.png": (pixel_bomb_png(), "too_large"),
    }
    attachments = [(data, "application/pdf", name) for name, (data, _) in hostile.items()]
    attachments += [(b"", "application/pdf", "empty.pdf"),  # skipped at the split: nothing to read
                    (certificate, "application/octet-stream", "../../etc/c\x07oi.pdf")]
    send_mail(smtp_door, "acme@coi.test", attachments)

    def all_final():
        with app.sessions() as session:
            documents = session.scalars(select(Document)).all()
            return len(documents) == len(hostile) + 1 and all(d.status in FINAL for d in documents) and documents

    documents = {d.filename: d for d in wait_for(all_final, timeout=120)}
    assert documents["coi.pdf"].status == "decided"  # the traversal and the bell dropped from its name
    for name, (_, code) in hostile.items():
        document = documents[name]
        assert (document.status, document.error_code) == ("failed", code), name
        assert document.error_message and document.error_message.endswith("."), name
    with app.sessions() as session:
        message = session.scalars(select(InboundMessage)).one()
    assert message.status == "split"
    assert message.reason == "Not read: empty.pdf: the file is empty."  # what was left out is on record
