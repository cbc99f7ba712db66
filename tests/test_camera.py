"""camera.* end to end: the gateway with the camera plugin, our node host with a virtual camera
(FFmpeg's lavfi test source through PyAV) and a virtual microphone; payloads decoded back."""

from __future__ import annotations

import base64
import io
from typing import Any

import anyio
import av
import openclaw_gateway_camera as camera
import pytest

from node_fixture import ALL, invoke_payload, node_error, paired_node
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALLOW = {"nodes": {"commands": {"allow": ["camera.snap", "camera.clip"]}}}
TEST_PATTERN = {
    "id": "virtual:testsrc",
    "name": "Test pattern",
    "format": "lavfi",
    "source": "testsrc2=size=1280x720:rate=30",
}
SINE = {"format": "lavfi", "source": "sine=frequency=440:sample_rate=48000"}


def settings(**camera_table: Any) -> dict[str, Any]:
    table = {"enabled": True, "v4l2": False, "devices": [TEST_PATTERN], "audio": SINE}
    return {"camera": table | camera_table}


def decoded(data: str) -> av.container.InputContainer:
    return av.open(io.BytesIO(base64.b64decode(data)))


async def test_list_snap_and_clip_from_a_virtual_camera(gateway_factory, tmp_path):
    async with (
        gateway_factory(extra_plugins=(camera,), **ALLOW) as gw,
        paired_node(gw.port, (camera,), settings(), tmp_path / "node") as node,
    ):
        assert {"camera.list", "camera.snap", "camera.clip"} <= set(node.request["commands"])
        devices = invoke_payload(await node.invoke("camera.list", {}))["devices"]
        assert devices == [
            {
                "id": "virtual:testsrc",
                "name": "Test pattern",
                "position": "unknown",
                "deviceType": "virtual",
            }
        ]

        snap = invoke_payload(await node.invoke("camera.snap", {"maxWidth": 640, "format": "jpg"}))
        assert (snap["format"], snap["width"], snap["height"]) == ("jpg", 640, 360)
        jpeg = base64.b64decode(snap["base64"])
        assert jpeg[:2] == b"\xff\xd8"
        with decoded(snap["base64"]) as image:
            frame = next(image.decode(video=0))
            assert (frame.width, frame.height) == (640, 360)
        # quality is honoured: a low-quality photo is smaller
        low = invoke_payload(await node.invoke("camera.snap", {"maxWidth": 640, "quality": 0.1}))
        assert len(low["base64"]) < len(snap["base64"]) * 0.8
        # never upscaled past the camera
        big = invoke_payload(await node.invoke("camera.snap", {"maxWidth": 4000, "delayMs": 0}))
        assert (big["width"], big["height"]) == (1280, 720)

        clip = invoke_payload(
            await node.invoke("camera.clip", {"durationMs": 1000, "format": "mp4"})
        )
        assert (clip["format"], clip["durationMs"], clip["hasAudio"]) == ("mp4", 1000, True)
        with decoded(clip["base64"]) as movie:
            kinds = {s.type: s.codec_context.name for s in movie.streams}
            assert kinds == {"video": "h264", "audio": "aac"}
            video = movie.streams.video[0]
            assert abs(float(video.duration * video.time_base) - 1.0) < 0.1

        silent = invoke_payload(
            await node.invoke("camera.clip", {"durationMs": 300, "includeAudio": False})
        )
        assert silent["hasAudio"] is False and silent["durationMs"] == 300
        with decoded(silent["base64"]) as movie:
            assert [s.type for s in movie.streams] == ["video"]
        # durations are clamped to the reference's [250, 60000]
        short = invoke_payload(
            await node.invoke("camera.clip", {"durationMs": 1, "includeAudio": False})
        )
        assert short["durationMs"] == 250


async def test_errors_are_the_references_codes(gateway_factory, tmp_path):
    broken = {**TEST_PATTERN, "id": "virtual:broken", "source": "nosuchfilter=x=1"}
    async with gateway_factory(extra_plugins=(camera,), **ALLOW) as gw:
        async with paired_node(gw.port, (camera,), {}, tmp_path / "off") as node:
            code, message = node_error(await node.invoke("camera.snap", {}))
            assert code == "CAMERA_DISABLED" and "node.toml" in message
            code, _ = node_error(await node.invoke("camera.list", {}))
            assert code == "CAMERA_DISABLED"
        table = settings(devices=[TEST_PATTERN, broken], audio={"format": "lavfi", "source": "bad"})
        async with paired_node(gw.port, (camera,), table, tmp_path / "on") as node:
            code, _ = node_error(await node.invoke("camera.snap", {"deviceId": "/dev/video9"}))
            assert code == "INVALID_REQUEST"
            code, message = node_error(
                await node.invoke("camera.snap", {"deviceId": "virtual:broken"})
            )
            assert code == "CAMERA_UNAVAILABLE" and "cannot open" in message
            # a microphone that cannot be opened: the clip comes without sound, and says so
            clip = invoke_payload(await node.invoke("camera.clip", {"durationMs": 300}))
            assert clip["hasAudio"] is False
            # the gateway validates params before the node sees them
            res = await node.invoke("camera.snap", {"quality": "best"})
            assert res["error"]["code"] == "INVALID_REQUEST"
        async with paired_node(gw.port, (camera,), settings(devices=[]), tmp_path / "none") as node:
            code, _ = node_error(await node.invoke("camera.snap", {}))
            assert code == "CAMERA_UNAVAILABLE"


async def test_concurrent_snaps_on_one_camera_take_turns(gateway_factory, tmp_path):
    results: list[dict[str, Any]] = []
    async with (
        gateway_factory(extra_plugins=(camera,), **ALLOW) as gw,
        paired_node(gw.port, (camera,), settings(), tmp_path / "node") as node,
    ):

        async def snap(i: int) -> None:
            # each on its own operator connection, as separate clients would
            own = await operator(gw.port, TOKEN, ALL, max_size=None)
            body = {"maxWidth": 320}
            params = {"nodeId": node.node_id, "command": "camera.snap", "params": body}
            results.append(await own.request("node.invoke", params | {"idempotencyKey": f"s{i}"}))
            await own.ws.close()

        async with anyio.create_task_group() as tg:
            for i in range(4):
                tg.start_soon(snap, i)
    assert len(results) == 4 and all(r["ok"] for r in results), results


async def test_capture_is_not_offered_without_the_operators_allowlist(gateway_factory, tmp_path):
    async with (
        gateway_factory(extra_plugins=(camera,)) as gw,
        paired_node(gw.port, (camera,), settings(), tmp_path / "node") as node,
    ):
        assert "camera.list" in node.request["commands"]
        assert not {"camera.snap", "camera.clip"} & set(node.request["commands"])
        res = await node.invoke("camera.snap", {})
        assert res["ok"] is False and "nodes.commands.allow" in res["error"]["message"]


def test_payload_budget_is_the_references_25_mb() -> None:
    from openclaw_gateway_camera.node import encode_payload

    from openclaw_gateway.api import MAX_PAYLOAD_BASE64_BYTES as MAX_BASE64_BYTES
    from openclaw_gateway.api import NodeCommandError

    assert MAX_BASE64_BYTES == 26_148_864  # the reference Linux node's budget
    fits = MAX_BASE64_BYTES // 4 * 3
    assert len(encode_payload(b"\0" * fits)) == MAX_BASE64_BYTES
    with pytest.raises(NodeCommandError) as refused:
        encode_payload(b"\0" * (fits + 1))
    assert refused.value.code == "PAYLOAD_TOO_LARGE"
