"""``[screen]`` in the node's ``node.toml``: off unless the person running the node enables it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ScreenSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    display: str | None = Field(None, description="X display such as ':0' (default: $DISPLAY)")
    max_width: int = Field(1920, ge=16, le=8192, description="recordings are scaled down to this")
