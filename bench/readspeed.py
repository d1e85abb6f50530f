"""Born-digital read + extract against pypdfium2's own character extraction of the same pages.

    .venv/bin/python -m bench.readspeed [--official 12] [--no-real] [--repeat 3] [--cpu]

The yardstick opens the PDF with pypdfium2 and, for each page the reader reads, takes the page's text
(``PdfTextPage.get_text_range``) and every character's box (``PdfTextPage.get_charbox``): the least a
reader of positioned text must do. The pipeline's side is ``pipeline.stages.read_text`` then
``pipeline.stages.extract``, in this process, on the same bytes (official-form certificates from
``bench.corpus``'s tuning seeds and the real born-digital files of ``../shared``). Each document is
timed ``--repeat`` times alternately on both sides and the best kept, so a busy machine costs both the
same; the ratio is of the sums. Issue 16's target: <= 2x. ``--cpu`` times both sides by this process's
CPU time (``time.process_time``) instead of the wall clock: steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

SHARED = Path(os.environ.get("COI_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def pdfium_chars(data: bytes, max_pages: int = 5) -> int:
    """pypdfium2's own extraction: each page's text and every character's box; the characters seen."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    seen = 0
    try:
        for index in range(min(len(doc), max_pages)):
            page = doc[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            seen += len([textpage.get_charbox(i) for i in range(textpage.count_chars())])
            textpage.close()
            page.close()
    finally:
        doc.close()
    return seen


def read_and_extract(data: bytes, max_pages: int = 5) -> str:
    """The pipeline's born-digital path; how the document was read (``text_layer``, or why not)."""
    from pipeline.errors import PipelineError
    from pipeline.stages import extract, read_text

    try:
        reading = read_text(data, max_pages=max_pages)
        if reading is None:
            return "needs OCR"
        extract(reading)
        return reading.method
    except PipelineError as e:
        return f"error:{e.code}"


def documents(official: int, real: bool) -> Iterator[tuple[str, bytes]]:
    from bench import formfill
    from bench.corpus import certificate

    if official and formfill.available():
        for seed in range(official):
            yield f"official {seed}", certificate(seed, "born-digital").data
    if real:
        for path in sorted((SHARED / "corpus" / "real").glob("*borndigital*.pdf")):
            yield path.name, path.read_bytes()


def best_of(fn: Callable[[bytes], object], data: bytes, clock: Callable[[], float] = time.perf_counter) -> float:
    started = clock()
    fn(data)
    return clock() - started


def measure(docs: list[tuple[str, bytes]], repeat: int = 3,
            clock: Callable[[], float] = time.perf_counter) -> list[tuple[str, float, float]]:
    """(name, yardstick seconds, pipeline seconds) of each document read as born-digital text."""
    out = []
    for name, data in docs:
        if read_and_extract(data) != "text_layer":  # needs OCR or is refused: not this measure's business
            continue
        pdfium_chars(data)  # warm both sides: imports, templates
        yard, ours = [], []
        for _ in range(repeat):
            yard.append(best_of(pdfium_chars, data, clock))
            ours.append(best_of(read_and_extract, data, clock))
        out.append((name, min(yard), min(ours)))
    return out


def ratio(rows: list[tuple[str, float, float]]) -> float:
    return sum(r[2] for r in rows) / max(sum(r[1] for r in rows), 1e-9)


def main(argv: list[str] | None = None) -> int:
    from bench import rig

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", type=int, default=12, help="official-form certificates (tuning seeds 0..N-1)")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="time by this process's CPU time, not the wall clock")
    args = parser.parse_args(argv)
    rows = measure(list(documents(args.official, not args.no_real)), args.repeat,
                   time.process_time if args.cpu else time.perf_counter)
    print(rig.table(["document", "pypdfium2 chars ms", "read + extract ms", "x"],
                    [[n[:60], y * 1000, o * 1000, o / y] for n, y, o in rows]))
    print(f"\nborn-digital read + extract: {ratio(rows):.2f}x pypdfium2's character extraction "
          f"({len(rows)} documents; target <= 2x; {'CPU' if args.cpu else 'wall'} time); "
          f"{sum(r[2] for r in rows) / max(len(rows), 1) * 1000:.1f} ms per document")
    print(f"machine: {os.cpu_count()} cores; {rig.load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
