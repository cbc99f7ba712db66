"""WebChat: a static chat page served by the gateway, talking to the gateway's own WebSocket API.

The page (``static/index.html`` + ``app.js`` + ``app.css``, vanilla, no build step) is served at
``/`` by the gateway's HTTP listener (``http_port``, default the WS port + 1), its assets under
``/webchat/``. The HTML carries the WebSocket URL in a ``data-ws-url`` attribute (no inline script,
so the page runs under a strict Content-Security-Policy). The page connects as client
``webchat-ui``/mode ``webchat`` with the gateway token, which it takes from the URL fragment
(``#token=…``, never sent to the server) or a sign-in form.

Zero config: installed means enabled. ``[plugins.webchat]`` takes ``ws_url`` (behind a reverse
proxy) and ``title``; ``enabled = false`` turns it off. See docs/webchat.md.
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openclaw_gateway.api import (
    ConfigSection,
    HttpRequest,
    HttpResponse,
    HttpRoute,
    ServiceSpec,
    command_hint,
    hookimpl,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from openclaw_gateway.api import GatewayAPI, ServiceContext

__version__ = "0.1.0"

SECTION = "webchat"
ASSET_PREFIX = "/webchat/"
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "link.js": "text/javascript; charset=utf-8",
    "vendor/marked.umd.js": "text/javascript; charset=utf-8",
    "vendor/purify.min.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
"""The only files served under ``/webchat/`` (an allowlist: no path is ever joined from a URL)."""

_HOST = re.compile(r"^(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$")


class WebChatConfig(BaseModel):
    """``[plugins.webchat]`` — every key optional."""

    model_config = ConfigDict(extra="forbid")

    ws_url: str | None = Field(
        None,
        description="the WebSocket URL the page connects to; default ws://<page host>:<port>/"
        " (set it behind a reverse proxy, e.g. wss://chat.example.com/ws)",
    )
    title: str = Field("OpenClaw WebChat", min_length=1, max_length=80)

    @field_validator("ws_url")
    @classmethod
    def _check_ws_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError("must be an absolute ws:// or wss:// URL")
        if any(c in value for c in " \"'<>;,`\\"):
            raise ValueError("must not contain spaces, quotes, '<', '>', ';' or ','")
        return value


@cache
def _static(name: str) -> bytes:
    return files(__package__).joinpath("static", name).read_bytes()


def _config(gateway: GatewayAPI | None) -> WebChatConfig:
    if gateway is None:
        return WebChatConfig()
    try:
        return gateway.plugin_config(SECTION, WebChatConfig)
    except LookupError:
        return WebChatConfig()


def ws_url_for(request: HttpRequest, config: WebChatConfig) -> str:
    """The configured ``ws_url``, else the gateway's WS port on the host the page was loaded from
    (so ``localhost`` pages talk to ``localhost`` and a LAN address to that address)."""
    if config.ws_url:
        return config.ws_url
    gateway = request.gateway
    port = gateway.port if gateway is not None else 18789
    match = _HOST.match(request.headers.get("host", ""))
    name = match.group("name") if match else "127.0.0.1"
    return f"ws://{name}:{port}/"


def _security_headers(connect_src: str) -> dict[str, str]:
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",  # blob: thumbnails of the files being attached
            f"connect-src 'self' {connect_src}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "cache-control": "no-cache",
    }


async def page(request: HttpRequest) -> HttpResponse:
    """``GET /``: the page, with the WebSocket URL and the title filled in."""
    return _render(request, "index.html")


async def link_page(request: HttpRequest) -> HttpResponse:
    """``GET /link``: linking a surface that logs in with a QR code (WhatsApp), as an image."""
    return _render(request, "link.html")


def _render(request: HttpRequest, name: str) -> HttpResponse:
    config = _config(request.gateway)
    ws_url = ws_url_for(request, config)
    parts = urlsplit(ws_url)
    text = (
        _static(name)
        .decode()
        .replace("{{ws_url}}", html.escape(ws_url, quote=True))
        .replace("{{title}}", html.escape(config.title, quote=True))
        .replace("{{version}}", __version__)
    )
    headers = _security_headers(f"{parts.scheme}://{parts.netloc}")
    return HttpResponse(text.encode(), 200, "text/html; charset=utf-8", headers)


async def asset(request: HttpRequest) -> HttpResponse:
    """``GET /webchat/<file>``: one of :data:`ASSETS`, else 404."""
    name = request.path.removeprefix(ASSET_PREFIX)
    content_type = ASSETS.get(name)
    if content_type is None:
        return HttpResponse(b"404 Not Found\n", 404)
    headers = {"x-content-type-options": "nosniff", "cache-control": "no-cache"}
    return HttpResponse(_static(name), 200, content_type, headers)


async def announce(context: ServiceContext) -> None:
    """Say where the page is, once, when the gateway starts (then the service is done)."""
    http: Any = context.gateway.plugin_report.get("http")
    info: dict[str, Any] = http if isinstance(http, dict) else {}
    if info.get("url"):
        context.log.info(
            "WebChat: %s/ (sign in with the gateway token: `%s`)",
            info["url"],
            command_hint("token"),
        )
    else:
        error = info.get("error") or "the HTTP listener is not up"
        context.log.warning("WebChat is not served: %s", error)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=WebChatConfig))


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    register(HttpRoute(path="/", handler=page))
    register(HttpRoute(path="/link", handler=link_page))
    register(HttpRoute(path=ASSET_PREFIX + "*", handler=asset))


@hookimpl
def register_services(register: Callable[[ServiceSpec], None]) -> None:
    register(ServiceSpec(name="webchat.announce", run=announce))
