"""One exception hierarchy for the pipeline, each error with a stable code.

Codes are what gets recorded and shown; ``transient`` tells the edge whether a
retry can help.  Messages are sentences a person can act on.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    code: str = "pipeline_error"
    transient: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableDocument(PipelineError):
    """The file is damaged or is not the format it claims to be."""

    code = "unreadable_document"


class EmptyDocument(UnreadableDocument):
    """The file has no bytes at all (a failed upload or a mail client's placeholder)."""

    code = "empty_document"


class EncryptedDocument(PipelineError):
    """The PDF needs a password to open."""

    code = "encrypted_document"


class UnsupportedFileType(PipelineError):
    """The file type is not one the pipeline reads (PDF, PNG, JPEG, TIFF)."""

    code = "unsupported_file_type"


class NotACertificate(PipelineError):
    """The document was read but is not an ACORD 25 certificate."""

    code = "not_a_certificate"


class TooLarge(PipelineError):
    """The file or its page count is beyond the configured limits."""

    code = "too_large"


class ReaderCrashed(UnreadableDocument):
    """Worker processes died while reading this file, again and again: it is not read again."""

    code = "reader_crashed"
