"""docker-compose.yml cannot be run here (no Docker engine): check its shape instead."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from infra.entry.cli import main

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_project_service_runs_a_command_the_cli_has():
    services = {name: s for name, s in compose()["services"].items() if s.get("image") == "coi-intake:latest"}
    assert {"migrate", "smtp", "worker"} <= services.keys()
    for name, service in services.items():
        program, command, *_ = service["command"]
        assert program == "coi", name
        assert isinstance(main.commands.get(command), click.Command), f"{name}: coi {command} does not exist"
        ctx = click.Context(main.commands[command])
        main.commands[command].parse_args(ctx, list(service["command"][2:]))  # options the command accepts


def test_the_image_is_built_from_infra_dockerfile_with_the_system_packages():
    service = compose()["services"]["worker"]
    assert service["build"]["dockerfile"] == "infra/Dockerfile"
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    for package in ("tesseract-ocr", "poppler-utils"):
        assert package in dockerfile


def test_the_worker_can_be_scaled():
    worker = compose()["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker  # both would clash at --scale worker=N


def test_the_infrastructure_services_are_there_and_the_bucket_is_created():
    services = compose()["services"]
    assert {"redis", "postgres", "minio", "minio-bucket"} <= services.keys()
    assert "mc mb" in " ".join(services["minio-bucket"]["command"])
    env = services["worker"]["environment"]
    assert env["COI_STORAGE_URL"].startswith("s3://") and env["COI_BROKER_URL"].startswith("redis://")


def test_minio_reports_uploads_to_the_apis_s3_hook_with_the_hook_secret():
    from inbox.api import HOOK_PATH

    services = compose()["services"]
    api = services["api"]
    assert api["command"][:2] == ["coi", "api"] and "8080:8080" in api["ports"]
    port = api["command"][api["command"].index("--port") + 1]
    minio = services["minio"]["environment"]
    assert minio["MINIO_NOTIFY_WEBHOOK_ENABLE_COI"] == "on"
    assert minio["MINIO_NOTIFY_WEBHOOK_ENDPOINT_COI"] == f"http://api:{port}{HOOK_PATH}"
    assert minio["MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_COI"] == api["environment"]["COI_UPLOAD_HOOK_SECRET"]
    event = " ".join(services["minio-bucket"]["command"])
    assert "mc event add" in event and "arn:minio:sqs::COI:webhook" in event and "--prefix uploads/" in event
    assert api["environment"]["COI_S3_PUBLIC_ENDPOINT_URL"]  # browsers cannot reach http://minio:9000
