"""The document and message state machines (pure: no I/O)."""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    STORED = "stored"
    READING = "reading"
    EXTRACTED = "extracted"
    DECIDED = "decided"
    FAILED = "failed"
    NOT_A_CERTIFICATE = "not_a_certificate"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    SPLIT = "split"
    NO_ATTACHMENT = "no_attachment"
    FAILED = "failed"


class Source(StrEnum):
    EMAIL = "email"
    UPLOAD = "upload"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_REVIEW = "needs_review"


FINAL = frozenset({DocumentStatus.DECIDED, DocumentStatus.FAILED, DocumentStatus.NOT_A_CERTIFICATE})

# Forward order of the happy path; a document never moves backwards along it.
ORDER = (
    DocumentStatus.RECEIVED,
    DocumentStatus.STORED,
    DocumentStatus.READING,
    DocumentStatus.EXTRACTED,
    DocumentStatus.DECIDED,
)

_ALLOWED: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    DocumentStatus.RECEIVED: frozenset({DocumentStatus.STORED, DocumentStatus.FAILED}),
    DocumentStatus.STORED: frozenset({DocumentStatus.READING, DocumentStatus.FAILED}),
    DocumentStatus.READING: frozenset(
        {DocumentStatus.READING, DocumentStatus.EXTRACTED, DocumentStatus.FAILED, DocumentStatus.NOT_A_CERTIFICATE}
    ),
    DocumentStatus.EXTRACTED: frozenset({DocumentStatus.DECIDED, DocumentStatus.FAILED}),
    DocumentStatus.DECIDED: frozenset(),
    # An operator may send a failed document through again (`coi retry`), e.g. once a service is back.
    DocumentStatus.FAILED: frozenset({DocumentStatus.STORED}),
    DocumentStatus.NOT_A_CERTIFICATE: frozenset({DocumentStatus.STORED}),
}


class InvalidTransition(ValueError):
    pass


def can_move(current: DocumentStatus, new: DocumentStatus) -> bool:
    return new in _ALLOWED[current]


def check_transition(current: DocumentStatus, new: DocumentStatus) -> None:
    if not can_move(current, new):
        raise InvalidTransition(f"a document cannot go from {current} to {new}")


def reached(current: DocumentStatus, stage: DocumentStatus) -> bool:
    """True when ``current`` is ``stage`` or later on the happy path (final states count as past all)."""
    if current in FINAL:
        return True
    return ORDER.index(current) >= ORDER.index(stage)
