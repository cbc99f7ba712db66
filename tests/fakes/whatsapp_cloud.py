"""A fake WhatsApp Business Cloud API (Graph) on 127.0.0.1, and the webhook posts Meta sends.

Wire shapes (https://developers.facebook.com/docs/whatsapp/cloud-api/reference):

- ``GET /<version>/<phone-number-id>?fields=display_phone_number,verified_name`` → the number;
- ``POST /<version>/<phone-number-id>/messages`` (JSON): a ``text``/``image``/``document``/
  ``audio``… message → ``{"messaging_product", "contacts": [{input, wa_id}], "messages": [{id}]}``;
  a ``{"status": "read", "message_id", "typing_indicator"}`` body → ``{"success": true}``;
- ``POST /<version>/<phone-number-id>/media`` (multipart: ``file``, ``type``,
  ``messaging_product``) → ``{"id": <media id>}``;
- ``GET /<version>/<media-id>`` → ``{url, mime_type, sha256, file_size, id}``, then ``GET <url>``
  for the bytes (the token is required on both, as Meta requires);
- errors as Graph sends them: ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}`` with the HTTP status Graph uses (401 for code 190, 429 for 130429 …).

Every call needs ``Authorization: Bearer <token>``; a wrong token gets 401 / code 190.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
from aiohttp import web

TOKEN = "EAAG-fake-access-token"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"
PHONE_NUMBER_ID = "106540352242922"
VERSION = "v21.0"


@dataclass
class Failure:
    status: int
    code: int
    message: str = "scripted failure"
    retry_after: int | None = None


@dataclass
class Media:
    data: bytes
    mime: str


@dataclass
class FakeGraph:
    token: str = TOKEN
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Message bodies posted to ``/messages`` (read receipts excluded: see ``reads``)."""
    reads: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[tuple[str, bytes, str]] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    calls: int = 0
    base_url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _changed: anyio.Event = field(default_factory=anyio.Event)

    async def __aenter__(self) -> FakeGraph:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_get(f"/{VERSION}/{{node}}", self._get_node)
        app.router.add_post(f"/{VERSION}/{{pnid}}/messages", self._messages)
        app.router.add_post(f"/{VERSION}/{{pnid}}/media", self._upload)
        app.router.add_get("/download/{media_id}", self._download)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._runner.cleanup()

    # --- what tests use ------------------------------------------------------------------------

    def account(self, **extra: Any) -> dict[str, Any]:
        return {
            "transport": "cloud",
            "phone_number_id": PHONE_NUMBER_ID,
            "access_token": self.token,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "graph_url": self.base_url,
            **extra,
        }

    def add_media(self, data: bytes, mime: str) -> str:
        media_id = f"media-in-{next(self._ids)}"
        self.media[media_id] = Media(data, mime)
        return media_id

    def fail(
        self, status: int, code: int, message: str = "scripted", retry_after: int | None = None
    ) -> None:
        self.failures.append(Failure(status, code, message, retry_after))

    async def until(self, predicate: Any, timeout: float = 10) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                await self._changed.wait()

    async def wait_sent(self, count: int) -> list[dict[str, Any]]:
        await self.until(lambda: len(self.sent) >= count)
        return self.sent

    # --- the wire ------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    def _refused(self, request: web.Request) -> web.Response | None:
        self.calls += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        return None

    async def _get_node(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        node = request.match_info["node"]
        if node == PHONE_NUMBER_ID:
            return web.json_response(
                {"display_phone_number": "+1 555-010-0100", "verified_name": "Claw", "id": node}
            )
        media = self.media.get(node)
        if media is None:
            return _error(400, 100, "Unsupported get request. Object does not exist")
        return web.json_response(
            {
                "url": f"{self.base_url}/download/{node}",
                "mime_type": media.mime,
                "sha256": hashlib.sha256(media.data).hexdigest(),
                "file_size": len(media.data),
                "id": node,
                "messaging_product": "whatsapp",
            }
        )

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if (refused := self._refused(request)) is not None:
            return refused
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(body=media.data, content_type=media.mime)

    async def _messages(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        body = await request.json()
        if self.failures:
            failure = self.failures.pop(0)
            self._notify()
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else None
            return _error(failure.status, failure.code, failure.message, headers)
        if body.get("status") == "read":
            self.reads.append(body)
            self._notify()
            return web.json_response({"success": True})
        if body.get("messaging_product") != "whatsapp" or "type" not in body:
            return _error(400, 100, "(#100) Invalid parameter")
        kind = body["type"]
        if kind == "text" and len(body["text"]["body"]) > 4096:
            return _error(
                400, 100, "(#100) Param text['body'] must be at most 4096 characters long."
            )
        if kind in ("image", "document", "audio", "video") and not any(
            u[0] == body[kind].get("id") for u in self.uploads
        ):
            return _error(400, 131053, "Media upload error")
        self.sent.append(body)
        self._notify()
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.OUT{next(self._ids)}"}],
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not hasattr(upload, "file"):
            return _error(400, 100, "(#100) The parameter messaging_product is required.")
        media_id = f"media-out-{next(self._ids)}"
        self.uploads.append((media_id, upload.file.read(), str(form.get("type"))))
        self._notify()
        return web.json_response({"id": media_id})


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_subcode": 2494010 if code == 131047 else None,
                "fbtrace_id": "AbCdEf",
            }
        },
        status=status,
        headers=headers,
    )


# --- webhook posts, as Meta sends them ----------------------------------------------------------


def message(
    text: str | None = "hello",
    *,
    sender: str = "15551230001",
    name: str = "Alice",
    message_id: str | None = None,
    kind: str = "text",
    media: dict[str, Any] | None = None,
    context: str | None = None,
    timestamp: float | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """One webhook post holding one user message."""
    msg: dict[str, Any] = {
        "from": sender,
        "id": message_id or f"wamid.IN{time.monotonic_ns()}",
        "timestamp": str(int(timestamp if timestamp is not None else time.time())),
        "type": kind,
    }
    if kind == "text":
        msg["text"] = {"body": text}
    elif media is not None:
        msg[kind] = media
    if context:
        msg["context"] = {"from": "15550100100", "id": context}
    return envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100100", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [msg],
        }
    )


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}", "content-type": "application/json"}


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()
