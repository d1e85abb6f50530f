"""SQL statements per born-digital certificate through the chain as a worker runs it.

    .venv/bin/python -m bench.chain_sql [--certificates 5] [--list] [--official] [--history N] [--outcomes]

Each certificate goes through the SMTP door's ``accept`` and then a dramatiq ``Worker`` in this process
runs every actor it is handed to, with the production middleware (StageGuard's crash count, the relay,
the hand-offs), on a ``StubBroker`` and the bench's PostgreSQL (``bench/rig.py``): what a certificate
costs a worker, counted by a SQLAlchemy listener. The relay's own rounds are left out (they run on a
clock, not per certificate); the hand-off rows the workers' relay deletes for the stages
(workers/dispatch.py ``Taken``), and the door's, which its flush deletes once a second (``Flushed``), are
deleted at the end of each certificate in the counted thread, in one statement, which is counted. Commits
are counted too, and those that did not wait for the disk
(infra/db.py ``skip_disk_sync``). ``--list`` prints one certificate's statements, by actor. The CPU time
of this process per certificate is printed too, in all and outside the pure stages (read, extract,
evaluate: timed on their own thread), which is the chain's own cost, and by actor (the thread that ran
each message, from the first middleware's start to its end; the door's and the flush's on this thread);
PostgreSQL's own CPU is not in it, and is printed apart: the CPU of the server processes serving the
bench's database over the counted certificates (their own counters, so other sessions' load is not in
it), per certificate.

``--history N`` first sends N other certificates through the same chain, uncounted, so that the account
has N earlier certificates when the counted ones arrive (the extract step compares a new certificate
with up to 200 of them). ``--outcomes`` prints what became of each certificate (decision, failed checks,
trust signals, expiry, vendor link, events) and a digest of it all, the random ids left out, so that two
trees can be shown to decide alike.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from bench import rig

RELAY_THREAD = "coi-relay"


@dataclass
class Statement:
    actor: str  # the actor whose message the thread was running, or "door" / "flush"
    sql: str


COMMIT = "COMMIT"  # a commit, logged as a Statement (``sql``) by ``StatementLog`` with ``commits``


@dataclass
class StatementLog(rig.EngineListener):
    """Every statement an engine sends from the threads that work on certificates, with the actor that
    sent it; the relay's thread is left out. An ``executemany`` is one statement (one round trip).
    With ``commits``, every commit is logged too, as a Statement whose ``sql`` is COMMIT, in
    ``commit_log`` (apart, so that ``statements`` stays the statement count)."""

    engine: object
    statements: list[Statement] = field(default_factory=list)
    current: threading.local = field(default_factory=threading.local)
    commit_log: list[Statement] = field(default_factory=list)
    cpu: Counter = field(default_factory=Counter)  # CPU seconds of the threads, by actor (and "door", "flush")
    pings: list[str] = field(default_factory=list)  # the pool's pings of a connection before use, by actor

    def __enter__(self):
        """Also hears the pool's pings (the dialect's ``do_ping``: a round trip that is no statement of ours)."""
        dialect = self.engine.dialect
        ping = self._ping = dialect.do_ping

        def counted(dbapi_connection):
            if threading.current_thread().name != RELAY_THREAD:
                self.pings.append(getattr(self.current, "actor", "door"))
            return ping(dbapi_connection)

        dialect.do_ping = counted
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        self.engine.dialect.do_ping = self._ping
        super().__exit__(*exc)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        if threading.current_thread().name == RELAY_THREAD:
            return
        self.statements.append(Statement(getattr(self.current, "actor", "door"), statement))

    def _committed(self, _conn) -> None:
        if threading.current_thread().name != RELAY_THREAD:
            self.commit_log.append(Statement(getattr(self.current, "actor", "door"), COMMIT))


class ActorNames:
    """A middleware that tells a ``StatementLog`` which actor each worker thread is running."""

    def __new__(cls, log: StatementLog):
        import dramatiq

        class Names(dramatiq.Middleware):
            def before_process_message(self, broker, message) -> None:
                log.current.actor = message.actor_name
                log.current.started = time.thread_time()

            def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
                log.cpu[log.current.actor] += time.thread_time() - log.current.started
                log.current.actor = "worker"

        return Names()


@contextmanager
def stages_in_place(log: StatementLog) -> Iterator[None]:
    """A stage that a worker thread runs in place after the one before (workers/actors.py
    ``Stages._continue``, told by ``stage_handover``) is logged and timed as that stage's actor, as if
    it had had its own message. A tree from before it (a "before" run) has no hand-over: nothing to do."""
    import workers.actors

    handover = getattr(workers.actors, "stage_handover", None)
    if handover is None:
        yield
        return

    def handed_over(actor_name: str) -> None:
        now = time.thread_time()
        log.cpu[log.current.actor] += now - log.current.started
        log.current.actor, log.current.started = actor_name, now
        handover(actor_name)

    workers.actors.stage_handover = handed_over
    try:
        yield
    finally:
        workers.actors.stage_handover = handover


@contextmanager
def chain(app) -> Iterator[tuple[object, StatementLog, object]]:
    """The actors of ``app`` on a StubBroker with a Worker of two threads on both queues, and the log.

    ``app`` must not have built its broker yet: the StubBroker is put in its place, as the stub test
    layer does (tests/stub/conftest.py)."""
    import dramatiq
    from dramatiq import Worker
    from dramatiq.brokers.stub import StubBroker

    from infra.broker import BrokerHandle
    from workers.entry import declare
    from workers.guard import StageGuard

    broker = StubBroker()
    broker.emit_after("process_boot")
    app.__dict__["broker_handle"] = BrokerHandle(broker, "stub://")
    dramatiq.set_broker(broker)
    actors = declare(app)
    log = StatementLog(app.engine)
    broker.add_middleware(ActorNames(log), before=StageGuard)
    worker = Worker(broker, worker_threads=2, worker_timeout=20)
    worker.start()
    try:
        with log, stages_in_place(log):
            yield actors, log, worker
    finally:
        worker.stop()


@contextmanager
def pure_stages_cpu(spent: list[float]) -> Iterator[None]:
    """Add to ``spent[0]`` the CPU seconds of the pure stages (reading the text layer, extracting,
    evaluating), measured on the thread that runs them, so that what is left is the chain's own cost:
    SQL, storage, broker, middleware."""
    import pipeline.stages
    import workers.decisions

    def timed(fn):
        def run(*args, **kwargs):
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.thread_time() - started
        return run

    patches = [(pipeline.stages, "read_text"), (pipeline.stages, "identified"), (pipeline.stages, "extract"),
               (workers.decisions, "evaluate")]
    saved = [(module, name, getattr(module, name)) for module, name in patches
             if hasattr(module, name)]  # ``identified`` is not in a tree from before it (a "before" run)
    try:
        for module, name, fn in saved:
            setattr(module, name, timed(fn))
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def settle(actors, worker) -> None:
    """Until every queue is empty and every message ran."""
    for _ in range(2):
        for queue in ("default", "ocr"):
            actors.broker.join(queue, timeout=60_000, fail_fast=False)
        worker.join()


def one_certificate(app, actors, worker, log: StatementLog, sample: rig.Sample, slug: str,
                    commits: list[tuple[int, int, int]] | None = None) -> list[Statement]:
    """The statements of one certificate: the door, every actor, and the deletion of its hand-offs;
    ``commits`` gets its commits, how many of them did not wait for the disk, and the pool's pings."""
    from inbox.smtp import InboxHandler
    from workers.dispatch import dispatch

    start, committed, pinged = len(log.statements), len(log.commit_log), len(log.pings)
    raw = rig.email_of(sample, f"{slug}@{rig.DOMAIN}").as_bytes()
    started = time.thread_time()
    # the door defers deleting its hand-off's row as its flush does (workers/dispatch.py ``Flushed``: one
    # DELETE a second for every message of that second); here into the relay's list, deleted with it below
    handler = InboxHandler(app, partial(dispatch, broker=actors.broker, sessions=app.sessions,
                                        taken=actors.stages.taken))
    handler.accept(raw, "agent@example.test", [f"{slug}@{rig.DOMAIN}"])
    log.cpu["door"] += time.thread_time() - started
    settle(actors, worker)
    log.current.actor = "flush"
    started = time.thread_time()
    actors.stages.taken.flush(app.sessions)  # what the relay does within seconds, here in the counted thread
    log.cpu["flush"] += time.thread_time() - started
    log.current.actor = "door"
    if commits is not None:
        commits.append((len(log.commit_log) - committed,
                        sum(rig.UNSYNCED in s.sql for s in log.statements[start:]), len(log.pings) - pinged))
    return log.statements[start:]


