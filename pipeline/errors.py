"""One exception hierarchy for the pipeline, each error with a stable code.

Codes are what gets recorded and shown; ``transient`` tells the edge whether a
retry can help, ``sender_mends`` whether a fresh copy from the sender would (the sender is then
told why).  Messages are sentences a person can act on.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    code: str = "pipeline_error"
    transient: bool = False
    sender_mends: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableDocument(PipelineError):
    """The file is damaged or is not the format it claims to be."""

    code = "unreadable_document"
    sender_mends = True


class EmptyDocument(UnreadableDocument):
    """The file has no bytes at all (a failed upload or a mail client's placeholder)."""

    code = "empty_document"


class EncryptedDocument(PipelineError):
    """The PDF needs a password to open."""

    code = "encrypted_document"
    sender_mends = True


class UnsupportedFileType(PipelineError):
    """The file type is not one the pipeline reads (PDF, PNG, JPEG, TIFF)."""

    code = "unsupported_file_type"
    sender_mends = True


class NotACertificate(PipelineError):
    """The document was read but is not an ACORD 25 certificate."""

    code = "not_a_certificate"


class TooLarge(PipelineError):
    """The file or its page count is beyond the configured limits."""

    code = "too_large"
    sender_mends = True


class ReaderCrashed(UnreadableDocument):
    """Worker processes died while reading this file, again and again: it is not read again."""

    code = "reader_crashed"


def codes_senders_mend() -> frozenset[str]:
    """The codes of every failure a fresh copy from the sender mends."""
    found, todo = set(), [PipelineError]
    while todo:
        kind = todo.pop()
        todo.extend(kind.__subclasses__())
        if kind.sender_mends:
            found.add(kind.code)
    return frozenset(found)
