"""Entry point for ``dramatiq workers.entry:setup`` (what ``coi worker`` runs in each process), and
``declare``: the actors declared on an app's broker, for every entry point that runs or sends to them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.actors import Actors

_app = None  # kept for the life of the process (it holds the broker and, embedded, the Redis server)


def setup() -> None:
    """Build the app from the environment and declare the actors on its broker."""
    global _app
    from infra.bootstrap import App, configure_logging

    _app = App()
    configure_logging(_app.settings.log_level)
    limit_memory(_app.settings.worker_memory_mb)
    declare(_app)  # on the broker dramatiq runs (building it set it as dramatiq's broker)
    if _app.settings.metrics_port and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # set by `coi worker`
        from workers.metrics import add_dramatiq_counters

        add_dramatiq_counters(_app.broker_handle.broker)


def declare(app: App) -> Actors:
    """Declare the actors on ``app``'s broker, each given the collaborators its service names.

    Once per broker: an entry point calls it once and hands the actors (or only ``Actors.send_on``)
    to what it starts. Redis and the secret box are handed over as ways to get them: they are built
    when an actor first needs them, not by declaring (a door only enqueues)."""
    from workers.actors import declare_actors

    return declare_actors(app.broker_handle.broker, settings=app.settings, sessions=app.sessions,
                          storage=app.storage, ocr_engine=app.ocr_engine, redis=lambda: app.redis,
                          secret_box=lambda: app.secrets)


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
