"""screen.* end to end on a virtual X display (Xvfb): our node host with the screen plugin,
recordings and stills decoded back with PyAV."""

from __future__ import annotations

import base64
import io

import av
import openclaw_gateway_screen as screen
import pytest

from node_fixture import invoke_payload, node_error, paired_node, xvfb

pytestmark = pytest.mark.anyio

ALLOW = {"nodes": {"commands": {"allow": ["screen.record", "screen.snapshot"]}}}


async def test_record_and_snapshot_a_virtual_display(gateway_factory, tmp_path):
    with xvfb(800, 600) as display:
        settings = {"screen": {"enabled": True, "display": display}}
        async with (
            gateway_factory(extra_plugins=(screen,), **ALLOW) as gw,
            paired_node(gw.port, (screen,), settings, tmp_path / "node") as node,
        ):
            assert {"screen.record", "screen.snapshot"} <= set(node.request["commands"])
            rec = invoke_payload(
                await node.invoke(
                    "screen.record",
                    {
                        "durationMs": 1000,
                        "fps": 10,
                        "screenIndex": 0,
                        "format": "mp4",
                        "includeAudio": True,
                    },
                )
            )
            assert (rec["format"], rec["durationMs"], rec["fps"], rec["screenIndex"]) == (
                "mp4",
                1000,
                10,
                0,
            )
            assert rec["hasAudio"] is False  # no microphone here, and the payload says so
            with av.open(io.BytesIO(base64.b64decode(rec["base64"]))) as movie:
                video = movie.streams.video[0]
                assert video.codec_context.name == "h264"
                frames = list(movie.decode(video))
                assert len(frames) == 10 and (frames[0].width, frames[0].height) == (800, 600)

            still = invoke_payload(await node.invoke("screen.snapshot", {"screenIndex": 0}))
            assert (still["format"], still["width"], still["height"]) == ("png", 800, 600)
            assert base64.b64decode(still["base64"])[:8] == b"\x89PNG\r\n\x1a\n"
            small = invoke_payload(
                await node.invoke("screen.snapshot", {"maxWidth": 400, "format": "jpeg"})
            )
            assert (small["format"], small["width"], small["height"]) == ("jpeg", 400, 300)
            assert base64.b64decode(small["base64"])[:2] == b"\xff\xd8"

            code, message = node_error(await node.invoke("screen.snapshot", {"screenIndex": 3}))
            assert code == "INVALID_REQUEST" and "no screen 3" in message


async def test_without_a_display_or_when_off(gateway_factory, tmp_path):
    async with gateway_factory(extra_plugins=(screen,), **ALLOW) as gw:
        async with paired_node(gw.port, (screen,), {}, tmp_path / "off") as node:
            code, message = node_error(await node.invoke("screen.record", {"durationMs": 300}))
            assert code == "SCREEN_DISABLED" and "node.toml" in message
        settings = {"screen": {"enabled": True, "display": ":987"}}
        async with paired_node(gw.port, (screen,), settings, tmp_path / "nodisplay") as node:
            code, message = node_error(await node.invoke("screen.snapshot", {}))
            assert code == "SCREEN_UNAVAILABLE" and "display" in message
            code, _ = node_error(await node.invoke("screen.record", {"durationMs": 300}))
            assert code == "SCREEN_UNAVAILABLE"
