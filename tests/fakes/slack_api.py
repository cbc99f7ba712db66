"""A fake Slack on 127.0.0.1: the Web API (``POST /api/<method>``) and the Socket Mode WebSocket.

It speaks the shapes slack-sdk and Slack's Socket Mode use on the wire:

- ``POST /api/<method>`` with a form or JSON body and ``Authorization: Bearer <token>``; answers
  ``{"ok": true, …}`` or ``{"ok": false, "error": "…"}`` (HTTP 200, as Slack does), 429 with
  ``Retry-After`` for ``ratelimited``, or a scripted 5xx with an HTML body.
- ``auth.test``, ``users.info``, ``apps.connections.open`` (→ ``ws://127.0.0.1:<port>/link/…``),
  ``chat.postMessage``, and ``files_upload_v2``'s three steps: ``files.getUploadURLExternal``, a
  raw POST of the bytes to the upload URL, ``files.completeUploadExternal``.
- ``files.info``, and file downloads: ``GET /files-pri/T0001-<id>/<name>`` (``url_private``) and
  ``…/download/<name>`` (``url_private_download``), which need ``Authorization: Bearer <bot
  token>``: a missing or wrong token gets 403 (or, with ``login_page``, Slack's sign-in page with
  200, which is what slack.com answers to a browser without a session), an unknown file 404.
  :meth:`FakeSlack.add_file` stores a file and returns the file object an event carries.
- ``GET /link/`` upgrades to the Socket Mode socket: ``hello`` first, then ``events_api``
  envelopes; the client must answer each with ``{"envelope_id": …}``. Envelopes not acknowledged
  when a socket goes away are delivered again on the next one (``retry_attempt`` + 1), as Slack
  does; envelopes pushed while no socket is open wait for the next one.

The test drives it::

    async with FakeSlack() as slack:
        ... SlackAccount(base_url=slack.base_url, bot_token=slack.bot_token, app_token=...) ...
        await slack.wait_connected()
        env = await slack.push(slack.dm("hello"))
        await slack.wait_acked(env)
        slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
        file = slack.add_file(b"%PDF-1.7", "report.pdf", "application/pdf")
        await slack.push(slack.dm("see attached", subtype="file_share", files=[file]))
        await slack.disconnect("refresh_requested")    # or: await slack.drop()
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"


@dataclass
class Failure:
    error: str | None = None  # the "error" of an ok:false body
    status: int = 200
    retry_after: int | None = None
    html: bool = False  # a non-JSON body (what a proxy in front of Slack answers on 5xx)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Shared:
    """A file shared by files.completeUploadExternal."""

    id: str
    title: str | None
    name: str
    data: bytes
    channel: str | None
    thread_ts: str | None
    initial_comment: str | None


@dataclass
class StoredFile:
    """A file someone shared, served at its url_private(_download)."""

    id: str
    name: str
    mimetype: str
    data: bytes
    size: int
    """What the file object says (normally ``len(data)``)."""
    deleted: bool = False


@dataclass
class _Socket:
    ws: web.WebSocketResponse
    request: web.Request
    unacked: dict[str, dict[str, Any]] = field(default_factory=dict)


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        users: dict[str, str] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.users = users if users is not None else {"U1": "alice", "U2": "bob"}
        self.port = 0
        self.calls: list[Call] = []
        self.posted: list[dict[str, Any]] = []
        self.shared: list[Shared] = []
        self.acks: list[str] = []
        self.connections = 0
        self.revoked: str | None = None  # an auth error every bot-token call answers
        self.app_revoked: str | None = None  # … every app-token call answers
        self.failures: dict[str, list[Failure]] = {}
        self.frames_from_client: list[Any] = []
        self._socket: _Socket | None = None
        self._pending: list[dict[str, Any]] = []  # envelopes waiting for a socket
        self._uploads: dict[str, tuple[str, bytes | None]] = {}
        self.files: dict[str, StoredFile] = {}
        self.downloads: list[tuple[str, str | None]] = []
        """(path, bearer token) of each file download asked for."""
        self.login_page = False
        """Answer a download with a missing/wrong token with the sign-in page (200, text/html)
        instead of 403."""
        self.chunked = False
        """Send downloads chunked, without a Content-Length."""
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._changed = anyio.Event()
        self._runner: web.AppRunner | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack-sdk GETs some reads (users.info)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link/", self._link)
        app.router.add_get("/files-pri/{key}/{tail:.*}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._socket is not None:
            self._socket.request.transport.abort()  # type: ignore[union-attr]
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def account(self, **extra: Any) -> dict[str, Any]:
        """Config of one Socket Mode account pointed at this fake."""
        return {
            "bot_token": self.bot_token,
            "app_token": self.app_token,
            "base_url": self.base_url,
            **extra,
        }

    # --- scripting the Web API ------------------------------------------------------------------

    def fail(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        retry_after: int | None = None,
        html: bool = False,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` fail this way."""
        self.failures.setdefault(method, []).extend(
            Failure(error, status, retry_after, html) for _ in range(times)
        )

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        self.calls.append(Call(method, params, token))
        self._notify()
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            if failure.html:
                return web.Response(
                    status=failure.status,
                    text="<html><body>upstream error</body></html>",
                    content_type="text/html",
                )
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token is None:
            return web.json_response({"ok": False, "error": "not_authed"})
        if token != expected:
            error = (
                "not_allowed_token_type" if token.startswith(("xoxb-", "xapp-")) else "invalid_auth"
            )
            return web.json_response({"ok": False, "error": error})
        revoked = self.app_revoked if method == "apps.connections.open" else self.revoked
        if revoked:
            return web.json_response({"ok": False, "error": revoked})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result = handler(params)
        if result.get("ok") is False:
            return web.json_response(result)
        return web.json_response({"ok": True, **result})

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "clawbot",
            "team_id": "T0001",
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    def _m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        name = self.users.get(params.get("user", ""))
        if name is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "user": {
                "id": params["user"],
                "name": name,
                "real_name": name.title(),
                "profile": {"display_name": name, "real_name": name.title()},
            }
        }

    def _m_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket=t{next(self._ids)}"}

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        self.posted.append({**params, "ts": ts})
        return {"channel": channel, "ts": ts, "message": {"text": params.get("text"), "ts": ts}}

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):04d}"
        self._uploads[file_id] = (params.get("filename", ""), None)
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(params.get("files", "[]"))
        out = []
        for f in files:
            name, data = self._uploads.get(f["id"], ("", None))
            if data is None:
                return {"ok": False, "error": "file_not_found"}
            self.shared.append(
                Shared(
                    id=f["id"],
                    title=f.get("title"),
                    name=name,
                    data=data,
                    channel=params.get("channel_id"),
                    thread_ts=params.get("thread_ts"),
                    initial_comment=params.get("initial_comment"),
                )
            )
            out.append({"id": f["id"], "title": f.get("title"), "name": name})
        return {"files": out}

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        if file_id not in self._uploads:
            return web.Response(status=404, text="not found", content_type="text/plain")
        data = await request.read()
        self._uploads[file_id] = (self._uploads[file_id][0], data)
        self._notify()
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # --- files someone shares ------------------------------------------------------------------

    def add_file(
        self,
        data: bytes,
        name: str,
        mimetype: str = "application/octet-stream",
        *,
        size: int | None = None,
        user: str = "U1",
    ) -> dict[str, Any]:
        """Store a file and return its file object, as a ``file_share`` event's ``files`` carry
        it (``size`` overrides what the object claims)."""
        file_id = f"F{next(self._ids):04d}"
        stored = StoredFile(file_id, name, mimetype, data, len(data) if size is None else size)
        self.files[file_id] = stored
        return self.file_object(stored, user=user)

    def file_object(self, stored: StoredFile, *, user: str = "U1") -> dict[str, Any]:
        base = f"http://127.0.0.1:{self.port}/files-pri/T0001-{stored.id}"
        now = int(time.time())
        return {
            "id": stored.id,
            "created": now,
            "timestamp": now,
            "name": stored.name,
            "title": stored.name,
            "mimetype": stored.mimetype,
            "filetype": stored.name.rsplit(".", 1)[-1] if "." in stored.name else "binary",
            "user": user,
            "mode": "hosted",
            "editable": False,
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "size": stored.size,
            "url_private": f"{base}/{stored.name}",
            "url_private_download": f"{base}/download/{stored.name}",
            "permalink": f"https://acme.slack.com/files/{user}/{stored.id}/{stored.name}",
        }

    def _m_files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(params.get("file", ""))
        if stored is None or stored.deleted:
            return {"ok": False, "error": "file_not_found"}
        return {"file": self.file_object(stored)}

    async def _download(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        self.downloads.append((request.path, token))
        self._notify()
        if token != self.bot_token or self.revoked:
            if self.login_page:
                return web.Response(
                    text="<!DOCTYPE html><html><head><title>Slack</title></head>"
                    "<body>Sign in to Acme</body></html>",
                    content_type="text/html",
                )
            return web.Response(status=403, text="Forbidden", content_type="text/plain")
        file_id = request.match_info["key"].rpartition("-")[2]
        stored = self.files.get(file_id)
        tail = request.match_info["tail"]
        if stored is None or stored.deleted or tail not in (stored.name, f"download/{stored.name}"):
            return web.Response(status=404, text="Not Found", content_type="text/plain")
        headers = {}
        if tail.startswith("download/"):
            headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
        if not self.chunked:
            return web.Response(body=stored.data, content_type=stored.mimetype, headers=headers)
        response = web.StreamResponse(headers={**headers, "Content-Type": stored.mimetype})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(stored.data), 16 * 1024):
            await response.write(stored.data[start : start + 16 * 1024])
        await response.write_eof()
        return response

    # --- Socket Mode ----------------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        previous = self._socket
        sock = self._socket = _Socket(ws, request)
        if previous is not None:  # a new link replaces the old one; unacked envelopes move over
            self._requeue(previous)
        self.connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0001"},
            }
        )
        pending, self._pending = self._pending, []
        for envelope in pending:
            await self._send_envelope(sock, envelope)
        self._notify()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    frame = msg.data
                self.frames_from_client.append(frame)
                if isinstance(frame, dict) and "envelope_id" in frame:
                    sock.unacked.pop(frame["envelope_id"], None)
                    self.acks.append(frame["envelope_id"])
                self._notify()
        finally:
            if self._socket is sock:
                self._socket = None
                self._requeue(sock)
            self._notify()
        return ws

    def _requeue(self, sock: _Socket) -> None:
        for envelope in sock.unacked.values():
            envelope["retry_attempt"] = envelope.get("retry_attempt", 0) + 1
            envelope["retry_reason"] = "timeout"
            self._pending.append(envelope)
        sock.unacked.clear()

    async def _send_envelope(self, sock: _Socket, envelope: dict[str, Any]) -> None:
        sock.unacked[envelope["envelope_id"]] = envelope
        await sock.ws.send_json(envelope)

    @property
    def connected(self) -> bool:
        return self._socket is not None

    async def push(self, event: dict[str, Any], *, envelope_type: str = "events_api") -> str:
        """Deliver one event (wrapped in an event_callback payload) in an envelope; returns its
        ``envelope_id``. Without an open socket it waits for the next one."""
        n = next(self._ids)
        payload = {
            "token": "verification-token",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:04d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0001", "user_id": BOT_USER, "is_bot": True}],
        }
        envelope = {
            "envelope_id": f"env-{n:04d}",
            "payload": payload,
            "type": envelope_type,
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        return await self.push_envelope(envelope)

    async def push_command(
        self, command: str, text: str = "", *, user: str = "U1", channel: str = "D0001"
    ) -> str:
        """A slash command typed in ``channel``, as Socket Mode carries it."""
        n = next(self._ids)
        payload = {
            "token": "verification-token",
            "team_id": "T0001",
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": self.users.get(user, user),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "response_url": f"http://127.0.0.1:{self.port}/commands/{n}",
            "trigger_id": f"{n}.1.abc",
        }
        envelope = {
            "envelope_id": f"env-{n:04d}",
            "payload": payload,
            "type": "slash_commands",
            "accepts_response_payload": True,
        }
        return await self.push_envelope(envelope)

    async def push_envelope(self, envelope: dict[str, Any]) -> str:
        if self._socket is None:
            self._pending.append(envelope)
        else:
            await self._send_envelope(self._socket, envelope)
        return str(envelope.get("envelope_id"))

    async def send_raw(self, data: str) -> None:
        """Send a raw text frame on the open socket (malformed input)."""
        assert self._socket is not None
        await self._socket.ws.send_str(data)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's polite goodbye: a ``disconnect`` message; the client is expected to reconnect."""
        assert self._socket is not None
        await self._socket.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        )

    async def drop(self) -> None:
        """Cut the TCP connection without a close frame (a network failure)."""
        assert self._socket is not None
        sock, self._socket = self._socket, None
        self._requeue(sock)
        sock.request.transport.abort()  # type: ignore[union-attr]
        self._notify()

    # --- waiting ------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, predicate: Any, timeout: float = 10) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                await self._changed.wait()

    async def wait_connected(self, count: int = 1, timeout: float = 10) -> None:
        """Until the ``count``-th socket is open (and its hello sent)."""
        await self.until(lambda: self.connections >= count and self.connected, timeout)

    async def wait_acked(self, envelope_id: str, timeout: float = 10) -> None:
        await self.until(lambda: envelope_id in self.acks, timeout)

    async def wait_posted(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        await self.until(lambda: len(self.posted) >= count, timeout)
        return self.posted

    # --- events a test pushes -------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def dm(
        self, text: str, *, user: str = "U1", channel: str = "D0001", **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": self._next_ts(),
            "channel_type": "im",
            "client_msg_id": f"cm-{next(self._ids)}",
            **extra,
        }

    def channel_message(
        self, text: str, *, user: str = "U1", channel: str = "C0001", **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": self._next_ts(),
            "channel_type": "channel",
            **extra,
        }

    def mention(
        self, text: str, *, user: str = "U1", channel: str = "C0001", **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "app_mention",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": self._next_ts(),
            **extra,
        }
