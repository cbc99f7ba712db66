"""Blocking capture and encoding with PyAV (FFmpeg in-process). Callers run these in a worker
thread; each takes a monotonic ``deadline`` and gives up past it, since a thread cannot be
cancelled from outside.

Time is read from the frames' own timestamps, so a live V4L2 camera and a virtual ``lavfi`` source
(which produces frames as fast as it is read) give clips of the same length.
"""

from __future__ import annotations

import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av

from openclaw_gateway.api import fit_width

if TYPE_CHECKING:
    from av.audio.frame import AudioFrame
    from av.audio.stream import AudioStream
    from av.container import InputContainer, OutputContainer
    from av.video.frame import VideoFrame

    from .config import MediaSource

OPEN_TIMEOUT_S = 5.0


class CaptureError(Exception):
    """The device could not be opened or stopped producing frames."""


def open_input(source: MediaSource) -> InputContainer:
    try:
        return av.open(
            source.source, format=source.format, options=source.options, timeout=OPEN_TIMEOUT_S
        )
    except (av.FFmpegError, OSError) as exc:
        raise CaptureError(f"cannot open {source.format} input {source.source!r}: {exc}") from None


def grab_frame(source: MediaSource, delay_s: float, deadline: float) -> VideoFrame:
    """The first frame at least ``delay_s`` after the first one (exposure settling)."""
    with open_input(source) as container:
        first: float | None = None
        try:
            for frame in container.decode(video=0):
                now = frame.time if frame.time is not None else time.monotonic()
                first = now if first is None else first
                if now - first >= delay_s:
                    return frame
                if time.monotonic() > deadline:
                    raise TimeoutError
        except av.FFmpegError as exc:
            raise CaptureError(f"capture failed: {exc}") from None
    raise CaptureError("the camera stopped sending frames")


def encode_jpeg(frame: VideoFrame, max_width: int, quality: float) -> tuple[bytes, int, int]:
    """One JPEG; ``quality`` 0..1 maps onto FFmpeg's ``-q:v`` 31..2 as the reference does."""
    width, height = fit_width(frame.width, frame.height, max_width)
    q = round(31 - quality * 29)
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    codec.qmin = codec.qmax = q  # a fixed quantiser: the only knob mjpeg honours here
    codec.open()
    image = frame.reformat(width=width, height=height, format="yuvj420p")
    packets = codec.encode(image) + codec.encode(None)
    return b"".join(bytes(p) for p in packets), width, height


def record_mp4(
    video: MediaSource,
    audio: MediaSource | None,
    duration_s: float,
    deadline: float,
    max_width: int = 1280,
) -> tuple[bytes, bool]:
    """H.264 (libx264, yuv420p) for ``duration_s`` of the source's own time, plus AAC from
    ``audio`` when it opens (a microphone that cannot be opened gives a clip without sound, and
    the returned flag says so). An MP4 with its index in front (faststart)."""
    audio_in: InputContainer | None = None
    if audio is not None:
        try:
            audio_in = open_input(audio)
        except CaptureError:
            audio_in = None
    audio_frames: list[AudioFrame] = []
    reader = (
        threading.Thread(
            target=_read_audio, args=(audio_in, audio_frames, duration_s, deadline), daemon=True
        )
        if audio_in is not None
        else None
    )
    # faststart rewrites the file to move the index in front: it needs a real file, not memory.
    scratch = tempfile.TemporaryDirectory(prefix="openclaw-camera-")
    out = Path(scratch.name) / "clip.mp4"
    try:
        with (
            open_input(video) as source,
            av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as sink,
        ):
            in_stream = source.streams.video[0]
            width, height = fit_width(
                in_stream.codec_context.width or max_width,
                in_stream.codec_context.height or max_width * 9 // 16,
                max_width,
            )
            v_out = sink.add_stream("libx264", rate=in_stream.average_rate or Fraction(30))
            v_out.width, v_out.height, v_out.pix_fmt = width, height, "yuv420p"
            v_out.options = {"preset": "veryfast"}
            a_out = sink.add_stream("aac", rate=48_000, layout="mono") if reader else None
            if reader is not None:
                reader.start()
            started: float | None = None
            try:
                for frame in source.decode(in_stream):
                    now = frame.time if frame.time is not None else time.monotonic()
                    started = now if started is None else started
                    if now - started >= duration_s:
                        break
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    image = frame.reformat(width=width, height=height, format="yuv420p")
                    image.pts = None
                    sink.mux(v_out.encode(image))
            except av.FFmpegError as exc:
                raise CaptureError(f"capture failed: {exc}") from None
            if started is None:
                raise CaptureError("the camera sent no frames")
            sink.mux(v_out.encode(None))
            if reader is not None and a_out is not None:
                reader.join(max(0.0, deadline - time.monotonic()))
                _mux_audio(sink, a_out, audio_frames)
        return out.read_bytes(), bool(audio_frames)
    finally:
        if audio_in is not None:
            audio_in.close()
        scratch.cleanup()


def _read_audio(
    container: InputContainer, frames: list[AudioFrame], duration_s: float, deadline: float
) -> None:
    started: float | None = None
    try:
        for frame in container.decode(audio=0):
            now = frame.time if frame.time is not None else time.monotonic()
            started = now if started is None else started
            if now - started >= duration_s or time.monotonic() > deadline:
                return
            frames.append(frame)
    except av.FFmpegError:
        return  # a microphone that fails mid-clip leaves the sound it gave


def _mux_audio(sink: OutputContainer, a_out: AudioStream, frames: list[AudioFrame]) -> None:
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=48_000)
    for frame in [*frames, None]:
        if frame is not None:
            frame.pts = None
        for chunk in resampler.resample(frame):
            sink.mux(a_out.encode(chunk))
    sink.mux(a_out.encode(None))
