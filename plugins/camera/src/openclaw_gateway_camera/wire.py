"""``camera.*`` params and payloads as the reference's nodes speak them (docs/nodes/camera.md),
shared by the gateway (validation) and the node (handlers)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SNAP_TARGET_BASE64_BYTES = 5 * 1024 * 1024
"""Photos are recompressed to stay under this, as the reference's phones do."""
DEFAULT_MAX_WIDTH = 1600
DEFAULT_QUALITY = 0.9
DEFAULT_DELAY_MS = 2000
MAX_DELAY_MS = 10_000
DEFAULT_CLIP_MS = 3000
MIN_CLIP_MS, MAX_CLIP_MS = 250, 60_000


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    facing: str | None = Field(None, max_length=20, description="accepted; Linux has no facing")
    deviceId: str | None = Field(None, max_length=4096)


class SnapParams(_Params):
    maxWidth: int | None = Field(None, ge=1, le=16_384)
    quality: float | None = Field(None, ge=0, le=1)
    format: Literal["jpg", "jpeg"] | None = None
    delayMs: int | None = Field(None, ge=0)


class ClipParams(_Params):
    durationMs: int | None = Field(None, ge=0)
    includeAudio: bool | None = None
    format: Literal["mp4"] | None = None


class CameraDevice(BaseModel):
    id: str
    name: str
    position: str = "unknown"
    deviceType: str


class ListResult(BaseModel):
    devices: list[CameraDevice]


class SnapResult(BaseModel):
    format: str
    base64: str
    width: int
    height: int


class ClipResult(BaseModel):
    format: str
    base64: str
    durationMs: int
    hasAudio: bool
