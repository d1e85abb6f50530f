"""End-to-end speed through the real services: from the SMTP door's 250 to the decision event on the
account's Redis Stream.

    .venv/bin/python -m bench.throughput [--born-digital 40] [--burst 100] [--scanned 4] [--scanned-burst 6]
                                         [--processes 1 2] [--threads 4] [--no-mixed] [--official]

Processes: a real ``coi smtp`` and a real ``coi worker --processes N --threads T``, on PostgreSQL, Redis
and local storage (``bench/rig.py``). For each kind (born-digital, scanned) and worker count:

- **latency**: certificates sent one at a time, each after the one before is decided and ``--gap``
  seconds of idleness (light traffic): p50/p95 of 250 → event;
- **burst**: certificates sent at once over 4 SMTP connections: certificates per second from the first
  send to the last event, and p50/p95 latency under that load.

The CPU each burst cost per certificate: the worker processes', the door's and PostgreSQL's (the
backends serving the run's database), from their own counters, which the load of other sessions does
not inflate the way it does the wall clock (though it still slows each instruction on a shared core).
Then peak memory (VmHWM) of each worker process, and for scans the bare ``tesseract`` CLI on the same
page images in the same run (the yardstick of the 1.1x target). **Mixed** (unless ``--no-mixed``):
born-digital latency while a burst of scans is being read, with one worker pool on both queues and with
the queues split (``--queues default`` and ``--queues ocr``), which is what the split is for.
Then **SQL statements per certificate**: a few born-digital certificates through the door's ``accept`` and
a dramatiq Worker in this process with the production middleware (``bench/chain_sql.py``), counted by a
SQLAlchemy listener on the same PostgreSQL (the workers are other processes: a listener here cannot see
their statements).
``--official`` sends born-digital certificates filled on the official ACORD 25 blanks, as agency systems
fill them (``bench.corpus``; what arrives in practice), instead of our own drawing of the form, which
fits no template at one shift and so costs the extract step a scaled search (the mixed load keeps our
own drawing). The door's per-client limits are switched off for the run (``DOOR_LIMITS``): a burst from one address is
the point of the bench. Figures are noisy on a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import rig

COI = str(Path(sys.executable).parent / "coi")
DOOR_LIMITS = {"COI_SMTP_MESSAGES_PER_MINUTE": "0", "COI_SMTP_BYTES_PER_MINUTE": "0"}  # 0: no limit
CONNECTIONS = 4
LOGS = Path(os.environ.get("COI_BENCH_LOGS", "/tmp/coi-bench-logs"))  # the processes' logs, kept after the run


@dataclass
class Run:
    """What one phase measured: per certificate, when its 250 came and when its event arrived."""

    accepted: dict[str, float] = field(default_factory=dict)
    started: float = 0.0

    def latencies(self, events: dict[str, tuple[float, str]]) -> list[float]:
        return [events[name][0] - t for name, t in self.accepted.items() if name in events]


class EventWatcher:
    """Reads the accounts' streams in a thread; notes when each document's first event arrived (by filename)."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.streams: dict[str, str] = {}
        self.seen: dict[str, tuple[float, str]] = {}  # key(account, filename) → (arrival, event type)
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, slug: str) -> None:
        with self.lock:
            self.streams.setdefault(f"coi:events:{slug}", "0-0")

    def _run(self) -> None:
        while not self.done.is_set():
            with self.lock:
                streams = dict(self.streams)
            if not streams:
                time.sleep(0.05)
                continue
            for stream, entries in self.client.xread(streams, block=100) or []:
                now = time.perf_counter()
                for entry_id, fields in entries:
                    event = json.loads(fields[b"event"])
                    name = key(stream.decode().removeprefix("coi:events:"), event["data"].get("filename"))
                    with self.lock:
                        self.streams[stream.decode()] = entry_id.decode()
                        if name not in self.seen:
                            self.seen[name] = (now, event["type"])

    def wait(self, names: list[str], timeout: float) -> dict[str, tuple[float, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(n in self.seen for n in names):
                    return dict(self.seen)
            time.sleep(0.005)
        missing = [n for n in names if n not in self.seen]
        raise TimeoutError(f"no event within {timeout:.0f} s for {len(missing)} certificates, e.g. {missing[:3]}")

    def __enter__(self) -> EventWatcher:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.done.set()
        self.thread.join()


def key(slug: str, filename: str | None) -> str:
    """Certificates are told apart by account and file name (the same samples go to each account)."""
    return f"{slug}/{filename}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "ab") as out:
        proc = subprocess.Popen([COI, *args], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the process ended; see {log}:\n{log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}; see {log}")


def send(door: tuple[str, int], samples: list[rig.Sample], slug: str, run: Run) -> None:
    """Send each sample as its own message over one connection; note when each 250 came."""
    with smtplib.SMTP(*door) as client:
        for sample in samples:
            client.send_message(rig.email_of(sample, f"{slug}@{rig.DOMAIN}"))
            run.accepted[key(slug, sample.name)] = time.perf_counter()


def one_at_a_time(door, samples, slug, watcher: EventWatcher, timeout: float, gap: float = 0.0) -> Run:
    """Each certificate once the one before is decided and ``gap`` seconds have passed (idle workers)."""
    run = Run(started=time.perf_counter())
    for sample in samples:
        time.sleep(gap)
        send(door, [sample], slug, run)
        watcher.wait([key(slug, sample.name)], timeout)
    return run


class CpuMeter:
    """CPU seconds spent between :meth:`start` and :meth:`stop` by the worker processes (``coi worker`` and
    its children but tesseract), the SMTP door, and this run's PostgreSQL backends (those serving its
    database; other sessions' are left out). A process that ended in between is not counted: it is a
    figure for a burst, not a bill."""

    def __init__(self, worker: subprocess.Popen, door: subprocess.Popen, database: str) -> None:
        self.worker, self.door, self.database = worker, door, database
        self.before: dict[int, float] = {}
        self.spent: dict[str, float] = {}

    def _groups(self) -> dict[str, list[int]]:
        workers = [self.worker.pid, *(p for p in rig.descendants(self.worker.pid) if "tesseract" not in rig.command_of(p))]
        return {"workers": workers, "door": [self.door.pid], "PostgreSQL": rig.postgres_backends(self.database)}

    def start(self) -> None:
        self.before = {pid: rig.cpu_seconds(pid) for pids in self._groups().values() for pid in pids}

    def stop(self) -> None:
        self.spent = {group: sum(rig.cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
                      for group, pids in self._groups().items()}


def burst(door, samples, slug, watcher: EventWatcher, timeout: float) -> Run:
    run = Run(started=time.perf_counter())
    shares = [samples[i::CONNECTIONS] for i in range(CONNECTIONS)]
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(lambda share: send(door, share, slug, run), [s for s in shares if s]))
    watcher.wait([key(slug, s.name) for s in samples], timeout)
    return run


def worker_memory(worker: subprocess.Popen) -> list[float]:
    """Peak RSS of each dramatiq worker process (the children of ``coi worker``; not tesseract's)."""
    pids = [p for p in rig.descendants(worker.pid) if "tesseract" not in rig.command_of(p)]
    return [round(rig.peak_rss_mb(p), 1) for p in pids]


def worker_resident(worker: subprocess.Popen) -> list[float]:
    """Resident memory now (VmRSS, MB) of each dramatiq worker process (not tesseract's)."""
    pids = [p for p in rig.descendants(worker.pid) if "tesseract" not in rig.command_of(p)]
    return [round(resident_mb(p), 1) for p in pids]


def resident_mb(pid: int) -> float:
    """The resident memory of a live process now (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Row:
    kind: str
    processes: int
    threads: int
    mode: str
    n: int
    p50: float
    p95: float
    per_second: float
    failures: int


def measure(run: Run, watcher: EventWatcher, kind: str, processes: int, threads: int, mode: str) -> Row:
    events = watcher.seen
    latencies = run.latencies(events)
    last = max(events[k][0] for k in run.accepted)
    failed = sum(1 for k in run.accepted if not events[k][1].startswith("coi.certificate."))
    samples = run.accepted
    return Row(kind, processes, threads, mode, len(samples), rig.median(latencies), rig.percentile(latencies, 0.95),
               len(samples) / (last - run.started) if mode == "burst" else float("nan"), failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--born-digital", type=int, default=40, help="born-digital certificates sent one at a time")
    parser.add_argument("--burst", type=int, default=100, help="born-digital certificates sent at once")
    parser.add_argument("--scanned", type=int, default=4, help="scans sent one at a time")
    parser.add_argument("--scanned-burst", type=int, default=6, help="scans sent at once")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--gap", type=float, default=2.0,
                        help="idle seconds before each one-at-a-time certificate (as under light traffic)")
    parser.add_argument("--no-mixed", action="store_true")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--sql-sample", type=int, default=10, help="born-digital certificates whose SQL is counted")
    parser.add_argument("--official", action="store_true",
                        help="born-digital certificates on the official ACORD 25 blanks, as agency systems fill them "
                             "(bench.corpus), instead of our own drawing of the form")
    args = parser.parse_args(argv)

    print("generating samples...", flush=True)
    born_digital = rig.born_digital_of(args.official)
    warm = born_digital(4, seed=args.seed + 100)
    born = born_digital(args.born_digital + args.burst, seed=args.seed)
    scans = rig.scanned(args.scanned + args.scanned_burst, seed=args.seed)
    rows: list[Row] = []
    memory: list[list] = []
    mixed: list[list] = []
    cpu: list[list] = []
    load_before = rig.load_note()

    with rig.services() as env, EventWatcher(rig.REDIS_URL) as watcher:
        from infra.bootstrap import App
        from infra.settings import Settings

        env = {**env, **DOOR_LIMITS}

        var = Path(env["COI_VAR_DIR"])
        LOGS.mkdir(parents=True, exist_ok=True)
        print(f"process logs in {LOGS}", flush=True)
        app = App(Settings(database_url=env["COI_DATABASE_URL"], broker_url=env["COI_BROKER_URL"], var_dir=var))
        port = free_port()
        log = LOGS / "smtp.log"
        with process(["smtp", "--host", "127.0.0.1", "--port", str(port)], env, log) as smtp:
            wait_for_port(port, smtp, log)
            door = ("127.0.0.1", port)
            for processes in args.processes:
                slug = f"p{processes}"
                rig.add_account(app, slug)
                watcher.watch(slug)
                log = LOGS / f"worker-{processes}.log"
                print(f"{processes} worker process(es), {args.threads} threads each...", flush=True)
                with process(["worker", "--processes", str(processes), "--threads", str(args.threads)], env,
                             log) as worker:
                    send(door, warm, slug, Run())  # imports and connections warm in every process
                    watcher.wait([key(slug, s.name) for s in warm], 180)
                    for kind, seq, batch, timeout in (
                            ("born-digital", born[:args.born_digital], born[args.born_digital:], 120),
                            ("scanned", scans[:args.scanned], scans[args.scanned:], 900)):
                        if seq:
                            run = one_at_a_time(door, seq, slug, watcher, timeout, args.gap)
                            rows.append(measure(run, watcher, kind, processes, args.threads, "one at a time"))
                        if batch:
                            meter = CpuMeter(worker, smtp, env["COI_DATABASE_URL"].rsplit("/", 1)[1])
                            meter.start()
                            run = burst(door, batch, slug, watcher, timeout)
                            meter.stop()
                            rows.append(measure(run, watcher, kind, processes, args.threads, "burst"))
                            cpu.append([kind, processes, len(batch), *(1000 * meter.spent[g] / len(batch)
                                                                       for g in ("workers", "door", "PostgreSQL"))])
                        if seq or batch:
                            peaks = worker_memory(worker)  # the high-water mark so far: kinds run in this order
                            now = worker_resident(worker)  # what each holds once the kind's work is done
                            memory.append([processes, args.threads, f"after {kind}", max(peaks, default=0.0),
                                           ", ".join(map(str, peaks)), max(now, default=0.0),
                                           ", ".join(map(str, now))])
            if not args.no_mixed and scans:
                mixed = mixed_load(door, env, app, watcher, scans)
        app.close()
        statements = statements_per_certificate(env, born[:args.sql_sample])

    print("\nEnd to end (SMTP 250 → decision event on the stream), seconds; certificates per second")
    print(rig.table(["kind", "worker processes", "threads", "mode", "n", "p50 s", "p95 s", "cert/s", "not decided"],
                    [[r.kind, r.processes, r.threads, r.mode, r.n, r.p50, r.p95, r.per_second, r.failures]
                     for r in rows]))
    print("\nCPU per certificate during the burst, ms (the processes' own counters; Redis not included)")
    print(rig.table(["kind", "worker processes", "n", "workers", "SMTP door", "PostgreSQL (this run's database)"],
                    cpu))
    print("\nMemory of the worker processes, MB: peak (VmHWM) and resident after the kind's work (VmRSS); "
          "tesseract's own processes not included")
    print(rig.table(["worker processes", "threads", "peak so far", "max MB", "each process MB", "resident max MB",
                     "each process resident MB"], memory))
    if scans:
        yard = [t for t, _ in rig.tesseract_cli([img for s in scans[:args.scanned] for img in rig.ocr_inputs(s)])]
        scanned_p50 = [r.p50 for r in rows if r.kind == "scanned" and r.mode == "one at a time"]
        print("\nScanned one page, one at a time, against the bare tesseract CLI on the same pages (same run)")
        print(rig.table(["tesseract CLI median s", "pipeline p50 s (by worker processes)", "ratio"],
                        [[rig.median(yard), ", ".join(f"{v:.2f}" for v in scanned_p50),
                          ", ".join(f"{v / rig.median(yard):.2f}x" for v in scanned_p50)]]))
    if mixed:
        print("\nBorn-digital latency (one at a time) while a burst of scans is read")
        print(rig.table(["workers", "born-digital n", "p50 s", "p95 s", "max s", "scans", "all scans read after s",
                         "peak MB per pool"], mixed))
    if statements:
        print(f"\nSQL statements per born-digital certificate (door and actors, {len(statements)} certificates): "
              f"mean {rig.mean(statements):.1f}, min {min(statements)}, max {max(statements)}")
    print(f"\nmachine: {os.cpu_count()} cores; before: {load_before}; after: {rig.load_note()}")
    return 0


def statements_per_certificate(env: dict[str, str], samples: list[rig.Sample]) -> list[int]:
    """The SQL statements of each certificate through the door and the chain as a worker runs it, in
    this process (bench/chain_sql.py)."""
    from bench import chain_sql

    return chain_sql.statements_per_certificate(env, samples)


def mixed_load(door, env, app, watcher: EventWatcher, scans) -> list[list]:
    """Born-digital certificates one at a time while a burst of scans waits: one pool, then split queues."""
    shapes = {
        "one pool, 1 process x 2 threads, both queues (--queues default ocr)": [
            ["--processes", "1", "--threads", "2", "--queues", "default", "ocr"]],
        "plain coi worker --threads 2 (a pool per queue)": [["--processes", "1", "--threads", "2"]],
        "split: 1 x 2 on default + 1 x 1 on ocr": [["--processes", "1", "--threads", "2", "--queues", "default"],
                                                   ["--processes", "1", "--threads", "1", "--queues", "ocr"]],
    }
    out = []
    for n, (label, commands) in enumerate(shapes.items()):
        slug = f"mixed{n}"
        rig.add_account(app, slug)
        watcher.watch(slug)
        print(f"mixed load: {label}...", flush=True)
        with _workers(commands, env, slug) as pools:
            warm = rig.born_digital(2, seed=900 + n)
            send(door, warm, slug, Run())
            watcher.wait([key(slug, s.name) for s in warm], 180)
            scan_run = Run(started=time.perf_counter())
            send(door, scans, slug, scan_run)  # all queued at once
            fast = rig.born_digital(10, seed=700)
            run = one_at_a_time(door, fast, slug, watcher, 900)
            latencies = run.latencies(watcher.seen)
            watcher.wait(list(scan_run.accepted), 900)
            scans_done = max(watcher.seen[k][0] for k in scan_run.accepted) - scan_run.started
            memory = " / ".join(f"{max(worker_memory(pool), default=0.0):.0f}" for pool in pools)
            out.append([label, len(fast), rig.median(latencies), rig.percentile(latencies, 0.95), max(latencies),
                        len(scans), scans_done, memory])
    return out


@contextmanager
def _workers(commands: list[list[str]], env, slug: str):
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield [stack.enter_context(process(["worker", *command], env, LOGS / f"{slug}-worker-{i}.log"))
               for i, command in enumerate(commands)]


if __name__ == "__main__":
    sys.exit(main())
