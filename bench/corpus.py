"""Certificates on the official ACORD 25 forms, born-digital, scanned and photographed, with truth.

    .venv/bin/python -m bench.corpus --seed S --count N --out DIR [--kinds born-digital,scan,photo]

writes N certificates of each kind into DIR, each beside its truth (``<name>.json``, the contract's
shape, validated against ``schemas/certificate.schema.json``) and its recipe (``<name>.recipe.json``:
which blank, which writer, which print path, which degradation).

Seeds. One seed makes one certificate, the same on every run. The seeds are split once, here:
``TUNING`` (0-999) are the ones developers may look at file by file; ``VALIDATION`` (1000 and up)
are only ever measured in totals (``bench.accuracy`` prints no file of them), and the tests'
accuracy floors run on them.

Each certificate: a blank (the 2016/03 AcroForm, the 2016/03 XFA edition, the 2025/12 specimen, the
2001/08 AcroForm),
an agency style and data (:mod:`bench.agency`), a writer (:mod:`bench.formfill`: overlay, fields
left live or flattened by qpdf, FreeText annotations left or flattened), then a print path (as is,
re-printed by ``pdftocairo -pdf``, or printed with glyphs as outlines). Scans and photos are that
PDF put through :mod:`samples.scans`'s degradations at 150-300 dpi.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Iterator

TUNING = range(0, 1000)
VALIDATION = range(1000, 1_000_000)
SPLITS = {"tuning": TUNING, "validation": VALIDATION}
KINDS = ("born-digital", "scan", "photo")

BLANK_WEIGHTS = {"2016-acroform": 5, "2016-xfa": 2, "2025-specimen": 3, "2001-acroform": 2}
WRITER_WEIGHTS = {"overlay": 4, "fields": 2, "fields-flat": 2, "freetext": 1, "freetext-flat": 1}
PRINT_WEIGHTS = {"as-is": 6, "reprint": 3, "outlines": 2}
SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}


@dataclass(frozen=True)
class Recipe:
    seed: int
    kind: str
    blank: str
    writer: str
    printed: str
    degradation: dict[str, Any] | None = None


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    mime: str
    truth: dict[str, Any]
    recipe: Recipe


def split_of(seed: int) -> str:
    return next(name for name, seeds in SPLITS.items() if seed in seeds)


def seeds(split: str, count: int, start: int | None = None) -> range:
    """``count`` seeds of ``split`` from ``start`` (its first seed by default); never past its end."""
    first = SPLITS[split].start if start is None else start
    chosen = range(first, first + count)
    if count and (chosen.start not in SPLITS[split] or chosen.stop - 1 not in SPLITS[split]):
        raise ValueError(f"seeds {chosen.start}-{chosen.stop - 1} are not all in the {split} split")
    return chosen


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def born_digital(seed: int, kind: str = "born-digital") -> tuple[bytes, dict[str, Any], Recipe]:
    """The PDF an agency system would send for ``seed``, its truth and how it was made."""
    from bench import formfill
    from bench.agency import agency_certificate, random_style
    from schemas import validate

    rng = random.Random(f"{kind}:{seed}")
    blank = _pick(rng, BLANK_WEIGHTS)
    writers = WRITER_WEIGHTS if formfill.BLANKS[blank].fields else {"overlay": 3, "freetext-flat": 1}
    writer, printed = _pick(rng, writers), _pick(rng, PRINT_WEIGHTS)
    style = random_style(rng)
    if kind != "born-digital":  # a scan is of the first page: no continuation page
        style = replace(style, continuation=0.0)
    if writer.startswith("fields") or formfill.BLANKS[blank].own_names:  # a field holds one line: the values
        style = replace(style, row_top=False)  # that need more are drawn (2001/08: a row's fields are the row)
    edition = formfill.BLANKS[blank].edition
    truth, inks = agency_certificate(rng, formfill.geometry(blank), style, edition)
    problems = validate("certificate", truth)
    if problems:
        raise ValueError(f"seed {seed}: the truth breaks the contract: {problems}")
    if writer == "overlay":
        pdf = formfill.fill_overlay(blank, inks, edition)
    elif writer.startswith("fields"):
        pdf = formfill.fill_fields(blank, inks, edition, flatten=writer.endswith("flat"))
    else:
        pdf = formfill.fill_freetext(blank, inks, edition, flatten=writer.endswith("flat"))
    if printed == "reprint":
        pdf = formfill.reprint(pdf)
    elif printed == "outlines":
        pdf = formfill.outlined(pdf)
    return pdf, truth, Recipe(seed, kind, blank, writer, printed)


def sample_name(seed: int, kind: str, dpi: int | None = None) -> str:
    """The name :func:`certificate` gives its sample (and a bench's cache its reading): ``kind-seed``, and
    ``-dpiD`` when the resolution is forced."""
    return f"{kind}-{seed}" if dpi is None else f"{kind}-{seed}-dpi{dpi}"


def certificate(seed: int, kind: str, dpi: int | None = None) -> Sample:
    """The certificate of ``kind`` for ``seed``; ``dpi`` forces a scan's or photo's resolution, every other draw
    (the certificate, the blank, the turn, skew, blur, noise, speckle, JPEG quality) kept as the seed makes it."""
    from samples.scans import random_degradation, random_photo, scan_pdf

    pdf, truth, recipe = born_digital(seed, kind)
    name = sample_name(seed, kind)
    if kind == "born-digital":
        return Sample(name, pdf, "application/pdf", truth, recipe)
    rng = random.Random(f"{kind}:degrade:{seed}")
    degradation = random_photo(rng) if kind == "photo" else random_degradation(rng)
    if dpi is not None:  # after the draw, so that the rest of the seed's draws stay the same
        degradation = replace(degradation, dpi=dpi)
        name = sample_name(seed, kind, dpi)
    data = scan_pdf(pdf, degradation, rng)
    return Sample(name, data, degradation.kind, truth, replace(recipe, degradation=asdict(degradation)))


def corpus(seed: int, count: int, kinds: tuple[str, ...] = KINDS) -> Iterator[Sample]:
    for kind in kinds:
        for s in range(seed, seed + count):
            yield certificate(s, kind)


def write(sample: Sample, out: Path) -> Path:
    path = out / f"{sample.name}{SUFFIX.get(sample.mime, '.bin')}"
    path.write_bytes(sample.data)
    (out / f"{sample.name}.json").write_text(json.dumps(sample.truth, indent=2) + "\n")
    (out / f"{sample.name}.recipe.json").write_text(json.dumps(asdict(sample.recipe), indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    from bench import formfill

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="first seed (tuning 0-999, validation 1000+)")
    parser.add_argument("--count", type=int, default=5, help="certificates of each kind")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args(argv)
    if not formfill.available():
        print(f"the official blanks are not in {formfill.REAL}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    for sample in corpus(args.seed, args.count, kinds):
        path = write(sample, args.out)
        r = sample.recipe
        print(f"{path.name:28} {split_of(r.seed):10} {r.blank:14} {r.writer:14} {r.printed}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
