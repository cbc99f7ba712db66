"""One authenticated (or authenticating) WebSocket peer and how bytes reach it.

Responses are sent with ``await`` so a client that pipelines requests without reading gets
TCP backpressure (its own reads stop), never unbounded memory. Events are pushed without waiting;
a peer whose unsent bytes exceed ``max_buffered`` is a slow consumer and is closed, so one stuck
client can neither block a broadcast nor grow the gateway's memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.connection import broadcast
from websockets.asyncio.server import ServerConnection

from ..auth.scopes import expand
from ..protocol.frames import ClientInfo

log = logging.getLogger("openclaw_gateway.server")

SLOW_CONSUMER_CLOSE = (1008, "slow consumer")


class Connection:
    __slots__ = (
        "auth_method",
        "client",
        "conn_id",
        "connected_at_ms",
        "device_id",
        "dropped",
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
    ) -> None:
        self.ws = ws
        self.conn_id = conn_id
        self.remote_ip = remote_ip
        self.max_buffered = max_buffered
        self.on_slow = on_slow
        self.role = ""
        self.scopes: frozenset[str] = frozenset()
        self.granted_scopes: list[str] = []
        self.client: ClientInfo | None = None
        self.device_id: str | None = None
        self.auth_method = ""
        self.protocol = 0
        self.seq = 0
        self.connected_at_ms = 0
        self.dropped = False

    def authorize(self, role: str, scopes: list[str]) -> None:
        self.role = role
        self.granted_scopes = list(scopes)
        self.scopes = expand(scopes)

    async def send(self, data: bytes) -> None:
        """Send a response, waiting for buffer space (backpressure on this peer only)."""
        await self.ws.send(data, text=True)

    def push(self, data: bytes) -> bool:
        """Queue an event without waiting; drop the peer if it cannot keep up."""
        if self.dropped:
            return False
        transport: Any = self.ws.transport
        if transport is None or transport.get_write_buffer_size() + len(data) > self.max_buffered:
            self.dropped = True
            self.on_slow(self)
            return False
        broadcast((self.ws,), data, text=True)
        return True

    def push_broadcast(self, head: bytes) -> bool:
        """Queue a broadcast event; ``head`` is the frame without its closing ``,"seq":n}``."""
        self.seq += 1
        return self.push(head + b',"seq":' + str(self.seq).encode() + b"}")
