"""S3 event notifications read from an SQS queue (``coi uploads poll-sqs``), for setups where S3
cannot reach the hook over HTTP. Each message body goes through the same parser and the same
``report_objects`` as the hook; a message is deleted once handled, so a crash before that only
means it is delivered again (and recorded once: the uploads table decides).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from inbox.door import report_objects
from inbox.s3events import EventFormatError, parse_notification

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn

log = logging.getLogger(__name__)


def sqs_client(endpoint_url: str | None, region: str):
    import boto3
    from botocore.config import Config

    return boto3.client("sqs", endpoint_url=endpoint_url, region_name=region,
                        config=Config(connect_timeout=5, read_timeout=40, retries={"max_attempts": 3}))


def poll_once(app: App, send_on: SendOn, client: Any, queue_url: str, *, wait: int = 20) -> int:
    """Receive up to ten messages, hand their objects on (``send_on`` enqueues them), delete them;
    returns how many were taken.

    A body that is no S3 event is logged and deleted (it would never parse); an error reaching the
    database or the broker leaves the message in the queue, to come back after its visibility timeout.
    """
    answer = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
    messages = answer.get("Messages") or []
    for message in messages:
        try:
            parsed = parse_notification(message["Body"])
        except EventFormatError as e:
            log.warning("SQS message %s is no S3 event (%s); deleted", message.get("MessageId"), e)
        else:
            if parsed.confirmation is not None:
                log.warning("SNS subscription confirmation for %s arrived through SQS; confirm it by hand",
                            parsed.confirmation.topic_arn)
            if parsed.objects:
                report_objects(app, send_on, parsed.objects)
        client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)
