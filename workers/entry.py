"""Entry point for ``dramatiq workers.entry:setup`` (what ``coi worker`` runs in each process)."""

from __future__ import annotations

import os

_app = None  # kept for the life of the process (it holds the broker and, embedded, the Redis server)


def setup() -> None:
    """Build the app from the environment and declare the actors on its broker."""
    global _app
    from infra.bootstrap import App, configure_logging

    _app = App()
    configure_logging(_app.settings.log_level)
    limit_memory(_app.settings.worker_memory_mb)
    _app.actors  # noqa: B018 - declaring the actors sets the broker dramatiq runs
    if _app.settings.metrics_port and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # set by `coi worker`
        from workers.metrics import add_dramatiq_counters

        add_dramatiq_counters(_app.broker_handle.broker)


def limit_memory(megabytes: int) -> None:
    """Cap this process's data memory; the tesseract and Poppler processes it starts inherit the cap.

    A hostile file that gets past the pixel and page limits then fails with MemoryError (recorded
    as ``too_large``, workers/outcomes.py) instead of taking the host's memory. RLIMIT_DATA, not
    RLIMIT_AS: address space that threads and allocators only reserve is not counted."""
    import resource

    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
