"""``[location]`` in the node's ``node.toml``: off unless the person running the node enables it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["gpsd", "geoclue", "fixed"]
DEFAULT_SOURCES: tuple[Source, ...] = ("gpsd", "geoclue", "fixed")


class FixedLocation(BaseModel):
    """A position typed in by the node's owner (a desktop that never moves, a test rig)."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_meters: float = Field(1000.0, ge=0)
    altitude_meters: float | None = None


class LocationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    sources: list[Source] = Field(
        default_factory=lambda: list(DEFAULT_SOURCES),
        min_length=1,
        description="tried in order; an absent source (no gpsd, no where-am-i) is skipped",
    )
    gpsd_host: str = "127.0.0.1"
    gpsd_port: int = Field(2947, ge=1, le=65535)
    where_am_i: str | None = Field(
        None, description="GeoClue's demo client (default: PATH, then the distro's demo paths)"
    )
    fixed: FixedLocation | None = None
