"""The workers' metrics: stage timing, and the server of one ``coi worker`` (docs/metrics.md).

``coi worker`` runs several worker processes (dramatiq ``--processes``). They share one port the
way prometheus_client documents for such servers, its multiprocess mode: ``coi worker`` empties a
folder and names it in ``PROMETHEUS_MULTIPROC_DIR`` before the processes start; each process
writes its counts to its own files there; one more process, started by dramatiq as a fork
function (``serve``), adds them up when Prometheus asks, on ``COI_METRICS_HOST:COI_METRICS_PORT``.

dramatiq's own Prometheus middleware is used for its per-actor message counts (processed, failed,
retried, dead-lettered, in progress, milliseconds), written to the same folder, but not for its
server: that one listens on every interface at port 9191 (set only through ``dramatiq_prom_*``
variables), so ``DramatiqCounters`` drops it and ``serve`` shows both sets.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dramatiq.middleware import Middleware

from infra.metrics import STAGE_SECONDS

if TYPE_CHECKING:
    from infra.settings import Settings

log = logging.getLogger(__name__)

STAGE_OF_ACTOR = {
    "split_message": "split",
    "read_document": "read",  # the text layer; a document that needs OCR is handed on to ocr_document
    "ocr_document": "ocr",
    "extract_document": "extract",
    "score_document": "score",
    "publish_events": "publish",
}


class StageTimer(Middleware):
    """Observes ``coi_stage_seconds{stage}`` for every run of a stage's actor, however it ends.

    A stage run in place by the thread of the message before it (workers/actors.py ``Stages._continue``)
    is timed as its own stage: :func:`stage_handover` ends the running stage's observation and starts
    the next one's, so the read's figure holds the read alone, not the extract and scoring it went on to."""

    def before_process_message(self, broker, message) -> None:
        _TIMING.running = (STAGE_OF_ACTOR.get(message.actor_name), time.perf_counter())

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        _observe(getattr(_TIMING, "running", None))
        _TIMING.running = None

    after_skip_message = after_process_message


_TIMING = threading.local()  # (stage or None, its start) of the message this worker thread is running


def _observe(running: tuple[str | None, float] | None) -> None:
    if running is not None and running[0] is not None:
        STAGE_SECONDS.labels(running[0]).observe(time.perf_counter() - running[1])


def stage_handover(actor_name: str) -> None:
    """This thread goes on from its stage to ``actor_name``'s, in place: the stage so far is observed
    and ``actor_name``'s timing starts. Outside a timed message (a test calling a stage), nothing."""
    running = getattr(_TIMING, "running", None)
    if running is not None:
        _observe(running)
        _TIMING.running = (STAGE_OF_ACTOR.get(actor_name), time.perf_counter())


def multiprocess_env(settings: Settings) -> dict[str, str]:
    """For ``coi worker`` with COI_METRICS_PORT set, before its processes start: an empty folder for
    their counts (prometheus_client wants it emptied between runs), named the way prometheus_client
    and dramatiq's middleware read it. ``PROMETHEUS_MULTIPROC_DIR`` already set is kept."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR")
                  or settings.var_dir / "metrics" / f"worker-{settings.metrics_port}").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return {"PROMETHEUS_MULTIPROC_DIR": str(folder), "dramatiq_prom_db": str(folder)}


def add_dramatiq_counters(broker) -> None:
    """dramatiq's Prometheus middleware without its own server (see the module's docstring)."""
    from dramatiq.middleware.prometheus import Prometheus

    class DramatiqCounters(Prometheus):
        @property
        def forks(self):
            return []

    broker.add_middleware(DramatiqCounters())


def serve() -> int:
    """dramatiq fork function: serves the counts of every process of this ``coi worker`` until
    dramatiq stops it (SIGTERM)."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    from infra.settings import Settings

    settings = Settings()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    try:
        _, thread = start_http_server(settings.metrics_port, settings.metrics_host, registry)
    except OSError as exc:
        log.error("worker metrics cannot listen on %s:%s (%s); the workers go on without them: give each "
                  "`coi worker` on this host a COI_METRICS_PORT of its own", settings.metrics_host,
                  settings.metrics_port, exc)
        return 1
    log.info("worker metrics on http://%s:%s/metrics", settings.metrics_host, settings.metrics_port)
    thread.join()
    return 0
