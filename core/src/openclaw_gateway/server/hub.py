"""The sockets of one gateway: who is connected, what they are shown, and how events reach them.

:class:`ConnectionHub` owns the live connections (and the pre-auth count per client), the presence
board and the state versions sent with snapshot events, and is the one place an event is encoded
and queued to sockets: ``broadcast`` (with each socket's ``seq``) and ``send_event`` (to one).
It also closes sockets, bounded, so a peer that never reads cannot keep one open.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import orjson

from ..errors import CloseCode
from ..hooks.specs import EventSpec
from ..protocol.codec import dumps
from ..runtime import Spawner
from .budget import BufferBudget
from .connection import SLOW_CONSUMER_CLOSE, Connection
from .contract import check_payload, unknown_event
from .presence import PresenceBoard

log = logging.getLogger("openclaw_gateway")


class ConnectionHub:
    close_grace_s = 5.0
    """How long a server-initiated close may wait for the peer to read; then the TCP is aborted."""

    def __init__(
        self,
        events: Mapping[str, EventSpec],
        *,
        spawn: Spawner,
        validate: bool,
        max_total_buffered: int,
    ) -> None:
        self.events = events
        self.spawn = spawn
        self.validate = validate
        self.connections: dict[str, Connection] = {}
        self.preauth: Counter[str] = Counter()
        """Sockets still authenticating, per client key (the pre-auth limit counts these)."""
        self.presence = PresenceBoard()
        self.health_version = 1
        self.buffer_budget = BufferBudget(max_total_buffered)

    def state_version(self) -> dict[str, int]:
        return {"presence": self.presence.version, "health": self.health_version}

    def _spec(self, event: str, payload: Any) -> EventSpec:
        spec = self.events.get(event)
        if spec is None:
            raise unknown_event(event)
        if self.validate:
            check_payload(spec, payload)
        return spec

    def broadcast(
        self,
        event: str,
        payload: Any,
        *,
        state_version: bool = False,
        only: Callable[[Connection], bool] | None = None,
    ) -> int:
        """Send a broadcast event (with per-socket ``seq``) to every socket allowed to see it
        (and, with ``only``, for which ``only(conn)`` holds).

        Returns how many sockets it was queued to. The payload is encoded once.
        """
        spec = self._spec(event, payload)
        head = b'{"type":"event","event":' + orjson.dumps(event) + b',"payload":' + dumps(payload)
        if state_version:
            head += b',"stateVersion":' + dumps(self.state_version())
        sent = 0
        for conn in tuple(self.connections.values()):
            if conn.role not in spec.roles:
                continue
            if spec.scope is not None and conn.role == "operator" and spec.scope not in conn.scopes:
                continue
            if only is not None and not only(conn):
                continue
            if conn.push_broadcast(head):
                sent += 1
        return sent

    def send_event(self, conn: Connection, event: str, payload: Any) -> bool:
        """A targeted event to one socket: no ``seq`` (it does not advance the socket's counter)."""
        self._spec(event, payload)
        return conn.push(dumps({"type": "event", "event": event, "payload": payload}))

    def close_connection(self, conn: Connection, code: int, reason: str) -> None:
        """Close one socket in the background (bounded: a peer that never reads is aborted)."""
        self.spawn(functools.partial(self._close_bounded, conn, code, reason))

    def drop_slow_consumer(self, conn: Connection) -> None:
        log.warning("closing slow consumer %s (%s)", conn.conn_id, conn.remote_ip)
        if self.spawn.running:
            self.close_connection(conn, *SLOW_CONSUMER_CLOSE)

    def close_device_sockets(
        self, device_id: str, *, reason: str = "device removed", keep: Connection | None = None
    ) -> int:
        closed = 0
        for conn in tuple(self.connections.values()):
            if conn.device_id == device_id and conn is not keep:
                closed += 1
                self.close_connection(conn, CloseCode.DEVICE_REMOVED, reason)
        return closed

    async def _close_bounded(self, conn: Connection, code: int, reason: str) -> None:
        # ws.close() first drains the send buffer, with no timeout: a peer that never reads would
        # keep its socket, task and buffered bytes forever. Abort it after the grace period.
        with anyio.move_on_after(self.close_grace_s):
            await conn.ws.close(code, reason)
            return
        transport = conn.ws.transport
        if transport is not None:
            transport.abort()
