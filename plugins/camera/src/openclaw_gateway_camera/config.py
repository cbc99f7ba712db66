"""``[camera]`` in the node's ``node.toml``: off unless the person running the node enables it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MediaSource(BaseModel):
    """An FFmpeg input the node owner names: ``format`` (``v4l2``, ``lavfi``, ``alsa``…) and
    ``source`` (a device path, a filter graph such as ``testsrc2=size=1280x720:rate=30``)."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(min_length=1)
    source: str = Field(min_length=1)
    options: dict[str, str] = Field(default_factory=dict, description="FFmpeg input options")


class VirtualCamera(MediaSource):
    id: str = Field(min_length=1, max_length=200)
    name: str = "Virtual camera"


class CameraSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    v4l2: bool = Field(True, description="offer the host's /dev/video* capture devices")
    devices: list[VirtualCamera] = Field(
        default_factory=list, description="extra cameras (first listed is the default)"
    )
    audio: MediaSource | None = Field(
        default_factory=lambda: MediaSource(format="alsa", source="default"),
        description="microphone for clips; none/unavailable records clips without sound",
    )
