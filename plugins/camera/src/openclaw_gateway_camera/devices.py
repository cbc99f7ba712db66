"""Which cameras this node has: the host's V4L2 capture devices and the virtual ones in node.toml.

V4L2 devices are read from sysfs, without opening them (opening a camera turns its light on):
``/dev/videoN`` is offered when it is a readable character device whose sysfs ``index`` is 0 —
the capture node of a UVC camera; its metadata node has index 1.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .config import CameraSettings, MediaSource
from .wire import CameraDevice

SYSFS = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class Camera:
    info: CameraDevice
    source: MediaSource


def v4l2_cameras(dev: Path = Path("/dev"), sysfs: Path = SYSFS) -> list[Camera]:
    found: list[Camera] = []
    for node in sorted(dev.glob("video*"), key=lambda p: (len(p.name), p.name)):
        try:
            mode = node.stat().st_mode
        except OSError:
            continue
        if not stat.S_ISCHR(mode) or not os.access(node, os.R_OK):
            continue
        meta = sysfs / node.name
        try:
            if (meta / "index").read_text().strip() not in ("", "0"):
                continue
            name = (meta / "name").read_text().strip() or node.name
        except OSError:
            name = node.name
        found.append(
            Camera(
                CameraDevice(id=str(node), name=name, deviceType="v4l2"),
                MediaSource(format="v4l2", source=str(node)),
            )
        )
    return found


def cameras(settings: CameraSettings) -> list[Camera]:
    """Configured virtual cameras first (the first is the default), then V4L2 ones."""
    virtual = [
        Camera(CameraDevice(id=d.id, name=d.name, deviceType="virtual"), d)
        for d in settings.devices
    ]
    return virtual + (v4l2_cameras() if settings.v4l2 else [])
