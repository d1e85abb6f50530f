"""The HTTP API on a real socket: uvicorn in a thread of the test process, on a free loopback port."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from infra.bootstrap import App
from services import actors_of, free_port, wait_for


@contextmanager
def serve(app: App, prepare: Callable[[Any], None] | None = None) -> Iterator[str]:
    """``create_api(app)`` served by uvicorn until the block ends; yields its base URL. ``prepare``
    is given the FastAPI app first (e.g. to stand in for a dependency)."""
    import uvicorn

    from inbox.api import create_api

    port = free_port()
    api = create_api(app, actors_of(app))
    if prepare is not None:
        prepare(api)
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="api", daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), timeout=20, interval=0.02)
    assert server.started, "the API did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
