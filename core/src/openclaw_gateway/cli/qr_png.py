"""Drawing a QR code that arrived as a PNG data URL (``qrDataUrl`` of ``web.login.start``) in a
terminal, with half-block characters: two rows of modules per line.

The protocol carries the code only as a PNG (the reference's shape), so the CLI reads the PNG back:
grayscale or RGB(A), 1/8-bit, non-interlaced, any row filter; the module size is measured from the
finder pattern's top-left corner. Pure Python (zlib only): the core stays free of image libraries.
"""

from __future__ import annotations

import base64
import struct
import zlib

PREFIX = "data:image/png;base64,"


class NotAQrPng(ValueError):
    """The data URL is not a PNG this reader understands."""


def decode_png(data: bytes) -> list[list[bool]]:
    """Pixels as rows of ``True`` for dark."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise NotAQrPng("not a PNG")
    pos, idat, header = 8, b"", None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise NotAQrPng("no IHDR")
    width, height, depth, color, _compression, _filter, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if channels is None or depth not in (1, 8) or interlace or (depth == 1 and channels != 1):
        raise NotAQrPng(f"unsupported PNG (color type {color}, depth {depth})")
    raw = zlib.decompress(idat)
    stride = (width * channels * depth + 7) // 8
    bpp = max(1, channels * depth // 8)
    rows: list[list[bool]] = []
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        _unfilter(kind, line, previous, bpp)
        previous = line
        if depth == 1:
            bits = [(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
            rows.append([bit == 0 for bit in bits])
        else:
            rows.append([line[x * channels] < 128 for x in range(width)])
    return rows


def _unfilter(kind: int, line: bytearray, prev: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = prev[i]
        corner = prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + pred) & 0xFF
        elif kind != 0:
            raise NotAQrPng(f"bad PNG row filter {kind}")


def modules(pixels: list[list[bool]]) -> list[list[bool]]:
    """The QR modules: the finder pattern's dark border (7 modules wide) gives the module size."""
    top = next((y for y, row in enumerate(pixels) if any(row)), None)
    if top is None:
        raise NotAQrPng("a blank image")
    first = pixels[top]
    left = first.index(True)
    run = 0
    while left + run < len(first) and first[left + run]:
        run += 1
    size = max(1, run // 7)
    right = max(len(r) - r[::-1].index(True) for r in pixels if any(r))
    count = (right - left + size - 1) // size
    return [
        [pixels[top + y * size + size // 2][left + x * size + size // 2] for x in range(count)]
        for y in range(count)
        if top + y * size + size // 2 < len(pixels)
    ]


def render(grid: list[list[bool]], quiet: int = 2) -> str:
    """Half blocks, light on dark-terminal-safe: dark modules drawn as spaces on a light field."""
    n = len(grid)
    padded = [[False] * (n + 2 * quiet) for _ in range(quiet)]
    padded += [[False] * quiet + row + [False] * quiet for row in grid]
    padded += [[False] * (n + 2 * quiet) for _ in range(quiet + 1)]
    lines = []
    for y in range(0, len(padded) - 1, 2):
        top, bottom = padded[y], padded[y + 1]
        chars = []
        for a, b in zip(top, bottom, strict=True):
            # "█" lights both halves; a dark module leaves its half unlit.
            chars.append(" " if a and b else "▄" if a else "▀" if b else "█")
        lines.append("".join(chars))
    return "\n".join(lines)


def terminal_qr(data_url: str) -> str:
    if not data_url.startswith(PREFIX):
        raise NotAQrPng("not a PNG data URL")
    return render(modules(decode_png(base64.b64decode(data_url[len(PREFIX) :]))))
