"""The WebChat plugin without a browser: what its routes serve, its config, its start-up line, and
that the page's origin may open the WebSocket. The page itself is tested in Chromium in
test_webchat_browser.py."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import anyio
import openclaw_gateway_webchat as webchat
import pytest
from websockets.exceptions import InvalidStatus

from openclaw_gateway.config import load_config
from openclaw_gateway.errors import ConfigError
from openclaw_gateway.hooks.manager import load_plugins

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    text: str


async def get(port: int, path: str, host: str | None = None) -> Response:
    """One raw GET (h11 on the server side; no HTTP client library needed)."""
    host = host or f"127.0.0.1:{port}"
    raw = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    data = b""
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(raw)
        with anyio.fail_after(5):
            try:
                while True:
                    data += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
    return Response(int(status_line.split()[1]), headers, body.decode())


async def test_the_page_carries_the_ws_url_and_a_strict_csp(gateway_factory):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        http_port = gw.plugin_report["http"]["port"]
        res = await get(http_port, "/")
        assert res.status_code == 200
        assert res.headers["content-type"] == "text/html; charset=utf-8"
        assert f'data-ws-url="ws://127.0.0.1:{gw.port}/"' in res.text
        assert 'src="webchat/app.js"' in res.text
        assert "<script>" not in res.text  # no inline script: the CSP forbids it
        csp = res.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert f"connect-src 'self' ws://127.0.0.1:{gw.port}" in csp
        assert "frame-ancestors 'none'" in csp
        assert "img-src 'self' data: blob:;" in csp  # thumbnails of attached images only
        assert res.headers["x-content-type-options"] == "nosniff"
        # the composer can attach files: a labelled button and a hidden multi-file input
        assert '<input id="file" type="file" multiple hidden>' in res.text
        assert 'id="attach" class="attach" type="button" aria-label="Attach files"' in res.text

        # the page talks to the WS server on the host it was loaded from
        res = await get(http_port, "/", host=f"localhost:{http_port}")
        assert f'data-ws-url="ws://localhost:{gw.port}/"' in res.text
        res = await get(http_port, "/", host='evil"><script>x</script>')
        assert "<script>x" not in res.text
        assert f'data-ws-url="ws://127.0.0.1:{gw.port}/"' in res.text


async def test_assets_come_from_an_allowlist(gateway_factory):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        http_port = gw.plugin_report["http"]["port"]
        js = await get(http_port, "/webchat/app.js")
        assert js.status_code == 200
        assert js.headers["content-type"].startswith("text/javascript")
        assert "webchat-ui" in js.text
        css = await get(http_port, "/webchat/app.css")
        assert css.headers["content-type"].startswith("text/css")
        for path in ("/webchat/index.html", "/webchat/../__init__.py", "/webchat/", "/nope"):
            assert (await get(http_port, path)).status_code == 404, path


async def test_config_sets_the_ws_url_and_title(gateway_factory):
    plugins = {"webchat": {"ws_url": "wss://chat.example.com/ws", "title": "Ops <chat>"}}
    async with gateway_factory(extra_plugins=(webchat,), plugins=plugins) as gw:
        res = await get(gw.plugin_report["http"]["port"], "/")
        assert 'data-ws-url="wss://chat.example.com/ws"' in res.text
        assert "<title>Ops &lt;chat&gt;</title>" in res.text
        assert (
            "connect-src 'self' wss://chat.example.com;" in res.headers["content-security-policy"]
        )


def test_a_bad_ws_url_fails_at_start_with_the_field(tmp_path):
    config = load_config(
        state_dir=tmp_path,
        port=0,
        token=TOKEN,
        secrets_backend="file",
        plugins={"webchat": {"ws_url": "http://example.com/"}},
    )
    with pytest.raises(ConfigError, match=r"plugins\.webchat\.ws_url"):
        load_plugins(config, extra_plugins=(webchat,))


async def test_the_url_is_announced_at_start(gateway_factory, caplog):
    caplog.set_level(logging.INFO, logger="openclaw_gateway.plugins.openclaw_gateway_webchat")
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        http_port = gw.plugin_report["http"]["port"]
        with anyio.fail_after(5):
            while not any("WebChat:" in r.getMessage() for r in caplog.records):
                await anyio.sleep(0.01)
    line = next(r.getMessage() for r in caplog.records if "WebChat:" in r.getMessage())
    assert line.startswith(f"WebChat: http://127.0.0.1:{http_port}/ ")
    assert TOKEN not in line  # the token is never logged


async def test_the_pages_origin_may_open_the_websocket_and_a_foreign_one_may_not(
    gateway_factory,
):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        http_port = gw.plugin_report["http"]["port"]
        for host in ("127.0.0.1", "localhost"):
            peer = await operator(gw.port, TOKEN, origin=f"http://{host}:{http_port}")
            await peer.ws.close()
        with pytest.raises(InvalidStatus, match="403"):
            await operator(gw.port, TOKEN, origin="http://evil.example:8080")


def test_enabled_with_no_config_and_disabled_by_its_table(tmp_path):
    base = {"state_dir": tmp_path, "port": 0, "token": TOKEN, "secrets_backend": "file"}
    loaded = load_plugins(load_config(**base), extra_plugins=(webchat,))
    assert "/" in loaded.registry.http_routes
    assert "webchat.announce" in loaded.registry.services
    off = load_plugins(
        load_config(**base, plugins={"webchat": {"enabled": False}}), extra_plugins=(webchat,)
    )
    assert "/" not in off.registry.http_routes


@pytest.mark.slow
def test_a_fresh_run_prints_the_webchat_url_and_serves_the_page(tmp_path):
    """`openclaw-gateway run` with zero config finds the plugin through its entry point."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
        "OPENCLAW_GATEWAY_LOAD_PLUGINS": "webchat",
    }
    cmd = [sys.executable, "-m", "openclaw_gateway.cli.main", "run", "--port", "0"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    try:
        lines: list[str] = []
        ws_port = http_port = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (ws_port and http_port):
            line = proc.stdout.readline()
            lines.append(line)
            if match := re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line):
                ws_port = int(match.group(1))
            if match := re.search(r"WebChat: http://127\.0\.0\.1:(\d+)/ ", line):
                http_port = int(match.group(1))
        assert ws_port and http_port, "".join(lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/", timeout=5) as res:
            page = res.read().decode()
        assert f'data-ws-url="ws://127.0.0.1:{ws_port}/"' in page
    finally:
        proc.terminate()
        proc.wait(timeout=15)
