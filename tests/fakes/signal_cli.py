"""A fake signal-cli HTTP daemon on 127.0.0.1, speaking what ``signal-cli daemon --http`` speaks
(man page signal-cli-jsonrpc(5), AsamK/signal-cli):

- ``GET /api/v1/check`` → 200 once up;
- ``POST /api/v1/rpc``: JSON-RPC 2.0 — ``send`` (``recipient``/``groupId``, ``message``,
  ``quoteTimestamp``/``quoteAuthor``, ``attachments`` as data URIs) → ``{"timestamp"}``,
  ``sendTyping``, ``sendReceipt``, ``getAttachment`` → ``{"data": base64}``, ``version``; an
  unknown method → error -32601; scripted failures;
- ``GET /api/v1/events``: server-sent events, ``id:`` + ``data: {"envelope": …, "account": …}``,
  the last events kept, ``Last-Event-ID`` resuming after that id (an unknown id: all kept events).

Tests push envelopes with ``POST /test/push`` (or :meth:`FakeSignal.push` in-process), garbage
with ``/test/garbage``, drop the streams with ``/test/drop``, and read calls at ``/test/calls``.
Run as a program it is a stand-in ``signal-cli`` for the managed mode:
``python signal_cli.py -a +15550100100 daemon --http 127.0.0.1:PORT``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import sys
import time
from typing import Any

from aiohttp import web

BOT = "+15550100100"


class FakeSignal:
    def __init__(self, account: str = BOT) -> None:
        self.account = account
        self.events: list[tuple[int, str]] = []
        self.calls: list[dict[str, Any]] = []
        self.attachments: dict[str, bytes] = {}
        self.failures: list[tuple[str, str]] = []
        self.streams = 0
        self.last_event_ids: list[str | None] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._drop = asyncio.Event()
        self.base_url = ""

    # -- the app ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/api/v1/check", self._check)
        app.router.add_post("/api/v1/rpc", self._rpc)
        app.router.add_get("/api/v1/events", self._events)
        app.router.add_post("/test/push", self._test_push)
        app.router.add_post("/test/garbage", self._test_garbage)
        app.router.add_post("/test/drop", self._test_drop)
        app.router.add_get("/test/calls", self._test_calls)
        return app

    async def __aenter__(self) -> FakeSignal:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._drop.set()
        await self._runner.cleanup()

    # -- what tests do ----------------------------------------------------------------------

    def push(self, envelope: dict[str, Any]) -> int:
        event_id = next(self._ids)
        self.events.append((event_id, json.dumps({"envelope": envelope, "account": self.account})))
        self._notify()
        return event_id

    def garbage(self, data: str) -> None:
        self.events.append((next(self._ids), data))
        self._notify()

    def drop(self) -> None:
        """Cut every open event stream (the daemon's connection dies mid-stream)."""
        self._drop.set()
        self._drop = asyncio.Event()

    def fail(self, method: str, message: str) -> None:
        self.failures.append((method, message))

    def sent(self, method: str = "send") -> list[dict[str, Any]]:
        return [c["params"] for c in self.calls if c["method"] == method]

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- the wire ---------------------------------------------------------------------------

    async def _rpc(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response(
                {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
            )
        method, params, rid = body.get("method"), body.get("params") or {}, body.get("id")
        self.calls.append({"method": method, "params": params})
        self._notify()
        for i, (failing, message) in enumerate(self.failures):
            if failing == method:
                del self.failures[i]
                return web.json_response(
                    {"jsonrpc": "2.0", "error": {"code": -1, "message": message}, "id": rid}
                )
        if method == "send":
            if "recipient" not in params and "groupId" not in params:
                error = {"code": -32602, "message": "No recipients given"}
                return web.json_response({"jsonrpc": "2.0", "error": error, "id": rid})
            for url in params.get("attachments") or ():
                if not str(url).startswith("data:"):
                    error = {"code": -1, "message": f"Failed to read attachment {url}"}
                    return web.json_response({"jsonrpc": "2.0", "error": error, "id": rid})
            result: Any = {"timestamp": int(time.time() * 1000)}
        elif method in ("sendTyping", "sendReceipt"):
            result = {}
        elif method == "getAttachment":
            data = self.attachments.get(params.get("id"))
            if data is None:
                error = {"code": -1, "message": "Attachment not found"}
                return web.json_response({"jsonrpc": "2.0", "error": error, "id": rid})
            result = {"data": base64.b64encode(data).decode()}
        elif method == "version":
            result = {"version": "0.13.22"}
        else:
            error = {"code": -32601, "message": "Method not implemented"}
            return web.json_response({"jsonrpc": "2.0", "error": error, "id": rid})
        return web.json_response({"jsonrpc": "2.0", "result": result, "id": rid})

    async def _events(self, request: web.Request) -> web.StreamResponse:
        last = request.headers.get("Last-Event-ID")
        self.last_event_ids.append(last)
        self.streams += 1
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        known = [i for i, _ in self.events]
        position = (
            known.index(int(last)) + 1 if last and last.isdigit() and int(last) in known else 0
        )
        drop = self._drop
        try:
            while not drop.is_set():
                while position < len(self.events):
                    event_id, data = self.events[position]
                    position += 1
                    await response.write(f"id:{event_id}\nevent:receive\ndata:{data}\n\n".encode())
                changed = self._changed
                waiters = {
                    asyncio.ensure_future(changed.wait()),
                    asyncio.ensure_future(drop.wait()),
                }
                _done, pending = await asyncio.wait(
                    waiters, timeout=1.0, return_when=asyncio.FIRST_COMPLETED
                )
                for task in pending:
                    task.cancel()
                if not _done:
                    await response.write(b":keepalive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            return response
        if request.transport is not None:
            request.transport.abort()  # died mid-stream: no clean end
        return response

    async def _check(self, request: web.Request) -> web.Response:
        return web.Response(text="OK")

    async def _test_calls(self, request: web.Request) -> web.Response:
        return web.json_response(self.calls)

    async def _test_push(self, request: web.Request) -> web.Response:
        return web.json_response({"id": self.push(await request.json())})

    async def _test_garbage(self, request: web.Request) -> web.Response:
        self.garbage(await request.text())
        return web.json_response({})

    async def _test_drop(self, request: web.Request) -> web.Response:
        self.drop()
        return web.json_response({})


def envelope(
    text: str = "hello",
    *,
    number: str = "+15551230001",
    name: str = "Alice",
    timestamp: int | None = None,
    group: str | None = None,
    mentions: list[dict[str, Any]] | None = None,
    quote: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    ts = timestamp if timestamp is not None else int(time.time() * 1000)
    data: dict[str, Any] = {
        "timestamp": ts,
        "message": text,
        "expiresInSeconds": 0,
        "viewOnce": False,
        "mentions": mentions or [],
        "attachments": attachments or [],
        "contacts": [],
    }
    if group is not None:
        data["groupInfo"] = {"groupId": group, "type": "DELIVER"}
    if quote is not None:
        data["quote"] = quote
    return {
        "source": number,
        "sourceNumber": number,
        "sourceUuid": f"uuid-{number[1:]}",
        "sourceName": name,
        "sourceDevice": 1,
        "timestamp": ts,
        "dataMessage": data,
    }


def main(argv: list[str]) -> None:
    """``signal_cli.py -a ACCOUNT [--config DIR] daemon --http HOST:PORT`` (the managed mode)."""
    account = argv[argv.index("-a") + 1]
    host, _, port = argv[argv.index("--http") + 1].rpartition(":")
    if account == "+15559999999":
        print(f"User {account} is not registered.", file=sys.stderr, flush=True)
        sys.exit(1)
    fake = FakeSignal(account)
    print(
        f"INFO  DaemonCommand - Started HTTP server on {host}:{port}", file=sys.stderr, flush=True
    )
    web.run_app(fake.app(), host=host, port=int(port), print=None)


if __name__ == "__main__":
    main(sys.argv[1:])
