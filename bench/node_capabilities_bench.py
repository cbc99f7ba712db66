"""Node capability round trips through the gateway (issue 16):

* ``camera.snap`` of a ~1 MB JPEG (a 3840x2160 lavfi test pattern at quality 1.0), p50/p95, MB/s;
* ``node.invoke`` payload throughput at 1 / 5 / 20 MB (a bench-only node command returning that
  many bytes of base64), p50 and MB/s;
* canvas update → rendered: ``canvas.a2ui.push`` until headless Chromium shows the new text.

In-process gateway + our node host on loopback, as tests/node_fixture.py wires them.
Run: ``.venv/bin/python bench/node_capabilities_bench.py [--reps 20]``.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import openclaw_gateway_camera as camera
from openclaw_gateway_canvas import CanvasPlugin

from openclaw_gateway.api import NodeHandlerSpec, hookimpl
from openclaw_gateway.config import load_config
from openclaw_gateway.server.app import start_gateway

from node_fixture import ALL, paired_node
from wire import TOKEN, operator


class Blob:
    """A bench-only node command: ``bench.blob {mb}`` answers that many MB of base64."""

    @hookimpl
    def register_node_handlers(self, register: Callable[[NodeHandlerSpec], None]) -> None:
        async def blob(params: Any) -> Any:
            size = int(params.get("mb", 1) * 1024 * 1024)
            return {"format": "bin", "base64": base64.b64encode(b"\x5a" * (size * 3 // 4)).decode()}

        register(NodeHandlerSpec(name="bench.blob", handler=blob, cap="bench"))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(reps: int) -> None:
    plugin = CanvasPlugin()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(
            token=TOKEN,
            port=0,
            secrets_backend="file",
            state_dir=Path(tmp) / "gw",
            nodes={"commands": {"allow": ["camera.snap", "bench.blob"]}},
            plugins={"canvas": {"port": 0}},
        )
        settings = {
            "camera": {
                "enabled": True,
                "v4l2": False,
                "devices": [
                    {"id": "big", "format": "lavfi", "source": "testsrc2=size=3840x2160:rate=5"}
                ],
            }
        }
        async with (
            start_gateway(config, extra_plugins=(camera, plugin)) as gw,
            paired_node(gw.port, (camera, Blob()), settings, Path(tmp) / "node") as node,
        ):
            times, sizes = [], []
            for i in range(reps):
                started = time.perf_counter()
                res = await node.invoke(
                    "camera.snap", {"maxWidth": 3840, "quality": 1.0, "delayMs": 0}, key=f"s{i}"
                )
                times.append(time.perf_counter() - started)
                sizes.append(len(base64.b64decode(res["payload"]["payload"]["base64"])))
            mb = statistics.mean(sizes) / 1e6
            print(
                f"camera.snap {mb:.2f} MB JPEG: p50 {pct(times, 0.5) * 1000:.0f} ms,"
                f" p95 {pct(times, 0.95) * 1000:.0f} ms, {mb / statistics.median(times):.1f} MB/s"
            )
            for size in (1, 5, 20):
                times = []
                for i in range(max(3, reps // size)):
                    started = time.perf_counter()
                    res = await node.invoke("bench.blob", {"mb": size}, key=f"b{size}-{i}")
                    assert res["ok"], res
                    times.append(time.perf_counter() - started)
                print(
                    f"node.invoke {size:>2} MB payload: p50 {pct(times, 0.5) * 1000:.0f} ms,"
                    f" {size / statistics.median(times):.1f} MB/s"
                )
            await canvas_latency(gw.port, reps)


async def canvas_latency(port: int, reps: int) -> None:
    from playwright.async_api import async_playwright

    peer = await operator(port, TOKEN, ALL)
    msgs = [
        {"version": "v0.9", "createSurface": {"surfaceId": "s", "catalogId": "basic"}},
        {
            "version": "v0.9",
            "updateComponents": {
                "surfaceId": "s",
                "components": [{"id": "root", "component": "Text", "text": {"path": "/n"}}],
            },
        },
    ]
    res = await peer.request(
        "canvas.a2ui.push", {"documentId": "bench", "messages": msgs, "idempotencyKey": "init"}
    )
    url = (await peer.request("canvas.capability", {"surface": "canvas"}))["payload"]
    base = url["pluginSurfaceUrls"]["canvas"]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu"],
        )
        page = await browser.new_page()
        await page.goto(base + res["payload"]["path"])
        # arrow functions, not strings: a string predicate needs eval, which the page's CSP forbids
        await page.wait_for_function("() => document.documentElement.dataset.canvasLive === '1'")
        times = []
        for i in range(reps):
            started = time.perf_counter()
            await peer.request(
                "canvas.a2ui.push",
                {
                    "documentId": "bench",
                    "idempotencyKey": f"u{i}",
                    "messages": [
                        {
                            "version": "v0.9",
                            "updateDataModel": {"surfaceId": "s", "path": "/n", "value": f"v{i}"},
                        }
                    ],
                },
            )
            await page.wait_for_function(
                f"() => document.querySelector('[data-a2ui-id=root]')?.textContent === 'v{i}'",
                polling="raf",
            )
            times.append(time.perf_counter() - started)
        await browser.close()
    print(
        f"canvas update → rendered: p50 {pct(times, 0.5) * 1000:.1f} ms,"
        f" p95 {pct(times, 0.95) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=20)
    anyio.run(main, parser.parse_args().reps)