def statements_per_certificate(env: dict[str, str], samples: list[rig.Sample], listing: bool = False,
                               cpu: list[tuple[float, float, float]] | None = None,
                               commits: list[tuple[int, int, int]] | None = None,
                               by_actor: Counter | None = None, history: list[rig.Sample] = (),
                               server_cpu: list[float] | None = None,
                               outcomes: list[str] | None = None) -> list[int]:
    """The statement count of each sample through the door and the chain (the first one warms up and is
    not counted); with ``listing``, the last certificate's statements are printed by actor; ``cpu``
    gets, for each, the CPU seconds of this process (door, worker threads, relay) and the part of them
    outside the pure stages (the chain's own: SQL, storage, broker, middleware), and the wall seconds
    from the door to the last statement (commits waiting for the disk are in it, not in the CPU); ``commits`` gets, for
    each, its commits, how many of them did not wait for the disk and the pool's pings; ``by_actor`` gets
    the CPU seconds of all of them, by actor (the thread that ran it, middleware included), the door and
    the flush.
    ``history`` goes through the chain first, uncounted (the account's earlier certificates);
    ``server_cpu`` gets the CPU seconds PostgreSQL's backends spent on the counted ones, together;
    ``outcomes`` gets a line per certificate of what became of it (:func:`outcome_lines`)."""
    import redis

    from infra.bootstrap import App
    from infra.settings import Settings

    if not samples:
        return []
    app = App(Settings(database_url=env["COI_DATABASE_URL"], broker_url=env["COI_BROKER_URL"],
                       storage_url=env["COI_STORAGE_URL"], var_dir=env["COI_VAR_DIR"], inbound_domain=rig.DOMAIN))
    app.__dict__["redis"] = redis.Redis.from_url(env["COI_BROKER_URL"])  # the streams; the broker is the stub
    try:
        rig.add_account(app, "sqlchain")
        counts = []
        with chain(app) as (actors, log, worker):
            one_certificate(app, actors, worker, log, rig.born_digital(1, seed=998)[0], "sqlchain")
            for sample in history:
                one_certificate(app, actors, worker, log, sample, "sqlchain")
            log.cpu.clear()
            database = env["COI_DATABASE_URL"].rsplit("/", 1)[1]
            server_before = backends_cpu(database)
            for sample in samples:
                pure = [0.0]
                with pure_stages_cpu(pure):
                    started, wall = time.process_time(), time.perf_counter()
                    statements = one_certificate(app, actors, worker, log, sample, "sqlchain", commits)
                    spent, wall = time.process_time() - started, time.perf_counter() - wall
                counts.append(len(statements))
                if cpu is not None:
                    cpu.append((spent, spent - pure[0], wall))
            if server_cpu is not None:
                server_after = backends_cpu(database)
                server_cpu.append(sum(max(0.0, seconds - server_before.get(pid, 0.0))
                                      for pid, seconds in server_after.items()))
        if outcomes is not None:
            outcomes.extend(outcome_lines(app, "sqlchain"))
        if by_actor is not None:
            by_actor.update(log.cpu)
        if listing:
            print_statements(statements)
        return counts
    finally:
        app.close()


