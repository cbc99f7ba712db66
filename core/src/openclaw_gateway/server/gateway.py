"""The live gateway: connections, broadcast, snapshots, and the core services handlers use.

One instance per process, created by :func:`openclaw_gateway.server.app.build_gateway`. Handlers
reach it as ``ctx.gateway``. Nothing here is global: tests run several gateways in one process.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import orjson
from pydantic import BaseModel

from .. import __version__
from ..agent.cron import CronScheduler
from ..agent.heartbeat import Heartbeat
from ..agent.media import policy as media_policy
from ..agent.runs import RunManager
from ..auth.authenticator import Authenticator, AuthOutcome, AuthSettings
from ..auth.proxies import parse_networks
from ..channels.adapter import ChannelAdapter
from ..channels.manager import ChannelManager
from ..channels.router import Deduper, Lanes, SenderLimiter
from ..config import GatewayConfig
from ..errors import CloseCode
from ..hooks.registry import Registry
from ..protocol import PROTOCOL_VERSION
from ..protocol.codec import Fragment, dumps
from ..state.db import Database
from .budget import BufferBudget
from .connection import SLOW_CONSUMER_CLOSE, Connection
from .contract import check_payload, unknown_event
from .idempotency import IdempotencyCache
from .nodes import NodeManager
from .presence import PresenceBoard

log = logging.getLogger("openclaw_gateway")
M = TypeVar("M", bound=BaseModel)

Spawner = Callable[[Callable[[], Awaitable[Any]]], None]


class Gateway:
    def __init__(
        self,
        config: GatewayConfig,
        *,
        registry: Registry,
        db: Database,
        auth: AuthSettings,
        plugin_report: dict[str, list[Any]] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.db = db
        self.boot_id = str(uuid.uuid4())
        self.started_at = time.monotonic()
        self.connections: dict[str, Connection] = {}
        self.preauth: Counter[str] = Counter()
        self.presence = PresenceBoard()
        self.health_version = 1
        self.idempotency = IdempotencyCache()
        self.plugin_report = plugin_report or {"loaded": [], "errors": [], "unavailable": []}
        self.auth_settings = auth
        self.authenticator = Authenticator(
            auth,
            db,
            on_pair_requested=lambda payload: self.broadcast("device.pair.requested", payload),
            on_pair_resolved=lambda payload: self.broadcast("device.pair.resolved", payload),
        )
        self.port = config.port
        self.nodes = NodeManager(self)
        self.runs = RunManager(self)
        self.channels = ChannelManager(self)
        self.channel_dedupe = Deduper()
        self.channel_limiter = SenderLimiter()
        self.channel_lanes = Lanes()
        self.buffer_budget = BufferBudget(config.max_total_buffered_bytes)
        self.trusted_proxies = parse_networks(config.trusted_proxies)
        self.cron = CronScheduler(self)
        self.heartbeat = Heartbeat(self)
        self._spawn: Spawner | None = None
        self._features = Fragment(
            dumps({"methods": sorted(registry.methods), "events": sorted(registry.events)})
        )
        self.sessions_count = 0
        """Stored sessions, as last counted (``count_sessions``; the health loop refreshes it)."""
        self.health_bytes = b""
        self.public_health_bytes = b""
        self._encode_health()

    # --- tasks ---------------------------------------------------------------------------------

    def attach_spawner(self, spawn: Spawner) -> None:
        self._spawn = spawn

    def spawn(self, fn: Callable[[], Awaitable[Any]]) -> None:
        """Run ``fn()`` in the gateway's task group (background work that must not block a caller)."""
        if self._spawn is None:
            raise RuntimeError("gateway is not running")
        self._spawn(fn)

    # --- snapshots -----------------------------------------------------------------------------

    @property
    def uptime_ms(self) -> int:
        return int((time.monotonic() - self.started_at) * 1000)

    def channel_adapter(self, channel: str, account: str) -> ChannelAdapter | None:
        """The running adapter of one channel account, or None (see ``GatewayAPI``)."""
        try:
            return self.channels.adapter(channel, account)[1]
        except LookupError:
            return None

    def plugin_config(self, section: str, model: type[M]) -> M:
        """A plugin's validated config section, typed (see :class:`~openclaw_gateway.api.GatewayAPI`)."""
        return self.registry.plugin_config(section, model)

    def state_version(self) -> dict[str, int]:
        return {"presence": self.presence.version, "health": self.health_version}

    async def count_sessions(self) -> int:
        """Re-count the stored sessions for ``health``/``status`` (off the event loop)."""
        from ..state import sessions as session_store

        self.sessions_count = await self.db.run(session_store.count_sessions, self.db.conn)
        return self.sessions_count

    def _encode_health(self) -> None:
        from ..builtin.health import build_health_snapshot, public_health

        snapshot = build_health_snapshot(self)
        self.health_bytes = dumps(snapshot)
        self.public_health_bytes = dumps(public_health(snapshot))

    def health_for(self, conn: Connection) -> bytes:
        """The cached health a socket may see: the full one for admins (paths, account details)."""
        return self.health_bytes if "operator.admin" in conn.scopes else self.public_health_bytes

    def refresh_health(self) -> bytes:
        """Rebuild the cached health snapshots, bump the version, and broadcast them (each socket
        gets the one its scopes allow)."""
        self._encode_health()
        self.health_version += 1
        self.broadcast("health", Fragment(self.health_bytes), state_version=True, only=_is_admin)
        self.broadcast(
            "health",
            Fragment(self.public_health_bytes),
            state_version=True,
            only=_is_not_admin,
        )
        return self.health_bytes

    def hello_ok(self, conn: Connection, outcome: AuthOutcome) -> dict[str, Any]:
        auth: dict[str, Any] = {
            "method": outcome.method,
            "role": outcome.role,
            "scopes": outcome.scopes,
        }
        if outcome.device_token is not None:
            auth["deviceToken"] = outcome.device_token
            auth["issuedAtMs"] = outcome.issued_at_ms
        snapshot: dict[str, Any] = {
            "presence": self.presence.entries(),
            "health": Fragment(self.health_for(conn)),
            "stateVersion": self.state_version(),
            "uptimeMs": self.uptime_ms,
            "sessionDefaults": {
                "defaultAgentId": "main",
                "mainKey": "main",
                "mainSessionKey": "agent:main:main",
                "scope": "per-sender",
            },
        }
        if "operator.admin" in conn.scopes:
            snapshot["stateDir"] = str(self.config.state_dir)
            snapshot["configPath"] = str(self.config.config_file)
            snapshot["authMode"] = self.config.auth_mode
        return {
            "type": "hello-ok",
            "protocol": PROTOCOL_VERSION,
            "server": {"version": __version__, "bootId": self.boot_id, "connId": conn.conn_id},
            "features": self._features,
            "snapshot": snapshot,
            "auth": auth,
            "policy": {
                "maxPayload": self.config.max_payload,
                "maxBufferedBytes": self.config.max_buffered_bytes,
                "tickIntervalMs": self.config.tick_interval_ms,
                "attachments": media_policy(),
            },
        }

    # --- events --------------------------------------------------------------------------------

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
        spec = self.registry.events.get(event)
        if spec is None:
            raise unknown_event(event)
        if self.config.validate_results:
            check_payload(spec, payload)
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
        spec = self.registry.events.get(event)
        if spec is None:
            raise unknown_event(event)
        if self.config.validate_results:
            check_payload(spec, payload)
        return conn.push(dumps({"type": "event", "event": event, "payload": payload}))

    # --- connection management -----------------------------------------------------------------

    def close_connection(self, conn: Connection, code: int, reason: str) -> None:
        """Close one socket in the background (bounded: a peer that never reads is aborted)."""
        self.spawn(functools.partial(self._close_bounded, conn, code, reason))

    def drop_slow_consumer(self, conn: Connection) -> None:
        log.warning("closing slow consumer %s (%s)", conn.conn_id, conn.remote_ip)
        code, reason = SLOW_CONSUMER_CLOSE
        if self._spawn is not None:
            self.spawn(functools.partial(self._close_bounded, conn, code, reason))

    def close_device_sockets(
        self, device_id: str, *, reason: str = "device removed", keep: Connection | None = None
    ) -> int:
        closed = 0
        for conn in tuple(self.connections.values()):
            if conn.device_id == device_id and conn is not keep:
                closed += 1
                self.spawn(
                    functools.partial(self._close_bounded, conn, CloseCode.DEVICE_REMOVED, reason)
                )
        return closed

    close_grace_s = 5.0
    """How long a server-initiated close may wait for the peer to read; then the TCP is aborted."""

    async def _close_bounded(self, conn: Connection, code: int, reason: str) -> None:
        # ws.close() first drains the send buffer, with no timeout: a peer that never reads would
        # keep its socket, task and buffered bytes forever. Abort it after the grace period.
        with anyio.move_on_after(self.close_grace_s):
            await conn.ws.close(code, reason)
            return
        transport = conn.ws.transport
        if transport is not None:
            transport.abort()


def _is_admin(conn: Connection) -> bool:
    return "operator.admin" in conn.scopes


def _is_not_admin(conn: Connection) -> bool:
    return "operator.admin" not in conn.scopes
