"""PDFium is not thread-safe; the reader serialises it, so a worker's threads can read at once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from pipeline.layertrust import check_layers
from pipeline.textlayer import read_form_fields, read_text_layer
from samples.certificates import draw_certificate, random_certificate


def test_many_threads_reading_pdfs_at_once_get_the_same_words_as_one():
    pdfs = [draw_certificate(random_certificate(random.Random(seed))) for seed in range(3)]
    alone = [[w.text for p in read_text_layer(pdf) for w in p.words] for pdf in pdfs]

    def read(n: int) -> list[str]:
        pdf = pdfs[n % 3]
        check_layers(pdf)
        read_form_fields(pdf)
        return [w.text for p in read_text_layer(pdf) for w in p.words]

    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(read, range(24)))
    assert together == [alone[n % 3] for n in range(24)]