def backends_cpu(database: str) -> dict[int, float]:
    """The CPU seconds spent so far by each PostgreSQL backend serving ``database``."""
    return {pid: rig.cpu_seconds(pid) for pid in rig.postgres_backends(database)}


RANDOM_IDS = ("document_id", "message_id")  # new ids each run (infra/models.py ``new_id``)


def outcome_lines(app, slug: str) -> list[str]:
    """One line per document of the account, oldest first: its file, status, decision, failed checks,
    trust signals, expiry date and state, vendor link and events, then a digest of the certificate, its
    evaluations and its events' data with the random ids left out (two runs of the same samples on
    the same code print the same lines; the dates are today's)."""
    from sqlalchemy import select

    from infra.models import Account, Certificate, Document, Evaluation, OutboxEvent, VendorDocument

    def stable(value):
        if isinstance(value, dict):
            return {k: stable(v) for k, v in value.items() if k not in RANDOM_IDS}
        if isinstance(value, list):
            return [stable(v) for v in value]
        return value

    lines = []
    with app.sessions() as session:
        account = session.scalars(select(Account).where(Account.slug == slug)).one()
        documents = session.scalars(select(Document).where(Document.account_id == account.id)
                                    .order_by(Document.created_at, Document.filename)).all()
        for document in documents:
            certificate = session.scalars(select(Certificate).where(Certificate.document_id == document.id)).first()
            evaluations = session.scalars(select(Evaluation).where(Evaluation.document_id == document.id)
                                          .order_by(Evaluation.id)).all()
            events = session.scalars(select(OutboxEvent).where(OutboxEvent.document_id == document.id)
                                     .order_by(OutboxEvent.created_at, OutboxEvent.type)).all()
            link = session.get(VendorDocument, document.id)
            data = certificate.data if certificate else {}
            failed = sorted({c.get("code", "?") for e in evaluations if e.current for c in e.checks
                             if c.get("outcome") != "pass"})
            whole = {"data": stable(data),
                     "evaluations": [[e.trigger, e.current, e.decision, e.checks, e.future, e.as_of.isoformat()]
                                     for e in evaluations],
                     "events": [[e.type, stable(e.data)] for e in events],
                     "expiry": [str(certificate.expires_on), certificate.expiry_state] if certificate else None,
                     "vendor": [link.vendor_id, link.matched_by, link.score] if link else None}
            digest = hashlib.sha256(json.dumps(whole, sort_keys=True, default=str).encode()).hexdigest()[:12]
            lines.append(f"{document.filename} {document.status} "
                         f"{next((e.decision for e in evaluations if e.current), '-')} "
                         f"failed={','.join(failed) or '-'} "
                         f"signals={','.join(s.get('code', '?') for s in data.get('signals') or []) or '-'} "
                         f"expires={whole['expiry'][0] if certificate else '-'} "
                         f"vendor={f'{link.vendor_id}/{link.matched_by}' if link else '-'} "
                         f"events={','.join(e.type.rsplit('.', 1)[-1] for e in events) or '-'} {digest}")
    return lines


