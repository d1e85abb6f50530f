"""Born-digital outputs in a file, to show that a change meant to save time left them as they were.

    .venv/bin/python -m bench.sameoutput --out FILE [--files DIR] [--official 30] [--samples 10] [--seed 8]
                                         [--history 200]

Run it before and after the change (before: from a copy of the old tree, with ``PYTHONPATH`` at it) and
``diff`` the two files; give both runs the same ``--files`` folder (the official-form certificates
are not drawn byte for byte alike twice: the first run writes them there). For each document, one line: its name, the SHA-256 of its bytes (a document
drawn differently shows there), then the SHA-256 of each output as canonical JSON (sorted keys), and of
all of them together:

- ``reading``: the stored reading (``Reading.to_dict``: every word, box, mark and form field);
- ``certificate``: the certificate with its evidence and trust signals, as the extract step makes it
  (``identified``, ``extract``, ``with_signals``), the account's history being the certificates of the
  documents before it in this list, newest first (at most ``--history``);
- ``evaluation``: its evaluation against ``bench.rig.REQUIREMENTS`` on a fixed day.

Documents: ``--official`` official-form certificates (``bench.corpus`` born-digital, seeds from 0),
``--samples`` of our own drawing (``bench.rig.born_digital``, what ``bench.chain_sql`` and
``bench.throughput`` send), and every PDF of ``../shared/corpus/real`` (``COI_SHARED_DIR``). A document
that needs OCR or is refused gets its reason instead (it is not this bench's business, but a change of
reason shows).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bench import rig
from bench.readspeed import SHARED

AS_OF = date(2026, 6, 1)  # a fixed day, so that the evaluations do not change with the calendar


def documents(official: int, samples: int, seed: int) -> Iterator[tuple[str, bytes]]:
    from bench import formfill
    from bench.corpus import certificate

    if official and formfill.available():
        for n in range(official):
            yield f"official-{n}", certificate(n, "born-digital").data
    for sample in rig.born_digital(samples, seed=seed):
        yield sample.name, sample.data
    for path in sorted((SHARED / "corpus" / "real").glob("*.pdf")):
        yield path.name, path.read_bytes()


def kept(files: Path, make: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """The documents of ``files``; when it has none, ``make``'s, written there first. The official-form
    certificates are not drawn byte for byte alike twice, so both sides of a comparison read one copy."""
    if not files.is_dir() or not any(files.iterdir()):
        files.mkdir(parents=True, exist_ok=True)
        for n, (name, data) in enumerate(make):
            (files / f"{n:04d} {name}").write_bytes(data)
    for path in sorted(files.iterdir()):
        yield path.name.split(" ", 1)[1], path.read_bytes()


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def outputs(docs: Iterator[tuple[str, bytes]], history: int) -> Iterator[str]:
    """One line per document (see the module's docstring)."""
    from pipeline.errors import PipelineError
    from pipeline.scoring import evaluate
    from pipeline.signals import with_signals
    from pipeline import stages

    identified = getattr(stages, "identified", None)  # None in a tree from before the form was found once
    earlier: list[dict] = []
    for name, data in docs:
        try:
            reading = stages.read_text(data)
            if reading is None:
                yield f"{name} needs OCR"
                continue
            if identified is None:
                certificate = with_signals(data, reading, stages.extract(reading), history=earlier[:history])
            else:  # as the extract step does it
                form = identified(reading)
                certificate = with_signals(data, reading, stages.extract(reading, form), history=earlier[:history],
                                           form=form)
        except PipelineError as exc:
            yield f"{name} refused: {type(exc).__name__}"
            continue
        earlier.insert(0, certificate)
        parts = {"reading": reading.to_dict(), "certificate": certificate,
                 "evaluation": evaluate(certificate, rig.REQUIREMENTS, AS_OF).to_dict()}
        yield " ".join([name, f"file={hashlib.sha256(data).hexdigest()[:16]}", *(f"{key}={digest(value)}" for key, value in parts.items()), f"all={digest(parts)}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--official", type=int, default=30)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--files", type=Path, help="a folder: the documents are written there on the first run "
                        "and read from there on the next (give both sides the same one)")
    args = parser.parse_args(argv)
    docs = documents(args.official, args.samples, args.seed)
    lines = list(outputs(kept(args.files, docs) if args.files else docs, args.history))
    args.out.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} documents, {sum('reading=' in line for line in lines)} read from their text layer; "
          f"all together {hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]} ({args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
