"""One WebSocket connection's life: challenge → connect → hello-ok → request loop → goodbye.

The rules come from ``protocol/`` and ``auth/``; this module only moves bytes and applies them
in order (PROTOCOL.md §1-§3).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid

from pydantic import ValidationError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ..auth.authenticator import ConnectInfo
from ..auth.proxies import client_address
from ..auth.ratelimit import client_key
from ..errors import CloseCode, ErrorCode, GatewayError, HandshakeRejected
from ..protocol.codec import (
    FrameError,
    NotJSON,
    UnreadableRequest,
    describe_validation_error,
    encode_error,
    encode_event,
    encode_response,
    parse_request,
)
from ..protocol.frames import ConnectParams, RequestFrame
from ..protocol.handshake import close_reason
from .connection import Connection
from .dispatch import dispatch
from .gateway import Gateway

log = logging.getLogger("openclaw_gateway.server")

FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _remote_ip(gateway: Gateway, ws: ServerConnection) -> str:
    peer = str(ws.remote_address[0]) if ws.remote_address else "?"
    headers = ws.request.headers if ws.request is not None else None
    if not gateway.trusted_proxies or headers is None:
        return peer
    return client_address(
        peer,
        ",".join(headers.get_all("X-Forwarded-For")),
        headers.get("X-Real-IP"),
        gateway.trusted_proxies,
    )


async def handle_connection(gateway: Gateway, ws: ServerConnection) -> None:
    remote_ip = _remote_ip(gateway, ws)
    conn = Connection(
        ws,
        conn_id=str(uuid.uuid4()),
        remote_ip=remote_ip,
        max_buffered=gateway.config.max_buffered_bytes,
        on_slow=gateway.hub.drop_slow_consumer,
        budget=gateway.hub.buffer_budget,
    )
    preauth_key = client_key(remote_ip)  # the key process_request checked (loopback is one)
    gateway.hub.preauth[preauth_key] += 1
    authenticated = False
    try:
        try:
            async with asyncio.timeout(gateway.config.handshake_timeout_ms / 1000):
                authenticated = await _handshake(gateway, conn)
        except TimeoutError:
            await ws.close(CloseCode.NORMAL)
            return
        finally:
            gateway.hub.preauth[preauth_key] -= 1
            if gateway.hub.preauth[preauth_key] <= 0:
                del gateway.hub.preauth[preauth_key]
        if authenticated:
            await _serve(gateway, conn)
    except ConnectionClosed:
        pass
    finally:
        if authenticated:
            _goodbye(gateway, conn)


async def _reject(ws: ServerConnection, request_id: str | None, exc: HandshakeRejected) -> bool:
    if request_id is not None and exc.respond:
        await ws.send(encode_error(request_id, exc), text=True)
    await ws.close(exc.close_code, close_reason(exc.close_reason))
    return False


async def _handshake(gateway: Gateway, conn: Connection) -> bool:
    ws = conn.ws
    nonce = str(uuid.uuid4())
    now = int(time.time() * 1000)
    await ws.send(encode_event("connect.challenge", {"nonce": nonce, "ts": now}), text=True)
    data = await ws.recv()
    if isinstance(data, bytes):
        await ws.close(CloseCode.NORMAL)
        return False
    try:
        frame = parse_request(data)
    except NotJSON:
        await ws.close(CloseCode.NORMAL)
        return False
    except UnreadableRequest as exc:
        if exc.request_id is not None:  # one answer for a request we can name, then goodbye
            await ws.send(
                encode_error(exc.request_id, GatewayError(ErrorCode.INVALID_REQUEST, exc.message)),
                text=True,
            )
        await ws.close(CloseCode.POLICY, "invalid request frame")
        return False
    except FrameError:
        await ws.close(CloseCode.POLICY, "invalid request frame")
        return False
    if frame.method != "connect":
        return await _reject(
            ws,
            frame.id,
            HandshakeRejected(
                ErrorCode.INVALID_REQUEST, "invalid handshake: first request must be connect"
            ),
        )
    try:
        params = ConnectParams.model_validate({} if frame.params is None else frame.params)
    except ValidationError as exc:
        message = "invalid connect params: " + describe_validation_error(exc)[0]
        return await _reject(
            ws,
            frame.id,
            HandshakeRejected(
                ErrorCode.INVALID_REQUEST,
                message,
                details={"code": "INVALID_PARAMS", "path": describe_validation_error(exc)[1]},
            ),
        )
    headers = ws.request.headers if ws.request is not None else None
    info = ConnectInfo(
        remote_ip=conn.remote_ip,
        origin=headers.get("Origin") if headers is not None else None,
        forwarded=headers is not None and any(h in headers for h in FORWARDING_HEADERS),
        challenge_nonce=nonce,
    )
    try:
        outcome = await gateway.authenticator.authenticate(params, info)
    except HandshakeRejected as exc:
        log.info(
            "connect refused from %s (%s): %s",
            conn.remote_ip,
            params.client.id,
            (exc.details or {}).get("code", exc.code),
        )
        gateway.stats.handshakes_refused += 1
        return await _reject(ws, frame.id, exc)

    conn.authorize(outcome.role, outcome.scopes)
    conn.client = params.client
    conn.device_id = outcome.device_id
    conn.auth_method = outcome.method
    conn.direct_loopback = info.is_loopback
    conn.protocol = outcome.protocol
    conn.connected_at_ms = now
    # Authenticated peers may send up to maxPayload; before this, 64 KiB.
    ws.protocol.max_message_size = gateway.config.max_payload
    await conn.send(encode_response(frame.id, gateway.hello_ok(conn, outcome)))
    gateway.hub.connections[conn.conn_id] = conn
    gateway.stats.connections_opened[conn.role] += 1
    _announce(gateway, conn, "connect")
    if conn.role == "node":
        await gateway.nodes.attach(conn, params)
    return True


async def _serve(gateway: Gateway, conn: Connection) -> None:
    async for data in conn.ws:
        if isinstance(data, bytes):
            continue  # binary frames are ignored after hello, as the reference does
        try:
            frame = parse_request(data)
        except NotJSON:
            continue
        except UnreadableRequest as exc:
            # Exactly one answer: to its id when usable, else to "invalid" as for a frame
            # without an id. The socket keeps serving.
            await conn.send(
                encode_error(
                    exc.request_id or "invalid",
                    GatewayError(
                        ErrorCode.INVALID_REQUEST, exc.message, details={"code": "INVALID_JSON"}
                    ),
                )
            )
            continue
        except FrameError as exc:
            await conn.send(
                encode_error(
                    "invalid",
                    HandshakeRejected(
                        ErrorCode.INVALID_REQUEST, exc.message, details={"path": exc.pointer}
                    ),
                )
            )
            continue
        spec = gateway.registry.methods.get(frame.method)
        if spec is not None and spec.background:
            gateway.spawn(functools.partial(_respond_later, gateway, conn, frame))
        else:
            await conn.send(await dispatch(gateway, conn, frame))


async def _respond_later(gateway: Gateway, conn: Connection, frame: RequestFrame) -> None:
    """A background method's response; the peer may be gone by then, which is fine."""
    response = await dispatch(gateway, conn, frame)
    with contextlib.suppress(ConnectionClosed):
        await conn.send(response)