def print_statements(statements: list[Statement]) -> None:
    by_actor = Counter(s.actor for s in statements)
    for n, statement in enumerate(statements, 1):
        print(f"{n:3d} {statement.actor:16s} {' '.join(statement.sql.split())[:140]}")
    print("by actor: " + ", ".join(f"{actor} {count}" for actor, count in by_actor.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--list", action="store_true", help="print the last certificate's statements")
    parser.add_argument("--official", action="store_true",
                        help="certificates on the official ACORD 25 blanks (bench.corpus), not our own drawing")
    parser.add_argument("--history", type=int, default=0, metavar="N",
                        help="N earlier certificates of the account, sent through the chain first (uncounted)")
    parser.add_argument("--outcomes", action="store_true",
                        help="print what became of each certificate, and a digest of it all")
    args = parser.parse_args(argv)
    samples = rig.born_digital_of(args.official)(args.certificates, seed=args.seed)
    history = rig.born_digital_of(args.official)(args.history, seed=args.seed + 500) if args.history else []
    cpu: list[tuple[float, float, float]] = []
    commits: list[tuple[int, int, int]] = []
    by_actor: Counter = Counter()
    server_cpu: list[float] = []
    outcomes: list[str] | None = [] if args.outcomes else None
    load_before = rig.load_note()
    with rig.services() as env:
        counts = statements_per_certificate(env, samples, listing=args.list, cpu=cpu, commits=commits,
                                            by_actor=by_actor, history=history, server_cpu=server_cpu,
                                            outcomes=outcomes)
    if outcomes is not None:
        print("\n".join(outcomes))
        print(f"outcomes digest ({len(outcomes)} documents, history and warm-up included): "
              f"{hashlib.sha256(chr(10).join(outcomes).encode()).hexdigest()[:16]}")
    print(f"SQL statements per born-digital certificate through the chain ({len(counts)} certificates): "
          f"mean {rig.mean(counts):.1f}, min {min(counts)}, max {max(counts)}")
    print(f"commits per certificate: mean {rig.mean([c[0] for c in commits]):.1f}, of which not waiting for the "
          f"disk (synchronous_commit off): mean {rig.mean([c[1] for c in commits]):.1f}")
    print(f"the connection pool's pings before use per certificate (round trips that are no statement): mean "
          f"{rig.mean([c[2] for c in commits]):.1f}")
    print("CPU of this process per certificate, median (PostgreSQL's own not included): "
          f"{1000 * rig.median([c[0] for c in cpu]):.1f} ms in all, {1000 * rig.median([c[1] for c in cpu]):.1f} ms "
          "outside reading, extracting and evaluating (SQL, storage, broker, middleware)")
    print("CPU per certificate by actor, mean (the thread that ran it, middleware included): " + ", ".join(
        f"{actor} {1000 * seconds / len(counts):.1f} ms" for actor, seconds in by_actor.most_common())
        + f"; together {1000 * sum(by_actor.values()) / len(counts):.1f} ms")
    print(f"PostgreSQL's CPU per certificate (its backends serving this database, {args.history} earlier "
          f"certificates in the account): {1000 * server_cpu[0] / len(counts):.1f} ms")
    print(f"wall time per certificate, door to its last statement, one at a time, median: "
          f"{1000 * rig.median([c[2] for c in cpu]):.1f} ms")
    print(f"machine: before: {load_before}; after: {rig.load_note()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
