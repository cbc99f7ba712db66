"""Node side of ``camera.*``: device choice, the reference's defaults, clamps and payload budgets,
and its stable error codes. Capture runs in a worker thread, one capture per device at a time."""

from __future__ import annotations

import time
from typing import Any

import anyio

from openclaw_gateway.api import NodeCommandError, base64_size, media_payload

from .config import CameraSettings
from .devices import Camera, cameras
from .wire import (
    DEFAULT_CLIP_MS,
    DEFAULT_DELAY_MS,
    DEFAULT_MAX_WIDTH,
    DEFAULT_QUALITY,
    MAX_CLIP_MS,
    MAX_DELAY_MS,
    MIN_CLIP_MS,
    SNAP_TARGET_BASE64_BYTES,
    ClipParams,
    SnapParams,
)

ENABLE_HINT = "set enabled = true under [camera] in the node's node.toml and restart the node"
SLACK_S = 20.0  # opening a device and encoding, on top of the capture itself


def encode_payload(data: bytes) -> str:
    return media_payload(data, "camera payload")


class CameraCommands:
    def __init__(self, settings: CameraSettings) -> None:
        self.settings = settings
        self._locks: dict[str, anyio.Lock] = {}

    def _require_enabled(self) -> None:
        if not self.settings.enabled:
            raise NodeCommandError("CAMERA_DISABLED", ENABLE_HINT)

    def _select(self, device_id: str | None) -> Camera:
        found = cameras(self.settings)
        if device_id:
            match = next((c for c in found if c.info.id == device_id.strip()), None)
            if match is None:
                raise NodeCommandError(
                    "INVALID_REQUEST", f"camera device not found: {device_id.strip()[:200]}"
                )
            return match
        if not found:
            raise NodeCommandError("CAMERA_UNAVAILABLE", "no camera devices found")
        return found[0]

    async def list(self, params: Any) -> dict[str, Any]:
        self._require_enabled()
        devices = await anyio.to_thread.run_sync(cameras, self.settings)
        return {"devices": [d.info.model_dump() for d in devices]}

    async def snap(self, params: SnapParams) -> dict[str, Any]:
        from . import capture

        self._require_enabled()
        camera = self._select(params.deviceId)
        max_width = max(2, params.maxWidth or DEFAULT_MAX_WIDTH)
        quality = min(
            1.0, max(0.05, params.quality if params.quality is not None else DEFAULT_QUALITY)
        )
        delay_ms = min(
            MAX_DELAY_MS, max(0, params.delayMs if params.delayMs is not None else DEFAULT_DELAY_MS)
        )
        deadline = time.monotonic() + delay_ms / 1000 + SLACK_S
        async with self._lock(camera):
            try:
                frame = await anyio.to_thread.run_sync(
                    capture.grab_frame, camera.source, delay_ms / 1000, deadline
                )
                # Recompress until the photo fits the phones' 5 MB budget (or give up).
                while True:
                    jpeg, width, height = await anyio.to_thread.run_sync(
                        capture.encode_jpeg, frame, max_width, quality
                    )
                    if base64_size(len(jpeg)) <= SNAP_TARGET_BASE64_BYTES or quality <= 0.3:
                        break
                    quality = max(0.3, quality - 0.2)
            except capture.CaptureError as exc:
                raise NodeCommandError("CAMERA_UNAVAILABLE", str(exc)) from None
        return {"format": "jpg", "base64": encode_payload(jpeg), "width": width, "height": height}

    async def clip(self, params: ClipParams) -> dict[str, Any]:
        from . import capture

        self._require_enabled()
        camera = self._select(params.deviceId)
        duration_ms = min(MAX_CLIP_MS, max(MIN_CLIP_MS, params.durationMs or DEFAULT_CLIP_MS))
        want_audio = params.includeAudio is not False
        audio = self.settings.audio if want_audio else None
        deadline = time.monotonic() + duration_ms / 1000 + SLACK_S
        async with self._lock(camera):
            try:
                mp4, has_audio = await anyio.to_thread.run_sync(
                    capture.record_mp4, camera.source, audio, duration_ms / 1000, deadline
                )
            except capture.CaptureError as exc:
                raise NodeCommandError("CAMERA_UNAVAILABLE", str(exc)) from None
        return {
            "format": "mp4",
            "base64": encode_payload(mp4),
            "durationMs": duration_ms,
            "hasAudio": has_audio,
        }

    def _lock(self, camera: Camera) -> anyio.Lock:
        return self._locks.setdefault(camera.info.id, anyio.Lock())
