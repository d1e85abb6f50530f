"""What the speed benchmarks share: a fresh PostgreSQL database, a Redis database of their own,
the sample certificates, the raw tesseract CLI as the yardstick, process memory, and tables.

Services: PostgreSQL at ``COI_BENCH_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``;
a database ``coi_bench_<random>`` is made and dropped) and Redis at ``COI_BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/9``, flushed: the tests use databases 11-15).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pipeline.filetypes import PDF

PG_ADMIN_URL = os.environ.get("COI_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
DOMAIN = "coi.bench"
REQUIREMENTS = {  # enough rules that scoring does its usual work; the decisions themselves do not matter here
    "name": "bench",
    "signature_required": True,
    "lines": {
        "general_liability": {"required": True, "basis": "occurrence",
                              "limits": {"each_occurrence": 1_000_000, "general_aggregate": 2_000_000}},
        "automobile_liability": {"required": True, "limits": {"combined_single_limit": 1_000_000}},
        "workers_compensation": {"required": True, "limits": {"el_each_accident": 1_000_000}},
    },
}


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    kind: str  # a MIME type (pipeline.filetypes)


def born_digital(n: int, seed: int) -> list[Sample]:
    from samples.certificates import draw_certificate, random_certificate

    rng = random.Random(seed)
    return [Sample(f"bd-{seed}-{i}.pdf", draw_certificate(random_certificate(rng)), PDF) for i in range(n)]


@contextmanager
def wrapped(patches: list[tuple[Any, str, Any]], wrap) -> Iterator[None]:
    """``module.name`` replaced by ``wrap(tag, module.name)`` for each ``(module, name, tag)`` while the block
    runs, and put back after it (the timing benches wrap the functions the stages call)."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    try:
        for module, name, tag in patches:
            setattr(module, name, wrap(tag, getattr(module, name)))
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def official_born_digital(n: int, seed: int) -> list[Sample]:
    """Born-digital certificates on the official ACORD 25 blanks, as agency systems fill them
    (``bench.corpus``, tuning seeds from ``seed``), without the outline prints: those have no text
    layer and go to the OCR queue, which is not what a born-digital figure measures."""
    from bench import corpus

    out: list[Sample] = []
    if n <= 0:  # a bench of scans only (--born-digital 0 --burst 0) asks for none
        return out
    for s in range(seed, corpus.TUNING.stop):
        pdf, _truth, recipe = corpus.born_digital(s)
        if recipe.printed != "outlines":
            out.append(Sample(f"official-{s}.pdf", pdf, PDF))
        if len(out) == n:
            return out
    raise ValueError(f"fewer than {n} official-form certificates with a text layer from seed {seed}")


def born_digital_of(official: bool):
    """The born-digital samples a bench asked for: official-form (``--official``) or our own drawing."""
    return official_born_digital if official else born_digital


def scanned(n: int, seed: int) -> list[Sample]:
    """Scans as the samples make them (150-300 dpi, turned, skewed, PNG/JPEG/TIFF/image-only PDF)."""
    from pipeline.filetypes import EXTENSIONS
    from samples.scans import scanned_certificate

    rng = random.Random(seed)
    scans = [scanned_certificate(rng) for _ in range(n)]
    return [Sample(f"scan-{seed}-{i}{EXTENSIONS[s.kind]}", s.data, s.kind) for i, s in enumerate(scans)]


