"""The image work of the OCR stage, step by step: CPU per scanned page, and a fingerprint of what it hands on.

    .venv/bin/python -m bench.imagework --files DIR [--official 8,6] [--validation 8,6] [--tesseract]
                                        [--out FILE] [--profile FILE]

Every document that needs OCR (``bench.corpus`` scans and photos on the official blanks, tuning seeds from 0
and validation seeds from 1000, and the scans and images of ``../shared/corpus/real``) goes through
``pipeline.stages.read_ocr`` in this process. The steps before OCR are timed in CPU (``time.process_time``:
this process, all its threads), each by the outermost of its functions that is wrapped, so no CPU is
counted twice: the photo's sheet and lighting, orientation (the ruled lines, and OSD's image), skew,
despeckle, binarise, check boxes, rules, painting them out, and what is left of ``read_ocr`` ("other":
upsampling, placing words, the label snapping, the second readings' cut-outs, the signature).

Without ``--tesseract`` the engine is a recorder that reads no word and no turn: the fingerprint of a page
is then the SHA-256 of every image handed to the engine and of the reading made of no words (its marks:
check boxes and rules; its turn and skew). Two trees whose image work is the same give the same
fingerprints. With ``--tesseract`` the engine is tesseract and the fingerprint is the reading itself
(``Reading.to_dict``: every word, box, mark and stored fit): the same reading, word for word.

The official-form documents are not drawn byte for byte alike twice: the first run writes them into
``--files`` and every later run reads them from there. Validation documents are only ever counted (how many
fingerprints differ), never named.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import json
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from bench import rig
from bench.readspeed import SHARED

STEPS = ["rasterize", "sheet", "lighting", "orient", "skew", "despeckle", "binarise", "check boxes", "rules",
         "paint out", "OCR", "other"]


class Recorder:
    """An engine that reads nothing and keeps a digest of every image it is handed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def words(self, image: np.ndarray, *, dpi: int, psm: int = 3, chars: str | None = None) -> list:
        self.seen.append(f"words {psm} {dpi} {chars} {_image_digest(image)}")
        return []

    def orientation(self, image: np.ndarray, *, dpi: int):
        from pipeline.ocr.engine import Orientation

        self.seen.append(f"osd {dpi} {_image_digest(image)}")
        return Orientation(0, 0.0)


def _image_digest(image: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(image).tobytes() + str(image.shape).encode()).hexdigest()[:16]


