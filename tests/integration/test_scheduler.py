"""The scheduler enqueues each job once per interval, however many scheduler processes run."""

from __future__ import annotations

import pytest

from infra.scheduler import tick

pytestmark = pytest.mark.integration


def queued(app) -> list[str]:
    import json

    client = app.broker_handle.broker.client
    return sorted(json.loads(raw)["actor_name"] for raw in client.hvals("dramatiq:default.msgs"))


def test_two_schedulers_in_one_interval_enqueue_each_job_once(app):
    app.settings.scheduler_interval_seconds = 3600
    app.actors  # noqa: B018
    at = 1_800_000_000.0  # some moment; the second scheduler ticks a minute later, same interval

    assert tick(app, clock=lambda: at) == ["check_expirations", "sweep"]
    assert tick(app, clock=lambda: at + 60) == []
    assert queued(app) == ["check_expirations", "sweep"]

    assert tick(app, clock=lambda: at + 3600) == ["check_expirations", "sweep"]  # the next interval
    assert queued(app) == ["check_expirations", "check_expirations", "sweep", "sweep"]
