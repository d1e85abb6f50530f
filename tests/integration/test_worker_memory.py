"""The worker's memory cap (COI_WORKER_MEMORY_MB, RLIMIT_DATA) on a real ``coi worker`` process: a
file that gets past the pixel limit but needs more memory than the cap fails as ``too_large``, and
the same worker process goes on to decide the next certificate."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from infra.admin import add_account
from infra.bootstrap import App
from infra.models import Document
from infra.settings import Settings
from outages import kill, process_env, start_worker
from pipeline.states import FINAL
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, free_port, send_mail, wait_for

pytestmark = pytest.mark.integration
CAP_MB = 600


def huge_blank_page() -> bytes:
    """56 M pixels (under the 60 M pixel limit): a few hundred MB once decoded and cleaned."""
    page = np.full((7500, 7500), 255, np.uint8)
    cv2.putText(page, "CERTIFICATE OF LIABILITY INSURANCE", (400, 900), cv2.FONT_HERSHEY_SIMPLEX, 5, 0, 10)
    return cv2.imencode(".png", page)[1].tobytes()


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def data_limit(pid: int) -> str:
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    return next(line for line in limits if line.startswith("Max data size")).split()[3]


def test_a_file_needing_more_memory_than_the_cap_fails_as_too_large_and_the_worker_goes_on(
        tmp_path, postgres_url, redis_url):
    values = {"var_dir": tmp_path, "database_url": postgres_url, "broker_url": redis_url,
              "inbound_domain": "coi.test", "smtp_port": free_port(), "worker_memory_mb": CAP_MB}
    app = App(Settings(**values))
    env = process_env(values)
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    from inbox.smtp import make_controller

    door = make_controller(app, actors_of(app).send_on)
    door.start()
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        send_mail((door.hostname, door.port), "acme@coi.test", [(huge_blank_page(), "image/png", "huge.png")])

        def documents() -> dict[str, tuple[str, str | None]]:
            with app.sessions() as session:
                return {name: (status, code) for name, status, code in session.execute(
                    select(Document.filename, Document.status, Document.error_code))}

        wait_for(lambda: documents().get("huge.png", ("",))[0] in FINAL, timeout=180)
        assert documents()["huge.png"] == ("failed", "too_large")

        send_mail((door.hostname, door.port), "acme@coi.test",
                  [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])
        wait_for(lambda: documents().get("coi.pdf", ("",))[0] in FINAL, timeout=120)
        assert documents()["coi.pdf"][0] == "decided"
        assert worker.poll() is None  # the dramatiq main process is still up ...
        pools = children(worker.pid)  # `coi worker` runs a dramatiq pool per queue; each forks its workers
        processes = [p for pool in pools for p in children(pool)]
        assert processes and all(data_limit(pid) == str(CAP_MB * 1024 * 1024) for pid in processes)
    finally:
        kill(worker)
        door.stop()
        app.close()
