"""A fake Discord on 127.0.0.1: REST API v10 and the Gateway WebSocket, on one aiohttp server.

REST lives under ``/api/v10`` (point the client's REST base at ``fake.api_base``); the Gateway is
the WebSocket at ``/`` (what ``GET /gateway/bot`` and READY's ``resume_gateway_url`` name). It
speaks what a bot sees on the real service:

- REST: ``GET /users/@me``, ``GET /oauth2/applications/@me``, ``GET /gateway/bot``,
  ``GET /channels/{id}``, ``POST /channels/{id}/messages`` (JSON, or multipart with
  ``payload_json`` and ``files[n]``), ``POST /users/@me/channels`` (open a DM),
  ``POST /channels/{id}/typing``. A wrong ``Authorization: Bot <token>`` gets 401; an unknown
  channel 404 (code 10003); a channel in ``forbidden`` 403 (code 50013). Failures are scripted
  with :meth:`FakeDiscord.fail` / :meth:`FakeDiscord.rate_limit` (429 with ``retry_after``,
  ``global``, ``Retry-After``/``X-RateLimit-*`` and ``Via`` headers, like Discord's edge).
- CDN: :meth:`FakeDiscord.attachment` stores the file's bytes and serves them at its ``url``
  (``/attachments/<channel>/<id>/<name>?ex=…&is=…&hm=…``, signed like Discord's CDN links: a
  missing or wrong signature, or a deleted file, is 404 "This content is no longer available.").
  No ``Authorization`` is needed; the requests are recorded in ``cdn_requests``.
- Gateway: HELLO (op 10) → IDENTIFY (op 2; bad token → close 4004, Message Content intent not
  allowed → close 4014) → READY (op 0, ``s`` 1, with ``session_id`` and ``resume_gateway_url``)
  → GUILD_CREATE per guild; heartbeats (op 1) are ACKed (op 11) and recorded with the sequence the
  client reported; :meth:`FakeDiscord.dispatch` sends ``op 0`` events with increasing ``s`` and
  keeps them, so a RESUME (op 6) after :meth:`FakeDiscord.drop` replays what was missed and ends
  with RESUMED; with ``invalidate_resumes`` a RESUME gets INVALID_SESSION (op 9, ``d: false``).
  ``compress=zlib-stream`` in the query is honoured (binary frames from one zlib stream, each
  ending in ``00 00 ff ff``); ``encoding`` other than ``json`` is refused with close 4002.

It runs in the test's event loop::

    async with FakeDiscord() as fake:
        ... DiscordAccount(token=fake.token, api_base=fake.api_base) ...
        await fake.wait_identified()
        fake.dispatch("MESSAGE_CREATE", fake.message(channel_id=..., author=..., content="hi"))
        await fake.wait_for(lambda: fake.sent)
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
INTENT_MESSAGE_CONTENT = 1 << 15


_ids = itertools.count()


def snowflake() -> str:
    """A fresh id whose timestamp bits say "now" (discord.py derives ``created_at`` from it)."""
    return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_ids) & 0x3FFFFF))


def user(username: str, *, bot: bool = False, id: str | None = None) -> dict[str, Any]:
    return {
        "id": id or snowflake(),
        "username": username,
        "discriminator": "0",
        "global_name": username.title(),
        "avatar": None,
        "bot": bot,
    }


@dataclass
class Sent:
    """One message a client posted: its channel, the JSON payload, and uploaded files."""

    channel_id: str
    payload: dict[str, Any]
    files: list[tuple[str, str | None, bytes]] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class Session:
    id: str
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    ws: Connection | None = None


@dataclass
class Connection:
    """One gateway socket. Frames leave in order through ``outbox`` (one writer task)."""

    ws: web.WebSocketResponse
    request: web.Request
    compressor: Any = None  # zlib compressobj when compress=zlib-stream
    session: Session | None = None
    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)

    def send(self, payload: dict[str, Any]) -> None:
        self.outbox.put_nowait(payload)

    async def writer(self) -> None:
        while True:
            payload = await self.outbox.get()
            data = json.dumps(payload)
            if self.compressor is None:
                await self.ws.send_str(data)
            else:
                raw = self.compressor.compress(data.encode())
                await self.ws.send_bytes(raw + self.compressor.flush(zlib.Z_SYNC_FLUSH))


class FakeDiscord:
    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "clawbot",
        heartbeat_interval_ms: int = 41250,
        message_content_allowed: bool = True,
    ) -> None:
        self.token = token
        self.bot = user(bot_name, bot=True)
        self.owner = user("owner")
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.message_content_allowed = message_content_allowed
        self.invalidate_resumes = False
        self.port = 0
        # Discord's state
        self.guilds: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.dms: dict[str, dict[str, Any]] = {}  # user id -> DM channel
        self.forbidden: set[str] = set()
        self.sessions: dict[str, Session] = {}
        # what clients did
        self.requests: list[tuple[str, str]] = []
        self.sent: list[Sent] = []
        self.typing: list[str] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats: list[int | None] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.connections: list[Connection] = []
        self.cdn: dict[str, bytes] = {}  # attachment id -> bytes
        self.cdn_requests: list[tuple[str, str | None]] = []  # (path?query, Authorization)
        self.cdn_chunked = False  # send CDN files chunked, without a Content-Length
        self._failures: list[Failure] = []
        self._runner: web.AppRunner | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{channel}/{id}/{filename}", self._cdn)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                conn.request.transport.abort()  # type: ignore[union-attr]
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    # --- scripting ----------------------------------------------------------------------------

    def add_guild(self, name: str = "guild") -> dict[str, Any]:
        """A guild the bot is in, with the managed role Discord gives a bot when it joins
        (``bot_role``: what "@clawbot" autocompletes to in many clients)."""
        guild_id = snowflake()
        bot_role = _role(snowflake(), self.bot["username"], bot_id=self.bot["id"])
        guild = {
            "id": guild_id,
            "name": name,
            "channels": [],
            "threads": [],
            "roles": [_role(guild_id, "@everyone"), bot_role, _role(snowflake(), "mods")],
            "bot_role": bot_role,
        }
        self.guilds[guild["id"]] = guild
        return guild

    def add_channel(self, guild: dict[str, Any], name: str = "general") -> dict[str, Any]:
        channel = {
            "id": snowflake(),
            "type": 0,
            "guild_id": guild["id"],
            "name": name,
            "position": len(guild["channels"]),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }
        guild["channels"].append(channel)
        self.channels[channel["id"]] = channel
        return channel

    def add_thread(
        self, parent: dict[str, Any], name: str = "thread", *, announce: bool = True
    ) -> dict[str, Any]:
        """A public thread; with ``announce`` it is in GUILD_CREATE (or sent as THREAD_CREATE),
        else the client only learns about it through ``GET /channels/{id}``."""
        thread = {
            "id": snowflake(),
            "type": 11,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "name": name,
            "owner_id": self.owner["id"],
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }
        self.channels[thread["id"]] = thread
        if announce:
            self.guilds[parent["guild_id"]]["threads"].append(thread)
            if self._live_session() is not None:
                self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    def dm_channel(self, recipient: dict[str, Any]) -> dict[str, Any]:
        channel = self.dms.get(recipient["id"])
        if channel is None:
            channel = {
                "id": snowflake(),
                "type": 1,
                "recipients": [recipient],
                "last_message_id": None,
            }
            self.dms[recipient["id"]] = channel
            self.channels[channel["id"]] = channel
        return channel

    def message(
        self,
        channel: dict[str, Any],
        author: dict[str, Any],
        content: str = "",
        *,
        mentions: list[dict[str, Any]] = (),  # type: ignore[assignment]
        mention_roles: list[str] = (),  # type: ignore[assignment]
        reply_to: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] = (),  # type: ignore[assignment]
        type: int | None = None,
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE payload as Discord sends it (``member`` in guilds, replies resolved)."""
        msg: dict[str, Any] = {
            "id": snowflake(),
            "channel_id": channel["id"],
            "author": author,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": list(mentions),
            "mention_roles": list(mention_roles),
            "attachments": list(attachments),
            "embeds": [],
            "pinned": False,
            "type": 19 if reply_to is not None else 0 if type is None else type,
            "flags": 0,
        }
        if type is not None:
            msg["type"] = type
        if channel.get("guild_id"):
            msg["guild_id"] = channel["guild_id"]
            msg["member"] = {"roles": [], "joined_at": _now_iso(), "deaf": False, "mute": False}
        if reply_to is not None:
            msg["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                **({"guild_id": channel["guild_id"]} if channel.get("guild_id") else {}),
            }
            msg["referenced_message"] = reply_to
        return msg

    def attachment(
        self,
        filename: str,
        content_type: str,
        size: int | None = None,
        *,
        data: bytes | None = None,
        channel_id: str = "0",
    ) -> dict[str, Any]:
        """An attachment object whose ``url`` serves ``data`` (default: ``size`` bytes of
        filler); ``size`` is what the object claims (default: ``len(data)``)."""
        if data is None:
            data = bytes(i % 251 for i in range(size or 0))
        if size is None:
            size = len(data)
        att_id = snowflake()
        self.cdn[att_id] = data
        path = f"/attachments/{channel_id}/{att_id}/{filename}"
        expires = f"{int(time.time()) + 86400:x}"
        issued = f"{int(time.time()):x}"
        url = (
            f"http://127.0.0.1:{self.port}{path}"
            f"?ex={expires}&is={issued}&hm={_signature(path, expires, issued)}&"
        )
        return {
            "id": att_id,
            "filename": filename,
            "size": size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` requests matching ``method`` and the regex ``path`` (searched in the
        path after ``/api/v10``) get ``status`` with ``body``."""
        default = {"message": f"{status}: fake failure", "code": 0}
        self._failures.append(
            Failure(method, re.compile(path), status, body or default, headers or {}, times)
        )

    def rate_limit(
        self, method: str, path: str, retry_after: float, *, is_global: bool = False, times: int = 1
    ) -> None:
        self.fail(
            method,
            path,
            429,
            {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
            },
            headers={
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
                **({"X-RateLimit-Global": "true"} if is_global else {}),
                "Via": "1.1 google",
            },
            times=times,
        )

    def revoke_token(self) -> None:
        """The token is reset: REST answers 401 and the gateway closes with 4004."""
        self.token = "revoked-" + uuid.uuid4().hex

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch (op 0) on the live session; kept for RESUME while disconnected."""
        session = self._live_session()
        assert session is not None, "no gateway session: wait_identified() first"
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        if session.ws is not None and not session.ws.ws.closed:
            session.ws.send(frame)

    def send_raw(self, payload: dict[str, Any]) -> None:
        """Send any frame on the current socket (no sequence bookkeeping)."""
        session = self._live_session()
        assert session is not None and session.ws is not None
        session.ws.send(payload)

    async def drop(self) -> None:
        """Cut the live gateway socket without a close frame (a network failure)."""
        session = self._live_session()
        assert session is not None and session.ws is not None
        session.ws.request.transport.abort()  # type: ignore[union-attr]
        session.ws = None

    async def close_gateway(self, code: int) -> None:
        session = self._live_session()
        assert session is not None and session.ws is not None
        await session.ws.ws.close(code=code)
        session.ws = None

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        async def loop() -> Any:
            while not (value := predicate()):
                await asyncio.sleep(0.01)
            return value

        return await asyncio.wait_for(loop(), timeout)

    async def wait_identified(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(
            lambda: len(self.identifies) >= count and self._live_session() is not None, timeout
        )

    def _live_session(self) -> Session | None:
        return next(reversed(self.sessions.values()), None)

    # --- REST ---------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.requests.append((request.method, path))
        for failure in self._failures:
            if failure.times > 0 and failure.method == request.method and failure.path.search(path):
                failure.times -= 1
                await request.read()
                return _json(failure.body, status=failure.status, headers=failure.headers)
        if request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        routes: list[tuple[str, str, Callable[..., Awaitable[web.StreamResponse]]]] = [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("POST", r"/channels/(\d+)/typing", self._typing),
        ]
        for method, pattern, handler in routes:
            found = re.fullmatch(pattern, path)
            if found and method == request.method:
                return await handler(request, *found.groups())
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    async def _me(self, request: web.Request) -> web.StreamResponse:
        return _json(self.bot)

    async def _application(self, request: web.Request) -> web.StreamResponse:
        return _json(
            {
                "id": self.bot["id"],
                "name": self.bot["username"],
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.StreamResponse:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _open_dm(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        recipient = {**user("someone"), "id": str(body["recipient_id"])}
        return _json(self.dm_channel(recipient))

    async def _get_channel(self, request: web.Request, channel_id: str) -> web.StreamResponse:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _unknown_channel()
        return _json(channel)

    async def _typing(self, request: web.Request, channel_id: str) -> web.StreamResponse:
        if channel_id not in self.channels:
            return _unknown_channel()
        self.typing.append(channel_id)
        return web.Response(status=204)

    async def _create_message(self, request: web.Request, channel_id: str) -> web.StreamResponse:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _unknown_channel()
        if channel_id in self.forbidden:
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        files: list[tuple[str, str | None, bytes]] = []
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                assert not isinstance(part, type(reader)), "nested multipart"
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                elif part.name and part.name.startswith("files["):
                    data = bytes(await part.read())
                    files.append((part.filename or "", part.headers.get("Content-Type"), data))
        else:
            payload = await request.json()
        content = payload.get("content") or ""
        if not content and not files:
            return _json({"message": "Cannot send an empty message", "code": 50006}, status=400)
        if len(content) > 2000:
            return _json(
                {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {
                        "content": {
                            "_errors": [
                                {
                                    "code": "BASE_TYPE_MAX_LENGTH",
                                    "message": "Must be 2000 or fewer in length.",
                                }
                            ]
                        }
                    },
                },
                status=400,
            )
        response: dict[str, Any] = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                self.attachment(
                    name, mime or "application/octet-stream", data=data, channel_id=channel_id
                )
                for name, mime, data in files
            ],
            "embeds": [],
            "pinned": False,
            "type": 19 if payload.get("message_reference") else 0,
            "flags": 0,
        }
        if channel.get("guild_id"):
            response["guild_id"] = channel["guild_id"]
        if payload.get("message_reference"):
            response["message_reference"] = payload["message_reference"]
        self.sent.append(Sent(channel_id, payload, files, response))
        return _json(response)

    # --- CDN ----------------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        self.cdn_requests.append((request.path_qs, request.headers.get("Authorization")))
        query = request.query
        data = self.cdn.get(request.match_info["id"])
        expected = _signature(request.path, query.get("ex", ""), query.get("is", ""))
        if data is None or query.get("hm") != expected:
            return web.Response(
                status=404, text="This content is no longer available.", content_type="text/plain"
            )
        content_type = "application/octet-stream"
        if not self.cdn_chunked:
            return web.Response(body=data, content_type=content_type)
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(data), 16 * 1024):
            await response.write(data[start : start + 16 * 1024])
        await response.write_eof()
        return response

    # --- Gateway ------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=4096 * 1024)
        await ws.prepare(request)
        query = dict(request.query)
        self.gateway_queries.append(query)
        conn = Connection(ws, request)
        self.connections.append(conn)
        if query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Error while decoding payload.")
            return ws
        if query.get("compress") == "zlib-stream":
            conn.compressor = zlib.compressobj()
        # (zstd-stream is not offered: the fake answers in plain text frames, which clients take)
        conn.send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
            }
        )
        writer = asyncio.get_running_loop().create_task(conn.writer())
        try:
            await self._receive(conn)
        finally:
            writer.cancel()
        return ws

    async def _receive(self, conn: Connection) -> None:
        ws = conn.ws
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                await ws.close(code=4002, message=b"Error while decoding payload.")
                break
            try:
                frame = json.loads(msg.data)
                op = frame["op"]
            except (ValueError, KeyError, TypeError):
                await ws.close(code=4002, message=b"Error while decoding payload.")
                break
            if op == 1:
                self.heartbeats.append(frame.get("d"))
                conn.send({"op": 11, "s": None, "t": None, "d": None})
            elif op == 2:
                await self._identify(conn, frame["d"])
            elif op == 6:
                await self._resume(conn, frame["d"])
            elif op in (3, 4, 8):
                pass  # presence, voice state, member requests: accepted, ignored
            else:
                await ws.close(code=4001, message=b"Unknown opcode.")
                break

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & INTENT_MESSAGE_CONTENT and not self.message_content_allowed:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies.append(data)
        session = Session(id=uuid.uuid4().hex, ws=conn)
        self.sessions[session.id] = session
        conn.session = session
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": gid, "unavailable": True} for gid in self.guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": self.bot["id"], "flags": 0},
        }
        self.dispatch("READY", ready)
        for guild in self.guilds.values():
            self.dispatch("GUILD_CREATE", _guild_payload(guild))

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        session = self.sessions.get(data.get("session_id") or "")
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or self.invalidate_resumes:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        session.ws = conn
        conn.session = session
        seq = data.get("seq") or 0
        for frame in session.events:
            if frame["s"] > seq:
                conn.send(frame)
        session.seq += 1
        resumed = {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}
        session.events.append(resumed)
        conn.send(resumed)


def _signature(path: str, expires: str, issued: str) -> str:
    return hashlib.sha256(f"{path}|{expires}|{issued}".encode()).hexdigest()


def _role(role_id: str, name: str, *, bot_id: str | None = None) -> dict[str, Any]:
    role: dict[str, Any] = {
        "id": role_id,
        "name": name,
        "color": 0,
        "hoist": False,
        "position": 0 if name == "@everyone" else 1,
        "permissions": "0",
        "managed": bot_id is not None,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        role["tags"] = {"bot_id": bot_id}
    return role


def _guild_payload(guild: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": guild["id"],
        "name": guild["name"],
        "unavailable": False,
        "icon": None,
        "owner_id": "1",
        "roles": guild.get("roles", []),
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 2,
        "members": [],
        "voice_states": [],
        "presences": [],
        "channels": guild["channels"],
        "threads": guild["threads"],
        "large": False,
        "joined_at": _now_iso(),
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }


def _json(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response typed exactly ``application/json``, as Discord sends it (discord.py parses
    the body only for that exact content type)."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _unknown_channel() -> web.Response:
    return _json({"message": "Unknown Channel", "code": 10003}, status=404)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()
