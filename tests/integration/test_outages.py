"""Outages of PostgreSQL, Redis and S3 while certificates are in flight (real worker processes,
each service a private one that the test crashes and brings back).

While PostgreSQL or S3 is down the SMTP door answers 4xx and keeps nothing half-written; while only
Redis is down it accepts, the split waiting in the database for the relay. Once the service is
back, the door answers 250 again and every document accepted before, during or after finishes
exactly once: one
final event per document, published once. Redis restarting with its append-only file keeps the
queues; a Redis that forgets everything loses queue entries, which the sweep sends again. Each
outage runs several times: where it lands in the chain varies."""

from __future__ import annotations

import json
import random
import smtplib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.bootstrap import App
from infra.db import migrate
from infra.models import Document, InboundMessage, OutboxEvent, utcnow
from infra.settings import Settings
from pipeline.states import FINAL
from samples.certificates import draw_certificate, random_certificate
from samples.scans import Degradation, scan_pdf
from services import actors_of, free_port, send_mail, wait_for
from outages import PrivatePostgres, PrivateRedis, PrivateS3, kill, process_env, start_worker

pytestmark = pytest.mark.integration
OUTAGE_SECONDS = 6
REPORT = Path(__file__).resolve().parents[2] / "var" / "fault-report.jsonl"


@dataclass
class Chain:
    app: App
    door: object
    services: dict[str, object]


@pytest.fixture
def chain(request, tmp_path: Path):
    import boto3

    persistent = getattr(request, "param", True)
    postgres, redis_server, s3 = PrivatePostgres(), PrivateRedis(tmp_path, persistent=persistent), PrivateS3()
    worker = door = app = None
    try:
        for service in (postgres, redis_server, s3):
            service.start()
        migrate(postgres.url)
        boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1").create_bucket(Bucket="coi")
        values = {"var_dir": tmp_path, "database_url": postgres.url, "broker_url": redis_server.url,
                  "storage_url": "s3://coi/store", "s3_endpoint_url": s3.url, "inbound_domain": "coi.test",
                  "smtp_port": free_port(), "broker_heartbeat_ms": 3000, "broker_maintenance_per_million": 1_000_000}
        app = App(Settings(**values))
        env = process_env(values)
        with app.sessions() as session:
            add_account(session, "acme", "Acme")
        from inbox.smtp import make_controller

        door = make_controller(app, actors_of(app).send_on)
        door.start()
        worker = start_worker(env, tmp_path / "worker.log")
        yield Chain(app, door, {"postgres": postgres, "redis": redis_server, "s3": s3})
    finally:
        if worker is not None:
            kill(worker)
        if door is not None:
            door.stop()
        if app is not None:
            app.close()
        redis_server.stop()
        s3.stop()
        postgres.remove()


def certificate(rng: random.Random, scanned: bool) -> tuple[bytes, str, str]:
    pdf = draw_certificate(random_certificate(rng))
    if scanned:
        return scan_pdf(pdf, Degradation(dpi=200), rng), "image/png", "scan.png"
    return pdf, "application/pdf", "coi.pdf"


def offer(chain: Chain, attachment: tuple[bytes, str, str]) -> int:
    """Mail one certificate to the door: the SMTP reply code (250 accepted, 4xx come back later)."""
    try:
        send_mail((chain.door.hostname, chain.door.port), "acme@coi.test", [attachment])
    except smtplib.SMTPRecipientsRefused as refused:
        return next(iter(refused.recipients.values()))[0]
    except smtplib.SMTPResponseException as answer:
        return answer.smtp_code
    return 250


def outcome(app: App) -> dict[str, int]:
    with app.sessions() as session:
        statuses = session.scalars(select(Document.status)).all()
        messages = session.scalar(select(func.count()).select_from(InboundMessage))
        finals = Counter(session.scalars(select(OutboxEvent.document_id).where(
            OutboxEvent.type.like("coi.certificate.%") | OutboxEvent.type.like("coi.document.%"))).all())
    published = Counter(json.loads(fields[b"event"])["id"] for _, fields in app.redis.xrange("coi:events:acme"))
    return {"messages": messages, "documents": len(statuses), "final": sum(s in FINAL for s in statuses),
            "final_events_duplicated": sum(n - 1 for n in finals.values()),
            "published_duplicated": sum(n - 1 for n in published.values()), "published": len(published)}


def all_final(app: App, expected: int) -> bool:
    try:
        done = outcome(app)
    except Exception:  # a service still coming back
        return False
    return done["documents"] == expected and done["final"] == expected and done["published"] >= expected


@pytest.mark.parametrize("run", range(2))
@pytest.mark.parametrize("outage", ["postgres", "redis", "s3"])
def test_documents_in_flight_finish_exactly_once_after_an_outage(outage, run, chain):
    go_through(chain, outage, run)


@pytest.mark.parametrize("chain", [False], indirect=True, ids=["redis-without-persistence"])
def test_queue_entries_lost_with_a_redis_that_keeps_nothing_are_sent_again_by_the_sweep(chain):
    def sweep():
        from workers.sweep import find_stalled, resend

        app = chain.app
        resend(find_stalled(utcnow() + timedelta(hours=1), sessions=app.sessions, redis=app.redis),
               broker=app.broker_handle.broker)

    go_through(chain, "redis", 0, after_restart=sweep, label="redis-without-persistence")


