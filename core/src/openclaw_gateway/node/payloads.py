"""Helpers for node commands that return media (photos, clips, recordings): the reference nodes'
payload budget and the frame-size rule their encoders share. Public as part of the plugin API."""

from __future__ import annotations

import base64

from ..hooks.specs import NodeCommandError

MAX_PAYLOAD_BASE64_BYTES = 26_148_864
"""The reference Linux node's budget for one base64 media payload (~25 MB)."""


def base64_size(raw_bytes: int) -> int:
    """How long ``raw_bytes`` bytes are once base64-encoded (padding included)."""
    return (raw_bytes + 2) // 3 * 4


def media_payload(data: bytes, what: str, fix: str = "") -> str:
    """``data`` as base64, or ``PAYLOAD_TOO_LARGE`` naming ``what`` (and ``fix``) when it would
    exceed :data:`MAX_PAYLOAD_BASE64_BYTES`."""
    if base64_size(len(data)) > MAX_PAYLOAD_BASE64_BYTES:
        message = f"{what} exceeds the 25 MB base64 limit" + (f": {fix}" if fix else "")
        raise NodeCommandError("PAYLOAD_TOO_LARGE", message)
    return base64.b64encode(data).decode("ascii")


def fit_width(width: int, height: int, max_width: int) -> tuple[int, int]:
    """Fit within ``max_width`` keeping the aspect ratio, never upscaling, both sides even (as
    yuv420 encoders need)."""
    w = min(width, max_width)
    h = max(2, round(height * w / width / 2) * 2)
    return max(2, w - w % 2), h
