"""Plugins at run time: supervised services (crash → restart with capped backoff, visible in
``health``) and the HTTP listener for plugin routes (pages, assets, webhooks, 404/405/413/500)."""

from __future__ import annotations

import anyio
import orjson
import pytest

from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import ConfigSection, HttpRoute

from plugin_fixtures import crashy, echo
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

FAST = {"service_restart_ms": 10, "service_restart_max_ms": 40}


async def until(predicate, timeout: float = 5.0) -> None:
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


# --- services -------------------------------------------------------------------------------------


async def test_a_crashing_service_is_restarted_with_capped_backoff_and_reported(gateway_factory):
    crashy.runs.clear()
    async with gateway_factory(extra_plugins=(crashy, echo), **FAST) as gw:
        await until(lambda: len(crashy.runs) >= 5)
        peer = await operator(gw.port, TOKEN)
        health = (await peer.request("health", {"probe": True}))["payload"]
        assert health["ok"] is True  # the gateway keeps serving
        plugins = health["plugins"]
        assert plugins["errors"][0]["plugin"] == "plugin_fixtures.crashy"
        assert (
            "service 'crashy.loop' crashed: RuntimeError: crash #" in plugins["errors"][0]["error"]
        )
        row = {r["name"]: r for r in plugins["details"]}["plugin_fixtures.crashy"]
        service = row["services"][0]
        assert service["restarts"] >= 4
        assert service["lastError"].startswith("RuntimeError: crash #")
        assert service["nextRetryS"] is None or service["nextRetryS"] <= 0.04  # capped
        assert "plugin_fixtures.echo" in plugins["loaded"]  # its neighbour is unaffected
        status = (await peer.request("status"))["payload"]["plugins"]
        assert status["errors"][0]["plugin"] == "plugin_fixtures.crashy"
        await peer.ws.close()


def test_backoff_doubles_and_caps():
    from openclaw_gateway.backoff import Backoff

    backoff = Backoff(first=0.5, cap=4.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


# --- HTTP -----------------------------------------------------------------------------------------


async def http(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 exchange (the request must ask for ``Connection: close``)."""
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(raw)
        data = b""
        with anyio.fail_after(5):
            try:
                while True:
                    data += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), headers, body


def get(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()


def post(path: str, body: bytes, content_type: str = "application/json") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def test_no_routes_no_http_listener(gateway):
    assert "http" not in gateway.plugin_report


async def test_plugin_routes_pages_assets_webhooks_and_errors(gateway_factory):
    async with gateway_factory(extra_plugins=(echo,)) as gw:
        http_info = gw.plugin_report["http"]
        port = http_info["port"]
        assert port not in (0, gw.port)
        assert http_info["url"] == f"http://127.0.0.1:{port}"

        status, headers, body = await http(port, get("/echo"))
        assert (status, headers["content-type"], body) == (
            200,
            "text/html; charset=utf-8",
            b"<h1>echo</h1>",
        )
        status, headers, body = await http(port, get("/echo", "HEAD"))
        assert (status, headers["content-length"], body) == (200, "13", b"")
        status, headers, body = await http(port, get("/echo/assets/app.css"))
        assert (status, headers["content-type"], body) == (200, "text/css", b"/echo/assets/app.css")

        status, _, body = await http(port, post("/echo/hook?x=1", b'{"update": 7}'))
        assert status == 200 and orjson.loads(body) == {"got": {"update": 7}, "query": {"x": "1"}}

        assert (await http(port, get("/nope")))[0] == 404
        status, headers, _ = await http(port, get("/echo/hook"))
        assert (status, headers["allow"]) == (405, "POST")
        # The route's own limit (2048) is checked against Content-Length before reading the body.
        assert (await http(port, post("/echo/hook", b"x" * 4096)))[0] == 413
        # A handler that raises is a 500; the listener and the WS server keep serving.
        assert (await http(port, get("/echo/boom")))[0] == 500
        assert (await http(port, get("/echo")))[0] == 200
        peer = await operator(gw.port, TOKEN)
        assert (await peer.request("health"))["ok"]
        await peer.ws.close()


async def test_a_chunked_body_over_the_limit_is_413(gateway_factory):
    async with gateway_factory(extra_plugins=(echo,), http_max_body=1024) as gw:
        port = gw.plugin_report["http"]["port"]
        chunk = b"x" * 1500
        raw = (
            b"POST /echo/hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(chunk):x}\r\n".encode() + chunk
        )
        raw += b"\r\n" + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
        assert (await http(port, raw))[0] == 413


async def test_keep_alive_serves_several_requests_on_one_connection(gateway_factory):
    async with gateway_factory(extra_plugins=(echo,)) as gw:
        port = gw.plugin_report["http"]["port"]
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            for _ in range(3):
                await stream.send(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                with anyio.fail_after(5):
                    while not data.endswith(b"<h1>echo</h1>"):
                        data += await stream.receive()
                assert data.startswith(b"HTTP/1.1 200")


async def test_garbage_gets_400(gateway_factory):
    async with gateway_factory(extra_plugins=(echo,)) as gw:
        port = gw.plugin_report["http"]["port"]
        assert (await http(port, b"NOT HTTP AT ALL\r\n\r\n"))[0] == 400


async def test_pages_on_the_http_port_may_open_the_websocket(gateway_factory):
    async with gateway_factory(extra_plugins=(echo,)) as gw:
        port = gw.plugin_report["http"]["port"]
        peer = await operator(gw.port, TOKEN, origin=f"http://127.0.0.1:{port}")
        assert (await peer.request("health"))["ok"]
        await peer.ws.close()


class WebhookModePlugin:
    """Serves its webhook only when its config asks for webhook mode (HttpRoute.when)."""

    @hookimpl
    def register_config(self, register):
        from typing import Literal

        from pydantic import BaseModel

        class HookyConfig(BaseModel):
            mode: Literal["poll", "webhook"] = "poll"

        register(ConfigSection(name="hooky", model=HookyConfig))

    @hookimpl
    def register_http_routes(self, register):
        async def hook(request):
            return {"ok": True}

        def broken(configs):
            raise RuntimeError("bug in when()")

        register(
            HttpRoute(
                path="/hooky/webhook",
                handler=hook,
                methods=("POST",),
                when=lambda configs: getattr(configs.get("hooky"), "mode", None) == "webhook",
            )
        )
        register(HttpRoute(path="/hooky/other", handler=hook, when=broken))


async def test_routes_are_served_only_when_their_config_wants_them(gateway_factory):
    plugin = WebhookModePlugin()
    async with gateway_factory(extra_plugins=(plugin,), plugins={"hooky": {"mode": "poll"}}) as gw:
        assert "http" not in gw.plugin_report  # polling: no HTTP port opened at all
    async with gateway_factory(
        extra_plugins=(plugin,), plugins={"hooky": {"mode": "webhook"}}
    ) as gw:
        assert gw.plugin_report["http"]["routes"] == ["/hooky/webhook"]  # the broken one is off
        port = gw.plugin_report["http"]["port"]
        status, _, body = await http(port, post("/hooky/webhook", b"{}"))
        assert (status, orjson.loads(body)) == (200, {"ok": True})
