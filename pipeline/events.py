"""Event types and their CloudEvents 1.0 envelope (JSON structured mode), through the CloudEvents
SDK (``cloudevents``). Pure: no I/O.

Every state change that matters downstream is written to the outbox as (id, type, data); the
envelope is put around it when it is published, the same for the Redis Stream and the webhooks, so
a consumer deduplicates by ``id`` whatever path the event came by. ``schemas/events/`` holds one
JSON Schema per type.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

SCHEMA_BASE = "https://coi-intake.dev/schemas/events/"
JSON_FORMAT = JSONFormat()


class EventType(StrEnum):
    APPROVED = "coi.certificate.approved"
    REJECTED = "coi.certificate.rejected"
    NEEDS_REVIEW = "coi.certificate.needs_review"
    EXPIRING = "coi.certificate.expiring"
    EXPIRED = "coi.certificate.expired"
    DOCUMENT_FAILED = "coi.document.failed"
    NOT_A_CERTIFICATE = "coi.document.not_a_certificate"
    NO_ATTACHMENT = "coi.message.no_attachment"
    MESSAGE_FAILED = "coi.message.failed"
    OVERRIDDEN = "coi.decision.overridden"
    WAIVED = "coi.check.waived"
    CORRECTED = "coi.value.corrected"
    CERTIFICATE_REQUESTED = "coi.vendor.certificate_requested"

    @classmethod
    def for_decision(cls, decision: str) -> EventType:
        return cls(f"coi.certificate.{decision}")

    @classmethod
    def for_document_status(cls, status: str) -> EventType:
        return cls(f"coi.document.{status}")


DECISIONS = frozenset({EventType.APPROVED, EventType.REJECTED, EventType.NEEDS_REVIEW})


def cloud_event(*, id: str, type: str, account: str, time: datetime, data: dict[str, Any],
                document_id: str | None = None, message_id: str | None = None) -> CloudEvent:
    """The CloudEvent for an outbox row, built and checked by the CloudEvents SDK. ``source`` names
    the account; ``subject`` the document (or, for message-level events, the inbound message) the
    event is about."""
    if time.tzinfo is None:  # SQLite hands back naive datetimes; every time we store is UTC
        time = time.replace(tzinfo=timezone.utc)
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": id,
        "source": f"/coi-intake/accounts/{account}",
        "type": type,
        "time": time.astimezone(timezone.utc),
        "datacontenttype": "application/json",
        "dataschema": f"{SCHEMA_BASE}{type}.schema.json",
    }
    if document_id:
        attributes["subject"] = f"documents/{document_id}"
    elif message_id:
        attributes["subject"] = f"messages/{message_id}"
    return CloudEvent(attributes, data)


def structured(event: CloudEvent) -> bytes:
    """The event in the JSON structured mode (``application/cloudevents+json``), as the SDK writes it."""
    return JSON_FORMAT.write(event)


def envelope(**fields: Any) -> dict[str, Any]:
    """The structured-mode JSON of :func:`cloud_event` as a dict (what the schemas in
    ``schemas/events/`` validate)."""
    return json.loads(structured(cloud_event(**fields)))
