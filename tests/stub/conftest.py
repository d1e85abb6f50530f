"""The fast layer: the whole chain on dramatiq's StubBroker and a Worker in this process, local
storage and SQLite (a migrated template copied per test); only the event streams and the publish
lock are on the test Redis (tests/services.py). From the door's ``accept`` to the decision event in
about a second a test, with the same actors, middleware and outcomes as production."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker

from infra.admin import add_account, add_holder, set_requirements
from infra.bootstrap import App
from infra.broker import BrokerHandle
from infra.db import migrate
from infra.entry.demo import current, demo_requirements
from samples.certificates import demo_certificate
from services import actors_of, assert_every_event_validates, make_app

QUEUES = ("default", "ocr")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated once for the session; each test gets a copy."""
    path = tmp_path_factory.mktemp("stub-template") / "coi.db"
    migrate(f"sqlite:///{path}")
    return path


class Chain:
    """The app on a StubBroker, with a Worker of two threads on both queues."""

    def __init__(self, app: App):
        self.app = app
        self.actors = actors_of(app)  # declared on the stub broker
        self.broker: StubBroker = app.broker_handle.broker
        self.worker = Worker(self.broker, worker_threads=2, worker_timeout=20)

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Wait until every queue is empty and every message ran (hand-offs enqueue the next stage
        before their own message is done, so the chain is through when this returns)."""
        for _ in range(2):  # a stage of one queue may enqueue on the other
            for queue in QUEUES:
                self.broker.join(queue, timeout=timeout_ms, fail_fast=False)
            self.worker.join()

    def dead_letters(self) -> list[str]:
        return sorted(message.actor_name for message in self.broker.dead_letters)


@pytest.fixture
def ocr_engine(request):
    """The OCR engine the chain is built with: the composition root's own, unless a test gives one
    (``@pytest.mark.parametrize("ocr_engine", [engine], indirect=True)``)."""
    return getattr(request, "param", None)


@pytest.fixture
def chain(tmp_path: Path, migrated_sqlite: Path, redis_url: str, ocr_engine) -> Iterator[Chain]:
    database = tmp_path / "coi.db"
    shutil.copyfile(migrated_sqlite, database)
    app = make_app(tmp_path, database_url=f"sqlite:///{database}", redis_url=redis_url)
    broker = StubBroker()
    broker.emit_after("process_boot")
    app.__dict__["broker_handle"] = BrokerHandle(broker, "stub://")  # the composition root's seam
    dramatiq.set_broker(broker)
    if ocr_engine is not None:
        app.__dict__["ocr_engine"] = ocr_engine  # the composition root's engine, replaced before it is handed on
    running = Chain(app)
    running.worker.start()
    try:
        yield running
        assert_every_event_validates(app)
    finally:
        running.worker.stop()
        app.close()


@pytest.fixture
def certificate(chain) -> dict:
    """Account ``acme`` with the demo holder and a requirement set the demo certificate meets."""
    certificate = current(demo_certificate())
    holder = certificate["certificate_holder"]
    with chain.app.sessions() as session:
        add_account(session, "acme", "Acme Builders")
        add_holder(session, "acme", holder["name"], holder["address"])
        set_requirements(session, "acme", holder["name"], demo_requirements(certificate), by="test")
    return certificate