def _announce(gateway: Gateway, conn: Connection, reason: str) -> None:
    """UI clients and nodes appear in presence; CLI/backend clients do not (as the reference)."""
    client = conn.client
    if client is None or (client.mode not in ("ui", "node", "webchat") and conn.role != "node"):
        return
    key = client.instanceId or conn.device_id or conn.conn_id
    entry = {
        "host": client.displayName,
        "ip": conn.remote_ip,
        "version": client.version,
        "platform": client.platform,
        "deviceFamily": client.deviceFamily,
        "mode": client.mode,
        "reason": reason,
        "instanceId": client.instanceId,
        "ts": int(time.time() * 1000),
        "clientId": client.id,
        "deviceId": conn.device_id,
        "roles": [conn.role],
        "scopes": conn.granted_scopes,
    }
    gateway.hub.presence.upsert(key, {k: v for k, v in entry.items() if v is not None})
    gateway.hub.broadcast(
        "presence", {"presence": gateway.hub.presence.entries()}, state_version=True
    )


def _goodbye(gateway: Gateway, conn: Connection) -> None:
    gateway.hub.connections.pop(conn.conn_id, None)
    gateway.hub.buffer_budget.forget(conn)
    if conn.role == "node":
        gateway.nodes.detach(conn)
    _announce(gateway, conn, "disconnect")
