"""Storage keys: where each object of an account lives, in one place for every door and worker.

``accounts/<slug>/messages/<id>.eml`` a raw message as the SMTP door stored it (one copy per account
addressed); ``accounts/<slug>/documents/<sha256>/<filename>`` a document (its bytes decide the
folder, so the same file twice is one document), and beside it ``reading.json`` (the text layer or
OCR reading, kept between the read and extract stages) and ``annotated-<digest>.png`` (the page with
the failing values boxed); ``postmaster/<id>.eml`` mail to postmaster, for the operators."""

from __future__ import annotations


def message_key(slug: str, message_id: str) -> str:
    return f"accounts/{slug}/messages/{message_id}.eml"


def postmaster_key(message_id: str) -> str:
    return f"postmaster/{message_id}.eml"


def document_key(slug: str, sha256: str, filename: str) -> str:
    return f"accounts/{slug}/documents/{sha256}/{filename}"


def beside(document_key: str, name: str) -> str:
    """The key of ``name`` in a document's folder."""
    return document_key.rsplit("/", 1)[0] + "/" + name


def reading_key(document_key: str) -> str:
    return beside(document_key, "reading.json")


def annotated_key(document_key: str, digest: str) -> str:
    return beside(document_key, f"annotated-{digest}.png")
