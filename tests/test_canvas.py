"""The canvas host end to end: capability URLs, documents with live reload, A2UI rendered in
headless Chromium, and canvas.present/navigate/hide on our node host resolving hosted paths."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from openclaw_gateway_canvas import CanvasPlugin
from playwright.async_api import expect

from node_fixture import ALL, paired_node
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

CANVAS = {"plugins": {"canvas": {"port": 0}}}
ARTIFACTS = Path(
    os.environ.get("OPENCLAW_TEST_ARTIFACTS", Path(__file__).parent.parent / ".artifacts")
)

SURFACE = [
    {
        "version": "v0.9",
        "createSurface": {
            "surfaceId": "main",
            "catalogId": "https://a2ui.org/specification/v0_9/basic_catalog.json",
        },
    },
    {
        "version": "v0.9",
        "updateComponents": {
            "surfaceId": "main",
            "components": [
                {"id": "root", "component": "Card", "child": "col"},
                {"id": "col", "component": "Column", "children": ["title", "body", "go"]},
                {"id": "title", "component": "Text", "text": "Build status", "variant": "h2"},
                {"id": "body", "component": "Text", "text": {"path": "/status"}},
                {
                    "id": "go",
                    "component": "Button",
                    "child": "go-label",
                    "action": {"event": {"name": "rerun"}},
                },
                {"id": "go-label", "component": "Text", "text": "Re-run <b>now</b>"},
            ],
        },
    },
    {
        "version": "v0.9",
        "updateDataModel": {"surfaceId": "main", "path": "/status", "value": "passed"},
    },
]


async def canvas_url(port: int) -> str:
    peer = await operator(port, TOKEN, ALL)
    res = await peer.request("canvas.capability", {"surface": "canvas"})
    await peer.ws.close()
    assert res["ok"], res
    assert res["payload"]["expiresAtMs"] > time.time() * 1000
    return str(res["payload"]["pluginSurfaceUrls"]["canvas"])


async def test_capability_urls_guard_every_path(gateway_factory):
    async with gateway_factory(extra_plugins=(CanvasPlugin(),), **CANVAS) as gw:
        base = await canvas_url(gw.port)
        assert base.startswith("http://127.0.0.1:") and "/__openclaw__/cap/" in base
        assert TOKEN not in base
        peer = await operator(gw.port, TOKEN, ALL)
        res = await peer.request(
            "canvas.write", {"documentId": "hello", "html": "<h1>hi</h1>", "idempotencyKey": "k1"}
        )
        assert res["ok"], res
        assert res["payload"]["path"] == "/__openclaw__/canvas/documents/hello/index.html"
        origin = base.split("/__openclaw__/")[0]
        async with httpx.AsyncClient() as http:
            page = await http.get(base + res["payload"]["path"])
            assert page.status_code == 200 and "<h1>hi</h1>" in page.text
            assert "live.js" in page.text  # live reload injected
            assert page.headers["referrer-policy"] == "no-referrer"
            assert "connect-src 'self'" in page.headers["content-security-policy"]
            # no capability, a made-up one, or a forged one: refused
            assert (await http.get(origin + res["payload"]["path"])).status_code == 404
            forged = origin + "/__openclaw__/cap/" + "A" * 24 + res["payload"]["path"]
            assert (await http.get(forged)).status_code == 403
            # traversal never reaches a file: ids are a strict pattern, file names fixed
            for evil in (
                "/__openclaw__/canvas/documents/../../../../etc/passwd",
                "/__openclaw__/canvas/documents/hello/../../../config.toml",
                "/__openclaw__/canvas/documents/%2e%2e/index.html",
                "/__openclaw__/canvas/documents/hello/meta.json",
                "/__openclaw__/canvas/documents/HELLO/index.html",
            ):
                assert (await http.get(base + evil)).status_code == 404, evil
        bad = await peer.request(
            "canvas.write", {"documentId": "../x", "html": "x", "idempotencyKey": "k2"}
        )
        assert bad["ok"] is False and bad["error"]["code"] == "INVALID_REQUEST"
        bad = await peer.request(
            "canvas.a2ui.push",
            {"messages": [{"version": "v0.9", "bogus": {}}], "idempotencyKey": "k0"},
        )
        assert bad["ok"] is False and "not A2UI v0.9" in bad["error"]["message"]
        reader = await operator(gw.port, TOKEN, ["operator.read"])
        res = await reader.request("canvas.write", {"html": "x", "idempotencyKey": "k3"})
        assert res["ok"] is False and res["error"]["details"]["missingScope"] == "operator.write"


async def test_a_burst_applies_in_order_and_a_raced_key_appends_once(gateway_factory):
    plugin = CanvasPlugin()
    async with gateway_factory(extra_plugins=(plugin,), **CANVAS) as gw:
        peers = [await operator(gw.port, TOKEN, ALL) for _ in range(2)]
        first = {"documentId": "race", "messages": SURFACE[:1], "idempotencyKey": "create"}
        assert (await peers[0].request("canvas.a2ui.push", first))["ok"]

        def update(i: int) -> dict[str, Any]:
            return {
                "version": "v0.9",
                "updateDataModel": {"surfaceId": "main", "path": "/n", "value": i},
            }

        # five pushes in a burst on one socket land in the order sent
        for i in range(5):
            await peers[0].send(
                {
                    "type": "req",
                    "id": f"b{i}",
                    "method": "canvas.a2ui.push",
                    "params": {
                        "documentId": "race",
                        "messages": [update(i)],
                        "idempotencyKey": f"b{i}",
                    },
                }
            )
        for i in range(5):
            assert (await peers[0].recv_res(f"b{i}"))["ok"]
        # two clients racing with one idempotency key: appended once, both answered alike
        raced: list[dict[str, Any]] = []

        async def push(peer: Any) -> None:
            body = {"documentId": "race", "messages": [update(99)], "idempotencyKey": "same"}
            raced.append(await peer.request("canvas.a2ui.push", body))

        async with anyio.create_task_group() as tg:
            for peer in peers:
                tg.start_soon(push, peer)
        assert [r["ok"] for r in raced] == [True, True]
        assert raced[0]["payload"] == raced[1]["payload"]
        assert plugin.host is not None
        values = [
            m["updateDataModel"]["value"] for m in plugin.host.documents.a2ui_messages("race")[1:]
        ]
        assert values == [0, 1, 2, 3, 4, 99]


async def test_capabilities_expire(gateway_factory):
    config = {"plugins": {"canvas": {"port": 0, "capability_ttl_ms": 1000}}}
    async with gateway_factory(extra_plugins=(CanvasPlugin(),), **config) as gw:
        base = await canvas_url(gw.port)
        peer = await operator(gw.port, TOKEN, ALL)
        path = (
            await peer.request(
                "canvas.write", {"documentId": "t", "html": "x", "idempotencyKey": "k4"}
            )
        )["payload"]["path"]
        async with httpx.AsyncClient() as http:
            assert (await http.get(base + path)).status_code == 200
            await anyio.sleep(1.2)
            assert (await http.get(base + path)).status_code == 403


async def test_a2ui_renders_in_chromium_and_updates_live(gateway_factory, browser, tmp_path):
    async with gateway_factory(extra_plugins=(CanvasPlugin(),), **CANVAS) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        res = await peer.request(
            "canvas.a2ui.push",
            {"documentId": "status", "messages": SURFACE, "idempotencyKey": "k5"},
        )
        assert res["ok"], res
        base = await canvas_url(gw.port)
        context = await browser()
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(base + res["payload"]["path"])
        title = page.locator('[data-a2ui-id="title"]')
        await title.wait_for(timeout=10_000)
        assert await title.text_content() == "Build status"
        assert await title.evaluate("e => e.tagName") == "H2"
        assert await page.locator('[data-a2ui-id="body"]').text_content() == "passed"
        # agent text is text: the <b> stays literal
        label = page.locator('[data-a2ui-id="go-label"]')
        assert await label.text_content() == "Re-run <b>now</b>"
        assert await page.locator('[data-a2ui-id="go-label"] b').count() == 0
        await expect(page.locator("html")).to_have_attribute("data-canvas-live", "1")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "canvas-a2ui.png"))

        # a push reaches the open page without a reload
        await page.evaluate("window.__marker = 1")
        update = [
            {
                "version": "v0.9",
                "updateDataModel": {
                    "surfaceId": "main",
                    "path": "/status",
                    "value": "failed: 3 tests",
                },
            }
        ]
        res = await peer.request(
            "canvas.a2ui.push", {"documentId": "status", "messages": update, "idempotencyKey": "k6"}
        )
        assert res["payload"]["viewers"] == 1
        await expect(page.locator('[data-a2ui-id="body"]')).to_have_text("failed: 3 tests")
        assert await page.evaluate("window.__marker") == 1

        # a click comes back to operators as a canvas.action event
        await page.locator('[data-a2ui-id="go"]').click()
        with anyio.fail_after(5):
            event = await peer.next_event("canvas.action")
        assert event["payload"]["componentId"] == "go"
        assert event["payload"]["action"] == {"event": {"name": "rerun"}}
        assert errors == []

        # an HTML document reloads when rewritten
        res = await peer.request(
            "canvas.write",
            {"documentId": "note", "html": "<p id=v>one</p>", "idempotencyKey": "k7"},
        )
        await page.goto(base + res["payload"]["path"])
        await expect(page.locator("html")).to_have_attribute("data-canvas-live", "1")
        await peer.request(
            "canvas.write",
            {"documentId": "note", "html": "<p id=v>two</p>", "idempotencyKey": "k8"},
        )
        await expect(page.locator("#v")).to_have_text("two")


VIEWER = """\
import sys
open(sys.argv[1], "a").write(sys.argv[2] + "\\n")
import time
time.sleep(60)
"""


async def test_node_panel_resolves_hosted_paths_through_a_fresh_capability(
    gateway_factory, tmp_path
):
    viewer_log = tmp_path / "viewer.log"
    viewer = tmp_path / "viewer.py"
    viewer.write_text(VIEWER)
    plugin = CanvasPlugin()
    settings = {"canvas": {"viewer": [sys.executable, str(viewer), str(viewer_log), "{url}"]}}
    async with (
        gateway_factory(extra_plugins=(plugin,), **CANVAS) as gw,
        paired_node(gw.port, (plugin,), settings, tmp_path / "node") as node,
    ):
        assert {"canvas.present", "canvas.navigate", "canvas.hide"} <= set(node.request["commands"])
        write = await node.admin.request(
            "canvas.write", {"documentId": "w", "html": "<p>w</p>", "idempotencyKey": "k9"}
        )
        path = write["payload"]["path"]
        res = await node.invoke("canvas.present", {"url": path})
        state = res["payload"]["payload"]
        assert state["visible"] is True and state["viewer"] == "command"
        assert state["url"].startswith("http://127.0.0.1:") and state["url"].endswith(path)
        async with httpx.AsyncClient() as http:
            assert "<p>w</p>" in (await http.get(state["url"])).text
        with anyio.fail_after(10):
            while not viewer_log.exists() or state["url"] not in viewer_log.read_text():
                await anyio.sleep(0.05)

        res = await node.invoke("canvas.navigate", {"url": "https://example.com/"})
        assert res["ok"] is False and "hosted document path" in res["error"]["message"]
        res = await node.invoke("canvas.navigate", {"url": "file:///etc/passwd"})
        assert res["ok"] is False
        hidden = (await node.invoke("canvas.hide"))["payload"]["payload"]
        assert hidden["visible"] is False and hidden["url"] == state["url"]

    # canvas.pluginSurface is for nodes only
    async with gateway_factory(extra_plugins=(CanvasPlugin(),), **CANVAS) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        res = await peer.request("node.pluginSurface.refresh", {"surface": "canvas"})
        assert res["ok"] is False


def test_the_renderer_is_bundled() -> None:
    from importlib import resources

    files = resources.files("openclaw_gateway_canvas").joinpath("static")
    assert b"window.A2UI" in files.joinpath("a2ui.js").read_bytes()
    assert b"location.reload" in files.joinpath("live.js").read_bytes()


async def test_the_host_starts_on_first_use_and_a_taken_port_is_a_typed_error(gateway_factory):
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        plugin = CanvasPlugin()
        config = {"plugins": {"canvas": {"port": taken}}}
        async with gateway_factory(extra_plugins=(plugin,), **config) as gw:
            assert plugin.host is None  # nothing listens until someone draws
            peer = await operator(gw.port, TOKEN, ALL)
            res = await peer.request("canvas.capability", {"surface": "canvas"})
            assert res["error"]["code"] == "UNAVAILABLE"
            assert "[plugins.canvas] port" in res["error"]["message"]
            assert (await peer.request("health"))["ok"]  # the gateway is fine
            await peer.ws.close()
    plugin = CanvasPlugin()
    async with gateway_factory(extra_plugins=(plugin,), **CANVAS) as gw:
        assert plugin.host is None
        url = await canvas_url(gw.port)
        assert plugin.host is not None and url.startswith(plugin.host.base_url or "?")
    assert plugin.host is None  # stopped with the gateway
