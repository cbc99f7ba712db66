"""One authenticated (or authenticating) WebSocket peer and how bytes reach it.

Responses are sent with ``await`` so a client that pipelines requests without reading gets
TCP backpressure (its own reads stop), never unbounded memory. Events are pushed without waiting;
a peer whose unsent bytes exceed ``max_buffered`` is a slow consumer and is closed, so one stuck
client can neither block a broadcast nor grow the gateway's memory.

Both paths frame the message themselves and hand it to the transport in one ``write`` when the
socket is in the plain state (open, no fragmented send in progress, no extension, no frame
logging): a server text frame is a 2-10 byte header and the unmasked payload, exactly what
``websockets`` would serialise, without its per-message ``Frame`` object, ``BytesIO`` and
``send_context`` coroutine. Anything else (closing, paused by backpressure, debug logging) takes
the ``websockets`` path unchanged.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable
from typing import Any

from websockets.asyncio.connection import broadcast
from websockets.asyncio.server import ServerConnection
from websockets.protocol import OPEN

from ..auth.scopes import expand
from ..protocol.frames import ClientInfo
from .budget import LAGGARD_BYTES, BufferBudget

log = logging.getLogger("openclaw_gateway.server")

SLOW_CONSUMER_CLOSE = (1008, "slow consumer")

_TEXT_FIN = 0x81  # FIN + opcode 1 (text); servers never mask (RFC 6455 §5.1)
_HEAD16 = struct.Struct("!BBH").pack
_HEAD64 = struct.Struct("!BBQ").pack


def text_frame(data: bytes) -> bytes:
    """One unfragmented, unmasked text frame carrying ``data`` (RFC 6455 §5.2)."""
    n = len(data)
    if n < 126:
        return bytes((_TEXT_FIN, n)) + data
    if n < 65536:
        return _HEAD16(_TEXT_FIN, 126, n) + data
    return _HEAD64(_TEXT_FIN, 127, n) + data


def _plain(ws: ServerConnection) -> bool:
    """True when a text frame may go straight to the transport (see the module docstring)."""
    protocol = ws.protocol
    return (
        protocol.state is OPEN
        and ws.send_in_progress is None
        and not protocol.expect_continuation_frame
        and not protocol.writes
        and not protocol.extensions
        and not protocol.debug
    )


class Connection:
    __slots__ = (
        "auth_method",
        "budget",
        "client",
        "conn_id",
        "connected_at_ms",
        "device_id",
        "direct_loopback",
        "dropped",
        "forbidden_streak",
        "granted_scopes",
        "max_buffered",
        "on_slow",
        "protocol",
        "remote_ip",
        "role",
        "scopes",
        "seq",
        "ws",
    )

    def __init__(
        self,
        ws: ServerConnection,
        *,
        conn_id: str,
        remote_ip: str,
        max_buffered: int,
        on_slow: Callable[[Connection], None],
        budget: BufferBudget | None = None,
    ) -> None:
        self.ws = ws
        self.conn_id = conn_id
        self.remote_ip = remote_ip
        self.direct_loopback = False
        """Loopback without proxy headers (set at connect)."""
        self.max_buffered = max_buffered
        self.on_slow = on_slow
        self.budget = budget
        """The gateway-wide cap on unsent bytes (``max_total_buffered_bytes``)."""
        self.role = ""
        self.scopes: frozenset[str] = frozenset()
        self.granted_scopes: list[str] = []
        self.client: ClientInfo | None = None
        self.device_id: str | None = None
        self.auth_method = ""
        self.protocol = 0
        self.seq = 0
        self.connected_at_ms = 0
        self.forbidden_streak = 0
        self.dropped = False

    def authorize(self, role: str, scopes: list[str]) -> None:
        self.role = role
        self.granted_scopes = list(scopes)
        self.scopes = expand(scopes)

    async def send(self, data: bytes) -> None:
        """Send a response, waiting for buffer space (backpressure on this peer only).

        Same semantics as ``await ws.send(data, text=True)``: the frame is written at once, and
        the call returns at once unless the transport is over its high-water mark (then it waits
        for the peer to read, as ``websockets``' ``drain`` does).
        """
        ws = self.ws
        if ws.paused or not _plain(ws):
            await ws.send(data, text=True)
            return
        transport = ws.transport
        transport.write(text_frame(data))
        if ws.paused or transport.is_closing():
            await ws.drain()

    def buffered(self) -> int:
        """Bytes queued for this peer and not yet taken by the kernel."""
        transport: Any = self.ws.transport
        return int(transport.get_write_buffer_size()) if transport is not None else 0

    def shed(self) -> None:
        """Close this peer as a slow consumer (once)."""
        if not self.dropped:
            self.dropped = True
            self.on_slow(self)

    def push(self, data: bytes) -> bool:
        """Queue an event without waiting; drop the peer if it cannot keep up."""
        if self.dropped:
            return False
        ws = self.ws
        transport: Any = ws.transport
        if transport is None:
            self.shed()
            return False
        pending = transport.get_write_buffer_size() + len(data)
        if pending > self.max_buffered:
            self.shed()
            return False
        if _plain(ws):
            transport.write(text_frame(data))
        else:
            broadcast((ws,), data, text=True)  # skips sockets that are not open
        if pending >= LAGGARD_BYTES and self.budget is not None:
            self.budget.note(self, pending)  # may shed the worst laggards, this one included
        return not self.dropped

    def push_broadcast(self, head: bytes) -> bool:
        """Queue a broadcast event; ``head`` is the frame without its closing ``,"seq":n}``."""
        self.seq += 1
        return self.push(b'%b,"seq":%d}' % (head, self.seq))
