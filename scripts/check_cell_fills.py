"""Measure the ink in every check-box cell of tuning scans and photos, against the truth (how ``CELL_FILLED`` in
:mod:`pipeline.ocr.checkboxes` was chosen; docs/accuracy.md).

    COI_BENCH_CACHE=DIR COI_SHARED_DIR=/work/shared .venv/bin/python scripts/check_cell_fills.py [SPLIT] [SCANS,PHOTOS] [START]

The OCR readings come from the bench cache (``bench.accuracy``'s, under the same key) when there, else are read; the page
image is made again as the OCR stage made it (squared up, turned, levelled by the reading's stored registration)."""

from __future__ import annotations

import sys
from typing import Any

import cv2

from bench.accuracy import _cached_read, official
from pipeline.acord25.cells import page_registration
from pipeline.acord25.fieldkinds import is_check_glyph
from pipeline.acord25.reader import FieldWords, prepared
from pipeline.ocr import checkboxes, deskew, orient, photo, raster
from pipeline.ocr.pages import MIN_OCR_DPI, OCR_DPI
from pipeline.stages import _kind, read


def truth_checked(truth: dict[str, Any], key: str) -> bool:
    """Whether the truth checks the box of field ``key`` ('row/check:group=choice' or 'row/check:group+choice')."""
    row, check = key.split("/", 1)
    group, _, choice = check[6:].replace("+", "=").partition("=")
    for p in truth.get("policies", []):
        line = p.get("line")
        if group == "line":
            if line == choice:
                return True
            continue
        if line != row and not (row == "umbrella_liability" and line == "excess_liability"):
            continue
        value = p.get(group)
        if group == "statutory":
            return bool(value)
        if isinstance(value, list):
            return choice in value
        return value == choice
    return False


def ink_of(data: bytes, page_number: int, registration: Any):
    r = [p for p in raster.rasterize(data, _kind(data), max_pages=5, dpi=OCR_DPI) if p.number == page_number][0]
    image, width_pt = r.image, r.width_pt
    if registration.corners is not None:
        per_px = r.width_pt / r.image.shape[1]
        corners = [[x / per_px, y / per_px] for x, y in registration.corners]
        import numpy as np
        image = photo.square_up(image, np.array(corners, dtype=np.float32))
        short, long = sorted((raster.LETTER_W, raster.LETTER_H))
        width_pt = short if image.shape[0] >= image.shape[1] else long
    dpi = image.shape[1] * 72.0 / width_pt
    image = photo.even_lighting(image, dpi)
    if dpi < MIN_OCR_DPI:
        factor = OCR_DPI / dpi
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        dpi = image.shape[1] * 72.0 / width_pt
    if registration.turn:
        image = orient.rotate_clockwise(image, registration.turn)
    image = deskew.deskew(image, registration.skew)
    image = deskew.despeckle(image, dpi)
    return deskew.binarise(image), dpi


def main() -> None:
    split = sys.argv[1] if len(sys.argv) > 1 else "tuning"
    scans, photos = (int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "12,8").split(","))
    start = int(sys.argv[3]) if len(sys.argv) > 3 else None
    for kind, name, data, truth in official(split, (0, scans, photos), start):
        reading = _cached_read(data, read, f"{split}/{kind}/{name}")
        for page in reading.pages:
            registration = page_registration(page)
            if registration is None or page.registration is None:
                continue
            ink, dpi = ink_of(data, page.number, page.registration)
            scale = page.width / ink.shape[1]
            fw = FieldWords(prepared(page), registration)
            for f in fw.fields:
                if f.kind != "check":
                    continue
                b = fw.boxes[f]
                marks = [m for m in fw.marks.get(f, []) if (m.x0, m.y0, m.x1, m.y1) != (b.x0, b.y0, b.x1, b.y1)]
                seen = "cross" if any(m.kind == "cross" for m in marks) or \
                    any(is_check_glyph(w.text) for w in fw.words.get(f, [])) else \
                    "box" if any(m.kind == "box" for m in marks) else "none"  # what the box search and OCR saw
                fill = checkboxes.cell_mark(ink, tuple(int(round(v / scale)) for v in (b.x0, b.y0, b.x1, b.y1)), dpi)
                print(f"{kind}\t{name.split(' ')[0]}\t{f.key}\t{int(truth_checked(truth, f.key))}\t{seen}\t{fill:.2f}",
                      flush=True)


if __name__ == "__main__":
    main()
