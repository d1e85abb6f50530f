"""A mask kept as bits (pipeline/ocr/bitmask.py) gives back, in any part of it, the bytes it was made of."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.ocr.bitmask import INK, PackedMask


def _mask(seed: int, shape=(301, 2549)) -> np.ndarray:
    """0 and 255 at random, a width that is no multiple of 8 (the last byte of each row is part padding)."""
    return (np.random.default_rng(seed).random(shape) < 0.3).astype(np.uint8) * INK


@pytest.mark.parametrize("seed", range(3))
def test_given_a_mask_kept_as_bits_then_every_part_of_it_reads_as_the_bytes_it_was(seed):
    mask = _mask(seed)
    kept = PackedMask.of(mask)
    assert kept.shape == mask.shape and kept.nbytes * 8 < mask.nbytes + 8 * mask.shape[0]
    assert np.array_equal(kept.unpacked(), mask)
    parts = ((slice(0, 10), slice(3, 2549)), (slice(5, 300), slice(7, 13)), (slice(100, 101), slice(2540, 2549)),
             (slice(290, 400), slice(2500, 2600)), (slice(10, 5), slice(0, 4)))
    for rows, cols in parts:
        part = kept[rows, cols]
        assert part.dtype == np.uint8 and np.array_equal(part, mask[rows, cols])


def test_given_a_second_mask_included_then_the_bits_are_the_two_joined():
    first, second = _mask(0), _mask(1)
    kept = PackedMask.of(first)
    kept.include(second)
    assert np.array_equal(kept.unpacked(), np.bitwise_or(first, second))


def test_given_a_mask_of_another_size_when_included_then_it_is_refused():
    with pytest.raises(ValueError):
        PackedMask.of(_mask(0)).include(_mask(1, shape=(300, 2549)))
