"""Scanned and photographed variants of drawn certificates, for tests and the benchmark.

    scan = scanned_certificate(random.Random(3))
    scan.data, scan.kind, scan.truth   # image bytes (PNG/JPEG/TIFF or image-only PDF) and the truth

A certificate from :func:`pipeline.samples.draw_certificate` is rendered to pixels,
then degraded the way scanners and phones degrade pages: turned by 90/180/270
degrees, skewed by a few degrees, blurred, speckled, JPEG-compressed, at
150-300 dpi.  Every choice comes from the ``random.Random`` given, so a seed
gives the same file.
"""

from __future__ import annotations

import io
import random
import warnings
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from pipeline.filetypes import JPEG, PDF, PNG, TIFF
from pipeline.samples import draw_certificate, random_certificate


@dataclass(frozen=True)
class Degradation:
    """How a page is spoiled: every field has a harmless default."""

    dpi: int = 200
    turn: int = 0  # clockwise, 0/90/180/270: the page as it lies on the scanner
    skew: float = 0.0  # degrees, counter-clockwise positive
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # standard deviation of grey-level noise
    speckle: float = 0.0  # share of pixels turned to dark dots
    jpeg_quality: int | None = None
    kind: str = PNG  # PNG, JPEG, TIFF or PDF (image-only)


@dataclass(frozen=True)
class ScannedSample:
    data: bytes
    kind: str
    truth: dict[str, Any]
    degradation: Degradation = field(default_factory=Degradation)


def random_degradation(rng: random.Random) -> Degradation:
    kind = rng.choice((PNG, JPEG, PDF, PDF, TIFF))
    return Degradation(
        dpi=rng.choice((150, 200, 200, 250, 300)),
        turn=rng.choice((0, 0, 0, 90, 180, 270)),
        skew=round(rng.uniform(-8, 8) if rng.random() < 0.6 else rng.uniform(-1.5, 1.5), 2),
        blur=round(rng.uniform(0, 1.0), 2),
        noise=round(rng.uniform(0, 12), 1),
        speckle=round(rng.uniform(0, 0.002), 4),
        jpeg_quality=rng.randint(45, 90) if kind in (JPEG, PDF) else None,
        kind=kind,
    )


def scanned_certificate(rng: random.Random, degradation: Degradation | None = None) -> ScannedSample:
    truth = random_certificate(rng)
    degradation = degradation or random_degradation(rng)
    return ScannedSample(scan_pdf(draw_certificate(truth), degradation, rng), degradation.kind, truth, degradation)


def scan_pdf(pdf: bytes, degradation: Degradation, rng: random.Random) -> bytes:
    """The first page of ``pdf`` as a degraded scan, encoded as ``degradation.kind``."""
    return encode(degrade(render(pdf, degradation.dpi), degradation, rng), degradation)


def render(pdf: bytes, dpi: int) -> np.ndarray:
    """The first page as printed: form fields' values drawn too (a filled AcroForm that was not flattened)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an XFA form: this PDFium draws its AcroForm half
            doc.init_forms()
        image = doc[0].render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    return np.asarray(image).copy()


def degrade(image: np.ndarray, d: Degradation, rng: random.Random) -> np.ndarray:
    out = image.astype(np.float32)
    if d.skew:
        h, w = out.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), d.skew, 1.0)
        out = cv2.warpAffine(out, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=255)
    if d.blur:
        out = cv2.GaussianBlur(out, (0, 0), d.blur)
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    if d.noise:
        out = out + noise_rng.normal(0, d.noise, out.shape)
    if d.speckle:
        dots = noise_rng.random(out.shape) < d.speckle
        out[dots] = noise_rng.uniform(0, 120, int(dots.sum()))
    out = np.clip(out, 0, 255).astype(np.uint8)
    turns = (d.turn // 90) % 4
    return np.ascontiguousarray(np.rot90(out, k=-turns)) if turns else out


def encode(image: np.ndarray, d: Degradation) -> bytes:
    pil = Image.fromarray(image, mode="L")
    if d.jpeg_quality is not None:  # JPEG artefacts, whatever the container
        buffer = io.BytesIO()
        pil.save(buffer, "JPEG", quality=d.jpeg_quality)
        pil = Image.open(io.BytesIO(buffer.getvalue()))
    buffer = io.BytesIO()
    if d.kind == PDF:
        pil.save(buffer, "PDF", resolution=float(d.dpi))
    elif d.kind == JPEG:
        pil.save(buffer, "JPEG", quality=d.jpeg_quality or 90, dpi=(d.dpi, d.dpi))
    elif d.kind == TIFF:
        pil.save(buffer, "TIFF", compression="tiff_lzw", dpi=(d.dpi, d.dpi))
    else:
        pil.save(buffer, "PNG", dpi=(d.dpi, d.dpi))
    return buffer.getvalue()
