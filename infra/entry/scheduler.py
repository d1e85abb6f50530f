"""``coi scheduler``: enqueues the periodic jobs (expiry check, sweep, certificate requests'
follow-ups) once per interval.

Run one per deployment; a second one (a host started twice, a rolling update) is harmless: each
job is enqueued once per interval slot, decided by ``SET NX`` on Redis (``app.redis``), and the jobs
themselves are idempotent. APScheduler keeps the clock; the work runs on the dramatiq workers: the
scheduler is given the actors its entry point declared (``coi scheduler``: ``actors_of``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.actors import Actors

log = logging.getLogger(__name__)
JOBS = ("check_expirations", "sweep", "chase_requests")


def claim(app: App, job: str, now: float) -> bool:
    """True for exactly one caller per (job, interval slot), across every scheduler process."""
    interval = app.settings.scheduler_interval_seconds
    slot = int(now // interval)
    client = app.redis
    return bool(client.set(f"coi:scheduler:{job}:{slot}", "1", nx=True, ex=interval * 2))


def tick(app: App, actors: Actors, clock: Callable[[], float] = time.time) -> list[str]:
    """Enqueue each job this slot has not seen yet; returns the names enqueued."""
    now = clock()
    today = datetime.fromtimestamp(now, timezone.utc).date()
    sent = []
    for job in JOBS:
        if not claim(app, job, now):
            continue
        if job == "check_expirations":
            actors.check_expirations.send(today.isoformat())
        elif job == "chase_requests":
            actors.chase_requests.send()
        else:
            actors.sweep.send()
        sent.append(job)
    if sent:
        log.info("scheduled %s for %s", ", ".join(sent), today)
    return sent


def run(app: App, actors: Actors) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", args=(app, actors), seconds=app.settings.scheduler_interval_seconds,
                      next_run_time=datetime.now(timezone.utc), max_instances=1, coalesce=True)
    log.info("scheduler running every %s s", app.settings.scheduler_interval_seconds)
    scheduler.start()
