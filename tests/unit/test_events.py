"""The CloudEvents envelope and the event schemas: every type has one, and it bites."""

from __future__ import annotations

from datetime import datetime

import pytest

from pipeline.events import EventType, envelope
from schemas import validate_event


def no_attachment(**data) -> dict:
    return envelope(id="e1", type=EventType.NO_ATTACHMENT, account="acme", time=datetime(2026, 1, 2, 3, 4, 5),
                    message_id="ab12", data={"account": "acme", "message_id": "ab12", "sender": "a@b.example",
                                             "subject": None, "reason": "no attachment", **data})


def test_the_envelope_carries_the_cloudevents_attributes():
    event = no_attachment()
    assert event["specversion"] == "1.0"
    assert event["time"] == "2026-01-02T03:04:05Z"  # a naive time is UTC
    assert event["source"] == "/coi-intake/accounts/acme"
    assert event["subject"] == "messages/ab12"
    assert event["dataschema"].endswith("/events/coi.message.no_attachment.schema.json")
    assert validate_event(event) == []


@pytest.mark.parametrize("kind", list(EventType))
def test_every_event_type_has_a_schema_that_names_it(kind):
    event = envelope(id="e1", type=kind, account="acme", time=datetime(2026, 1, 1), data={"account": "acme"})
    problems = validate_event(event)
    assert problems and not any(p.startswith("type:") for p in problems)  # its schema exists and wants more


def test_an_event_missing_a_field_or_of_an_unknown_type_is_refused():
    event = no_attachment()
    del event["data"]["reason"]
    assert any("reason" in p for p in validate_event(event))
    assert validate_event({**no_attachment(), "type": "coi.something.else"}) == [
        "type: no schema for event type 'coi.something.else'"]
    assert validate_event({**no_attachment(), "specversion": "0.3"})


def test_the_envelope_is_written_by_the_cloudevents_sdk_and_reads_back_as_the_same_event():
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent

    from pipeline.events import cloud_event, structured

    made = cloud_event(id="e1", type=EventType.NO_ATTACHMENT, account="acme", time=datetime(2026, 1, 2, 3, 4, 5),
                       message_id="ab12", data={"account": "acme"})
    read = JSONFormat().read(CloudEvent, structured(made))
    assert read.get_attributes() == made.get_attributes()
    assert read.get_data() == {"account": "acme"}


def test_an_event_without_an_id_is_refused_by_the_sdk_before_it_is_sent():
    from cloudevents.core.exceptions import CloudEventValidationError

    with pytest.raises(CloudEventValidationError):
        envelope(id="", type=EventType.NO_ATTACHMENT, account="acme", time=datetime(2026, 1, 2), data={})
