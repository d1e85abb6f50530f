"""Quiet by default: `coi migrate` and `coi smtp`, run as an operator runs them, log what matters
and not their libraries' chatter (Alembic's plugin and dialect lines; aiosmtpd's line per
connection, command and hang-up), while warnings and errors still show."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from services import free_port, wait_for

pytestmark = pytest.mark.integration

COI = str(Path(sys.executable).with_name("coi"))
ALEMBIC_CHATTER = ("setup plugin", "Context impl", "Will assume")


def coi_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
    env.update({"COI_VAR_DIR": str(tmp_path), "COI_DATABASE_URL": f"sqlite:///{tmp_path}/coi.db",
                "COI_INBOUND_DOMAIN": "coi.test", "COI_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", **extra})
    return env


def coi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COI, *args], env=env, capture_output=True, text=True, timeout=120, check=True)


def test_given_a_new_database_when_coi_migrate_runs_then_it_names_each_migration_and_no_alembic_chatter(tmp_path):
    done = coi(coi_env(tmp_path), "migrate")
    assert "database is at the newest schema" in done.stdout
    assert "schema upgraded (empty) -> 0001: initial schema" in done.stderr
    assert [line for line in done.stderr.splitlines() if any(c in line for c in ALEMBIC_CHATTER)] == []
    again = coi(coi_env(tmp_path), "migrate")
    assert "schema upgraded" not in again.stderr and again.stderr == "", "a second run has nothing to say"


def test_given_debug_level_when_coi_migrate_runs_then_alembics_own_lines_show(tmp_path):
    """The control: the chatter is there to hide, and COI_LOG_LEVEL=DEBUG brings it back."""
    done = coi(coi_env(tmp_path, COI_LOG_LEVEL="DEBUG"), "migrate")
    assert all(c in done.stderr for c in ALEMBIC_CHATTER)


def test_given_the_smtp_door_when_clients_send_quit_and_misbehave_then_it_logs_the_message_and_the_warning_only(
        tmp_path):
    """Given `coi smtp` at INFO, when one client sends a certificate and QUITs, one connects and
    QUITs, and one sends a command that does not exist, then the log has the stored message and
    aiosmtpd's warning about the bad command, and none of aiosmtpd's per-connection lines."""
    env = coi_env(tmp_path)
    coi(env, "migrate")
    coi(env, "account", "add", "acme", "--name", "Acme")
    port = free_port()
    door = subprocess.Popen([COI, "smtp", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: door.poll() is not None or listening(port), timeout=60, interval=0.1)
        assert door.poll() is None, "the door did not start"
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "Certificate"
        message.set_content("Please find the certificate attached.")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
        with smtplib.SMTP("127.0.0.1", port) as client:
            assert client.noop()[0] == 250
        with smtplib.SMTP("127.0.0.1", port) as client:
            assert client.docmd("BOGUS")[0] == 500
    finally:
        door.send_signal(signal.SIGTERM)
        out, err = door.communicate(timeout=60)
    assert door.returncode == 0, err
    assert "SMTP door on 127.0.0.1" in out
    assert "stored message once for 1 recipient(s) of acme" in err
    assert "WARNING mail.log" in err and "unrecognised: BOGUS" in err, "aiosmtpd's warnings must still show"
    chatter = [line for line in err.splitlines() if "mail.log" in line and " WARNING " not in line]
    assert chatter == []
    assert "Connection lost" not in err and "Peer:" not in err


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