def email_of(sample: Sample, to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", to, f"COI {sample.name}"
    message.set_content("Certificate attached.")
    maintype, subtype = sample.kind.split("/")
    message.add_attachment(sample.data, maintype=maintype, subtype=subtype, filename=sample.name)
    return message


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, migrated database, dropped afterwards."""
    import psycopg

    from infra.db import migrate

    name = f"coi_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def services() -> Iterator[dict[str, str]]:
    """The environment of every process of one benchmark run: PostgreSQL, Redis, local storage."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    with postgres_database() as database_url, tempfile.TemporaryDirectory(prefix="coi-bench-") as var:
        yield {"COI_DATABASE_URL": database_url, "COI_BROKER_URL": REDIS_URL, "COI_VAR_DIR": var,
               "COI_STORAGE_URL": f"file://{var}/storage", "COI_INBOUND_DOMAIN": DOMAIN, "COI_LOG_LEVEL": "WARNING"}
    client.flushdb()
    client.close()


def declare_actors(app):
    """The actors on ``app``'s broker, declared as the worker's entry point declares them
    (``workers.entry.declare``); once per app. The door a bench builds enqueues with their ``send_on``."""
    from workers.entry import declare

    return declare(app)


def add_account(app, slug: str) -> None:
    from infra.admin import add_account as add, add_holder, set_requirements

    with app.sessions() as session:
        add(session, slug, f"Bench {slug}")
        add_holder(session, slug, "Bench Holder", None)
        set_requirements(session, slug, "Bench Holder", REQUIREMENTS)


class EngineListener:
    """Inside a ``with`` block, hears an engine's statements (``_seen``, a SQLAlchemy
    ``before_cursor_execute`` listener) and commits (``_committed``)."""

    engine: Any

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        raise NotImplementedError

    def _committed(self, _conn) -> None:
        raise NotImplementedError

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._seen)
        event.listen(self.engine, "commit", self._committed)
        return self

    def __exit__(self, *_) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)
        event.remove(self.engine, "commit", self._committed)


class StatementCounter(EngineListener):
    """Counts the SQL statements an engine sends (a SQLAlchemy ``before_cursor_execute`` listener);
    an ``executemany`` counts once: it is one round trip. Also its commits, and how many of them did
    not wait for the disk (a transaction that said ``SET LOCAL synchronous_commit TO OFF``,
    infra/db.py ``skip_disk_sync``)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0
        self.commits = 0
        self.unsynced = 0

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        self.count += 1
        self.unsynced += UNSYNCED in statement

    def _committed(self, _conn) -> None:
        self.commits += 1


UNSYNCED = "synchronous_commit TO OFF"


def ocr_inputs(sample: Sample) -> list:
    """The pages the OCR stage cleans for tesseract (upright, level, rules painted out), one a page: the yardstick's
    input (as ``bench.stages`` takes it), whatever the OCR stage then gave tesseract (the whole page, or only its
    value boxes and second readings of cells, whose small images are no full-page run)."""
    from pipeline.ocr import rules
    from pipeline.stages import read_ocr

    images = []
    remove = rules.remove_rules

    def recording(*args, **kwargs):
        page = remove(*args, **kwargs)
        images.append(page)
        return page

    rules.remove_rules = recording
    try:
        read_ocr(sample.data)
    finally:
        rules.remove_rules = remove
    return images


def tesseract_cli(images: list) -> list[tuple[float, float]]:
    """(seconds, peak MB) of the bare ``tesseract`` CLI on each image: full page, --psm 3, one thread."""
    import cv2

    out = []
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory() as folder:
        for i, image in enumerate(images):
            path = Path(folder) / f"page-{i}.png"
            cv2.imwrite(str(path), image)
            started = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M", "tesseract", str(path), "stdout", "--oem", "1",
                                   "--psm", "3", "--dpi", "300", "tsv"],
                                  env=env, check=True, capture_output=True, text=True, timeout=300)
            out.append((time.perf_counter() - started, int(done.stderr.split()[-1]) / 1024))
    return out


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of a live process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU seconds (user and system) a live process has spent so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving ``database`` (their command line names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and command_of(int(entry.name)).startswith("postgres:") \
                and f" {database} " in command_of(int(entry.name)):
            found.append(int(entry.name))
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table (it reads as plain text too)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda values: "| " + " | ".join(v.rjust(w) if i else v.ljust(w)  # noqa: E731
                                            for i, (v, w) in enumerate(zip(values, widths))) + " |"
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def _cell(value) -> str:
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def load_note() -> str:
    """What else the machine was doing: load average and the busiest other processes."""
    load = os.getloadavg()
    top = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True)
    busy = [line.strip() for line in top.stdout.splitlines()[:4]]
    return f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; busiest: {', '.join(busy)}"
