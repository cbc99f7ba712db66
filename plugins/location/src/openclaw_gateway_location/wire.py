"""``location.get`` params and result as the reference's nodes speak them
(docs/nodes/location-command.md), shared by the gateway (validation) and the node (handler)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Accuracy = Literal["coarse", "balanced", "precise"]

DEFAULT_TIMEOUT_MS = 10_000
MAX_TIMEOUT_MS = 120_000


class LocationGetParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timeoutMs: int | None = Field(None, ge=1, le=MAX_TIMEOUT_MS)
    maxAgeMs: int | None = Field(None, ge=0)
    desiredAccuracy: Accuracy | None = None


class LocationResult(BaseModel):
    lat: float
    lon: float
    accuracyMeters: float
    altitudeMeters: float | None = None
    speedMps: float | None = None
    headingDeg: float | None = None
    timestamp: str
    """ISO 8601, UTC, milliseconds (``2026-01-03T12:34:56.000Z``)."""
    isPrecise: bool
    source: Literal["gps", "wifi", "cell", "unknown"]
