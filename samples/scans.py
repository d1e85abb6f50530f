"""Scanned and photographed variants of drawn certificates, for tests and the benchmark.

    scan = scanned_certificate(random.Random(3))
    scan.data, scan.kind, scan.truth   # image bytes (PNG/JPEG/TIFF or image-only PDF) and the truth

A certificate from :func:`samples.certificates.draw_certificate` is rendered to pixels,
then degraded the way scanners and phones degrade pages: turned by 90/180/270
degrees, skewed by a few degrees, blurred, speckled, JPEG-compressed, at
150-300 dpi.  A photo (:func:`random_photo`) lies the sheet on a darker table, seen
at an angle, lit unevenly.  Every choice comes from the ``random.Random`` given, so
a seed gives the same file.
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
from samples.certificates import draw_certificate, random_certificate


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
    photo: bool = False  # the sheet photographed on a table: seen at an angle, lit unevenly


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


def random_photo(rng: random.Random) -> Degradation:
    """A phone photo: JPEG without a believable resolution, the page's pixels as a phone sees them."""
    return Degradation(
        dpi=rng.choice((200, 250, 300)),
        turn=rng.choice((0, 0, 0, 90, 270)),
        blur=round(rng.uniform(0.3, 1.0), 2),
        noise=round(rng.uniform(2, 8), 1),
        jpeg_quality=rng.randint(70, 92),
        kind=JPEG,
        photo=True,
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
    if d.photo:
        out = photograph(out, rng)
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


def photograph(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """The page lying on a darker table, taken from a little off square (each corner moved by up
    to 5% of the picture), with light falling off across it (down to 55%)."""
    h, w = page.shape
    margin = int(0.12 * max(h, w))
    height, width = h + 2 * margin, w + 2 * margin
    table = rng.uniform(60, 140)
    grain = np.random.default_rng(rng.randrange(2**32)).normal(0, 6, (height, width))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jitter = 0.05 * max(h, w)
    seen = np.array([[margin + x + rng.uniform(-jitter, jitter), margin + y + rng.uniform(-jitter, jitter)]
                     for x, y in corners], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, seen)
    out = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=-1.0)
    out = np.where(out < 0, table + grain, out)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (np.cos(angle) * xs / width + np.sin(angle) * ys / height)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    light = 1.0 - rng.uniform(0.25, 0.45) * ramp
    return out * light


def encode(image: np.ndarray, d: Degradation) -> bytes:
    pil = Image.fromarray(image, mode="L")
    if d.jpeg_quality is not None:  # JPEG artefacts, whatever the container
        buffer = io.BytesIO()
        pil.save(buffer, "JPEG", quality=d.jpeg_quality)
        pil = Image.open(io.BytesIO(buffer.getvalue()))
    buffer = io.BytesIO()
    if d.kind == PDF:
        pil.save(buffer, "PDF", resolution=float(d.dpi))
    elif d.kind == JPEG and d.photo:
        pil.save(buffer, "JPEG", quality=d.jpeg_quality or 90, dpi=(72, 72))  # what phones declare
    elif d.kind == JPEG:
        pil.save(buffer, "JPEG", quality=d.jpeg_quality or 90, dpi=(d.dpi, d.dpi))
    elif d.kind == TIFF:
        pil.save(buffer, "TIFF", compression="tiff_lzw", dpi=(d.dpi, d.dpi))
    else:
        pil.save(buffer, "PNG", dpi=(d.dpi, d.dpi))
    return buffer.getvalue()
