"""Webhook signatures, the retry schedule and the URL rule (workers/webhooks.py)."""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import time
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from infra.settings import Settings
from workers.targets import check_url
from workers.webhooks import _post, backoff, new_secret, signature, signed_headers, verify

SECRET = "whsec_test"
BODY = b'{"id":"e1"}'


def test_a_signature_verifies_and_any_change_breaks_it():
    header = signature(SECRET, 1_700_000_000, BODY)
    assert header.startswith("t=1700000000,v1=")
    assert verify(SECRET, header, BODY, now=1_700_000_010)
    assert not verify(SECRET, header, BODY + b" ", now=1_700_000_010)
    assert not verify("whsec_other", header, BODY, now=1_700_000_010)
    assert not verify(SECRET, header.replace("t=1700000000", "t=1700000001"), BODY, now=1_700_000_010)
    assert not verify(SECRET, header, BODY, now=1_700_000_000 + 301)  # replayed too late
    assert not verify(SECRET, "garbage", BODY)


def test_the_wait_doubles_up_to_the_cap_with_jitter():
    settings = Settings(webhook_backoff_seconds=10, webhook_max_backoff_seconds=3600)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 10), (2, 20), (5, 160), (9, 2560), (10, 3600), (14, 3600)]:
        waits = [backoff(attempt, settings, rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 10  # jittered, not in step


def test_the_default_schedule_outlasts_a_receiver_down_for_an_hour():
    settings = Settings()
    shortest = sum(min(settings.webhook_max_backoff_seconds, settings.webhook_backoff_seconds * 2 ** (n - 1)) / 2
                   for n in range(1, settings.webhook_max_attempts))
    assert shortest > 2 * 3600


def test_webhooks_use_https_except_to_loopback_when_private_targets_are_allowed():
    assert check_url("https://hooks.example.com/coi", allow_http=False) is None
    assert check_url("http://127.0.0.1:9000/x", allow_http=False, allow_private=True) is None
    assert "public addresses only" in check_url("http://127.0.0.1:9000/x", allow_http=False)
    assert "HTTPS" in check_url("http://hooks.example.com/coi", allow_http=False)
    assert check_url("http://hooks.example.com/coi", allow_http=True) is None
    assert check_url("ftp://hooks.example.com", allow_http=True)


# -- Standard Webhooks (README "Webhooks") ----------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
EVENT = b'{"specversion":"1.0","id":"0193f5b2-event","type":"coi.certificate.approved"}'


def readme_snippet() -> dict:
    """The Python block of README's Webhooks section, run: its names."""
    section = README.read_text().split("### Webhooks", 1)[1].split("\n### ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    names: dict = {}
    exec(compile(code, "README.md (Webhooks)", "exec"), names)  # noqa: S102 - our own README
    return names


def posted(secret: str, body: bytes = EVENT) -> httpx.Request:
    """The request the worker sends (workers/webhooks.py ``_post``), caught before the network."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    assert _post("https://hooks.example.com/coi", secret, "0193f5b2-event", body, Settings(),
                 lambda host, port: ["93.184.216.34"], httpx.MockTransport(answer)) is None
    [request] = sent
    return request


def test_the_readme_snippet_verifies_a_posted_event_with_the_standardwebhooks_library():
    verified_event = readme_snippet()["verified_event"]
    secret = new_secret()
    request = posted(secret)

    assert verified_event(request.content, dict(request.headers), secret) == json.loads(EVENT)
    assert request.headers["webhook-id"] == "0193f5b2-event"
    assert verified_event(request.content + b" ", dict(request.headers), secret) is None  # body changed
    assert verified_event(request.content, dict(request.headers), new_secret()) is None  # another secret
    stale = signed_headers(secret, "0193f5b2-event", int(time.time()) - 301, EVENT)
    assert verified_event(EVENT, stale, secret) is None  # replayed too late


def test_for_one_release_the_coi_signature_is_sent_beside_the_standard_headers():
    secret = new_secret()
    request = posted(secret)
    assert verify(secret, request.headers["COI-Signature"], request.content)
    assert request.headers["COI-Event-Id"] == "0193f5b2-event"


def test_a_new_secret_is_32_random_bytes_in_the_standard_form():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret


def test_a_secret_of_before_that_the_library_cannot_read_still_gets_the_coi_signature():
    unreadable = "whsec_" + "A" * 41  # URL-safe base64 of an earlier release, 1 past a multiple of 4
    with pytest.raises(binascii.Error):
        StandardWebhook(unreadable)
    headers = signed_headers(unreadable, "e1", 1_700_000_000, BODY)
    assert "webhook-signature" not in headers
    assert verify(unreadable, headers["COI-Signature"], BODY, now=1_700_000_000)
