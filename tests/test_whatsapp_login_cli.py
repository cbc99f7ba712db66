"""``openclaw-gateway channels login whatsapp`` draws the QR code it gets as a PNG data URL: the
drawing is the same matrix segno encoded (read back from the PNG, whatever its row filters)."""

from __future__ import annotations

import base64
import io
import zlib

import pytest
import segno
from openclaw_gateway_whatsapp.login import qr_data_url

from openclaw_gateway.cli.qr_png import NotAQrPng, decode_png, modules, render, terminal_qr


@pytest.mark.parametrize("code", ["2@short", "2@" + "A1b2C3d4" * 20 + ",Zm9v,YmFy,1"])
def test_the_png_reads_back_as_the_encoded_matrix(code: str) -> None:
    url = qr_data_url(code)
    assert len(url) <= 16384  # the reference's schema caps qrDataUrl at 16 KiB
    grid = modules(decode_png(base64.b64decode(url.split(",", 1)[1])))
    expected = [[bool(v) for v in row] for row in segno.make_qr(code).matrix]
    assert grid == expected
    drawing = terminal_qr(url)
    assert len(drawing.splitlines()) == (len(expected) + 2 * 2 + 1) // 2
    assert set(drawing) <= {" ", "▄", "▀", "█", "\n"}


def test_an_rgb_png_with_filters_reads_back_too() -> None:
    # Another encoder (8-bit RGB, sub/up/average/paeth row filters) gives the same modules.
    matrix = segno.make_qr("2@filters").matrix
    scale = 3
    rows = []
    for y, row in enumerate(matrix):
        for _ in range(scale):
            pixels = b"".join((b"\x00\x00\x00" if v else b"\xff\xff\xff") * scale for v in row)
            rows.append((y % 5, pixels))
    raw = bytearray()
    prev = bytes(len(rows[0][1]))
    for kind, line in rows:
        raw.append(kind)
        raw += _filter(kind, line, prev, 3)
        prev = line
    width = len(matrix[0]) * scale
    png = _png(width, len(rows), 8, 2, zlib.compress(bytes(raw)))
    assert modules(decode_png(png)) == [[bool(v) for v in r] for r in matrix]


def test_not_a_png_is_a_clear_error() -> None:
    with pytest.raises(NotAQrPng):
        terminal_qr("data:image/png;base64," + base64.b64encode(b"GIF89a").decode())
    with pytest.raises(NotAQrPng):
        terminal_qr("https://example.com/qr.png")
    assert render([[True]]).count("\n") == 2


def _filter(kind: int, line: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray()
    for i, value in enumerate(line):
        left = line[i - bpp] if i >= bpp else 0
        up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = up
        elif kind == 3:
            pred = (left + up) // 2
        else:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
        out.append((value - pred) & 0xFF)
    return bytes(out)


def _png(width: int, height: int, depth: int, color: int, idat: bytes) -> bytes:
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    buffer = io.BytesIO()
    buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat))
    buffer.write(chunk(b"IEND", b""))
    return buffer.getvalue()
