"""Decompression bombs behind any chain of PDF filters, direct or indirect, are refused before
pdfium sees them; the decoders agree with real encoders on ordinary data."""

from __future__ import annotations

import base64
import binascii
import io
import zlib

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from pdfs import build_pdf
from pipeline.errors import TooLarge
from pipeline.pdfstreams import decoded_size, filters, most_decoded, refuse_stream_bombs

LIMIT = 2**20  # a small cap keeps the bombs small


def flate_bomb(megabytes: int) -> bytes:
    squeeze = zlib.compressobj(9)
    return b"".join(squeeze.compress(b"0 0 m " * (2**20 // 6)) for _ in range(megabytes)) + squeeze.flush()


def page_with(content: bytes, extra_objects: list[bytes] = ()) -> bytes:
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", content,
                      *extra_objects])


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), dictionary, data)


def lzw_by_libtiff(data: bytes) -> bytes:
    """``data`` LZW-coded by libtiff (TIFF's LZW is PDF's with EarlyChange 1), as one strip."""
    side = int(len(data) ** 0.5)
    image = Image.frombytes("L", (side, len(data) // side), data[:side * (len(data) // side)])
    out = io.BytesIO()
    image.save(out, "TIFF", compression="tiff_lzw", tiffinfo={TiffImagePlugin.ROWSPERSTRIP: image.height})
    tiff = Image.open(io.BytesIO(out.getvalue()))
    [offset], [count] = tiff.tag_v2[TiffImagePlugin.STRIPOFFSETS], tiff.tag_v2[TiffImagePlugin.STRIPBYTECOUNTS]
    return out.getvalue()[offset:offset + count]


def runlength(data: bytes) -> bytes:
    out = bytearray()
    for at in range(0, len(data), 128):
        piece = data[at:at + 128]
        if piece == piece[:1] * len(piece) and len(piece) > 1:
            out += bytes([257 - len(piece)]) + piece[:1]
        else:
            out += bytes([len(piece) - 1]) + piece
    return bytes(out + b"\x80")


@pytest.mark.parametrize("chain,encode", [
    ([b"ASCIIHexDecode", b"FlateDecode"], lambda b: binascii.hexlify(b) + b">"),
    ([b"ASCII85Decode", b"FlateDecode"], lambda b: base64.a85encode(b) + b"~>"),
], ids=["hex-then-flate", "ascii85-then-flate"])
def test_a_flate_bomb_wrapped_in_a_text_filter_is_refused(chain, encode):
    names = b" ".join(b"/" + name for name in chain)
    pdf = page_with(stream(b"/Filter [%s]" % names, encode(flate_bomb(4))))
    with pytest.raises(TooLarge, match="decompression bomb"):
        refuse_stream_bombs(pdf, limit=LIMIT)


def test_a_bomb_whose_filter_list_is_an_indirect_object_is_refused():
    pdf = page_with(stream(b"/Filter 5 0 R", flate_bomb(4)), [b"[/FlateDecode]"])
    assert filters(b"<< /Length 9 /Filter 5 0 R >>", pdf) == [b"FlateDecode"]
    with pytest.raises(TooLarge):
        refuse_stream_bombs(pdf, limit=LIMIT)


def test_lzw_and_runlength_bombs_are_refused():
    zeros = bytes(4 * LIMIT)
    for name, data in ((b"LZWDecode", lzw_by_libtiff(zeros)), (b"RunLengthDecode", runlength(zeros))):
        assert len(data) < LIMIT // 4
        with pytest.raises(TooLarge):
            refuse_stream_bombs(page_with(stream(b"/Filter /" + name, data)), limit=LIMIT)


def test_the_decoders_agree_with_real_encoders_on_ordinary_data():
    rng = np.random.default_rng(7)
    text = b"".join(b"BT /F1 9 Tf %d %d Td (Certificate of liability insurance) Tj ET\n" % tuple(xy)
                    for xy in rng.integers(0, 700, size=(400, 2)))
    noisy = rng.integers(0, 256, size=20_000, dtype=np.uint8).tobytes()
    for data in (text, noisy):
        assert decoded_size(lzw_by_libtiff(data), [b"LZWDecode"], LIMIT) == (len(data) // int(len(data) ** 0.5)
                                                                              * int(len(data) ** 0.5))
        assert decoded_size(runlength(data), [b"RunLengthDecode"], LIMIT) == len(data)
        hexed = binascii.hexlify(zlib.compress(data)) + b">"
        assert decoded_size(hexed, [b"ASCIIHexDecode", b"FlateDecode"], LIMIT) == len(data)
        assert decoded_size(base64.a85encode(data) + b"~>", [b"A85"], LIMIT) == len(data)


def test_an_ordinary_certificate_passes_and_an_image_codec_ends_the_check():
    from samples.certificates import demo_certificate, draw_certificate

    refuse_stream_bombs(draw_certificate(demo_certificate()), limit=LIMIT)
    jpeg = b"\xff\xd8 not decoded"
    assert decoded_size(jpeg, [b"DCTDecode", b"FlateDecode"], LIMIT) == len(jpeg)


def test_the_bound_on_a_stream_is_never_below_what_it_decodes_to_at_each_filters_largest_expansion():
    """Given streams coded as tightly as each filter allows (zeros), alone and in chains, when bounded
    without decoding, then the bound is at least every layer's decoded size."""
    zeros = bytes(LIMIT)
    flated = zlib.compress(zeros, 9)
    streams = [
        (flated, [b"FlateDecode"]),
        (lzw_by_libtiff(zeros), [b"LZWDecode"]),
        (runlength(zeros), [b"RunLengthDecode"]),
        (base64.a85encode(zeros) + b"~>", [b"ASCII85Decode"]),
        (base64.a85encode(flated) + b"~>", [b"A85", b"FlateDecode"]),
        (binascii.hexlify(flated) + b">", [b"AHx", b"Fl"]),
        (zlib.compress(flated, 9), [b"FlateDecode", b"FlateDecode"]),
    ]
    for data, names in streams:
        for layers in range(1, len(names) + 1):
            assert most_decoded(data, names) >= decoded_size(data, names[:layers], 2**40) > 0


def test_a_stream_the_bound_clears_is_not_decoded(monkeypatch):
    """Given a flate stream too short to expand past the cap, then it is passed without decoding."""
    import pipeline.pdfstreams as pdfstreams

    def decode(*args):
        raise AssertionError("decoded")

    monkeypatch.setattr(pdfstreams, "decoded_size", decode)
    small = zlib.compress(b"0 0 m " * 1000)
    assert most_decoded(small, [b"FlateDecode"]) <= LIMIT
    refuse_stream_bombs(page_with(stream(b"/Filter /FlateDecode", small)), limit=LIMIT)
    with pytest.raises(AssertionError):  # a stream the bound does not clear is decoded
        refuse_stream_bombs(page_with(stream(b"/Filter /FlateDecode", flate_bomb(1))), limit=LIMIT)


def test_given_stream_keywords_spelled_every_way_then_each_stream_data_start_is_found_once():
    """A stream's data starts after ``stream`` and its line end (LF or CRLF); ``endstream``, and ``stream`` with no
    line end after it, start none. Found left to right, a keyword's end never searched again."""
    from pipeline.pdfstreams import _streams

    data = b"stream\nA endstream\nB stream\r\nC stream\rD streamstream\nE xstream\n"
    found = [(data[start:end], data[end:end + 1]) for start, end in _streams(data)]
    assert found == [(b"stream\n", b"A"), (b"stream\r\n", b"C"), (b"stream\n", b"E"), (b"stream\n", b"")]