class Steps:
    """CPU seconds per step, each call counted once, by the outermost wrapped function it ran in on its thread:
    the OCR stage runs some steps on a thread beside the page's own (``pipeline.ocr.pages.SIDE_THREADS``), so each
    call is timed by its own thread's CPU clock, and the nesting is followed per thread."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._local = threading.local()
        self._lock = threading.Lock()

    def wrap(self, step: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            depth = getattr(self._local, "depth", 0)
            if depth:
                return fn(*args, **kwargs)
            self._local.depth = 1
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                with self._lock:
                    self.spent[step] += spent
                self._local.depth = 0

        return timed


def _wrapped() -> list[tuple[object, str, str]]:
    """(module, function, step) of each function the steps are timed by, where its callers look it up."""
    from pipeline.ocr import checkboxes, deskew, orient, photo, raster, rules

    return [
        (raster, "rasterize", "rasterize"), (photo, "find_page", "sheet"), (photo, "square_up", "sheet"),
        (photo, "even_lighting", "lighting"), (orient, "find_upright", "orient"),
        (orient, "rotate_clockwise", "orient"), (deskew, "estimate_skew", "skew"), (deskew, "deskew", "skew"),
        (deskew, "despeckle", "despeckle"), (deskew, "binarise", "binarise"), (deskew, "binarised", "binarise"),
        (deskew, "binarise_fine", "binarise"), (checkboxes, "find_boxes", "check boxes"),
        (checkboxes, "check_boxes", "check boxes"), (rules, "standing_and_straight", "paint out"),
        (rules, "printed_rule_masks", "rules"), (rules, "long_rules", "rules"),
        (rules, "long_printed_rules", "rules"), (rules, "straight_runs", "paint out"),
        (rules, "standing_rules", "paint out"), (rules, "remove_rules", "paint out"),
    ]


@contextlib.contextmanager
def timed_steps(steps: Steps, engine) -> Iterator[None]:
    patches = [(m, n, step) for m, n, step in _wrapped() if hasattr(m, n)]  # an older tree may lack some
    with rig.wrapped(patches + [(engine, "words", "OCR"), (engine, "orientation", "orient")], steps.wrap):
        yield


def documents(tuning: tuple[int, int], validation: tuple[int, int]) -> Iterator[tuple[str, str, bytes]]:
    """(set, name, data) of every document this bench reads."""
    from bench import formfill
    from bench.corpus import certificate, seeds

    if formfill.available():
        for split, (scans, photos) in (("tuning", tuning), ("validation", validation)):
            for kind, count in (("scan", scans), ("photo", photos)):
                for seed in seeds(split, count):
                    yield split, f"{kind}-{seed}", certificate(seed, kind).data
    for path in sorted((SHARED / "corpus" / "real").iterdir()):
        if path.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
            yield "real", path.name, path.read_bytes()


def kept(files: Path, make: Callable[[], Iterator[tuple[str, str, bytes]]]) -> Iterator[tuple[str, str, bytes]]:
    """The documents of ``files``; when it has none, ``make``'s written there first."""
    if not files.is_dir() or not any(files.iterdir()):
        files.mkdir(parents=True, exist_ok=True)
        for n, (split, name, data) in enumerate(make()):
            (files / f"{n:04d} {split} {name}").write_bytes(data)
    for path in sorted(files.iterdir()):
        _, split, name = path.name.split(" ", 2)
        yield split, name, path.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=Path, required=True)
    parser.add_argument("--official", default="8,6", help="tuning scans,photos on the official blanks")
    parser.add_argument("--validation", default="8,6", help="validation scans,photos on the official blanks")
    parser.add_argument("--tesseract", action="store_true", help="read with tesseract; fingerprint the reading")
    parser.add_argument("--out", type=Path, help="the fingerprints, one line a document")
    parser.add_argument("--profile", type=Path, help="a cProfile of every read_ocr, written here")
    args = parser.parse_args(argv)
    from pipeline import stages
    from pipeline.ocr.engine import TesseractEngine

    pair = lambda s: tuple(int(n) for n in s.split(","))  # noqa: E731
    docs = kept(args.files, lambda: documents(pair(args.official), pair(args.validation)))
    profile = cProfile.Profile() if args.profile else None
    lines, totals, pages = [], defaultdict(float), 0
    for split, name, data in docs:
        if stages.read_text(data, max_pages=5) is not None:
            continue  # born-digital: not this bench's business
        engine = TesseractEngine() if args.tesseract else Recorder()
        steps = Steps()
        started = time.process_time()
        with timed_steps(steps, engine):
            if profile:
                profile.enable()
            reading = stages.read_ocr(data, max_pages=5, ocr_engine=engine)
            if profile:
                profile.disable()
        spent = time.process_time() - started
        steps.spent["other"] = spent - sum(v for k, v in steps.spent.items())
        n = max(1, sum(1 for p in reading.pages if p.registration is not None))
        pages += n
        for k, v in steps.spent.items():
            totals[k] += v
        parts = {"reading": reading.to_dict(), "images": getattr(engine, "seen", None)}
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
        lines.append(f"{split} {name if split != 'validation' else '-'} {digest}")
        shown = name if split != "validation" else f"validation document {len(lines)}"
        print(f"{split:10} {shown[:48]:48} {n} p  {spent / n:5.2f} s/page  " + " ".join(
            f"{k} {steps.spent.get(k, 0):.2f}" for k in STEPS if steps.spent.get(k)), flush=True)
    print(f"\nCPU per page, mean of {pages} pages (s):")
    for k in STEPS:
        print(f"  {k:12} {totals[k] / max(pages, 1):6.3f}")
    before_ocr = sum(totals[k] for k in STEPS if k not in ("rasterize", "OCR", "other"))
    print(f"  {'image work':12} {before_ocr / max(pages, 1):6.3f}  (sheet .. paint out)")
    print(f"  {'all':12} {sum(totals.values()) / max(pages, 1):6.3f}")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
        print(f"fingerprints: {args.out} ({len(lines)} documents; validation lines carry no name)")
    if profile:
        profile.dump_stats(str(args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
