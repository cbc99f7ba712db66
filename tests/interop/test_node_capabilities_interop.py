"""The official CLI's node helpers against our gateway and our node host with the camera, screen,
location and canvas plugins: ``openclaw nodes camera|screen|location|canvas|invoke``.

The node runs as ``openclaw-gateway node run`` with a node.toml naming a virtual camera (lavfi)
and microphone, an Xvfb display and a fixed position; the gateway arms the dangerous commands in
``nodes.commands.allow``. Saved files are decoded back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import av
import pytest

from gateway_process import our_cli, running_gateway
from node_fixture import stop_process, xvfb
from openclaw_cli import OpenClawCli

pytestmark = [pytest.mark.interop, pytest.mark.slow]

GATEWAY_CONFIG = """
[nodes.commands]
allow = ["camera.snap", "camera.clip", "screen.record", "location.get"]

[plugins.canvas]
port = 0
"""

NODE_CONFIG = """
[camera]
enabled = true
v4l2 = false
audio = { format = "lavfi", source = "sine=frequency=440:sample_rate=48000" }

[[camera.devices]]
id = "virtual:testsrc"
name = "Test pattern"
format = "lavfi"
source = "testsrc2=size=1280x720:rate=30"

[screen]
enabled = true

[location]
enabled = true
sources = ["fixed"]
fixed = { lat = 48.20849, lon = 16.37208, accuracy_meters = 12.5 }
"""


def test_official_node_helpers_drive_our_capability_plugins(
    openclaw: OpenClawCli, tmp_path: Path
) -> None:
    with xvfb(640, 480) as display, running_gateway(tmp_path, GATEWAY_CONFIG) as gw:
        node_home = tmp_path / "node"
        node_home.mkdir()
        (node_home / "node.toml").write_text(NODE_CONFIG)
        node = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openclaw_gateway.cli.main",
                "node",
                "run",
                "--port",
                str(gw.port),
                "--state-dir",
                str(node_home),
                "--display-name",
                "lab-node",
            ],
            env={
                **os.environ,
                "HOME": str(node_home),
                "OPENCLAW_GATEWAY_TOKEN": gw.token,
                "DISPLAY": display,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline, request = time.monotonic() + 30, None
            while time.monotonic() < deadline and request is None:
                cp = our_cli(["nodes", "pending", "--json"], gw)
                pending = json.loads(cp.stdout) if cp.returncode == 0 else []
                request = pending[0] if pending else None
                time.sleep(0.3)
            assert request is not None, "our node host never asked for approval"
            assert {
                "camera.snap",
                "camera.clip",
                "screen.record",
                "location.get",
                "canvas.present",
            } <= set(request["commands"])
            cp = our_cli(["nodes", "approve", request["requestId"]], gw)
            assert cp.returncode == 0, cp.stderr
            node_id = request["nodeId"]
            cli_home = tmp_path / "cli"
            conn = ["--url", gw.url, "--token", gw.token]

            def official(*args: str, timeout: float = 90) -> Any:
                cp = openclaw.run([*args, *conn], home=cli_home, timeout=timeout)
                assert cp.returncode == 0, cp.stdout + cp.stderr
                return cp.stdout

            devices = json.loads(official("nodes", "camera", "list", "--node", node_id, "--json"))
            assert devices[0]["id"] == "virtual:testsrc"

            snap = json.loads(
                official(
                    "nodes", "camera", "snap", "--node", node_id, "--max-width", "640", "--json"
                )
            )
            photo = Path(snap["files"][0]["path"])
            assert (snap["files"][0]["width"], snap["files"][0]["height"]) == (640, 360)
            assert photo.read_bytes()[:2] == b"\xff\xd8"

            clip = json.loads(
                official("nodes", "camera", "clip", "--node", node_id, "--duration", "1s", "--json")
            )["file"]
            assert clip["durationMs"] == 1000 and clip["hasAudio"] is True
            with av.open(clip["path"]) as movie:
                assert {s.type for s in movie.streams} == {"video", "audio"}

            rec = json.loads(
                official(
                    "nodes",
                    "screen",
                    "record",
                    "--node",
                    node_id,
                    "--duration",
                    "1000",
                    "--fps",
                    "5",
                    "--json",
                )
            )["file"]
            with av.open(rec["path"]) as movie:
                frame = next(movie.decode(video=0))
                assert (frame.width, frame.height) == (640, 480)

            where = json.loads(official("nodes", "location", "get", "--node", node_id, "--json"))
            assert (where["lat"], where["lon"], where["accuracyMeters"]) == (
                48.20849,
                16.37208,
                12.5,
            )

            invoked = json.loads(
                official(
                    "nodes",
                    "invoke",
                    "--node",
                    node_id,
                    "--command",
                    "location.get",
                    "--params",
                    "{}",
                )
            )
            assert invoked["ok"] is True and invoked["payload"]["lat"] == 48.20849

            path = "/__openclaw__/canvas/documents/missing/index.html"
            present = json.loads(
                official(
                    "nodes", "canvas", "present", "--node", node_id, "--target", path, "--json"
                )
            )
            assert present["payload"]["visible"] is True
            assert (
                present["payload"]["url"].endswith(path)
                and "/__openclaw__/cap/" in present["payload"]["url"]
            )
            official("nodes", "canvas", "navigate", path, "--node", node_id)
            hidden = json.loads(official("nodes", "canvas", "hide", "--node", node_id, "--json"))
            assert hidden["payload"]["visible"] is False
        finally:
            stop_process(node)
