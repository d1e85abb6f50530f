"""A worker killed with SIGKILL in the middle of OCR: once a worker is back, the document is
processed exactly once to a final state, with one final event (real worker processes, PostgreSQL,
Redis). Run several times: where the kill lands varies."""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.bootstrap import App
from infra.models import Certificate, Document, Evaluation, OutboxEvent
from infra.settings import Settings
from pipeline.states import FINAL, DocumentStatus
from samples.certificates import demo_certificate, draw_certificate
from samples.scans import Degradation, scan_pdf
from outages import kill, process_env, start_worker
from services import actors_of, free_port, send_mail, wait_for

pytestmark = pytest.mark.integration
FINAL_EVENTS = ("coi.certificate.%", "coi.document.%")


@pytest.mark.parametrize("run", range(3))
def test_a_worker_killed_mid_ocr_leaves_the_document_to_be_finished_exactly_once(
        run, tmp_path, postgres_url, redis_url):
    values = {"var_dir": tmp_path, "database_url": postgres_url, "broker_url": redis_url,
              "inbound_domain": "coi.test", "smtp_port": free_port(), "broker_heartbeat_ms": 2000,
              "broker_maintenance_per_million": 1_000_000}
    app = App(Settings(**values))
    env = process_env(values)
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    from inbox.smtp import make_controller

    door = make_controller(app, actors_of(app).send_on)
    door.start()
    scan = scan_pdf(draw_certificate(demo_certificate()), Degradation(dpi=300), random.Random(run))
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        send_mail((door.hostname, door.port), "acme@coi.test", [(scan, "image/png", "scan.png")])

        def status() -> str | None:
            with app.sessions() as session:
                return session.scalars(select(Document.status)).first()

        wait_for(lambda: status() == DocumentStatus.READING, timeout=60)
        time.sleep(random.Random(run).uniform(0.3, 2.0))  # somewhere inside the seconds of OCR
        kill(worker)
        assert status() == DocumentStatus.READING  # it died before finishing

        worker = start_worker(env, tmp_path / "worker.log")
        wait_for(lambda: status() in FINAL, timeout=120)
        with app.sessions() as session:
            counts = [session.scalar(select(func.count()).select_from(model))
                      for model in (Document, Certificate, Evaluation)]
            finals = session.scalars(select(OutboxEvent.type).where(
                OutboxEvent.type.like(FINAL_EVENTS[0]) | OutboxEvent.type.like(FINAL_EVENTS[1]))).all()
        assert counts[0] == 1 and counts[1] <= 1 and counts[2] == counts[1]
        assert len(finals) == 1, finals
        stream = wait_for(lambda: app.redis.xrange("coi:events:acme"))
        assert len(stream) == 1  # published once
    finally:
        kill(worker)
        door.stop()
        app.close()
