"""Field-by-field accuracy of ``read`` + ``extract`` against truth.

    .venv/bin/python -m bench.accuracy [--generated N] [--seed S] [--no-real] [--rescan K] [--photos N] [--rephoto K]

Corpus: N born-digital and N scanned certificates generated from a seed
(``pipeline.samples`` / ``pipeline.samples_scan``), and the real certificates
in ``../shared/corpus/real`` that have a truth file (matched by file name). ``--rescan K`` adds K
scans of each real born-digital certificate (random degradations from the seed, as the generated
scans get): real layouts and fonts through the OCR path, with their hand-checked truth.
``--photos N`` adds N phone photos of generated certificates and ``--rephoto K`` K photos of each
real born-digital certificate (:func:`pipeline.samples_scan.random_photo`: the sheet on a table,
seen at an angle, lit unevenly).
Every leaf of the truth counts as one field (a ``covered_autos`` list and an
empty ``insurers`` list count as one).  Text is compared ignoring case,
punctuation and white space.  Policies are paired by line, in form order;
insurers by letter.  A value is "wrong at high confidence" when it is
non-null, its evidence confidence is >= 0.9 and it differs from the truth.
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
    wrong: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.right += other.right
        self.total += other.total
        self.high += other.high
        self.wrong_high += other.wrong_high
        self.pages += other.pages
        self.seconds += other.seconds

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
        confidence = (evidence.get(ev) or {}).get("confidence", 0.0) if ev else 0.0
        if g not in (None, [], False) and confidence >= HIGH:
            s.high += 1
            if not ok:
                s.wrong_high += 1
                s.wrong[-1] += f"  (confidence {confidence})"
    return s


def run_one(data: bytes, truth: dict[str, Any], per_field: dict[str, list[int]]) -> tuple[Score, str]:
    from pipeline.errors import PipelineError
    from pipeline.stages import extract, read

    started = time.monotonic()
    try:
        reading = read(data, max_pages=5)
        got = extract(reading)
        method, pages = reading.method, len(reading.pages)
    except PipelineError as e:
        got, method, pages = {}, f"error:{e.code}", 1
    s = score(truth, got, per_field)
    s.seconds = time.monotonic() - started
    s.pages = pages
    return s, method


def generated(n: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    from pipeline.samples import draw_certificate, random_certificate
    from pipeline.samples_scan import scanned_certificate

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
    from pipeline.samples_scan import random_photo, scanned_certificate

    rng = random.Random(seed + 1)
    for i in range(n):
        sample = scanned_certificate(rng, random_photo(rng))
        d = sample.degradation
        yield "photographed", f"photo-{i} ({d.dpi}dpi turn {d.turn})", sample.data, sample.truth


def rephotographed(k: int, seed: int) -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """Each real born-digital certificate, printed and photographed ``k`` times."""
    from pipeline.samples_scan import random_photo, scan_pdf

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
    from pipeline.samples_scan import random_degradation, scan_pdf

    rng = random.Random(seed)
    for _, name, data, truth in real():
        if not name.endswith(".pdf") or "scan" in name or "imageonly" in name:
            continue
        for i in range(k):
            d = random_degradation(rng)
            yield ("real-rescanned", f"{name[:40]} #{i} ({d.kind.split('/')[-1]} {d.dpi}dpi turn {d.turn} "
                   f"skew {d.skew})", scan_pdf(data, d, rng), truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=5, help="born-digital and scanned certificates each")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--rescan", type=int, default=0, help="scans of each real born-digital certificate")
    parser.add_argument("--photos", type=int, default=0, help="phone photos of generated certificates")
    parser.add_argument("--rephoto", type=int, default=0, help="phone photos of each real born-digital certificate")
    parser.add_argument("--show-wrong", action="store_true")
    args = parser.parse_args(argv)

    groups: dict[str, Score] = defaultdict(Score)
    per_field: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    documents = list(generated(args.generated, args.seed))
    if not args.no_real:
        documents += list(real())
    if args.rescan:
        documents += list(rescanned(args.rescan, args.seed))
    documents += list(photographed(args.photos, args.seed))
    if args.rephoto:
        documents += list(rephotographed(args.rephoto, args.seed))
    for source, name, data, truth in documents:
        s, method = run_one(data, truth, per_field[source])
        group = f"{source}/{'scanned' if method == 'ocr' else 'born-digital' if method == 'text_layer' else method}"
        if source != "real":
            group = source
        groups[group].add(s)
        print(f"{group:22} {name[:70]:70} {s.right:3}/{s.total:3} {s.accuracy:6.1%}  "
              f"wrong@>=0.9 {s.wrong_high}/{s.high}  {s.seconds / max(s.pages, 1):5.1f} s/page", flush=True)
        if args.show_wrong:
            for line in s.wrong:
                print("      ", line)
    print("\nper field (all sources):")
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fields in per_field.values():
        for key, (r, t) in fields.items():
            merged[key][0] += r
            merged[key][1] += t
    for key in sorted(merged):
        r, t = merged[key]
        print(f"  {key:58} {r:4}/{t:4} {r / t:6.1%}")
    print("\nsummary:")
    total = Score()
    for group in sorted(groups):
        s = groups[group]
        total.add(s)
        rate = s.wrong_high / s.high if s.high else 0.0
        print(f"  {group:24} fields {s.right}/{s.total} = {s.accuracy:6.1%}   wrong at confidence >= 0.9: "
              f"{s.wrong_high}/{s.high} = {rate:.2%}   {s.seconds / max(s.pages, 1):.1f} s/page")
    rate = total.wrong_high / total.high if total.high else 0.0
    print(f"  {'overall':24} fields {total.right}/{total.total} = {total.accuracy:6.1%}   wrong at confidence >= 0.9: "
          f"{total.wrong_high}/{total.high} = {rate:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
