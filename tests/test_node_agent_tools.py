"""The agent reaches node capabilities: the ``nodes`` tool lists nodes and invokes allowed
commands ("where am I" → location.get), armed dangerous commands only under ``armed``, and a
camera photo reaches the model as an image rather than as base64 text."""

from __future__ import annotations

import json

import openclaw_gateway_camera as camera
import openclaw_gateway_location as location
import pytest

from openclaw_gateway.agent.tools import ToolBox
from openclaw_gateway.config import AgentConfig

from node_fixture import paired_node

pytestmark = pytest.mark.anyio

ARMED = {"nodes": {"commands": {"allow": ["location.get", "camera.snap"]}}}
SETTINGS = {
    "location": {"enabled": True, "sources": ["fixed"], "fixed": {"lat": 1.5, "lon": 2.5}},
    "camera": {
        "enabled": True,
        "v4l2": False,
        "devices": [{"id": "v", "format": "lavfi", "source": "testsrc2=size=320x240:rate=10"}],
    },
}


async def test_where_am_i_and_what_does_the_camera_see(gateway_factory, tmp_path):
    plugins = (location, camera)
    async with (
        gateway_factory(extra_plugins=plugins, **ARMED) as gw,
        paired_node(gw.port, plugins, SETTINGS, tmp_path / "node") as node,
    ):
        armed = ToolBox(config=AgentConfig(node_tools="armed"), tools={}, nodes=gw.nodes)
        names = {d.name for d in armed.definitions}
        assert {"nodes", "node_location_get", "node_camera_snap", "node_camera_list"} <= names

        ok, listed = await armed.call("nodes", json.dumps({"action": "list"}))
        assert ok and listed[0]["nodeId"] == node.node_id
        assert {"location.get", "camera.snap"} <= set(listed[0]["commands"])

        ok, where = await armed.call(
            "nodes",
            json.dumps({"action": "invoke", "nodeId": node.node_id, "command": "location.get"}),
        )
        assert ok and (where["lat"], where["lon"]) == (1.5, 2.5)

        ok, photo = await armed.call(
            "node_camera_snap", json.dumps({"nodeId": node.node_id, "params": {"maxWidth": 160}})
        )
        assert ok and photo["width"] == 160 and "attached" in photo["base64"]
        images = armed.take_images()
        assert len(images) == 1 and images[0].mime == "image/jpeg"
        assert images[0].data[:2] == b"\xff\xd8" and armed.take_images() == []

        # the default policy offers safe commands only: no location, no camera capture
        safe = ToolBox(config=AgentConfig(), tools={}, nodes=gw.nodes)
        names = {d.name for d in safe.definitions}
        assert "node_location_get" not in names and "node_camera_list" in names
        ok, refused = await safe.call(
            "nodes",
            json.dumps({"action": "invoke", "nodeId": node.node_id, "command": "location.get"}),
        )
        assert not ok and "not a command you may run" in refused
        off = ToolBox(config=AgentConfig(node_tools="off"), tools={}, nodes=gw.nodes)
        assert off.definitions == []


def test_media_payloads_never_reach_the_model_as_text() -> None:
    from types import SimpleNamespace

    box = ToolBox(config=AgentConfig(node_tools="off"), tools={}, nodes=SimpleNamespace(live={}))
    clip = box._lift_images({"format": "mp4", "base64": "AAAA" * 1000, "durationMs": 3000})
    assert clip == {
        "format": "mp4",
        "durationMs": 3000,
        "base64": "<4000 base64 characters left out>",
    }
    broken = box._lift_images({"format": "jpg", "base64": "not base64!"})
    assert broken["base64"] == "<11 base64 characters left out>"
    assert box.take_images() == []
    text_only = ToolBox(
        config=AgentConfig(node_tools="off", image_input=False),
        tools={},
        nodes=SimpleNamespace(live={}),
    )
    photo = text_only._lift_images({"format": "png", "base64": "iVBORw0KGgo="})
    assert photo["base64"] == "<8-byte image, not shown>" and text_only.take_images() == []
