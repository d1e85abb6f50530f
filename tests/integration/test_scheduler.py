"""The scheduler enqueues each job once per interval, however many scheduler processes run."""

from __future__ import annotations

import pytest

from infra.entry.scheduler import tick
from services import actors_of, drain

pytestmark = pytest.mark.integration


def test_two_schedulers_in_one_interval_enqueue_each_job_once(app):
    app.settings.scheduler_interval_seconds = 3600
    actors = actors_of(app)
    at = 1_800_000_000.0  # some moment; the second scheduler ticks a minute later, same interval

    assert tick(app, actors, clock=lambda: at) == ["check_expirations", "sweep", "chase_requests"]
    assert tick(app, actors, clock=lambda: at + 60) == []
    assert drain(app) == ["chase_requests", "check_expirations", "sweep"]

    # the next interval
    assert tick(app, actors, clock=lambda: at + 3600) == ["check_expirations", "sweep", "chase_requests"]
    assert drain(app) == ["chase_requests", "check_expirations", "sweep"]
