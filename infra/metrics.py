"""Metrics for operators, in Prometheus' text format (prometheus-client; docs/metrics.md).

Each process counts what it does itself, in prometheus_client's default registry: the workers
time every run of a chain stage and count webhook tries, the SMTP door counts its answers by code.
Readings of the whole deployment (documents by status, the broker's queues) are taken when
Prometheus asks, by ``DeploymentCollector``, and served by the API's ``/metrics``. Only counts and
queue names appear: no account, document, address or token.

Nothing here connects to anything when imported. The metrics below carry labels, so even in
prometheus_client's multiprocess mode (``coi worker``) no file is written before a first count.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from dramatiq import Broker
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
disable_created_metrics()  # no `_created` twin of every counter: Prometheus does not need them

# From a score in milliseconds to a scan's OCR near its 10-minute limit.
STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)

STAGE_SECONDS = Histogram(
    "coi_stage_seconds",
    "Seconds one run of a chain stage took in a worker (split, read, ocr, extract, score, publish), "
    "however the run ended.",
    ["stage"], buckets=STAGE_BUCKETS)

WEBHOOK_DELIVERIES = Counter(
    "coi_webhook_deliveries",
    "Webhook delivery tries by outcome: delivered; retry (failed, another try is planned); dead (failed, "
    "no tries left); refused (the target is not allowed, dead at once); removed (the webhook was removed).",
    ["outcome"])

SMTP_ANSWERS = Counter(
    "coi_smtp_answers",
    "Replies of the SMTP door by code, every reply counted once (greeting, EHLO, MAIL, RCPT, DATA, QUIT).",
    ["code"])


class DeploymentCollector:
    """Documents by status from the database and the broker's queues, read at each scrape.

    A source that cannot be read leaves its metrics out of that scrape and says so in
    ``coi_metrics_source_up`` (0), so the rest is still served. ``broker`` is the one the actors are
    declared on: its declared queues are the ones read."""

    def __init__(self, sessions: sessionmaker[Session], broker: Broker) -> None:
        self.sessions = sessions
        self.broker = broker

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("coi_metrics_source_up", "1 when this scrape could read the source (database, "
                                                        "broker), 0 when it could not (the reason is in the log).",
                               labels=["source"])
        for source, read in (("database", self._documents), ("broker", self._queues)):
            try:
                families = list(read())
            except Exception:
                log.warning("metrics: could not read the %s", source, exc_info=True)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _documents(self) -> Iterator[Metric]:
        from sqlalchemy import func, select

        from infra.models import Document
        from pipeline.states import DocumentStatus

        with self.sessions() as session:
            rows = session.execute(select(Document.status, func.count()).group_by(Document.status)).all()
        counts = {status.value: 0 for status in DocumentStatus} | {status: count for status, count in rows}
        documents = GaugeMetricFamily("coi_documents", "Documents by status, in every account.", labels=["status"])
        for status, count in sorted(counts.items()):
            documents.add_metric([status], count)
        yield documents

    def _queues(self) -> Iterator[Metric]:
        from infra.queues import read_queues

        readings = read_queues(self.broker)
        waiting = GaugeMetricFamily("coi_queue_messages", "Messages waiting in a queue for a worker (not those a "
                                                          "worker has taken, nor delayed ones).", labels=["queue"])
        dead = GaugeMetricFamily("coi_queue_dead_messages", "Dead-lettered messages a queue keeps (dramatiq keeps "
                                                            "them a week).", labels=["queue"])
        age = GaugeMetricFamily("coi_queue_oldest_message_age_seconds", "Seconds the message at the front of a "
                                "queue has waited since it was due (0: empty). Redis only.", labels=["queue"])
        delayed = GaugeMetricFamily("coi_queue_delayed_messages", "Messages waiting for their time (retries, webhook "
                                    "backoffs), taken by a worker or not. Redis only.", labels=["queue"])
        for reading in readings:
            waiting.add_metric([reading.queue], reading.waiting)
            dead.add_metric([reading.queue], reading.dead)
            if reading.oldest_age_seconds is not None:
                age.add_metric([reading.queue], reading.oldest_age_seconds)
            if reading.delayed is not None:
                delayed.add_metric([reading.queue], reading.delayed)
        yield from (waiting, dead)
        yield from (family for family in (age, delayed) if family.samples)


class _ThisProcess:
    """What this process counted: the default registry (Python's own metrics, and the coi_ counters
    and histograms), without those it never counts (an API process times no stage)."""

    def collect(self) -> Iterator[Metric]:
        return (family for family in REGISTRY.collect() if family.samples)


def process_registry() -> CollectorRegistry:
    """What the SMTP door's metrics port serves."""
    registry = CollectorRegistry()
    registry.register(_ThisProcess())
    return registry


def api_registry(sessions: sessionmaker[Session], broker: Broker) -> CollectorRegistry:
    """What the API's /metrics serves: the deployment's readings (the database through ``sessions``,
    the queues of the actors declared on ``broker``) and the API process's own."""
    registry = process_registry()
    registry.register(DeploymentCollector(sessions, broker))
    return registry
