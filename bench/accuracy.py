"""Field-by-field accuracy of ``read`` + ``extract`` against truth, with a held-back set.

    .venv/bin/python -m bench.accuracy [--official BD,SCANS,PHOTOS] [--tuning-seed T] [--validation-seed V]
        [--no-real] [--show-wrong] [--generated N] [--seed S] [--rescan K] [--photos N] [--rephoto K]
        (COI_BENCH_CACHE=DIR keeps OCR readings)

Three sets, reported apart:

- **tuning**: certificates on the official ACORD 25 blanks (:mod:`bench.corpus`) from the tuning
  seeds (0-999, ``bench.corpus.TUNING``): look at them file by file (``--show-wrong``);
- **validation**: the same generator from the validation seeds (1000+, ``bench.corpus.VALIDATION``):
  never printed file by file, only in totals, so that what is tuned on the first set is measured on
  files nobody looked at;
- **real**: the certificates in ``../shared/corpus/real`` that have a truth file (matched by file
  name), and the ``neg_*`` documents, which must end as ``not_a_certificate``.

``--official`` gives how many born-digital, scanned and photographed certificates each of tuning
and validation gets (default 20,6,4). The old corpus of our own drawing of the form
(``samples.certificates``) is still there behind ``--generated N`` / ``--photos N``, and ``--rescan K`` /
``--rephoto K`` print and scan or photograph each real born-digital certificate K times.

Every leaf of the truth counts as one field (a ``covered_autos`` list and an
empty ``insurers`` list count as one).  Text is compared ignoring case,
punctuation and white space.  Policies are paired by line, in form order;
insurers by letter.  A value is "wrong at high confidence" when it is
non-null, its evidence confidence is >= 0.9 and it differs from the truth.
The report ends with a calibration table and the most frequent miss classes (:mod:`bench.report`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

HIGH = 0.9
SPLITS_SHOWN = ("tuning", "validation")  # the generated sets, whose names say their blank
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COI_SHARED_DIR", REPO.parent / "shared"))


@dataclass
class Score:
    right: int = 0
    total: int = 0
    high: int = 0  # values given with confidence >= HIGH
    wrong_high: int = 0
    pages: int = 0
    seconds: float = 0.0
    osd: int = 0  # tesseract orientation (OSD) runs made reading it
    wrong: list[str] = field(default_factory=list)
    values: list = field(default_factory=list)  # bench.report.Value, one per field

    def add(self, other: "Score") -> None:
        self.right += other.right
        self.total += other.total
        self.high += other.high
        self.wrong_high += other.wrong_high
        self.pages += other.pages
        self.seconds += other.seconds
        self.osd += other.osd

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def norm(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"[\W_]+", "", value.lower())
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def leaves(truth: Any, got: Any, path: str = "") -> Iterator[tuple[str, Any, Any, str | None]]:
    """(field name, truth value, extracted value, evidence pointer of the extracted value)."""
    if isinstance(truth, dict):
        for key, value in truth.items():
            sub = got.get(key) if isinstance(got, dict) else None
            yield from leaves(value, sub, f"{path}/{key}")
        return
    yield path, truth, got, path


def paired(truth: dict[str, Any], got: dict[str, Any]) -> Iterator[tuple[str, str, Any, Any, str | None]]:
    """(generic field name, pointer, truth leaf, extracted leaf, evidence pointer)."""
    for key in truth:
        if key in ("insurers", "policies", "evidence"):
            continue
        for name, t, g, pointer in leaves(truth[key], got.get(key), f"/{key}"):
            yield name, name, t, g, pointer
    ours = {e.get("letter"): (i, e) for i, e in enumerate(got.get("insurers") or [])}
    if not truth.get("insurers"):
        yield "/insurers", "/insurers", [], got.get("insurers") or [], None
    for entry in truth.get("insurers") or []:
        index, mine = ours.get(entry["letter"], (None, {}))
        for name, t, g, pointer in leaves(entry, mine, ""):
            ev = f"/insurers/{index}{pointer}" if index is not None else None
            yield f"/insurers/*{name}", f"/insurers/{entry['letter']}{name}", t, g, ev
    by_line: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for i, p in enumerate(got.get("policies") or []):
        by_line[p.get("line")].append((i, p))
    seen: dict[str, int] = defaultdict(int)
    for entry in truth.get("policies") or []:
        line = entry["line"]
        k = seen[line]
        seen[line] += 1
        index, mine = by_line[line][k] if k < len(by_line[line]) else (None, {})
        for name, t, g, pointer in leaves(entry, mine, ""):
            ev = f"/policies/{index}{pointer}" if index is not None else None
            yield f"/{line}{name}", f"/policies/{line}#{k}{name}", t, g, ev


def score(truth: dict[str, Any], got: dict[str, Any], per_field: dict[str, list[int]]) -> Score:
    from bench.report import Value, miss_kind

    s = Score()
    evidence = got.get("evidence") or {}
    for name, pointer, t, g, ev in paired(truth, got):
        ok = norm(t) == norm(g)
        s.total += 1
        s.right += ok
        per_field[name][0] += ok
        per_field[name][1] += 1
        if not ok:
            s.wrong.append(f"{pointer}: want {t!r} got {g!r}")
        found = (evidence.get(ev) or {}) if ev else {}
        confidence = found.get("confidence", 0.0)
        s.values.append(Value(name, None if ok else miss_kind(norm(t), norm(g)), confidence, g not in (None, []),
                              found.get("how")))
        if g not in (None, [], False) and confidence >= HIGH:
            s.high += 1
            if not ok:
                s.wrong_high += 1
                s.wrong[-1] += f"  (confidence {confidence})"
    return s


def run_one(data: bytes, truth: dict[str, Any], per_field: dict[str, list[int]],
            text_layer_only: bool = False, cache_key: str = "") -> tuple[Score, str] | None:
    """Score one document; None when ``text_layer_only`` and the document would need OCR."""
    from pipeline.errors import PipelineError
    from pipeline.ocr.orient import osd_runs
    from pipeline.stages import extract, read, read_text

    started, osd_before = time.monotonic(), osd_runs()
    try:
        reading = read_text(data, max_pages=5) if text_layer_only else _cached_read(data, read, cache_key)
        if reading is None:
            return None
        got = extract(reading)
        method, pages = reading.method, len(reading.pages)
    except PipelineError as e:
        got, method, pages = {}, f"error:{e.code}", 1
    s = score(truth, got, per_field)
    s.seconds = time.monotonic() - started
    s.pages = pages
    s.osd = osd_runs() - osd_before  # 0 for a reading taken from COI_BENCH_CACHE
    return s, method


def _cached_read(data: bytes, read: Any, key: str = "") -> Any:
    """``read(data)``, kept in ``COI_BENCH_CACHE`` (a folder) when it is set: re-measuring the reader on the
    same OCR output then pays tesseract once. The cache is keyed by ``key`` (the document's set and
    name: a re-printed file's bytes carry the time it was made) or else its bytes, and by the OCR
    stage's own sources, so a change to pipeline/ocr (or to what its second readings use: the
    template, its registration and the value cells) re-reads."""
    folder = os.environ.get("COI_BENCH_CACHE")
    if not folder:
        return read(data, max_pages=5)
    import hashlib
    import pickle

    digest = hashlib.sha256(key.encode() if key else data)
    second = ("cells", "layout", "identify", "template", "reader", "fieldkinds")
    for source in sorted((REPO / "pipeline" / "ocr").glob("*.py")) + [REPO / "pipeline" / "stages.py"] + \
            [REPO / "pipeline" / "acord25" / f"{n}.py" for n in second] + \
            sorted((REPO / "pipeline" / "acord25" / "templates").glob("*.json")):  # every edition's template
        digest.update(source.read_bytes())
    path = Path(folder) / f"{digest.hexdigest()[:24]}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    reading = read(data, max_pages=5)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(reading))
    return reading


def generated(n: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    from samples.certificates import draw_certificate, random_certificate
    from samples.scans import scanned_certificate

    rng = random.Random(seed)
    for i in range(n):
        truth = random_certificate(rng)
        yield "born-digital", f"generated-{i}", draw_certificate(truth), truth
    for i in range(n):
        sample = scanned_certificate(rng)
        d = sample.degradation
        yield "scanned", f"scan-{i} ({d.kind.split('/')[-1]} {d.dpi}dpi turn {d.turn} skew {d.skew})", sample.data, sample.truth


def photographed(n: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """``n`` generated certificates photographed (a seed of their own: the other corpora stay as they were)."""
    from samples.scans import random_photo, scanned_certificate

    rng = random.Random(seed + 1)
    for i in range(n):
        sample = scanned_certificate(rng, random_photo(rng))
        d = sample.degradation
        yield "photographed", f"photo-{i} ({d.dpi}dpi turn {d.turn})", sample.data, sample.truth


def rephotographed(k: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """Each real born-digital certificate, printed and photographed ``k`` times."""
    from samples.scans import random_photo, scan_pdf

    rng = random.Random(seed + 2)
    for _, name, data, truth in real():
        if not name.endswith(".pdf") or "scan" in name or "imageonly" in name:
            continue
        for i in range(k):
            d = random_photo(rng)
            yield "real-photographed", f"{name[:40]} #{i} ({d.dpi}dpi turn {d.turn})", scan_pdf(data, d, rng), truth


def real() -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    corpus = SHARED / "corpus" / "real"
    for path in sorted((corpus / "truth").glob("*.json")):
        for ext in (".pdf", ".png", ".jpg", ".tif"):
            doc = corpus / (path.stem + ext)
            if doc.exists():
                yield "real", doc.name, doc.read_bytes(), json.loads(path.read_text())
                break


def rescanned(k: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """Each real born-digital certificate, printed and scanned ``k`` times."""
    from samples.scans import random_degradation, scan_pdf

    rng = random.Random(seed)
    for _, name, data, truth in real():
        if not name.endswith(".pdf") or "scan" in name or "imageonly" in name:
            continue
        for i in range(k):
            d = random_degradation(rng)
            yield ("real-rescanned", f"{name[:40]} #{i} ({d.kind.split('/')[-1]} {d.dpi}dpi turn {d.turn} "
                   f"skew {d.skew})", scan_pdf(data, d, rng), truth)


def official(split: str, counts: tuple[int, int, int], start: int | None) -> Iterator[tuple[str, str, bytes, dict]]:
    """(kind, name, data, truth) of certificates on the official blanks from ``split``'s seeds."""
    from bench.corpus import KINDS, certificate, seeds

    for kind, count in zip(KINDS, counts):
        for seed in seeds(split, count, start):
            sample = certificate(seed, kind)
            r = sample.recipe
            yield kind, f"{sample.name} ({r.blank} {r.writer} {r.printed})", sample.data, sample.truth


