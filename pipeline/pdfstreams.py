"""Decompression bombs in a PDF's streams, found before pdfium decodes them whole.

A content, font or object stream may be compressed by a chain of filters (``/Filter [/ASCIIHexDecode
/FlateDecode]``), named directly or through an indirect object. Each stream that is not an image is
decoded here layer by layer with its output capped: one that expands past ``MAX_STREAM_BYTES`` is
refused as ``too_large``. Images are bounded by their declared pixel count instead
(``textlayer._refuse_huge_images``). Image codecs (DCT, JPX, JBIG2, CCITT) and unknown filters end
the check of a stream: what they give is bounded by the pixel check.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Callable, Iterator

from pipeline.errors import TooLarge

MAX_STREAM_BYTES = 64 * 2**20
CHUNK = 2**16

_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+|\d+\s+\d+\s+R)")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")
_WHITE = re.compile(rb"[\s\x00]")


class _Exceeded(Exception):
    """A layer's output passed the cap."""


def refuse_stream_bombs(pdf: bytes, *, limit: int = MAX_STREAM_BYTES) -> None:
    """TooLarge when a stream that is not an image decodes to more than ``limit`` bytes."""
    for start, end in _streams(pdf):
        head = pdf[max(0, start - 2048):start]
        head = head[head.rfind(b"obj") + 1:]
        if re.search(rb"/Subtype\s*/Image", head):
            continue
        names = filters(head, pdf)
        if not any(name in _EXPANDING for name in names):
            continue
        raw = _raw(pdf, end, head)
        if most_decoded(raw, names) <= limit:
            continue  # even the filters' largest expansion keeps it under the cap: no need to decode it
        try:
            decoded_size(raw, names, limit)
        except _Exceeded:
            raise TooLarge(f"The PDF holds a compressed stream that expands past {limit // 2**20} MB "
                           "(a decompression bomb); send a fresh copy of the certificate.") from None
        except (zlib.error, binascii.Error, ValueError, IndexError):
            continue  # damaged, or not what the filter says: pdfium decides


def _streams(pdf: bytes) -> Iterator[tuple[int, int]]:
    """Where each stream's data starts: (start, end) of each ``stream`` keyword and its line end that is not
    the end of ``endstream``, left to right without overlapping (the matches of ``(?<!end)stream\r?\n``),
    found by ``bytes.find``: a regular expression with a look-behind is slow over a whole file."""
    at = pdf.find(b"stream")
    while at >= 0:
        after = at + 6
        if pdf[max(0, at - 3):at] != b"end":
            end = after + 1 if pdf[after:after + 1] == b"\n" else after + 2 if pdf[after:after + 2] == b"\r\n" else -1
            if end >= 0:
                yield at, end
                at = pdf.find(b"stream", end)
                continue
        at = pdf.find(b"stream", at + 1)


def filters(head: bytes, pdf: bytes) -> list[bytes]:
    """The filter names of the stream whose dictionary is ``head``, in the order they apply."""
    found = _FILTER.search(head)
    if found is None:
        return []
    value = found.group(1)
    if value.endswith(b"R"):  # /Filter 12 0 R: the names are in object 12
        number, generation = value.split()[:2]
        target = re.search(rb"(?<![0-9])" + number + rb"\s+" + generation + rb"\s+obj\s*(\[[^\]]*\]|/[A-Za-z0-9]+)",
                           pdf)
        if target is None:
            return []
        value = target.group(1)
    return re.findall(rb"/([A-Za-z0-9]+)", value)


def decoded_size(data: bytes, names: list[bytes], limit: int) -> int:
    """Bytes the stream decodes to through the filters it names (the first unknown filter ends the
    chain); _Exceeded past ``limit``. Intermediate layers are held (at most ``limit``); the last is counted."""
    size = len(data)
    for position, name in enumerate(names):
        decode = _DECODERS.get(name)
        if decode is None:
            break
        data, size = decode(data, limit, position < len(names) - 1)
    return size


def most_decoded(data: bytes, names: list[bytes]) -> int:
    """The most bytes any layer of stream ``data`` can decode to through the filters ``names`` (as
    :func:`decoded_size` follows them: the first unknown filter ends the chain), from each filter's largest
    expansion: deflate 1032 to 1 (a 258-byte match in two bits), LZW a code of 9 bits or more for an entry
    of at most 4096 bytes, run-length 2 bytes for 128, hex 2 digits a byte; ASCII85 as the first filter
    from its own characters (each "z" 4 bytes, 5 others 4 bytes), later 1 character for 4 bytes.
    :func:`refuse_stream_bombs` decodes only a stream this bound does not clear."""
    most = size = len(data)
    for position, name in enumerate(names):
        grow = _LARGEST.get(name)
        if grow is None:
            break
        size = _ascii85_most(data) if position == 0 and name in (b"ASCII85Decode", b"A85") else grow(size)
        most = max(most, size)
    return most


