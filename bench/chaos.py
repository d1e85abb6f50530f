"""Chaos run: mixed certificates mailed to a real ``coi smtp`` door while ``coi worker`` processes,
Redis, PostgreSQL and storage are killed at random and brought back; then the system is left to
settle and the run reports sent / accepted / decided / failed with reason / lost / duplicated and
the worst time from a service's return to the final state of a document it stranded (#21).

Bounded and loopback only: its own PostgreSQL cluster, Redis server (append-only file, fsync
always) and moto S3 server on free ports (``tests/outages.py``), an SMTP sink for notifications
(``tests/receivers.py``); the machine's shared services are never touched. The worker heartbeat and
maintenance settings are left at their defaults. One fault at a time: a worker ``SIGKILL``ed with
its process group (restarted 1-5 s later, as a supervisor would), Redis ``SIGKILL``ed, PostgreSQL
stopped ``-m immediate``, the S3 server stopped; each down for 3-12 s, 4-12 s apart, while mail is
being sent. A sender that gets 4xx (or loses the connection) tries again 2-5 s later, as a mail
server would. Logs and ``report.json`` are kept under ``var/chaos/``.

    .venv/bin/python -m bench.chaos --messages 40 --seed 1
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import smtplib
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from bench import chaos_report as seen  # noqa: E402
from bench.chaos_report import Fault, Letter  # noqa: E402
from outages import PrivatePostgres, PrivateRedis, PrivateS3  # noqa: E402
from services import free_port  # noqa: E402

COI = str(Path(sys.executable).with_name("coi"))
DOMAIN, SLUG = "coi.test", "acme"
KINDS = (("born_digital", 0.62), ("scan", 0.18), ("cover_letter", 0.08), ("broken_pdf", 0.06),
         ("no_attachment", 0.06))
FAULTS = ("worker", "redis", "postgres", "storage")
DOWN_SECONDS, GAP_SECONDS, RESTART_SECONDS, RETRY_SECONDS = (3, 12), (4, 12), (1, 5), (2, 5)


# ---------------------------------------------------------------- the letters
def letters(count: int, seed: int) -> list[Letter]:
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS)
    return [Letter(i, kind, _email(i, kind, seed, rng)) for i, kind in
            enumerate(rng.choices(kinds, weights, k=count))]


def _email(number: int, kind: str, seed: int, rng: random.Random) -> bytes:
    from samples.certificates import draw_certificate, draw_cover_letter, random_certificate
    from samples.scans import scanned_certificate

    message = EmailMessage()
    message["From"], message["To"] = f"agent{number}@contractor.example", f"{SLUG}@{DOMAIN}"
    message["Subject"] = f"chaos {seed} #{number} {kind}"
    message.set_content("Certificate attached." if kind != "no_attachment" else "The certificate will follow.")
    attachment = None
    if kind == "born_digital":
        attachment = draw_certificate(random_certificate(rng)), "application/pdf", "coi.pdf"
    elif kind == "scan":
        scan = scanned_certificate(rng)
        attachment = scan.data, scan.kind, "scan" + {"application/pdf": ".pdf", "image/png": ".png",
                                                      "image/jpeg": ".jpg", "image/tiff": ".tif"}[scan.kind]
    elif kind == "cover_letter":
        attachment = draw_cover_letter(random_certificate(rng)), "application/pdf", "letter.pdf"
    elif kind == "broken_pdf":
        whole = draw_certificate(random_certificate(rng))
        attachment = whole[: len(whole) // 3], "application/pdf", "coi.pdf"
    if attachment is not None:
        data, mime, filename = attachment
        message.add_attachment(data, maintype=mime.split("/")[0], subtype=mime.split("/")[1], filename=filename)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as a mail server sends


# ---------------------------------------------------------------- processes and services
class Supervised:
    """A ``coi`` process in its own process group; restarted by ``Chaos.supervise`` if it exits
    while it is meant to run (counted: the chain should never take a process down)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path):
        self.name, self.args, self.env, self.log = name, args, env, logs / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.wanted = False

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([COI, *self.args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.wanted = True

    def kill(self) -> None:
        """SIGKILL to the whole group: the dramatiq parent, its workers and any tesseract."""
        self.wanted = False
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.wanted = False
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        try:  # children left behind by a parent that exited first
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _env(values: dict[str, Any]) -> dict[str, str]:
    """The processes' environment: nothing COI_* inherited (heartbeat and maintenance at their defaults)."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("COI_")},
            **{f"COI_{k.upper()}": str(v) for k, v in values.items()}}


def _wait_port(port: int, process: Supervised, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited: see {process.log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not listen on {port} within {timeout} s")


def _setup(stack: ExitStack, run_dir: Path) -> tuple[Any, dict[str, Any], dict[str, Supervised], Any]:
    """Services, schema, account, mail sink and the ``coi`` processes; each torn down by ``stack``."""
    import boto3

    from bench.rig import REQUIREMENTS
    from infra.admin import add_account, add_holder, set_requirements
    from infra.admin_events import set_contacts
    from infra.bootstrap import App
    from infra.db import migrate
    from infra.settings import Settings
    from receivers import MailSink

    postgres, redis_server, s3 = PrivatePostgres(), PrivateRedis(run_dir, persistent=True), PrivateS3()
    stack.callback(postgres.remove)
    stack.callback(s3.stop)
    stack.callback(redis_server.stop)
    for service in (postgres, redis_server, s3):
        service.start()
    migrate(postgres.url)
    boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1").create_bucket(Bucket="coi")
    sink = MailSink()
    sink.controller.start()
    stack.callback(sink.controller.stop)
    values = {"var_dir": run_dir, "database_url": postgres.url, "broker_url": redis_server.url,
              "storage_url": "s3://coi/store", "s3_endpoint_url": s3.url, "inbound_domain": DOMAIN,
              "smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_messages_per_minute": 0,
              "notify_smtp_host": "127.0.0.1", "notify_smtp_port": sink.controller.port, "log_level": "INFO"}
    app = App(Settings(**values))
    stack.callback(app.close)
    with app.sessions() as session:
        add_account(session, SLUG, "Acme Chaos")
        add_holder(session, SLUG, "Chaos Holder", None)
        set_requirements(session, SLUG, "Chaos Holder", REQUIREMENTS)
        set_contacts(session, SLUG, "Chaos Holder", ["reviewer@holder.example"])
    env = _env(values)
    processes = {name: Supervised(name, args, env, run_dir) for name, args in (
        ("smtp", ["smtp"]), ("scheduler", ["scheduler"]),
        ("worker-1", ["worker", "--processes", "1", "--threads", "2"]),
        ("worker-2", ["worker", "--processes", "1", "--threads", "2"]))}
    for process in processes.values():
        stack.callback(process.stop)
        process.start()
    _wait_port(values["smtp_port"], processes["smtp"])
    services = {"redis": redis_server, "postgres": postgres, "storage": s3}
    return app, {"door": ("127.0.0.1", values["smtp_port"]), "services": services}, processes, sink


# ---------------------------------------------------------------- the run
class Chaos:
    """The sender, the fault maker and the supervisor, each a thread over one shared clock."""

    def __init__(self, app, door, services, processes, rng: random.Random):
        self.app, self.door, self.services, self.processes, self.rng = app, door, services, processes, rng
        self.faults: list[Fault] = []
        self.unexpected_exits: list[str] = []
        self.sending = threading.Event()
        self.stopping = threading.Event()

    def send_all(self, mail: list[Letter], duration: float, grace: float) -> None:
        """Each letter at its turn over ``duration`` s; 4xx and lost connections tried again until
        ``grace`` s after the last turn."""
        start = time.time()
        due = [(start + duration * i / max(1, len(mail)), letter) for i, letter in enumerate(mail)]
        deadline = start + duration + grace
        while due and time.time() < deadline:
            due.sort(key=lambda pair: pair[0])
            at, letter = due.pop(0)
            time.sleep(max(0.0, at - time.time()))
            answer = self._offer(letter.data)
            letter.answers.append(answer)
            if answer == "250":
                letter.accepted_at = time.time()
            elif answer == "conn" or answer.startswith("4"):
                due.append((time.time() + self.rng.uniform(*RETRY_SECONDS), letter))
        self.sending.set()

    def _offer(self, data: bytes) -> str:
        try:
            with smtplib.SMTP(*self.door, timeout=60) as client:
                client.sendmail("agent@contractor.example", [f"{SLUG}@{DOMAIN}"], data)
        except smtplib.SMTPRecipientsRefused as refused:
            return str(next(iter(refused.recipients.values()))[0])
        except smtplib.SMTPResponseException as answer:
            return str(answer.smtp_code)
        except (OSError, smtplib.SMTPException):
            return "conn"
        return "250"

    def make_faults(self) -> None:
        """One fault at a time while mail is being sent; every service back before it returns."""
        while not self.sending.wait(self.rng.uniform(*GAP_SECONDS)):
            kind = self.rng.choice(FAULTS)
            down_for = self.rng.uniform(*(RESTART_SECONDS if kind == "worker" else DOWN_SECONDS))
            target = self.processes[self.rng.choice(["worker-1", "worker-2"])] if kind == "worker" \
                else self.services[kind]
            down_at = time.time()
            try:
                target.kill() if kind == "worker" else target.stop()
                time.sleep(down_for)
            finally:
                target.start()
            self.faults.append(Fault(kind, down_at, time.time()))

    def supervise(self) -> None:
        while not self.stopping.wait(0.5):
            for name, process in self.processes.items():
                if process.wanted and process.process.poll() is not None:
                    self.unexpected_exits.append(f"{name} exited {process.process.returncode}")
                    time.sleep(1.0)
                    process.start()


def run(messages: int, seed: int, duration: float | None = None, settle: float = 180.0,
        logs: Path | None = None) -> dict[str, Any]:
    """One chaos run; every process and service it starts is stopped before it returns."""
    duration = duration if duration is not None else max(45.0, messages * 1.5)
    run_dir = logs or Path(__file__).resolve().parents[1] / "var" / "chaos" / f"run-{seed}-{int(time.time())}"
    run_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the moto server's request lines
    mail = letters(messages, seed)
    started = time.time()
    with ExitStack() as stack:
        app, where, processes, sink = _setup(stack, run_dir)
        chaos = Chaos(app, where["door"], where["services"], processes, random.Random(f"faults-{seed}"))
        threads = [threading.Thread(target=chaos.send_all, args=(mail, duration, 60.0), daemon=True),
                   threading.Thread(target=chaos.make_faults, daemon=True),
                   threading.Thread(target=chaos.supervise, daemon=True)]
        for thread in threads:
            thread.start()
        stack.callback(_stop_threads, chaos, threads)
        while not chaos.sending.is_set():
            seen.observe(app, mail)
            time.sleep(0.5)
        threads[1].join()  # the last fault is over: every service is back
        last_return = max((f.up_at for f in chaos.faults), default=time.time())
        while time.time() < last_return + settle and not seen.settled(app, mail):
            time.sleep(0.5)
        time.sleep(3.0)  # a duplicate would be published or mailed by now
        seen.observe(app, mail)
        report = _figures(app, mail, chaos, sink, messages, seed, settle)
    report.update(elapsed_s=round(time.time() - started), logs=str(run_dir))
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    return report


def _stop_threads(chaos: Chaos, threads: list[threading.Thread]) -> None:
    """Before anything is torn down: no fault left to make, no process to restart."""
    chaos.sending.set()
    chaos.stopping.set()
    for thread in threads[1:]:
        thread.join(timeout=120)


def _figures(app, mail: list[Letter], chaos: Chaos, sink, messages: int, seed: int, settle: float) -> dict[str, Any]:
    from collections import Counter

    start = min((l.accepted_at for l in mail if l.accepted_at), default=0.0)
    lost = [(l.number, l.kind, round(l.accepted_at - start, 1), l.state, l.ids)
            for l in mail if l.accepted_at and l.final_at is None]
    outcome = seen.outcomes(app, SLUG)
    faults, worst = seen.recovery(mail, chaos.faults)
    twice = sum(1 for l in mail if l.accepted_at and _rows_of(app, l.number) > 1)
    duplicated_mail = seen.duplicated_mail(list(sink.messages))
    outcome["mailed_but_unsent"] = seen.mailed_but_unsent(list(sink.messages), outcome.pop("unsent_keys"))
    duplicated = outcome["duplicated_final_events"] + outcome["duplicated_on_stream"] + duplicated_mail
    by_kind: dict[str, Counter] = {}
    for letter in mail:
        state = letter.state if letter.accepted_at else "never accepted"
        by_kind.setdefault(letter.kind, Counter())[state] += 1
    final = outcome["final_events"]
    report = {"messages": messages, "seed": seed, "settle_s": settle, "by_kind": by_kind,
              "decided": sum(n for t, n in final.items() if t.startswith("coi.certificate.")),
              "failed": final.get("coi.document.failed", 0) + final.get("coi.message.failed", 0),
              "not_a_certificate": final.get("coi.document.not_a_certificate", 0),
              "no_attachment": final.get("coi.message.no_attachment", 0),
              "sent": sum(1 for l in mail if l.answers), "accepted": sum(1 for l in mail if l.accepted_at),
              "accepted_twice": twice, "never_accepted": sum(1 for l in mail if not l.accepted_at),
              "answers": dict(Counter(a for l in mail for a in l.answers)),
              "lost": len(lost), "lost_letters": lost, "duplicated": duplicated, "duplicated_mail": duplicated_mail,
              "mail_received": len(sink.messages), "faults": faults, "worst_recovery_s": worst,
              "undisturbed": seen.undisturbed_latency(mail, chaos.faults),
              "unexpected_exits": chaos.unexpected_exits, **outcome}
    report["targets_met"] = not lost and not duplicated and worst is not None and worst <= 60
    return report


def _rows_of(app, number: int) -> int:
    from sqlalchemy import func, select

    from infra.models import InboundMessage

    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage).where(
            InboundMessage.subject.like(f"chaos % #{number} %")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=40, help="emails to send (a few hundred at most)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds over which mail is sent and faults made (default: 1.5 s per message, 45 s at least)")
    parser.add_argument("--settle", type=float, default=180.0,
                        help="seconds after the last service's return for everything to finish")
    args = parser.parse_args(argv)
    if not 1 <= args.messages <= 500:
        parser.error("--messages: 1 to 500 (the run is meant to stay bounded)")
    report = run(args.messages, args.seed, args.duration, args.settle)
    print(seen.text(report))
    return 0 if report["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
