"""inbox/s3events.py: every shape of "an object was created", parsed into the same records."""

from __future__ import annotations

import json

import pytest

from inbox.s3events import EventFormatError, ObjectCreated, parse_notification

KEY_ENCODED = "uploads/acme/0f3c/red+flower%281%29+%26+co.pdf"
KEY = "uploads/acme/0f3c/red flower(1) & co.pdf"


def s3_record(event_name="ObjectCreated:Post", key=KEY_ENCODED, source="aws:s3", **obj):
    return {"eventVersion": "2.1", "eventSource": source, "awsRegion": "us-east-1",
            "eventTime": "2026-11-01T10:00:00.000Z", "eventName": event_name,
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "coi",
                   "bucket": {"name": "coi-documents", "arn": "arn:aws:s3:::coi-documents"},
                   "object": {"key": key, "size": 48213, "eTag": "9b2cf535f27731c974343645a3985328",
                              "sequencer": "0061A1B2C3D4E5F6", **obj}}}


def test_given_an_s3_event_then_the_key_is_url_decoded_and_the_etag_is_the_version():
    parsed = parse_notification(json.dumps({"Records": [s3_record()]}))
    assert parsed.objects == (ObjectCreated(
        bucket="coi-documents", key=KEY, size=48213, etag="9b2cf535f27731c974343645a3985328",
        sequencer="0061A1B2C3D4E5F6", event_name="ObjectCreated:Post"),)
    assert parsed.objects[0].version == "9b2cf535f27731c974343645a3985328"
    assert parsed.objects[0].event_time.isoformat() == "2026-11-01T10:00:00+00:00"
    assert parsed.sources == ("s3",)


def test_given_a_versioned_bucket_then_the_version_id_is_the_version():
    [created] = parse_notification({"Records": [s3_record(versionId="3HL4kqtJlcpXroDTDmJ")]}).objects
    assert created.version == "3HL4kqtJlcpXroDTDmJ"


def test_given_records_that_are_no_creation_then_they_are_ignored_with_a_reason():
    parsed = parse_notification({"Records": [s3_record("ObjectRemoved:Delete"), s3_record()]})
    assert len(parsed.objects) == 1
    assert parsed.ignored == ("record 0: ObjectRemoved:Delete is no object creation",)


def test_given_the_s3_test_event_then_nothing_is_taken():
    parsed = parse_notification({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-01T10:00:00Z",
                                 "Bucket": "coi-documents", "RequestId": "X", "HostId": "Y"})
    assert parsed.objects == () and parsed.sources == ("test",)


def test_given_an_sns_notification_then_the_wrapped_s3_event_is_read():
    message = json.dumps({"Records": [s3_record()]})
    body = {"Type": "Notification", "MessageId": "22b80b92", "TopicArn": "arn:aws:sns:us-east-1:1:coi",
            "Subject": "Amazon S3 Notification", "Message": message, "Timestamp": "2026-11-01T10:00:00.000Z",
            "SignatureVersion": "1", "Signature": "EXAMPLE", "SigningCertURL": "https://sns.example/cert.pem"}
    parsed = parse_notification(json.dumps(body).encode())
    assert [o.key for o in parsed.objects] == [KEY]
    assert parsed.sources == ("sns", "s3")


def test_given_an_sns_subscription_confirmation_then_it_is_returned_not_fetched():
    body = {"Type": "SubscriptionConfirmation", "MessageId": "165545c9", "Token": "2336412f37",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:coi-uploads",
            "Message": "You have chosen to subscribe to the topic ...",
            "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37",
            "Timestamp": "2026-11-01T10:00:00.000Z"}
    parsed = parse_notification(body)
    assert parsed.objects == ()
    assert parsed.confirmation.topic_arn == "arn:aws:sns:us-east-1:123456789012:coi-uploads"
    assert parsed.confirmation.token == "2336412f37"


def test_given_an_eventbridge_object_created_event_then_it_is_one_record():
    body = {"version": "0", "id": "17793124", "detail-type": "Object Created", "source": "aws.s3",
            "account": "111122223333", "time": "2026-11-01T10:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:s3:::coi-documents"],
            "detail": {"version": "0", "bucket": {"name": "coi-documents"},
                       "object": {"key": "uploads/acme/0f3c/coi.pdf", "size": 5,
                                  "etag": "b1946ac92492d2347c6235b4d2611184", "version-id": "IYV3p45BT0ac8hj",
                                  "sequencer": "617f08299329d189"},
                       "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012", "reason": "PostObject"}}
    [created] = parse_notification(body).objects
    assert (created.bucket, created.key, created.size, created.version) == (
        "coi-documents", "uploads/acme/0f3c/coi.pdf", 5, "IYV3p45BT0ac8hj")
    deleted = parse_notification({**body, "detail-type": "Object Deleted"})
    assert deleted.objects == () and deleted.ignored


def test_given_minios_webhook_body_then_its_records_are_read():
    body = {"EventName": "s3:ObjectCreated:Put", "Key": "coi-documents/" + KEY,
            "Records": [s3_record("s3:ObjectCreated:Put", source="minio:s3", eTag='"d41d8cd98f00b204"',
                                  contentType="application/pdf")]}
    [created] = parse_notification(body).objects
    assert created.key == KEY
    assert created.etag == "d41d8cd98f00b204"  # quotes dropped
    assert created.event_name == "ObjectCreated:Put"
    assert parse_notification(body).sources == ("minio",)


@pytest.mark.parametrize("body, says", [
    (b"not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    ({"hello": "world"}, "Not an S3 event"),
    ({"Records": [{"eventName": "ObjectCreated:Put"}]}, "no 's3' object"),
    ({"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {}}}]}, "lacks s3.bucket.name"),
    ({"Type": "Notification", "Message": {"Records": []}}, "as a string"),
    ({"Type": "Notification", "Message": "{}"}, "Not an S3 event"),
])
def test_given_a_malformed_body_then_the_error_says_what_was_expected(body, says):
    with pytest.raises(EventFormatError, match=says):
        parse_notification(body)
