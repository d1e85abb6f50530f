"""Tuning misses file by file on cached OCR readings (the readings kept by seed and kind, not by source, so that
changes after OCR are measured on the same OCR output).

    .venv/bin/python -m bench.xfamiss --cache DIR [--xfa N] [--official 8] [--part I/K] [--read-only]
"""
from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections import defaultdict
from pathlib import Path


def xfa_seeds(count: int) -> list[int]:
    """The first ``count`` tuning seeds whose scan uses the 2016-xfa blank (past the official 0-7)."""
    from bench.corpus import BLANK_WEIGHTS, _pick

    out, seed = [], 8
    while len(out) < count:
        if _pick(random.Random(f"scan:{seed}"), BLANK_WEIGHTS) == "2016-xfa":
            out.append(seed)
        seed += 1
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.accuracy import score
    from bench.corpus import certificate
    from pipeline.stages import extract, read

    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True)
    p.add_argument("--xfa", type=int, default=24)
    p.add_argument("--official", type=int, default=8)
    p.add_argument("--part", default="0/1")
    p.add_argument("--read-only", action="store_true")
    a = p.parse_args(argv)
    docs = [("scan", s, "off") for s in range(a.official)] + [("photo", s, "off") for s in range(a.official)]
    docs += [("scan", s, "xfa") for s in xfa_seeds(a.xfa)]
    i, k = map(int, a.part.split("/"))
    docs = docs[i::k]
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    totals = defaultdict(lambda: [0, 0, 0])
    for kind, seed, group in docs:
        path = cache / f"{kind}-{seed}.pickle"
        sample = None
        if path.exists():
            reading = pickle.loads(path.read_bytes())
        else:
            sample = certificate(seed, kind)
            reading = read(sample.data, max_pages=5)
            path.write_bytes(pickle.dumps(reading))
            tpath = cache / f"{kind}-{seed}.truth.pickle"
            tpath.write_bytes(pickle.dumps((sample.truth, sample.recipe.blank)))
        if a.read_only:
            print(kind, seed, "read", flush=True)
            continue
        truth, blank = pickle.loads((cache / f"{kind}-{seed}.truth.pickle").read_bytes())
        got = extract(reading)
        s = score(truth, got, defaultdict(lambda: [0, 0]))
        t = totals[f"{group} {kind}"]
        t[0] += s.right
        t[1] += s.total
        t[2] += s.wrong_high
        print(f"== {kind}-{seed} ({blank}) {s.right}/{s.total} wrong@>=0.9 {s.wrong_high}")
        for w in s.wrong:
            print("   ", w)
    for g, (r, n, w) in totals.items():
        print(f"TOTAL {g}: {r}/{n} wrong@>=0.9 {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
