"""``coi demo``: the whole path on the embedded defaults, from an email to a decision event."""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from infra.admin import add_account, add_holder, set_requirements, status
from infra.bootstrap import App
from infra.db import migrate
from infra.models import Account, InboundMessage
from pipeline.states import FINAL, DocumentStatus

if TYPE_CHECKING:
    from workers.actors import Actors

ACCOUNT = "demo"


def demo_requirements(certificate: dict) -> dict:
    """A requirement set the demo certificate meets; evaluated as of the certificate's date."""
    holder = certificate["certificate_holder"]
    return {
        "name": f"{holder['name']} - subcontractors",
        "holder": {"name": holder["name"], "address": holder["address"]},
        "signature_required": True,
        "lines": {
            "general_liability": {"required": True, "limits": {"each_occurrence": 1_000_000,
                                                               "general_aggregate": 2_000_000}},
            "workers_compensation": {"required": True, "limits": {"el_each_accident": 500_000}},
        },
    }


def current(certificate: dict) -> dict:
    """The demo certificate with its policies in force today, so the demo approves whatever the date."""
    today = date.today()
    for policy in certificate["policies"]:
        policy["effective"] = (today - timedelta(days=30)).isoformat()
        policy["expiration"] = (today + timedelta(days=335)).isoformat()
    certificate["date"] = today.isoformat()
    return certificate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_demo(app: App, actors: Actors, *, keep_running: bool = False, timeout: float = 120.0) -> int:
    """The demo on ``app``; its SMTP door enqueues on ``actors`` (declared on the app's broker), which
    a worker process of ``coi worker`` runs."""
    from inbox.smtp import make_controller
    from samples.certificates import demo_certificate, draw_certificate

    settings = app.settings
    if "COI_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)
    click.echo(f"database: {settings.resolved_database_url()}")
    click.echo(f"broker:   {settings.resolved_broker_url()}")
    click.echo(f"storage:  {settings.resolved_storage_url()}")
    migrate(settings.resolved_database_url())
    certificate = current(demo_certificate())
    with app.sessions() as session:
        if session.scalars(select(Account).where(Account.slug == ACCOUNT)).first() is None:
            add_account(session, ACCOUNT, "Demo holder")
            holder = certificate["certificate_holder"]
            add_holder(session, ACCOUNT, holder["name"], holder["address"])
            set_requirements(session, ACCOUNT, holder["name"], demo_requirements(certificate), by="demo")

    app.broker_handle.ping()
    port = settings.smtp_port if settings.smtp_port and _port_free(settings.smtp_host, settings.smtp_port) else free_port()
    controller = make_controller(app, actors.flushed_send_on(), port=port)
    controller.start()
    worker = subprocess.Popen([sys.executable, "-m", "infra.entry.cli", "worker", "--processes", "1",
                               "--threads", "2"],
                              env={**os.environ, "COI_LOG_LEVEL": os.environ.get("COI_LOG_LEVEL", "WARNING")})
    try:
        address = f"{ACCOUNT}@{settings.inbound_domain}"
        mail = EmailMessage()
        mail["From"] = "office@example-contractor.test"
        mail["To"] = address
        mail["Subject"] = "Certificate of insurance"
        mail.set_content("Please find our certificate attached.")
        mail.add_attachment(draw_certificate(certificate), maintype="application", subtype="pdf",
                            filename="certificate.pdf")
        with smtplib.SMTP(controller.hostname, port, timeout=30) as client:
            client.send_message(mail)
        with app.sessions() as session:
            message = session.scalars(select(InboundMessage).order_by(InboundMessage.received_at.desc())).first()
        click.echo(f"emailed a sample certificate to {address} (message {message.id}); waiting for the decision…")
        return _wait_and_print(app, message.id, timeout)
    finally:
        if keep_running:
            click.echo(f"SMTP door on {controller.hostname}:{port}; workers running. Ctrl-C to stop.")
            try:
                worker.wait()
            except KeyboardInterrupt:
                pass
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_and_print(app: App, message_id: str, timeout: float) -> int:
    from infra.admin import list_events

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.sessions() as session:
            result = status(session, message_id)
        documents = result["documents"]
        if result["status"] != "received" and documents and all(DocumentStatus(d["status"]) in FINAL
                                                                 for d in documents):
            for document in documents:
                click.echo(f"\n{document['filename']}: {document['status']}"
                           + (f" → {document['decision'].upper()}" if document["decision"] else ""))
                for check in document["checks"]:
                    click.echo(f"  [{check['outcome']:>7}] {check['message']}")
                if document["error"]:
                    click.echo(f"  {document['error']['code']}: {document['error']['message']}")
            with app.sessions() as session:
                event = next((e for e in list_events(session, ACCOUNT, 20)
                              if e["document_id"] == documents[0]["document_id"]), None)
            if event:
                click.echo(f"\nevent {event['type']} (id {event['id']})")
            return 0
        if result["status"] in {"no_attachment", "failed"}:
            click.echo(f"message {result['status']}: {result['reason']}")
            return 1
        time.sleep(0.3)
    click.echo(f"no decision within {timeout:.0f} s; see `coi status {message_id}`", err=True)
    return 1