def go_through(chain: Chain, outage: str, run: int, after_restart=None, label: str = "") -> None:
    rng = random.Random(f"{outage}-{run}")
    in_flight = [certificate(rng, scanned=i == 0) for i in range(4)]
    accepted = sum(offer(chain, attachment) == 250 for attachment in in_flight)
    assert accepted == len(in_flight)
    time.sleep(rng.uniform(0.0, 1.5))  # somewhere in the chain: splitting, reading, OCR, scoring
    unfinished = accepted - outcome(chain.app)["final"]  # caught by the outage (some not yet split)
    service = chain.services[outage]
    service.stop()
    try:
        answer = offer(chain, certificate(rng, scanned=False))
        if outage == "redis":  # stored with its split's hand-off, which the relay enqueues later
            assert answer == 250, f"the door answered {answer} with only the broker down"
            accepted += 1
        else:
            assert 400 <= answer < 500, f"the door answered {answer} with {outage} down"
        time.sleep(OUTAGE_SECONDS)
    finally:
        service.start()
    if after_restart is not None:
        wait_for(lambda: _answers(chain.app), timeout=30)
        after_restart()
    assert offer(chain, certificate(rng, scanned=False)) == 250  # the door is open again
    accepted += 1

    wait_for(lambda: all_final(chain.app, accepted), timeout=240, interval=0.5)
    time.sleep(1.0)  # anything duplicated would be published by now
    done = outcome(chain.app)
    record(label or outage, run, accepted, unfinished, done)
    assert done["messages"] == accepted  # a refused message left nothing behind
    assert done["final_events_duplicated"] == 0
    assert done["published_duplicated"] == 0


def _answers(app: App) -> bool:
    try:
        return bool(app.redis.ping())
    except Exception:
        return False


def record(outage: str, run: int, accepted: int, unfinished: int, done: dict[str, int]) -> None:
    """One line per run for the fault report (var/fault-report.jsonl): pushed, lost, duplicated."""
    REPORT.parent.mkdir(exist_ok=True)
    line = {"outage": outage, "run": run, "pushed": accepted, "unfinished_when_it_went_down": unfinished,
            "lost": accepted - done["final"],
            "duplicated": done["final_events_duplicated"] + done["published_duplicated"]}
    with REPORT.open("a") as report:
        report.write(json.dumps(line) + "\n")


def test_a_notification_the_relay_accepted_as_postgres_stopped_is_not_mailed_again(tmp_path, redis_url, mail_sink,
                                                                                   monkeypatch):
    """Given the relay accepts a notification just as PostgreSQL stops (the row is left 'sending'),
    when PostgreSQL is back, the message is redelivered and the sweep runs, then the recipient has
    one email, with the row's own Message-ID, and the row says sent."""
    from infra import mailer
    from infra.models import Account, Notification
    from infra.repo import add_event
    from services import make_app
    from workers import notify
    from workers.sweep import find_stalled

    postgres = PrivatePostgres()
    app = None
    try:
        postgres.start()
        migrate(postgres.url)
        app = make_app(tmp_path, database_url=postgres.url, broker_url=redis_url, notify_smtp_host="127.0.0.1",
                       notify_smtp_port=mail_sink.controller.port)
        with app.sessions() as session:
            add_account(session, "acme", "Acme")
            account_id = session.scalars(select(Account.id)).one()
            add_event(session, account_id=account_id, type="coi.message.no_attachment", dedupe_key="m1",
                      data={"account": "acme", "message_id": "m1", "sender": "agent@contractor.example",
                            "subject": "COI", "reason": "The message carried no attachment."})
            event_id = session.scalars(select(OutboxEvent.id)).one()
            row = Notification(event_id=event_id, kind="no_attachment_to_sender", recipient="agent@contractor.example",
                               status="pending", created_at=utcnow())
            session.add(row)
            session.commit()
        real_send = mailer.send

        def accepted_then_postgres_stops(settings, message):
            real_send(settings, message)
            postgres.stop()

        monkeypatch.setattr(mailer, "send", accepted_then_postgres_stops)
        def send(notification_id: int) -> None:
            notify.send(notification_id, sessions=app.sessions, settings=app.settings, storage=app.storage,
                        redis=app.redis, ocr_engine=app.ocr_engine)

        try:
            send(row.id)
        except Exception:  # the database away: the worker may end in error (dramatiq would retry it)
            pass
        monkeypatch.setattr(mailer, "send", real_send)
        postgres.start()

        send(row.id)  # the message redelivered
        # the sweep, later
        swept = find_stalled(utcnow() + timedelta(hours=1), sessions=app.sessions, redis=app.redis)
        for stalled in swept.notifications:
            send(stalled)

        [mailed] = mail_sink.to("agent@contractor.example")
        assert mailed["Message-ID"] == notify.message_id(row, "coi.test")
        with app.sessions() as session:
            assert session.get(Notification, row.id).status == "sent"
    finally:
        if app is not None:
            app.close()
        postgres.remove()
