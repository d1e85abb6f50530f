"""What a file really is, judged by its bytes (never by its name or declared type)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
SUPPORTED = frozenset({PDF, PNG, JPEG, TIFF})
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", TIFF: ".tif"}


def sniff(data: bytes) -> str | None:
    """The supported type of ``data``, or None. PDFs may carry junk before ``%PDF-`` (readers allow 1 KB)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    return None


_UNSAFE = re.compile(r"[^\w.\- ()&+,]")


def safe_filename(name: str | None, content_type: str | None = None, *, max_length: int = 120) -> str:
    """A file name fit for storage keys and display: no directories, control characters or odd symbols."""
    name = name or ""
    name = PureWindowsPath(PurePosixPath(name).name).name  # drop any directory part, either style
    name = unicodedata.normalize("NFKC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", name)).strip(" .")  # no "..", no hidden or dot-only names
    if not name:
        name = "document" + EXTENSIONS.get(content_type or "", "")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem if dot else name)[: max_length - len(ext) - 1] + ("." + ext if ext else "")
    return name
