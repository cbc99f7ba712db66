"""``screen.record`` and ``screen.snapshot`` params and payloads as the reference's CLI and agent
tool send and read them, shared by the gateway (validation) and the node (handlers)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DURATION_MS = 10_000
MIN_DURATION_MS, MAX_DURATION_MS = 250, 60_000
DEFAULT_FPS, MAX_FPS = 10.0, 30.0


class RecordParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    durationMs: int | None = Field(None, ge=0)
    screenIndex: int | None = Field(None, ge=0, le=64)
    fps: float | None = Field(None, gt=0)
    format: Literal["mp4"] | None = None
    includeAudio: bool | None = None


class SnapshotParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    screenIndex: int | None = Field(None, ge=0, le=64)
    maxWidth: int | None = Field(None, ge=16, le=16_384)
    format: Literal["png", "jpeg", "jpg"] | None = None


class RecordResult(BaseModel):
    format: str
    base64: str
    durationMs: int
    fps: float
    screenIndex: int
    hasAudio: bool


class SnapshotResult(BaseModel):
    format: str
    base64: str
    width: int
    height: int
    screenIndex: int
