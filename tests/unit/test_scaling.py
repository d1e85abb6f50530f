"""Scaling settings: which broker and which Redis a process uses, which queues a worker consumes
(nothing connects here: brokers connect lazily)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.bootstrap import App
from infra.settings import Settings
from services import actors_of

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"


def test_given_rabbitmq_as_broker_without_a_redis_url_then_the_settings_say_to_set_coi_redis_url(tmp_path):
    with pytest.raises(ValidationError, match="COI_REDIS_URL is required when COI_BROKER_URL is RabbitMQ"):
        Settings(var_dir=tmp_path, broker_url=RABBITMQ)


def test_given_rabbitmq_as_broker_then_the_dramatiq_broker_is_rabbitmq_with_publisher_confirms(tmp_path):
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    app = App(Settings(var_dir=tmp_path, broker_url=RABBITMQ, redis_url="redis://127.0.0.1:6379/0"))
    broker = app.broker_handle.broker  # pika connects lazily: building it opens nothing
    assert isinstance(broker, RabbitmqBroker)
    assert broker.confirm_delivery  # the door answers 250 only once RabbitMQ has the message


def test_given_a_redis_url_beside_a_redis_broker_then_coordination_uses_that_redis(tmp_path):
    app = App(Settings(var_dir=tmp_path, broker_url="redis://127.0.0.1:6379/1", redis_url="redis://127.0.0.1:6379/2"))
    assert app.redis.connection_pool.connection_kwargs["db"] == 2
    assert app.broker_handle.broker.client.connection_pool.connection_kwargs["db"] == 1


def test_given_no_redis_url_then_coordination_shares_the_brokers_redis_client(tmp_path):
    app = App(Settings(var_dir=tmp_path, broker_url="redis://127.0.0.1:6379/1"))
    assert app.redis is app.broker_handle.broker.client


def test_given_coi_worker_queues_ocr_then_dramatiq_consumes_only_the_ocr_queue_and_polls_briskly(monkeypatch):
    import os
    import sys

    from click.testing import CliRunner

    from infra.entry.cli import main

    seen = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: seen.append((argv, env["dramatiq_worker_timeout"])))
    monkeypatch.delenv("COI_WORKER_POLL_MS", raising=False)
    result = CliRunner().invoke(main, ["worker", "--processes", "2", "--queues", "ocr"])
    assert result.exit_code == 0, result.output
    assert seen == [([sys.executable, "-m", "dramatiq", "workers.entry:setup", "--processes", "2", "--threads", "4",
                      "--queues", "ocr"], "100")]


def test_given_the_compose_worker_services_then_every_queue_of_the_chain_has_a_consumer(tmp_path):
    from pathlib import Path

    import yaml

    app = App(Settings(var_dir=tmp_path, broker_url="redis://127.0.0.1:6379/1"))
    actors_of(app)
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if command[:2] == ["coi", "worker"]:
            consumed |= set(command[command.index("--queues") + 1:]) if "--queues" in command else {"*"}
    assert consumed == app.broker_handle.broker.get_declared_queues() == {"default", "ocr"}
