"""Webhook signatures, the retry schedule and the URL rule (workers/webhooks.py)."""

from __future__ import annotations

import random

from infra.settings import Settings
from workers.targets import check_url
from workers.webhooks import backoff, signature, verify

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
