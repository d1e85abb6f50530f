"""Where one certificate's time goes, stage by stage, on the real services, in this one process.

    .venv/bin/python -m bench.stages [--born-digital 20] [--scanned 4] [--seed 8] [--official 8]

Each certificate goes through the SMTP door's ``accept`` (store, row, enqueue) and then through each
actor's function called directly, in order (split, read, [ocr,] extract, score, publish), on
PostgreSQL, Redis and local storage (``bench/rig.py``); nothing waits on a queue, so the difference
from ``bench.throughput``'s latency is the queue hops. The pure stages inside the actors are timed by
wrapping the functions the actors call:

- load: the text layer (``pipeline.stages.read_text``; for a scan, the look that finds none);
- rasterize, orient (OSD and turning), deskew (skew, despeckle, binarise), clean (check boxes, rules),
  OCR (the tesseract word call), OCR other (the rest of ``read_ocr``: upsampling, placing words, labels);
- extract (``pipeline.stages.extract``), score (``pipeline.scoring.evaluate``);
- persist: what the door and actors spend beyond those (storage, SQL, hand-off enqueues);
- emit: ``publish_events`` (XADD to the account stream, plan deliveries, commit).

The yardstick: the bare ``tesseract`` CLI on the very images the OCR stage gave tesseract, in the same
run. Peak memory: this process (all stages, one certificate at a time) and the tesseract CLI. SQL: the
statements the door and the actors send per certificate (a SQLAlchemy listener on the engine).

Issue 16's two speed ratios, printed together at the end: born-digital read + extract against
pypdfium2's own character extraction of the same pages (``bench.readspeed``: these born-digital samples,
``--official`` official-form certificates and the real born-digital files; target <= 2x), and a scanned
page door to event against one full-page ``tesseract`` run on the same image (target <= 0.5x), in wall time
and in CPU (this process and its children, against the CLI's own CPU: the fairer measure on a loaded machine).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from bench import rig

STAGES = ["load", "rasterize", "orient", "deskew", "clean", "OCR", "OCR other", "extract", "score",
          "persist", "emit"]


class Clock:
    """Seconds per stage for the certificate being measured."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.images: list = []  # what tesseract was given for words
        self.pages: list = []  # each page as cleaned for OCR (rules painted out): the yardstick's image
        self.statements = 0  # SQL statements sent by the door and the actors for this certificate
        self.cpu = 0.0  # CPU seconds of this process and the children it waited for (tesseract, pdftoppm)

    def wrap(self, stage: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - started

        return timed


@contextlib.contextmanager
def instrumented(clock: Clock) -> Iterator[None]:
    """Time the functions the actors call, by wrapping them where the callers look them up."""
    import pipeline.stages
    import workers.decisions
    from pipeline.ocr import checkboxes, deskew, orient, raster, rules
    from pipeline.ocr.engine import TesseractEngine

    words = TesseractEngine.words
    remove = rules.remove_rules

    def recording_words(engine, image, **kwargs):
        clock.images.append(image)
        return words(engine, image, **kwargs)

    def recording_pages(*args, **kwargs):
        page = remove(*args, **kwargs)
        clock.pages.append(page)
        return page

    patches = [
        (pipeline.stages, "read_text", "load"), (pipeline.stages, "read_ocr", "read_ocr"),
        (pipeline.stages, "identified", "extract"), (pipeline.stages, "extract", "extract"),
        (workers.decisions, "evaluate", "score"),
        # the pages' sizes checked, then each page drawn when the one before it is read (pipeline/ocr/raster.py)
        (raster, "raster_pages", "rasterize"), (raster, "_pdf_page", "rasterize"), (raster, "_image_page", "rasterize"),
        (orient, "detect_orientation", "orient"),
        (orient, "rotate_clockwise", "orient"), (deskew, "estimate_skew", "deskew"), (deskew, "deskew", "deskew"),
        (deskew, "despeckle", "deskew"), (deskew, "binarise", "deskew"), (checkboxes, "check_boxes", "clean"),
    ]
    try:
        with rig.wrapped(patches, clock.wrap):
            TesseractEngine.words = clock.wrap("OCR", recording_words)
            rules.remove_rules = clock.wrap("clean", recording_pages)
            yield
    finally:
        TesseractEngine.words = words
        rules.remove_rules = remove


def one_certificate(app, actors, handler, sample: rig.Sample, slug: str) -> Clock:
    """One certificate through ``handler`` (the SMTP door's) and each of ``actors``' functions in turn."""
    from sqlalchemy import select

    from infra.models import Document, MessageDocument

    clock = Clock()
    raw = rig.email_of(sample, f"{slug}@{rig.DOMAIN}").as_bytes()
    cpu_before = _cpu()
    with instrumented(clock), rig.StatementCounter(app.engine) as statements:
        door = clock.wrap("door", handler.accept)
        [message_id] = door(raw, "agent@example.test", [f"{slug}@{rig.DOMAIN}"])
        actor_time = clock.wrap("actors", lambda fn, *args: fn(*args))
        actor_time(actors.split_message.fn, message_id)
        with app.sessions() as session:
            document_id = session.scalars(select(MessageDocument.document_id).where(
                MessageDocument.message_id == message_id)).one()
        actor_time(actors.read_document.fn, document_id)
        actor_time(actors.ocr_document.fn, document_id)  # a no-op hand-on when the text layer was read
        actor_time(actors.extract_document.fn, document_id)
        actor_time(actors.score_document.fn, document_id)
        clock.wrap("emit", actors.publish_events.fn)()
    clock.cpu = _cpu() - cpu_before
    clock.statements = statements.count
    with app.sessions() as session:
        status = session.get(Document, document_id).status
    if status != "decided":
        print(f"  {sample.name}: {status}", file=sys.stderr)
    spent = clock.spent
    ocr_parts = sum(spent[s] for s in ("rasterize", "orient", "deskew", "clean", "OCR"))
    if spent["read_ocr"]:
        spent["OCR other"] = spent["read_ocr"] - ocr_parts
    pure = spent["load"] + spent["read_ocr"] + spent["extract"] + spent["score"]
    spent["persist"] = spent["door"] + spent["actors"] - pure  # the door only stores, records and enqueues
    spent["total"] = sum(spent[s] for s in STAGES)
    return clock


def _children_cpu() -> float:
    """CPU seconds of the children this process has waited for (the yardstick's tesseract runs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--born-digital", type=int, default=20)
    parser.add_argument("--scanned", type=int, default=4)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--official", type=int, default=8,
                        help="official-form certificates (bench.corpus tuning seeds) in the born-digital read ratio")
    parser.add_argument("--official-scans", type=int, default=0,
                        help="scans of certificates on the official form (bench.corpus tuning seeds), timed apart")
    args = parser.parse_args(argv)

    print("generating samples...", flush=True)
    kinds = {"born-digital": rig.born_digital(args.born_digital, seed=args.seed + 1),
             "scanned": rig.scanned(args.scanned, seed=args.seed + 1)}
    if args.official_scans:
        from bench.corpus import certificate

        kinds["official scans"] = [rig.Sample(f"{c.name}.pdf", c.data, c.mime) for c in
                                   (certificate(seed, "scan") for seed in range(args.official_scans))]
    load_before = rig.load_note()
    results: dict[str, list[Clock]] = {}
    peaks: dict[str, float] = {}
    with rig.services() as env:
        from inbox.smtp import InboxHandler
        from infra.bootstrap import App
        from infra.settings import Settings

        app = App(Settings(database_url=env["COI_DATABASE_URL"], broker_url=env["COI_BROKER_URL"],
                           storage_url=env["COI_STORAGE_URL"], var_dir=env["COI_VAR_DIR"],
                           inbound_domain=rig.DOMAIN))
        rig.add_account(app, "stages")
        actors = rig.declare_actors(app)
        handler = InboxHandler(app, actors.send_on)
        one_certificate(app, actors, handler, rig.born_digital(1, seed=999)[0], "stages")  # imports, connections
        for kind, samples in kinds.items():
            print(f"{kind}: {len(samples)} certificates...", flush=True)
            results[kind] = [one_certificate(app, actors, handler, s, "stages") for s in samples]
            peaks[f"this bench process (samples drawn in it too), after {kind}"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app.close()

    print("\nSeconds per certificate by stage (mean; one page each; PostgreSQL, Redis, local storage)")
    rows = []
    for stage in [*STAGES, "total"]:
        rows.append([stage, *(rig.mean([c.spent[stage] for c in results[k]]) for k in results),
                     *(rig.percentile([c.spent[stage] for c in results[k]], 0.95) for k in results)])
    print(rig.table(["stage", *(f"{k} mean" for k in results), *(f"{k} p95" for k in results)], rows))
    print("\nSQL statements per certificate (door and actors): " + ", ".join(
        f"{k} {rig.mean([c.statements for c in results[k]]):.1f}" for k in results))

    from bench import readspeed

    born = [(s.name, s.data) for s in kinds["born-digital"]] + list(readspeed.documents(args.official, True))
    read_rows = readspeed.measure(born)
    ratios = {"born-digital read + extract": (readspeed.ratio(read_rows), 2.0)}
    for kind in ("scanned", "official scans"):
        scans = results.get(kind) or []
        if not scans:
            continue
        # the yardstick is one full-page run per page, on the page as cleaned for OCR, whatever the OCR stage
        # then gave tesseract (the whole page, or only some zones of it, and any second readings)
        images = [img for c in scans for img in c.pages]
        cli_cpu_before = _children_cpu()
        measured = rig.tesseract_cli(images)
        cli_cpu = (_children_cpu() - cli_cpu_before) / max(1, len(images))
        cli = [t for t, _ in measured]
        peaks[f"tesseract CLI (largest page, {kind})"] = max(mb for _, mb in measured)
        per_page = lambda key: rig.mean([c.spent[key] / max(1, len(c.pages)) for c in scans])  # noqa: E731
        cli_mean = rig.mean(cli)
        ratios[f"{kind} page, door to event (no queue waits)"] = (per_page("total") / cli_mean, 0.5)
        print(f"\n{kind.capitalize()}: a page against the bare tesseract CLI on the same images, same run "
              "(mean seconds per page)")
        print(rig.table(["measure", "seconds", "x tesseract CLI"], [
            ["tesseract CLI, full page, --psm 3", cli_mean, 1.0],
            ["OCR stage (every tesseract call through the wrapper)", per_page("OCR"), per_page("OCR") / cli_mean],
            ["read_ocr (rasterize … OCR other)", per_page("read_ocr"), per_page("read_ocr") / cli_mean],
            ["whole pipeline, door to event (no queue waits)", per_page("total"), per_page("total") / cli_mean],
        ]))
        cpu = rig.mean([c.cpu / max(1, len(c.pages)) for c in scans])
        print(f"CPU per page, door to event (this process and tesseract): {cpu:.2f} s; the tesseract CLI's on a "
              f"full page: {cli_cpu:.2f} s")
        ratios[f"{kind} page, door to event, CPU"] = (cpu / cli_cpu, 0.5)
    print("\nIssue 16's speed ratios, this run")
    print(rig.table(["measure", "ratio", "target", "against"], [
        [name, f"{value:.2f}x", f"<= {target}x", "pypdfium2's character extraction, same pages"
         if target == 2.0 else "one full-page tesseract run, same image"] for name, (value, target) in ratios.items()]))
    print(f"(born-digital: {len(read_rows)} documents; best of 3 each side, in this process)")
    print("\nPeak resident memory (MB)")
    print(rig.table(["process", "MB"], [[k, v] for k, v in peaks.items()]))
    print(f"\nmachine: {os.cpu_count()} cores; before: {load_before}; after: {rig.load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
