"""A page-sized mask kept as bits: one bit a pixel, an eighth of its bytes.

The OCR stages' masks are 0 or 255 (ink, the straight runs of ink); a 300 dpi page's takes 8.4 MB as bytes
and 1.05 MB as bits. A mask only looked at in places once the page's rules are painted out (a check-box cell,
the signature's box: ``pipeline.ocr.pages``) is kept so while tesseract reads, and what is looked at is drawn
back as bytes, row band by row band: the same 0 and 255 that were packed."""

from __future__ import annotations

import numpy as np

INK = 255  # a set pixel of the OCR stages' masks (0: not set)


class PackedMask:
    """A 2-D mask of 0 and ``INK`` held as bits (:func:`numpy.packbits` along its rows); ``mask[rows, cols]``
    (slices) gives the bytes of that part as the mask had them, ``shape`` the mask's."""

    def __init__(self, bits: np.ndarray, shape: tuple[int, int]):
        self.bits, self.shape = bits, shape

    @classmethod
    def of(cls, mask: np.ndarray) -> PackedMask:
        """``mask`` (2-D, 0 or INK) as bits: any pixel not 0 is set."""
        return cls(np.packbits(mask, axis=1), (mask.shape[0], mask.shape[1]))

    def include(self, mask: np.ndarray) -> None:
        """The pixels set in ``mask`` (the same shape) set here too: this mask becomes the two OR'ed."""
        if mask.shape[:2] != self.shape:
            raise ValueError(f"a {mask.shape} mask cannot join a {self.shape} one")
        np.bitwise_or(self.bits, np.packbits(mask, axis=1), out=self.bits)

    @property
    def nbytes(self) -> int:
        return self.bits.nbytes

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        rows, cols = key
        band = np.unpackbits(self.bits[rows], axis=1, count=self.shape[1])
        band *= INK
        return band[:, cols]

    def unpacked(self) -> np.ndarray:
        """The whole mask as bytes (0 or INK)."""
        return self[:, :]
