"""A deliberately cheap WebSocket client for load generation (asyncio Protocol, hand-rolled RFC 6455).

Why not the ``websockets`` client: the load generator must cost much less per request than the
server it measures. This client does one ``transport.write`` per request (zero masking key, so the
payload is sent as-is), parses server frames with a few slice operations, and can answer a
response directly from ``data_received`` (no task switch, no queue) in "callback mode".

Only what a gateway bench needs: text frames, continuation frames, ping → pong, close.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any

now = time.perf_counter  # CLOCK_MONOTONIC on Linux: comparable across processes

_ZERO_MASK = b"\x00\x00\x00\x00"


class HandshakeFailed(Exception):
    """The gateway refused the upgrade or the ``connect`` request."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def text_frame(payload: bytes) -> bytes:
    """A masked (with a zero key) client text frame."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, 0x80 | n)) + _ZERO_MASK + payload
    if n < 65536:
        return bytes((0x81, 0x80 | 126)) + n.to_bytes(2, "big") + _ZERO_MASK + payload
    return bytes((0x81, 0x80 | 127)) + n.to_bytes(8, "big") + _ZERO_MASK + payload


def _control_frame(opcode: int, payload: bytes = b"") -> bytes:
    return bytes((0x80 | opcode, 0x80 | len(payload))) + _ZERO_MASK + payload


class WSProtocol(asyncio.Protocol):
    """One client connection. Messages go to ``on_message(data, t)`` if set, else to a queue."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.upgrade_waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.messages: deque[tuple[bytes, float]] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.on_message: Callable[[bytes, float], None] | None = None
        self.closed = False
        self.close_code: int | None = None
        self._fragments: list[bytes] = []
        self.key = base64.b64encode(os.urandom(16)).decode()

    # -- asyncio callbacks --------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        req = (
            f"GET / HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(req.encode())  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        t = now()
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            status = head.split(b"\r\n", 1)[0]
            if b" 101 " not in status:
                if not self.upgrade_waiter.done():
                    self.upgrade_waiter.set_exception(
                        HandshakeFailed(
                            f"upgrade refused: {status.decode(errors='replace')}", "HTTP"
                        )
                    )
                self.transport.close()  # type: ignore[union-attr]
                return
            self.upgraded = True
            if not self.upgrade_waiter.done():
                self.upgrade_waiter.set_result(None)
        while True:
            n = len(buf)
            if n < 2:
                return
            b0 = buf[0]
            ln = buf[1] & 0x7F
            off = 2
            if ln == 126:
                if n < 4:
                    return
                ln = (buf[2] << 8) | buf[3]
                off = 4
            elif ln == 127:
                if n < 10:
                    return
                ln = int.from_bytes(buf[2:10], "big")
                off = 10
            end = off + ln
            if n < end:
                return
            payload = bytes(buf[off:end])
            del buf[:end]
            opcode = b0 & 0x0F
            if opcode == 1 or opcode == 2 or opcode == 0:
                if not b0 & 0x80:
                    self._fragments.append(payload)
                    continue
                if self._fragments:
                    self._fragments.append(payload)
                    payload = b"".join(self._fragments)
                    self._fragments = []
                cb = self.on_message
                if cb is not None:
                    cb(payload, t)
                else:
                    self.messages.append((payload, t))
                    w = self.waiter
                    if w is not None and not w.done():
                        w.set_result(None)
            elif opcode == 9:
                self.transport.write(_control_frame(10, payload))  # type: ignore[union-attr]
            elif opcode == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.transport.close()  # type: ignore[union-attr]
                return

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.upgrade_waiter.done():
            self.upgrade_waiter.set_exception(HandshakeFailed(f"connection lost: {exc}", "CLOSED"))
        w = self.waiter
        if w is not None and not w.done():
            w.set_result(None)

    # -- API -----------------------------------------------------------------------------------
    def send(self, payload: bytes) -> None:
        self.transport.write(text_frame(payload))  # type: ignore[union-attr]

    async def recv(self, timeout: float = 10.0) -> tuple[bytes, float]:
        """Next message and the monotonic time its bytes arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.messages:
            if self.closed:
                raise HandshakeFailed(f"closed (code {self.close_code})", "CLOSED")
            self.waiter = loop.create_future()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("recv timed out")
            try:
                await asyncio.wait_for(self.waiter, remaining)
            finally:
                self.waiter = None
        return self.messages.popleft()

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            try:
                self.transport.write(_control_frame(8, (1000).to_bytes(2, "big")))
            finally:
                self.transport.close()


async def open_ws(host: str, port: int, timeout: float = 10.0) -> WSProtocol:
    loop = asyncio.get_running_loop()
    _, proto = await asyncio.wait_for(
        loop.create_connection(lambda: WSProtocol(host, port), host, port), timeout
    )
    await asyncio.wait_for(proto.upgrade_waiter, timeout)
    return proto


_counter = 0


def request(method: str, params: bytes = b"{}", rid: str | None = None) -> tuple[str, bytes]:
    global _counter
    if rid is None:
        _counter += 1
        rid = f"b{_counter}"
    return rid, (
        b'{"type":"req","id":"'
        + rid.encode()
        + b'","method":"'
        + method.encode()
        + b'","params":'
        + params
        + b"}"
    )


def connect_params(token: str, scopes: list[str]) -> bytes:
    import orjson

    return orjson.dumps(
        {
            "minProtocol": 4,
            "maxProtocol": 4,
            "client": {"id": "cli", "version": "x", "platform": "linux", "mode": "cli"},
            "role": "operator",
            "scopes": scopes,
            "auth": {"token": token},
        }
    )


async def wait_res(ws: WSProtocol, rid: str, timeout: float = 10.0) -> tuple[dict, float, bytes]:
    """Read messages until the ``res`` for ``rid``; returns (frame, arrival time, raw bytes)."""
    import orjson

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        data, t = await ws.recv(max(0.001, deadline - loop.time()))
        frame = orjson.loads(data)
        if frame.get("type") == "res" and frame.get("id") == rid:
            return frame, t, data


async def authed(
    host: str, port: int, token: str, scopes: list[str], timeout: float = 10.0
) -> tuple[WSProtocol, float, int]:
    """Open a socket and complete challenge → connect → hello-ok.

    Returns (socket, time hello-ok arrived, hello-ok size in bytes). Raises HandshakeFailed.
    """
    import orjson

    ws = await open_ws(host, port, timeout)
    try:
        while True:
            data, _ = await ws.recv(timeout)
            frame = orjson.loads(data)
            if frame.get("type") == "event" and frame.get("event") == "connect.challenge":
                break
        rid, req = request("connect", connect_params(token, scopes))
        ws.send(req)
        res, t, raw = await wait_res(ws, rid, timeout)
        if not res.get("ok"):
            err = res.get("error") or {}
            raise HandshakeFailed(f"connect refused: {err}", str(err.get("code", "")))
        return ws, t, len(raw)
    except BaseException:
        ws.close()
        raise


def raise_fd_limit() -> int:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


# ---------------------------------------------------------------------------------------------
# Synchronous sockets + epoll: the cheapest client Python can do (used by the load workers).


class FrameReader:
    """Incremental parser of server (unmasked) frames; ``feed`` returns complete messages."""

    __slots__ = ("buf", "frag_op", "frags")

    def __init__(self, initial: bytes = b"") -> None:
        self.buf = bytearray(initial)
        self.frags: list[bytes] = []
        self.frag_op = 1

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Returns [(opcode, payload)] for complete messages (text=1, binary=2, close=8, ping=9)."""
        buf = self.buf
        if not buf:
            # fast path: exactly one small complete unfragmented frame
            n = len(data)
            if n >= 2 and data[0] & 0x80:
                ln = data[1] & 0x7F
                if ln < 126 and n == 2 + ln:
                    return [(data[0] & 0x0F, data[2:])]
                if ln == 126 and n >= 4 and n == 4 + ((data[2] << 8) | data[3]):
                    return [(data[0] & 0x0F, data[4:])]
        buf += data
        out: list[tuple[int, bytes]] = []
        while True:
            n = len(buf)
            if n < 2:
                break
            b0 = buf[0]
            ln = buf[1] & 0x7F
            off = 2
            if ln == 126:
                if n < 4:
                    break
                ln = (buf[2] << 8) | buf[3]
                off = 4
            elif ln == 127:
                if n < 10:
                    break
                ln = int.from_bytes(buf[2:10], "big")
                off = 10
            end = off + ln
            if n < end:
                break
            payload = bytes(buf[off:end])
            del buf[:end]
            opcode = b0 & 0x0F
            if opcode >= 8:
                out.append((opcode, payload))
            elif not b0 & 0x80:
                if opcode:
                    self.frag_op = opcode
                self.frags.append(payload)
            elif self.frags:
                out.append((self.frag_op, b"".join([*self.frags, payload])))
                self.frags = []
            else:
                out.append((opcode, payload))
        return out