def negatives() -> Iterator[tuple[str, bytes]]:
    for path in sorted((SHARED / "corpus" / "real").glob("neg_*")):
        yield path.name, path.read_bytes()


def outcome_of(data: bytes, text_layer_only: bool = False) -> str | None:
    """The outcome of reading a negative; None when ``text_layer_only`` and it would need OCR."""
    from pipeline.errors import PipelineError
    from pipeline.stages import extract, read, read_text

    try:
        reading = read_text(data, max_pages=5) if text_layer_only else read(data, max_pages=5)
        if reading is None:
            return None
        extract(reading)
    except PipelineError as e:
        return e.code
    return "read as a certificate"


def _line(label: str, name: str, s: Score) -> str:
    return (f"{label:22} {name[:70]:70} {s.right:3}/{s.total:3} {s.accuracy:6.1%}  "
            f"wrong@>=0.9 {s.wrong_high}/{s.high}  {s.seconds / max(s.pages, 1):5.1f} s/page  OSD {s.osd}")


def main(argv: list[str] | None = None) -> int:
    from bench import formfill
    from bench.report import Bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", default="20,6,4",
                        help="born-digital,scanned,photographed certificates on the official blanks per split")
    parser.add_argument("--tuning-seed", type=int, default=None, help="first tuning seed (0-999)")
    parser.add_argument("--validation-seed", type=int, default=None, help="first validation seed (1000+)")
    parser.add_argument("--generated", type=int, default=0, help="our own drawing: born-digital and scanned each")
    parser.add_argument("--seed", type=int, default=2024, help="seed of --generated, --photos, --rescan, --rephoto")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--rescan", type=int, default=0, help="scans of each real born-digital certificate")
    parser.add_argument("--photos", type=int, default=0, help="phone photos of our own drawing")
    parser.add_argument("--rephoto", type=int, default=0, help="phone photos of each real born-digital certificate")
    parser.add_argument("--show-wrong", action="store_true", help="every miss of tuning and real files")
    parser.add_argument("--text-layer-only", action="store_true",
                        help="skip every document that would need OCR (outline prints, scans, photos): no tesseract")
    args = parser.parse_args(argv)
    counts = tuple(int(n) for n in args.official.split(","))

    bench = Bench()
    per_field: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    documents: list[tuple[str, str, str, bytes, dict]] = []  # (set, kind, name, data, truth)
    if any(counts) and formfill.available():
        documents += [("tuning", *d) for d in official("tuning", counts, args.tuning_seed)]
        documents += [("validation", *d) for d in official("validation", counts, args.validation_seed)]
    elif any(counts):
        print(f"(no official blanks in {formfill.REAL}: tuning and validation sets skipped)")
    own = list(generated(args.generated, args.seed)) + list(photographed(args.photos, args.seed))
    documents += [("own drawing", source, name, data, truth) for source, name, data, truth in own]
    if not args.no_real:
        documents += [("real", "", name, data, truth) for _, name, data, truth in real()]
        documents += [("real", "rescanned", n, d, t) for _, n, d, t in rescanned(args.rescan, args.seed)]
        documents += [("real", "photo", n, d, t) for _, n, d, t in rephotographed(args.rephoto, args.seed)]
    skipped: dict[str, int] = defaultdict(int)
    by_blank: dict[tuple[str, str, str], Score] = defaultdict(Score)  # (set, blank, kind): totals per edition's blank
    for set_name, kind, name, data, truth in documents:
        result = run_one(data, truth, per_field[set_name], args.text_layer_only, f"{set_name}/{kind}/{name}")
        if result is None:
            skipped[set_name] += 1
            continue
        s, method = result
        if set_name == "real" and not kind:
            kind = "scan" if method == "ocr" else "born-digital" if method == "text_layer" else method
        kind = "scan" if kind in ("scanned", "rescanned") else "photo" if kind == "photographed" else kind
        bench.add(set_name, kind, s.values, s.seconds, s.pages, s.osd)
        if set_name in SPLITS_SHOWN:
            by_blank[(set_name, name.split("(")[1].split()[0], kind)].add(s)
        if set_name != "validation":  # the held-back set is never shown file by file
            print(_line(f"{set_name}/{kind}", name, s), flush=True)
            if args.show_wrong:
                for line in s.wrong:
                    print("      ", line)
    if not args.no_real:
        outcomes = [(name, outcome_of(data, args.text_layer_only)) for name, data in negatives()]
        bench.negatives = [(name, o) for name, o in outcomes if o is not None]
        skipped["negatives"] += sum(o is None for _, o in outcomes)
    if skipped:
        print("skipped (would need OCR): " + ", ".join(f"{k} {v}" for k, v in skipped.items()))
    print("\nper field (tuning, real and own drawing; the validation set only in totals):")
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for set_name, fields in per_field.items():
        for key, (r, t) in fields.items():
            if set_name != "validation":
                merged[key][0] += r
                merged[key][1] += t
    for key in sorted(merged):
        r, t = merged[key]
        print(f"  {key:58} {r:4}/{t:4} {r / t:6.1%}")
    for part in (bench.summary(), _by_blank(by_blank), bench.calibration(), bench.by_how(), bench.misses(),
                 bench.negatives_report(), _own(bench)):
        if part:
            print("\n" + part)
    from pipeline.ocr import zoned

    if zoned.enabled():  # readings taken from COI_BENCH_CACHE are not counted
        tried = zoned.counts()
        print(f"\npages tried by their value boxes only ({zoned.SWITCH} on): {tried['tried']}, read so: {tried['read']}, "
              f"read whole instead (the fallback): {tried['tried'] - tried['read']}")
    return 0


def _by_blank(tallies: dict[tuple[str, str, str], Score]) -> str:
    """Totals of each split per blank (each blank is one edition of the form): never a file."""
    rows = [f"  {set_name:10} {blank:14} {kind:13} | {s.right:5}/{s.total:5} {s.accuracy:6.1%} | "
            f"wrong at >= 0.9 {s.wrong_high}/{s.high}" for (set_name, blank, kind), s in sorted(tallies.items())]
    return "\n".join(["by blank (edition):", *rows]) if rows else ""


def _own(bench) -> str:
    tallies = {k: v for k, v in bench.tallies.items() if k[0] == "own drawing"}
    return "\n".join(["our own drawing of the form (samples.certificates):", *(f"  {kind:13} | {t.row()}"
                                                                          for (_, kind), t in tallies.items())]
                     ) if tallies else ""


if __name__ == "__main__":
    sys.exit(main())
