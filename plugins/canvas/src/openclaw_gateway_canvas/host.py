"""The canvas host: an HTTP + WebSocket server (websockets, the library the core already uses).

Every URL lives under a capability: ``/__openclaw__/cap/<token>/…``. Under it:

- ``__openclaw__/canvas/documents/<id>/index.html``: an agent-written page (live reload injected)
  or, for an A2UI document, the renderer page; ``…/a2ui.json``: the document's A2UI messages;
- ``__openclaw__/canvas/live.js`` and ``__openclaw__/a2ui/a2ui.js``: the bundled scripts;
- ``__openclaw__/canvas/ws?doc=<id>``: the live socket (reload and A2UI pushes out, actions in).

Responses carry ``Referrer-Policy: no-referrer`` (a capability never leaks to another site) and a
CSP that lets a document run its own inline script but connect only to this host.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .capabilities import PREFIX, CapabilityStore
from .config import CanvasConfig
from .documents import DOCUMENT_ID, DocumentStore

log = logging.getLogger("openclaw_gateway.plugins.canvas")

CAP_PATH = re.compile(r"^/__openclaw__/cap/([A-Za-z0-9_-]{16,64})(/[^?#]*)?$")
DOC_PATH = re.compile(
    r"^/__openclaw__/canvas/documents/([a-z0-9][a-z0-9_-]{0,63})/(index\.html|a2ui\.json)?$"
)
WS_PATH = "/__openclaw__/canvas/ws"
DOC_CSP = (
    "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
MAX_VIEWERS_PER_DOCUMENT = 64
MAX_ACTION_BYTES = 16 * 1024


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def _renderer_page(title: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title or 'Canvas')}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:16px}"
        ".a2ui-card{border:1px solid #ccc;border-radius:8px;padding:12px}"
        ".a2ui-unknown{border:1px dashed #c66;padding:4px;color:#933}</style></head>"
        "<body><div id='a2ui-root'></div>"
        "<script src='../../../a2ui/a2ui.js'></script><script src='../../live.js'></script>"
        "</body></html>"
    ).encode()


def _inject_live(page: bytes) -> bytes:
    tag = b"<script src='../../live.js'></script>"
    at = page.lower().rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


class CanvasHost:
    def __init__(
        self,
        config: CanvasConfig,
        state_dir: Path,
        broadcast: Callable[[str, Any], int] | None = None,
    ) -> None:
        self.config = config
        self.capabilities = CapabilityStore(config.capability_ttl_ms)
        self.documents = DocumentStore(
            state_dir / "canvas" / "documents", config.max_document_bytes, config.max_a2ui_messages
        )
        self.broadcast = broadcast
        self.viewers: dict[str, set[ServerConnection]] = {}
        self.base_url: str | None = None
        self._static = {
            "/__openclaw__/canvas/live.js": _static("live.js"),
            "/__openclaw__/a2ui/a2ui.js": _static("a2ui.js"),
        }

    # --- capability URLs -------------------------------------------------------------------------

    def scoped_url(self, holder: str) -> tuple[str, int]:
        if self.base_url is None:
            raise RuntimeError("the canvas host is not listening")
        token, expires = self.capabilities.mint(holder)
        return f"{self.base_url}{PREFIX}{token}", expires

    # --- pushing to open pages ---------------------------------------------------------------------

    async def push(self, document_id: str, message: dict[str, Any]) -> int:
        data = orjson.dumps(message).decode()
        sent = 0
        for viewer in list(self.viewers.get(document_id, ())):
            try:
                await viewer.send(data)
                sent += 1
            except ConnectionClosed:
                self.viewers.get(document_id, set()).discard(viewer)
        return sent

    # --- the server --------------------------------------------------------------------------------

    async def start(self) -> Server:
        server = await serve(
            self._live,
            self.config.bind,
            self.config.port,
            process_request=self._http,
            max_size=MAX_ACTION_BYTES,
            compression=None,
            server_header=None,
        )
        port = next(iter(server.sockets)).getsockname()[1]
        host = self.config.bind if ":" not in self.config.bind else f"[{self.config.bind}]"
        self.base_url = (self.config.public_url or f"http://{host}:{port}").rstrip("/")
        log.info("canvas host listening on %s", self.base_url)
        return server

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        csp: str = "default-src 'none'",
    ) -> Response:
        headers = Headers(
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Content-Type-Options", "nosniff"),
                ("Content-Security-Policy", csp),
                ("Connection", "close"),
            ]
        )
        return Response(status, HTTPStatus(status).phrase, headers, body)

    async def _http(self, conn: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        match = CAP_PATH.fullmatch(url.path)
        if match is None:
            return self._reply(404, b"not found\n")
        if self.capabilities.check(match.group(1)) is None:
            return self._reply(
                403, b"capability expired or unknown: ask the gateway for a fresh canvas URL\n"
            )
        rest = match.group(2) or "/"
        if "websocket" in request.headers.get("Upgrade", "").lower():
            origin = request.headers.get("Origin")
            if rest != WS_PATH or (origin is not None and origin != self._origin(request)):
                return self._reply(403, b"forbidden\n")
            doc = parse_qs(url.query).get("doc", [""])[0]
            if (
                not DOCUMENT_ID.fullmatch(doc)
                or len(self.viewers.get(doc, ())) >= MAX_VIEWERS_PER_DOCUMENT
            ):
                return self._reply(400, b"bad or busy document\n")
            return None
        if rest in self._static:
            return self._reply(200, self._static[rest], "text/javascript; charset=utf-8")
        doc_match = DOC_PATH.fullmatch(rest)
        if doc_match is None:
            return self._reply(404, b"not found\n")
        doc_id, name = doc_match.group(1), doc_match.group(2) or "index.html"
        document = self.documents.get(doc_id)
        if document is None:
            return self._reply(404, b"no such document\n")
        if name == "a2ui.json":
            body = orjson.dumps(self.documents.a2ui_messages(doc_id))
            return self._reply(200, body, "application/json")
        if document.kind == "a2ui":
            return self._reply(
                200, _renderer_page(document.title), "text/html; charset=utf-8", DOC_CSP
            )
        page = self.documents.html(doc_id) or b""
        return self._reply(200, _inject_live(page), "text/html; charset=utf-8", DOC_CSP)

    def _origin(self, request: Request) -> str:
        return f"http://{request.headers.get('Host', '')}"

    async def _live(self, conn: ServerConnection) -> None:
        assert conn.request is not None
        doc = parse_qs(urlsplit(conn.request.path).query).get("doc", [""])[0]
        viewers = self.viewers.setdefault(doc, set())
        viewers.add(conn)
        try:
            async for raw in conn:
                try:
                    message = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(message, dict) and message.get("type") == "action" and self.broadcast:
                    self.broadcast(
                        "canvas.action",
                        {
                            "documentId": doc,
                            "surfaceId": str(message.get("surfaceId", ""))[:200],
                            "componentId": str(message.get("componentId", ""))[:200],
                            "action": message.get("action"),
                        },
                    )
        except ConnectionClosed:
            pass
        finally:
            viewers.discard(conn)
            if not viewers:
                self.viewers.pop(doc, None)
