"""Tuning misses file by file on cached OCR readings (the readings kept by seed and kind, not by source, so that
changes after OCR are measured on the same OCR output).

    .venv/bin/python -m bench.xfamiss --cache DIR [--xfa N] [--blank BLANK] [--kinds scan,photo] [--official 8]
        [--skip N] [--dpi D] [--part I/K] [--read-only]

``--xfa N`` adds the first N tuning seeds past the official ones whose certificate of each kind in ``--kinds``
(``scan`` unless told) is drawn on ``--blank`` (``2016-xfa`` unless told; any of ``bench.corpus.BLANK_WEIGHTS``);
``--skip N`` passes over the first N of those, so that ``--skip 40 --xfa 40`` gives seeds not looked at before.
``--blank any`` takes every blank as the seeds draw them.

``--dpi D`` scans (or photographs) the extra seeds at D dpi instead of the resolution each seed draws, keeping every
other draw of the seed (certificate, blank, turn, skew, blur, noise, speckle, JPEG quality): the same seeds at
150 and at 300 dpi differ in resolution alone (a filter on the drawn dpi would compare different certificates
and degradations). Their readings are cached apart (``scan-S-dpiD``); the official seeds keep their own.
"""
from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections import defaultdict
from pathlib import Path

XFA = "2016-xfa"  # the blank the extra seeds are drawn on unless told
ANY = "any"  # --blank: every blank, as the seeds draw them


def blank_seeds(count: int, blank: str = XFA, kind: str = "scan", first: int = 8) -> list[int]:
    """The first ``count`` tuning seeds from ``first`` whose certificate of ``kind`` is drawn on ``blank``
    (the draw ``bench.corpus.born_digital`` makes first from the seed's generator)."""
    from bench.corpus import BLANK_WEIGHTS, _pick

    if blank != ANY and blank not in BLANK_WEIGHTS:
        raise ValueError(f"unknown blank {blank!r}: one of {', '.join(BLANK_WEIGHTS)}")
    out, seed = [], first
    while len(out) < count:
        if blank == ANY or _pick(random.Random(f"{kind}:{seed}"), BLANK_WEIGHTS) == blank:
            out.append(seed)
        seed += 1
    return out


def xfa_seeds(count: int) -> list[int]:
    """The first ``count`` tuning seeds whose scan uses the 2016-xfa blank (past the official 0-7)."""
    return blank_seeds(count, XFA, "scan")


def main(argv: list[str] | None = None) -> int:
    from bench.accuracy import score
    from bench.corpus import certificate, sample_name
    from pipeline.stages import extract, read

    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True)
    p.add_argument("--xfa", type=int, default=24, help="extra tuning seeds of --blank, of each kind")
    p.add_argument("--blank", default=XFA, help="the blank the extra seeds are drawn on")
    p.add_argument("--kinds", default="scan", help="the extra seeds' kinds, comma-separated: scan, photo")
    p.add_argument("--official", type=int, default=8)
    p.add_argument("--skip", type=int, default=0, help="pass over the first N extra seeds of --blank")
    p.add_argument("--dpi", type=int, default=None, help="scan the extra seeds at this resolution (else as drawn)")
    p.add_argument("--part", default="0/1")
    p.add_argument("--read-only", action="store_true")
    a = p.parse_args(argv)
    docs = [("scan", s, "off", None) for s in range(a.official)] + [("photo", s, "off", None) for s in range(a.official)]
    group = a.blank if a.dpi is None else f"{a.blank} {a.dpi} dpi"
    for kind in a.kinds.split(","):
        chosen = blank_seeds(a.skip + a.xfa, a.blank, kind, first=max(a.official, 8))[a.skip :]
        docs += [(kind, s, group, a.dpi) for s in chosen]
    i, k = map(int, a.part.split("/"))
    docs = docs[i::k]
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    totals = defaultdict(lambda: [0, 0, 0])
    for kind, seed, group, dpi in docs:
        name = sample_name(seed, kind, dpi)
        path = cache / f"{name}.pickle"
        if path.exists():
            reading = pickle.loads(path.read_bytes())
        else:
            sample = certificate(seed, kind, dpi)
            reading = read(sample.data, max_pages=5)
            path.write_bytes(pickle.dumps(reading))
            tpath = cache / f"{name}.truth.pickle"
            tpath.write_bytes(pickle.dumps((sample.truth, sample.recipe.blank)))
        if a.read_only:
            print(name, "read", flush=True)
            continue
        truth, blank = pickle.loads((cache / f"{name}.truth.pickle").read_bytes())
        got = extract(reading)
        s = score(truth, got, defaultdict(lambda: [0, 0]))
        t = totals[f"{group} {kind}"]
        t[0] += s.right
        t[1] += s.total
        t[2] += s.wrong_high
        print(f"== {name} ({blank}) {s.right}/{s.total} wrong@>=0.9 {s.wrong_high}")
        for w in s.wrong:
            print("   ", w)
    for g, (r, n, w) in totals.items():
        print(f"TOTAL {g}: {r}/{n} wrong@>=0.9 {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
