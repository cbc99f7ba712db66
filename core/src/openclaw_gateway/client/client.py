"""The async client: handshake (token, password, device identity and stored device token), calls,
events, and reconnect with backoff.

    async with GatewayClient("ws://127.0.0.1:18789", token=token) as gw:
        health = await gw.call("health")
        async for event in gw.events():
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import anyio
import orjson
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .. import __version__
from ..net.tls import FingerprintMismatch, check_pin, client_context, normalize_fingerprint
from .errors import ClientError, ConnectionLost, HandshakeError, RequestError, TlsPinError
from .identity import DeviceIdentity

DEFAULT_URL = "ws://127.0.0.1:18789"
DEFAULT_SCOPES = ("operator.read", "operator.write", "operator.admin", "operator.pairing")


@dataclass(frozen=True)
class Event:
    """One event frame from the gateway."""

    name: str
    payload: Any
    seq: int | None = None
    state_version: dict[str, int] | None = None


class _Pending:
    __slots__ = ("event", "expect_final", "frame")

    def __init__(self, expect_final: bool) -> None:
        self.event = anyio.Event()
        self.frame: dict[str, Any] | None = None
        self.expect_final = expect_final


class GatewayClient:
    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        password: str | None = None,
        identity: DeviceIdentity | None = None,
        role: str = "operator",
        scopes: Sequence[str] = DEFAULT_SCOPES,
        client_id: str = "gateway-client",
        client_mode: str = "backend",
        display_name: str | None = None,
        caps: Sequence[str] = (),
        commands: Sequence[str] = (),
        reconnect: bool = False,
        max_backoff: float = 30.0,
        request_timeout: float = 30.0,
        open_timeout: float = 10.0,
        origin: str | None = None,
        event_buffer: int = 1000,
        tls_fingerprint: str | None = None,
    ) -> None:
        self.url = url
        # A pinned certificate (``wss://`` to a self-signed or private-CA gateway): see net/tls.py.
        self.tls_fingerprint = normalize_fingerprint(tls_fingerprint) if tls_fingerprint else None
        self.token = token
        self.password = password
        self.identity = identity
        self.role = role
        self.scopes = list(scopes)
        self.client = {
            "id": client_id,
            "version": __version__,
            "platform": _platform(),
            "mode": client_mode,
            "instanceId": str(uuid.uuid4()),
        }
        if display_name:
            self.client["displayName"] = display_name
        self.caps = list(caps)
        self.commands = list(commands)
        self.reconnect = reconnect
        self.max_backoff = max_backoff
        self.request_timeout = request_timeout
        self.open_timeout = open_timeout
        self.origin = origin
        self.hello: dict[str, Any] = {}
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, _Pending] = {}
        self._events_in: MemoryObjectSendStream[Event]
        self._events_out: MemoryObjectReceiveStream[Event]
        self._events_in, self._events_out = anyio.create_memory_object_stream[Event](event_buffer)
        self._reader_task: asyncio.Task[None] | None = None
        self._closing = False
        self._connected = anyio.Event()
        self.last_close: tuple[int, str] | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> GatewayClient:
        await self._handshake()
        # A plain task (not a task group held open across __aenter__/__aexit__), so an exception
        # raised in the caller's ``async with`` body reaches the caller unwrapped.
        self._reader_task = asyncio.get_running_loop().create_task(self._reader())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        task = self._reader_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._reader_task = None

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        self._fail_pending()

    @property
    def server_version(self) -> str | None:
        server = self.hello.get("server") or {}
        return server.get("version")

    # --- handshake -----------------------------------------------------------------------------

    async def _handshake(self) -> None:
        secure = self.url.startswith("wss://")
        if self.tls_fingerprint and not secure:
            raise ConnectionLost(f"a TLS fingerprint is pinned but {self.url} is not wss://")
        try:
            ws = await connect(
                self.url,
                open_timeout=self.open_timeout,
                compression=None,
                max_size=None,
                origin=self.origin,  # type: ignore[arg-type]
                ssl=client_context(self.tls_fingerprint) if secure else None,
            )
        except InvalidStatus as exc:
            raise ConnectionLost(
                f"gateway refused the WebSocket upgrade: HTTP {exc.response.status_code}"
            ) from exc
        except InvalidHandshake as exc:
            hint = " (is it a TLS gateway? use wss://)" if not secure else ""
            raise ConnectionLost(
                f"{self.url} did not answer as a WebSocket gateway{hint}: {exc}"
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            raise ConnectionLost(
                f"the gateway's TLS certificate is not trusted ({exc.verify_message}); for a"
                " self-signed gateway pin it with --tls-fingerprint"
                " (`openclaw-gateway tls fingerprint` on the gateway host prints it)"
            ) from exc
        except (OSError, TimeoutError) as exc:
            raise ConnectionLost(f"cannot reach the gateway at {self.url}: {exc}") from exc
        if self.tls_fingerprint:
            try:  # before any frame: the connect frame carries the credentials
                check_pin(ws.transport.get_extra_info("ssl_object"), self.tls_fingerprint)
            except FingerprintMismatch as exc:
                ws.transport.abort()
                raise TlsPinError(str(exc.args[0])) from exc
        try:
            with anyio.fail_after(self.open_timeout):
                challenge = orjson.loads(await ws.recv())
            payload = challenge.get("payload") or {}
            request_id = f"{next(self._ids)}:{uuid.uuid4()}"
            await ws.send(orjson.dumps(self._connect_frame(request_id, payload)), text=True)
            with anyio.fail_after(self.open_timeout):
                while True:
                    frame = orjson.loads(await ws.recv())
                    if frame.get("type") == "res" and frame.get("id") == request_id:
                        break
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            raise ConnectionLost(
                "gateway closed the connection during the handshake"
                f" ({rcvd.code if rcvd else '?'} {rcvd.reason if rcvd else ''})".rstrip(),
                code=rcvd.code if rcvd else None,
                reason=rcvd.reason if rcvd else None,
            ) from exc
        except TimeoutError as exc:
            await ws.close()
            raise ConnectionLost("gateway did not complete the handshake in time") from exc
        if not frame.get("ok"):
            await ws.wait_closed()
            raise HandshakeError(frame.get("error") or {}, close_code=ws.close_code)
        self.hello = frame["payload"]
        auth = self.hello.get("auth") or {}
        if self.identity is not None and auth.get("deviceToken"):
            self.identity.remember_token(self.url, self.role, auth["deviceToken"])
        self._ws = ws
        self._connected.set()

    def _connect_frame(self, request_id: str, challenge: dict[str, Any]) -> dict[str, Any]:
        auth: dict[str, Any] = {}
        if self.token is not None:
            auth["token"] = self.token
        if self.password is not None:
            auth["password"] = self.password
        params: dict[str, Any] = {
            "minProtocol": 4,
            "maxProtocol": 4,
            "client": self.client,
            "role": self.role,
            "scopes": self.scopes,
            "caps": self.caps,
        }
        if self.commands:
            params["commands"] = self.commands
        if self.identity is not None:
            device_token = self.identity.token_for(self.url, self.role)
            if self.token is None and device_token is not None:
                auth["deviceToken"] = device_token
            params["device"] = self.identity.proof(
                nonce=str(challenge.get("nonce", "")),
                signed_at=int(challenge.get("ts") or time.time() * 1000),
                client=self.client,
                role=self.role,
                scopes=self.scopes,
                token=auth.get("token") or auth.get("deviceToken") or "",
            )
        if auth:
            params["auth"] = auth
        return {"type": "req", "id": request_id, "method": "connect", "params": params}

    # --- requests and events -------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: Any = None,
        *,
        timeout: float | None = None,
        expect_final: bool = False,
    ) -> Any:
        """Send a request and return its payload; raise :class:`RequestError` on ``ok:false``.

        With ``expect_final`` an ``accepted`` acknowledgement is skipped and the second response
        (the final one, e.g. of ``agent``) is returned.
        """
        ws = self._ws
        if ws is None:
            raise ConnectionLost("not connected")
        request_id = f"{next(self._ids)}:{uuid.uuid4()}"
        pending = _Pending(expect_final)
        self._pending[request_id] = pending
        frame: dict[str, Any] = {"type": "req", "id": request_id, "method": method}
        if params is not None:
            frame["params"] = params
        try:
            await ws.send(orjson.dumps(frame), text=True)
            with anyio.fail_after(timeout or self.request_timeout):
                await pending.event.wait()
        except ConnectionClosed as exc:
            raise ConnectionLost("connection closed", exc.rcvd.code if exc.rcvd else None) from exc
        finally:
            self._pending.pop(request_id, None)
        result = pending.frame
        if result is None:
            raise ConnectionLost("connection closed before the response arrived")
        if result.get("ok"):
            return result.get("payload")
        raise RequestError(result.get("error") or {}, result.get("payload"))

    async def events(self) -> AsyncIterator[Event]:
        """Every event the gateway sends, in order (a bounded buffer; the oldest are dropped)."""
        async for event in self._events_out:
            yield event

    async def next_event(self, name: str, *, timeout: float = 10.0) -> Event:
        """Wait for the next event called ``name`` (others are discarded)."""
        with anyio.fail_after(timeout):
            async for event in self._events_out:
                if event.name == name:
                    return event
        raise ClientError("event stream ended")

    async def _reader(self) -> None:
        backoff = 0.5
        while True:
            ws = self._ws
            assert ws is not None
            try:
                async for data in ws:
                    self._on_frame(orjson.loads(data))
            except ConnectionClosed:
                pass
            except orjson.JSONDecodeError:
                pass
            if ws.close_code is not None:
                self.last_close = (ws.close_code, ws.close_reason or "")
            self._fail_pending()
            self._ws = None
            if self._closing or not self.reconnect:
                self._events_in.close()
                return
            while not self._closing:
                await anyio.sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, self.max_backoff)
                try:
                    await self._handshake()
                    backoff = 0.5
                    break
                except ClientError:
                    continue

    def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "res":
            pending = self._pending.get(str(frame.get("id")))
            if pending is None:
                return
            payload = frame.get("payload")
            if (
                pending.expect_final
                and isinstance(payload, dict)
                and payload.get("status") == "accepted"
            ):
                return
            pending.frame = frame
            pending.event.set()
        elif kind == "event":
            event = Event(
                name=str(frame.get("event")),
                payload=frame.get("payload"),
                seq=frame.get("seq"),
                state_version=frame.get("stateVersion"),
            )
            try:
                self._events_in.send_nowait(event)
            except anyio.WouldBlock:
                try:
                    self._events_out.receive_nowait()  # drop the oldest, keep the newest
                    self._events_in.send_nowait(event)
                except (anyio.WouldBlock, anyio.EndOfStream):
                    pass
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass

    def _fail_pending(self) -> None:
        """Wake every waiting call; with no response frame they raise ConnectionLost."""
        for pending in list(self._pending.values()):
            pending.event.set()


def _platform() -> str:
    import sys

    return sys.platform
