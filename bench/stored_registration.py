"""Extract with and without the registration the OCR stage stored: the same certificate, and the CPU saved.

    COI_BENCH_CACHE=DIR .venv/bin/python -m bench.stored_registration [--official 0,6,4] [--no-real]
        [--repeat R]

Every document read by OCR (the tuning and validation scans and photos on the official blanks, the real
scans and images; the reading kept in ``COI_BENCH_CACHE`` as :mod:`bench.accuracy` keeps it) is extracted
twice: as stored (the reader takes the page's stored registration, :func:`pipeline.acord25.identify.restored`)
and with the blocks' fits taken out of every page's stored registration (the reader registers the page
again, as it did before they were kept). The two certificates are compared whole, every value and its
evidence: the pointers that differ are printed for tuning and real files, only counted for validation
(never shown file by file). Each extract is timed in CPU (``time.process_time``), the least of ``R``
runs, and summed per scanned page.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterator


def without_fits(reading: Any) -> Any:
    """``reading`` as stored before the blocks' fits were kept: every page's registration without them."""
    pages = tuple(replace(p, registration=replace(p.registration, blocks=None, template=None))
                  if p.registration is not None else p for p in reading.pages)
    return replace(reading, pages=pages)


def differences(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """The JSON pointers at which two certificates (dicts, lists, values) differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            yield from differences(a.get(key), b.get(key), f"{path}/{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}/{i}")
    elif a != b:
        yield path, a, b


def kinds_of(diff: list[tuple[str, Any, Any]]) -> dict[str, float]:
    """How two certificates differ: values (outside the evidence) differing, and the largest change of each
    evidence number (its confidence, its block's residual, its box) between them."""
    out = {"values": float(sum(not path.startswith("/evidence") for path, _, _ in diff))}
    for path, a, b in diff:
        part = next((k for k in ("confidence", "residual", "bbox") if f"/{k}" in path), None)
        if part is not None and isinstance(a, (int, float)) and isinstance(b, (int, float)):
            out[part] = max(out.get(part, 0.0), abs(a - b))
        elif path.startswith("/evidence"):
            out["other evidence"] = out.get("other evidence", 0.0) + 1
    return out


def timed(fn: Any, repeat: int) -> tuple[Any, float]:
    """``fn()``'s answer and the least CPU seconds of ``repeat`` runs."""
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        out = fn()
        best = min(best, time.process_time() - started)
    return out, best


def main(argv: list[str] | None = None) -> int:
    from bench import formfill
    from bench.accuracy import _cached_read, official, real, score
    from pipeline.errors import PipelineError
    from pipeline.stages import extract, read

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", default="0,6,4", help="born-digital,scanned,photographed per split")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="extract runs timed per document (the least counts)")
    args = parser.parse_args(argv)
    counts = tuple(int(n) for n in args.official.split(","))
    documents = []
    if any(counts) and formfill.available():
        for split in ("tuning", "validation"):
            documents += [(split, *d) for d in official(split, counts, None)]
    if not args.no_real:
        documents += [("real", "", name, data, truth) for _, name, data, truth in real()]

    def run(reading: Any) -> dict[str, Any]:
        try:
            return extract(reading)
        except PipelineError as e:
            return {"error": e.code}

    changes: dict[str, dict[str, float]] = {}  # set -> values differing, largest change of each evidence number
    totals: dict[str, list[float]] = {}  # set -> [documents, pages, differing, cpu stored, cpu again, right s, right a, total]
    for set_name, kind, name, data, truth in documents:
        reading = _cached_read(data, read, f"{set_name}/{kind}/{name}")
        if reading.method != "ocr":
            continue
        kept = sum(p.registration is not None and p.registration.blocks is not None for p in reading.pages)
        stored, cpu_stored = timed(lambda: run(reading), args.repeat)
        again, cpu_again = timed(lambda: run(without_fits(reading)), args.repeat)
        diff = list(differences(stored, again))
        s_score = score(truth, stored, defaultdict(lambda: [0, 0]))
        a_score = score(truth, again, defaultdict(lambda: [0, 0]))
        for key, v in kinds_of(diff).items():
            most = changes.setdefault(set_name, {})
            most[key] = most.get(key, 0.0) + v if key in ("values", "other evidence") else max(most.get(key, 0.0), v)
        t = totals.setdefault(set_name, [0, 0, 0, 0.0, 0.0, 0, 0, 0])
        for k, v in enumerate((1, len(reading.pages), bool(diff), cpu_stored, cpu_again, s_score.right,
                               a_score.right, s_score.total)):
            t[k] += v
        if set_name != "validation":
            print(f"{set_name:10} {name[:70]:70} fits kept on {kept}/{len(reading.pages)} pages  "
                  f"extract CPU {cpu_stored:.3f} s stored / {cpu_again:.3f} s again  "
                  f"right {s_score.right}/{a_score.right} of {s_score.total}  differing {len(diff)}", flush=True)
            for path, a, b in diff:
                print(f"       {path}: stored {a!r} / again {b!r}")
    print("\nset         docs pages differing | extract CPU s/page stored  again  saved | fields right stored / again")
    for set_name, (docs, pages, differing, cs, ca, rs, ra, total) in totals.items():
        print(f"{set_name:10} {docs:5} {pages:5} {differing:9} | {cs / pages:24.3f} {ca / pages:6.3f} "
              f"{(ca - cs) / pages:6.3f} | {rs}/{total} / {ra}/{total}")
    print("\nset         values differing | largest change of an evidence number")
    for set_name, most in changes.items():
        print(f"{set_name:10} {int(most.get('values', 0)):16} | " + ", ".join(
            f"{k} {v:g}" for k, v in sorted(most.items()) if k != "values"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