def _ascii85_most(data: bytes) -> int:
    """The most bytes :func:`_ascii85` gives for ``data``: 4 per "z", 4 per 5 other characters or part of 5."""
    end = data.find(b"~>")
    text = _WHITE.sub(b"", data[:end if end >= 0 else len(data)]).removeprefix(b"<~")
    zeros = text.count(b"z")
    return 4 * zeros + 4 * ((len(text) - zeros + 4) // 5)


def _raw(pdf: bytes, start: int, head: bytes) -> bytes:
    length = _LENGTH.search(head)
    if length is not None and start + int(length.group(1)) <= len(pdf):
        return pdf[start:start + int(length.group(1))]
    end = pdf.find(b"endstream", start)
    return pdf[start:end if end >= 0 else len(pdf)]


# Each decoder: (data, limit, keep) → (output or b"" when not kept, output size); _Exceeded past limit.

def _flate(data: bytes, limit: int, keep: bool) -> tuple[bytes, int]:
    inflate, out, size = zlib.decompressobj(), bytearray(), 0
    for at in range(0, len(data), CHUNK):
        piece = inflate.decompress(data[at:at + CHUNK], limit + 1 - size)
        while True:
            size += len(piece)
            if keep:
                out += piece
            if size > limit:
                raise _Exceeded
            if not inflate.unconsumed_tail:
                break
            piece = inflate.decompress(inflate.unconsumed_tail, limit + 1 - size)
        if inflate.eof:
            break
    return bytes(out), size


def _lzw(data: bytes, limit: int, keep: bool) -> tuple[bytes, int]:
    """LZW as PDF uses it: 9 to 12 bit codes, 256 clears, 257 ends, widths change one code early."""
    out, table, width, prev = bytearray(), [bytes([i]) for i in range(256)] + [b"", b""], 9, None
    buffer = bits = 0
    for byte in data:
        buffer, bits = (buffer << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code, buffer = buffer >> bits, buffer & ((1 << bits) - 1)
            if code == 256:
                table, width, prev = table[:258], 9, None
                continue
            if code == 257:
                return bytes(out), len(out)
            if code < len(table) and (prev is not None or code < 256):
                entry = table[code]
                if prev is not None:
                    table.append(prev + entry[:1])
            elif prev is not None and code == len(table):
                entry = prev + prev[:1]
                table.append(entry)
            else:
                raise ValueError("bad LZW code")
            out += entry
            if len(out) > limit:
                raise _Exceeded
            prev = entry
            if len(table) + 1 >= 1 << width and width < 12:
                width += 1
    return bytes(out), len(out)


def _runlength(data: bytes, limit: int, keep: bool) -> tuple[bytes, int]:
    out, at = bytearray(), 0
    while at < len(data) and data[at] != 128:
        length = data[at]
        if length < 128:
            out += data[at + 1:at + 2 + length]
            at += 2 + length
        else:
            out += data[at + 1:at + 2] * (257 - length)
            at += 2
        if len(out) > limit:
            raise _Exceeded
    return bytes(out), len(out)


def _hex(data: bytes, limit: int, keep: bool) -> tuple[bytes, int]:
    end = data.find(b">")
    digits = _WHITE.sub(b"", data[:end if end >= 0 else len(data)])
    out = binascii.unhexlify(digits + b"0" * (len(digits) % 2))
    return out, len(out)


def _ascii85(data: bytes, limit: int, keep: bool) -> tuple[bytes, int]:
    end = data.find(b"~>")
    text = _WHITE.sub(b"", data[:end if end >= 0 else len(data)]).removeprefix(b"<~")
    if text.count(b"z") * 4 > limit:  # each z is four zero bytes
        raise _Exceeded
    out = base64.a85decode(text)
    return out, len(out)


_DECODERS: dict[bytes, Callable[[bytes, int, bool], tuple[bytes, int]]] = {
    b"FlateDecode": _flate, b"Fl": _flate, b"LZWDecode": _lzw, b"LZW": _lzw,
    b"RunLengthDecode": _runlength, b"RL": _runlength,
    b"ASCIIHexDecode": _hex, b"AHx": _hex, b"ASCII85Decode": _ascii85, b"A85": _ascii85,
}
_EXPANDING = {b"FlateDecode", b"Fl", b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL", b"ASCII85Decode", b"A85"}

# Each filter's largest output for an input of n bytes (an upper bound, with a little to spare).
_LARGEST: dict[bytes, Callable[[int], int]] = {
    b"FlateDecode": lambda n: 1032 * n + 1032, b"Fl": lambda n: 1032 * n + 1032,
    b"LZWDecode": lambda n: 4096 * n, b"LZW": lambda n: 4096 * n,
    b"RunLengthDecode": lambda n: 64 * n + 128, b"RL": lambda n: 64 * n + 128,
    b"ASCIIHexDecode": lambda n: n // 2 + 1, b"AHx": lambda n: n // 2 + 1,
    b"ASCII85Decode": lambda n: 4 * n + 4, b"A85": lambda n: 4 * n + 4,
}
