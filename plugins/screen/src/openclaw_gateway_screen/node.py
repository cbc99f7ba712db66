"""Node side of ``screen.*``: clamps, the payload budget and stable error codes; capture runs in
a worker thread, one at a time (a second recording of the same screen would only cost CPU)."""

from __future__ import annotations

import time
from typing import Any

import anyio

from openclaw_gateway.api import NodeCommandError, media_payload

from .config import ScreenSettings
from .wire import (
    DEFAULT_DURATION_MS,
    DEFAULT_FPS,
    MAX_DURATION_MS,
    MAX_FPS,
    MIN_DURATION_MS,
    RecordParams,
    SnapshotParams,
)

ENABLE_HINT = "set enabled = true under [screen] in the node's node.toml and restart the node"
SLACK_S = 20.0


def encode_payload(data: bytes) -> str:
    return media_payload(data, "recording", "shorten it or lower fps")


class ScreenCommands:
    def __init__(self, settings: ScreenSettings) -> None:
        self.settings = settings
        self._busy = anyio.Lock()

    def _require_enabled(self) -> None:
        if not self.settings.enabled:
            raise NodeCommandError("SCREEN_DISABLED", ENABLE_HINT)

    async def record(self, params: RecordParams) -> dict[str, Any]:
        from . import capture

        self._require_enabled()
        duration_ms = min(
            MAX_DURATION_MS, max(MIN_DURATION_MS, params.durationMs or DEFAULT_DURATION_MS)
        )
        fps = min(MAX_FPS, max(1.0, params.fps or DEFAULT_FPS))
        index = params.screenIndex or 0
        deadline = time.monotonic() + duration_ms / 1000 + SLACK_S
        async with self._busy:
            try:
                mp4 = await anyio.to_thread.run_sync(
                    capture.record,
                    self.settings.display,
                    index,
                    duration_ms / 1000,
                    fps,
                    self.settings.max_width,
                    deadline,
                )
            except capture.NoSuchScreen as exc:
                raise NodeCommandError("INVALID_REQUEST", str(exc)) from None
            except capture.ScreenError as exc:
                raise NodeCommandError("SCREEN_UNAVAILABLE", str(exc)) from None
        return {
            "format": "mp4",
            "base64": encode_payload(mp4),
            "durationMs": duration_ms,
            "fps": fps,
            "screenIndex": index,
            "hasAudio": False,  # no microphone capture on this node; the payload says so
        }

    async def snapshot(self, params: SnapshotParams) -> dict[str, Any]:
        from . import capture

        self._require_enabled()
        fmt = "png" if params.format in (None, "png") else "jpeg"
        index = params.screenIndex or 0
        max_width = params.maxWidth or 16_384
        async with self._busy:
            try:
                data, width, height = await anyio.to_thread.run_sync(
                    capture.snapshot, self.settings.display, index, max_width, fmt
                )
            except capture.NoSuchScreen as exc:
                raise NodeCommandError("INVALID_REQUEST", str(exc)) from None
            except capture.ScreenError as exc:
                raise NodeCommandError("SCREEN_UNAVAILABLE", str(exc)) from None
        return {
            "format": fmt,
            "base64": encode_payload(data),
            "width": width,
            "height": height,
            "screenIndex": index,
        }
