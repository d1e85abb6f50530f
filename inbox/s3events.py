"""S3 event notifications, parsed into typed records (pure: JSON in, records out).

One parser for every way an "object created" reaches the upload hook:

- the AWS S3 event (``{"Records": [{"eventSource": "aws:s3", "s3": {...}}]}``), as S3 sends it to SQS
  or Lambda, and as MinIO sends it inside its webhook body (``{"EventName", "Key", "Records"}``);
- the same wrapped by SNS (``{"Type": "Notification", "Message": "<the S3 event as a string>"}``),
  delivered to an HTTP endpoint or to SQS without raw delivery;
- SNS's ``SubscriptionConfirmation`` (returned as a record, never fetched here: see
  :class:`SubscriptionConfirmation`);
- EventBridge's ``Object Created`` event (``{"source": "aws.s3", "detail-type": "Object Created"}``);
- S3's ``s3:TestEvent``, sent once when a notification is configured (ignored).

Object keys arrive URL-encoded (``"red flower.pdf"`` is ``red+flower.pdf``); they are decoded here
with ``unquote_plus``, the encoding S3 and MinIO use. EventBridge keys are decoded the same way;
the keys the upload door hands out contain only letters, digits and ``._-/``, which decoding leaves
as they are, so either convention lands on the same key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote_plus


class EventFormatError(ValueError):
    """The body is not an S3 event in any known shape; the message says what was expected."""


@dataclass(frozen=True)
class ObjectCreated:
    """An object written to a bucket. ``key`` is decoded; ``version`` identifies this write."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None
    sequencer: str | None = None
    event_name: str = "ObjectCreated"
    # When the store says the object was written (UTC); not part of a record's identity.
    event_time: datetime | None = field(default=None, compare=False)

    @property
    def version(self) -> str:
        """What tells two writes of one key apart: the version id, else the ETag, else the sequencer."""
        return self.version_id or self.etag or self.sequencer or ""


@dataclass(frozen=True)
class SubscriptionConfirmation:
    """SNS asks the endpoint to confirm a subscription to ``topic_arn``.

    Nothing is fetched automatically: the hook logs the topic and the URL, and an operator who
    recognises the topic confirms it (``aws sns confirm-subscription --topic-arn ARN --token TOKEN``,
    or by opening ``subscribe_url``).
    """

    topic_arn: str
    subscribe_url: str
    token: str


@dataclass(frozen=True)
class Parsed:
    """Everything one notification body carried."""

    objects: tuple[ObjectCreated, ...] = ()
    ignored: tuple[str, ...] = ()  # why each record that is no object creation was skipped
    confirmation: SubscriptionConfirmation | None = None
    sources: tuple[str, ...] = field(default=())  # "s3", "minio", "sns", "eventbridge", "test"


def parse_notification(body: bytes | str | dict[str, Any]) -> Parsed:
    """Every object creation in one notification body, whatever carried it."""
    data = _json(body)
    if not isinstance(data, dict):
        raise EventFormatError("Expected a JSON object: an S3, SNS, EventBridge or MinIO event.")
    if data.get("Type") in {"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"}:
        return _sns(data)
    if data.get("source") == "aws.s3" and "detail" in data:
        return _eventbridge(data)
    if data.get("Event") == "s3:TestEvent":
        return Parsed(ignored=("s3:TestEvent (sent when the notification was configured)",), sources=("test",))
    if isinstance(data.get("Records"), list):
        minio = "EventName" in data and "Key" in data
        return _records(data["Records"], source="minio" if minio else "s3")
    raise EventFormatError("Not an S3 event notification: expected 'Records' (S3, MinIO), an SNS message "
                           "('Type': 'Notification') or an EventBridge event ('source': 'aws.s3').")


def _json(body: bytes | str | dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return body
    try:
        return json.loads(body)
    except (TypeError, ValueError, UnicodeDecodeError) as e:
        raise EventFormatError("The body is not JSON.") from e


def _sns(data: dict[str, Any]) -> Parsed:
    kind = data["Type"]
    if kind == "SubscriptionConfirmation":
        url, topic, token = data.get("SubscribeURL"), data.get("TopicArn"), data.get("Token")
        if not (isinstance(url, str) and isinstance(topic, str) and isinstance(token, str)):
            raise EventFormatError("An SNS SubscriptionConfirmation needs TopicArn, Token and SubscribeURL.")
        return Parsed(confirmation=SubscriptionConfirmation(topic, url, token), sources=("sns",))
    if kind == "UnsubscribeConfirmation":
        return Parsed(ignored=("SNS UnsubscribeConfirmation",), sources=("sns",))
    message = data.get("Message")
    if not isinstance(message, str):
        raise EventFormatError("An SNS Notification carries the S3 event as a string in 'Message'.")
    inner = parse_notification(message)
    return Parsed(inner.objects, inner.ignored, inner.confirmation, ("sns", *inner.sources))


def _records(records: list[Any], *, source: str) -> Parsed:
    objects, ignored = [], []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("s3"), dict):
            raise EventFormatError(f"Record {index} has no 's3' object.")
        name = str(record.get("eventName") or "")
        if "ObjectCreated" not in name:
            ignored.append(f"record {index}: {name or 'an event without a name'} is no object creation")
            continue
        s3 = record["s3"]
        bucket = (s3.get("bucket") or {}).get("name")
        obj = s3.get("object") or {}
        if not isinstance(bucket, str) or not isinstance(obj.get("key"), str):
            raise EventFormatError(f"Record {index} lacks s3.bucket.name or s3.object.key.")
        objects.append(ObjectCreated(
            bucket=bucket, key=unquote_plus(obj["key"]), size=_int(obj.get("size")), etag=_etag(obj.get("eTag")),
            version_id=obj.get("versionId") or None, sequencer=obj.get("sequencer") or None,
            event_name=name.removeprefix("s3:"), event_time=_time(record.get("eventTime"))))
    return Parsed(tuple(objects), tuple(ignored), sources=(source,))


def _eventbridge(data: dict[str, Any]) -> Parsed:
    kind = str(data.get("detail-type") or "")
    if kind != "Object Created":
        return Parsed(ignored=(f"EventBridge {kind or 'event without detail-type'} is no object creation",),
                      sources=("eventbridge",))
    detail = data.get("detail") or {}
    bucket = (detail.get("bucket") or {}).get("name")
    obj = detail.get("object") or {}
    if not isinstance(bucket, str) or not isinstance(obj.get("key"), str):
        raise EventFormatError("An EventBridge Object Created event needs detail.bucket.name and detail.object.key.")
    created = ObjectCreated(
        bucket=bucket, key=unquote_plus(obj["key"]), size=_int(obj.get("size")), etag=_etag(obj.get("etag")),
        version_id=obj.get("version-id") or None, sequencer=obj.get("sequencer") or None,
        event_name=f"ObjectCreated:{detail.get('reason') or 'Put'}", event_time=_time(data.get("time")))
    return Parsed((created,), sources=("eventbridge",))


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> datetime | None:
    """An event's ISO 8601 time ("2026-12-20T10:00:00.000Z"), in UTC; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _etag(value: Any) -> str | None:
    return str(value).strip('"') or None if value else None
