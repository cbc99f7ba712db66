"""Blocking screen capture (mss) and encoding (PyAV); callers run these in a worker thread.

Recording is paced by the wall clock — a screen has no timestamps of its own — and each frame is
encoded as it is grabbed, so memory stays one frame deep whatever the duration.
"""

from __future__ import annotations

import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from openclaw_gateway.api import fit_width

if TYPE_CHECKING:
    from av.video.frame import VideoFrame


class ScreenError(Exception):
    """No display, or no such screen."""


class NoSuchScreen(ScreenError):
    pass


def _grabber(display: str | None) -> Any:
    import mss

    try:
        return mss.MSS(display=display) if display else mss.MSS()
    except Exception as exc:  # mss raises its own ScreenShotError, or OSError without libX11
        raise ScreenError(
            f"no display to capture ({exc}); set DISPLAY or [screen] display"
        ) from None


def _monitor(grabber: Any, index: int) -> dict[str, int]:
    monitors = grabber.monitors[1:]  # 0 is the union of all screens
    if index >= len(monitors):
        raise NoSuchScreen(f"no screen {index}: this display has {len(monitors)}")
    return monitors[index]  # type: ignore[no-any-return]


def _frame(grabber: Any, monitor: dict[str, int]) -> VideoFrame:
    shot = grabber.grab(monitor)
    frame = av.VideoFrame(shot.width, shot.height, "bgra")
    plane = frame.planes[0]
    row = shot.width * 4
    if plane.line_size == row:
        plane.update(shot.bgra)
    else:  # FFmpeg pads rows: copy them one by one
        buffer = memoryview(plane)
        data = shot.bgra
        for y in range(shot.height):
            start = y * plane.line_size
            buffer[start : start + row] = data[y * row : (y + 1) * row]
    return frame


def snapshot(display: str | None, index: int, max_width: int, fmt: str) -> tuple[bytes, int, int]:
    """One still of screen ``index``: PNG (lossless) or JPEG."""
    try:
        with _grabber(display) as grabber:
            frame = _frame(grabber, _monitor(grabber, index))
    except ScreenError:
        raise
    except Exception as exc:
        raise ScreenError(f"screen capture failed: {exc}") from None
    width, height = fit_width(frame.width, frame.height, max_width)
    if fmt == "png":
        codec = av.CodecContext.create("png", "w")
        pix_fmt = "rgb24"
    else:
        codec = av.CodecContext.create("mjpeg", "w")
        pix_fmt = "yuvj420p"
        codec.qmin = codec.qmax = 4  # -q:v 4: crisp text
    codec.width, codec.height, codec.pix_fmt = width, height, pix_fmt
    codec.time_base = Fraction(1, 1)
    codec.open()
    image = frame.reformat(width=width, height=height, format=pix_fmt)
    packets = codec.encode(image) + codec.encode(None)
    return b"".join(bytes(p) for p in packets), width, height


def record(
    display: str | None, index: int, duration_s: float, fps: float, max_width: int, deadline: float
) -> bytes:
    """``duration_s`` of screen ``index`` at ``fps`` as H.264 in an MP4 (faststart)."""
    scratch = tempfile.TemporaryDirectory(prefix="openclaw-screen-")
    out = Path(scratch.name) / "screen.mp4"
    try:
        with _grabber(display) as grabber:
            monitor = _monitor(grabber, index)
            width, height = fit_width(monitor["width"], monitor["height"], max_width)
            rate = Fraction(fps).limit_denominator(1000)
            with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as sink:
                stream = sink.add_stream("libx264", rate=rate)
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                stream.options = {"preset": "veryfast"}
                frames = max(1, round(duration_s * fps))
                started = time.monotonic()
                for i in range(frames):
                    delay = started + i / fps - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    image = _frame(grabber, monitor).reformat(
                        width=width, height=height, format="yuv420p"
                    )
                    image.pts, image.time_base = i, 1 / rate
                    sink.mux(stream.encode(image))
                sink.mux(stream.encode(None))
        return out.read_bytes()
    except (ScreenError, TimeoutError):
        raise
    except Exception as exc:
        raise ScreenError(f"screen recording failed: {exc}") from None
    finally:
        scratch.cleanup()