def pong(payload: bytes) -> bytes:
    return _control_frame(10, payload)


def close_frame() -> bytes:
    return _control_frame(8, (1000).to_bytes(2, "big"))


def sync_authed(
    host: str,
    port: int,
    token: str,
    scopes: list[str],
    timeout: float = 30.0,
    params: Callable[[dict[str, Any]], bytes] | None = None,
) -> tuple[Any, FrameReader, float, int]:
    """Blocking challenge → connect → hello-ok.

    ``params(challenge payload)`` builds the connect params (default: token-auth operator with
    ``scopes``; a node signs the challenge's nonce with its device key there).
    Returns (socket, reader holding any leftover bytes, time hello-ok arrived, hello-ok size).
    """
    import socket as _socket

    import orjson

    sock = _socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                raise HandshakeFailed("closed during upgrade", "CLOSED")
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise HandshakeFailed(f"upgrade refused: {status.decode(errors='replace')}", "HTTP")
        reader = FrameReader()
        pending = reader.feed(rest) if rest else []
        rid = None
        while True:
            for opcode, payload in pending:
                if opcode == 9:
                    sock.sendall(pong(payload))
                    continue
                if opcode == 8:
                    raise HandshakeFailed("closed during handshake", "CLOSED")
                frame = orjson.loads(payload)
                if rid is None and frame.get("event") == "connect.challenge":
                    body = (
                        params(frame.get("payload") or {})
                        if params is not None
                        else connect_params(token, scopes)
                    )
                    rid, req = request("connect", body)
                    sock.sendall(text_frame(req))
                elif rid is not None and frame.get("type") == "res" and frame.get("id") == rid:
                    if not frame.get("ok"):
                        err = frame.get("error") or {}
                        raise HandshakeFailed(f"connect refused: {err}", str(err.get("code", "")))
                    return sock, reader, now(), len(payload)
            chunk = sock.recv(262144)
            if not chunk:
                raise HandshakeFailed("closed during handshake", "CLOSED")
            pending = reader.feed(chunk)
    except BaseException:
        sock.close()
        raise
