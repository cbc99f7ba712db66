"""The live gateway: the collaborators one running instance is made of, and what ties them.

One instance per process, created by :func:`openclaw_gateway.server.app.build_gateway` from
collaborators it builds explicitly (the hub owning sockets, the run, node, channel, cron and
heartbeat managers). Plugins see it as :class:`~openclaw_gateway.hooks.gateway_api.GatewayAPI`,
the built-in methods as :class:`~openclaw_gateway.server.services.GatewayServices`. Nothing here
is global: tests run several gateways in one process.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
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
from ..config import GatewayConfig
from ..hooks.gateway_api import AgentReply, BearerCheck
from ..hooks.registry import Registry
from ..protocol import PROTOCOL_VERSION
from ..protocol.codec import Fragment, dumps
from ..runtime import Spawner
from ..state.db import Database
from .connection import Connection
from .health import build_health_snapshot, public_health
from .hub import ConnectionHub
from .idempotency import IdempotencyCache
from .nodes import NodeManager
from .stats import (
    LATENCY_BUCKETS,
    ChannelAccountMetrics,
    GatewayMetrics,
    Histogram,
    RequestStats,
    ServiceMetrics,
)

if TYPE_CHECKING:
    from ..hooks.gateway_api import GatewayAPI
    from ..net.tls import TlsMaterial
    from .services import GatewayServices

M = TypeVar("M", bound=BaseModel)

CAPABILITIES = frozenset({"published-model-catalog"})
"""What ``hello-ok.features.capabilities`` claims: ``published-model-catalog`` (``models.list``
answers the models the provider serves), which the official ``openclaw models list`` checks for."""


class Gateway:
    def __init__(
        self,
        config: GatewayConfig,
        *,
        registry: Registry,
        db: Database,
        auth: AuthSettings,
        hub: ConnectionHub,
        spawner: Spawner,
        runs: RunManager,
        nodes: NodeManager,
        channels: ChannelManager,
        cron: CronScheduler,
        heartbeat: Heartbeat,
        plugin_report: dict[str, list[Any]] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.db = db
        self.hub = hub
        self.spawner = spawner
        self.runs = runs
        self.nodes = nodes
        self.channels = channels
        self.cron = cron
        self.heartbeat = heartbeat
        self.boot_id = str(uuid.uuid4())
        self.started_at = time.monotonic()
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
        self.stats = RequestStats()  # for /metrics (builtin/metrics.py)
        self.tls: TlsMaterial | None = None  # set when tls.enabled: wss:// and https://
        self.trusted_proxies = parse_networks(config.trusted_proxies)
        self.method_names = sorted(registry.methods)
        self.event_names = sorted(registry.events)
        self._features = Fragment(
            dumps(
                {
                    "methods": self.method_names,
                    "events": self.event_names,
                    "capabilities": sorted(CAPABILITIES)
                    if "models.list" in registry.methods
                    else [],
                }
            )
        )
        self.sessions_count = 0
        """Stored sessions, as last counted (``count_sessions``; the health loop refreshes it)."""
        self.health_bytes = b""
        self.public_health_bytes = b""
        self._encode_health()

    # --- the plugin API (GatewayAPI) -----------------------------------------------------------

    def spawn(self, fn: Callable[[], Awaitable[Any]]) -> None:
        """Run ``fn()`` in the gateway's task group (background work that must not block a caller)."""
        self.spawner(fn)

    def broadcast(self, event: str, payload: Any) -> int:
        """A registered event to every socket allowed to see it (see ``ConnectionHub.broadcast``)."""
        return self.hub.broadcast(event, payload)

    def channel_adapter(self, channel: str, account: str) -> ChannelAdapter | None:
        """The running adapter of one channel account, or None (see ``GatewayAPI``)."""
        try:
            return self.channels.adapter(channel, account)[1]
        except LookupError:
            return None

    def plugin_config(self, section: str, model: type[M]) -> M:
        """A plugin's validated config section, typed (see ``GatewayAPI``)."""
        return self.registry.plugin_config(section, model)

    async def ask_agent(
        self,
        message: str,
        *,
        session_key: str,
        on_delta: Callable[[str], None] | None = None,
        timeout_s: float | None = None,
        images: Sequence[tuple[bytes, str]] = (),
    ) -> AgentReply:
        """One agent turn for a plugin (see ``GatewayAPI``)."""
        from ..agent.media import MediaRejected

        stored = []
        for index, (data, mime) in enumerate(images):
            try:
                stored.append(
                    await self.runs.media.save(data, name=None, mime=mime, origin="upload")
                )
            except MediaRejected as exc:
                raise ValueError(f"image {index}: {exc}") from None
        run_id = f"plugin:{uuid.uuid4()}"
        run = await self.runs.submit(
            run_id=run_id, session_key=session_key, message=message, kind="agent", media=stored
        )
        if on_delta is not None:
            run.listeners.append(on_delta)  # before any await: the run has not started yet
        with anyio.move_on_after(timeout_s if timeout_s is not None else math.inf):
            await run.done.wait()
        status = run.status if run.done.is_set() else "timeout"
        return AgentReply(run_id, run.session_key, status, run.text, run.error)

    def metrics(self) -> GatewayMetrics:
        """What the gateway counts, copied now (see ``GatewayAPI``)."""
        stats = self.stats
        roles = Counter(conn.role for conn in self.hub.connections.values())
        services = [
            ServiceMetrics(row["name"], svc["name"], svc["state"], svc["restarts"])
            for row in self.plugin_report.get("details", [])
            for svc in row.get("services", [])
        ]
        channels = [
            ChannelAccountMetrics(
                state.channel, state.account, state.state, state.restarts, dict(state.counters)
            )
            for state in self.channels.accounts.values()
        ]
        return GatewayMetrics(
            version=__version__,
            uptime_s=time.monotonic() - self.started_at,
            connections=dict(roles),
            connections_opened=dict(stats.connections_opened),
            handshakes_refused=stats.handshakes_refused,
            requests=dict(stats.requests),
            latency_buckets=LATENCY_BUCKETS,
            latency={
                method: Histogram(list(h.buckets), h.total, h.count)
                for method, h in stats.latency.items()
            },
            runs_active=sum(1 for run in self.runs.runs.values() if run.active),
            runs_finished=dict(self.runs.finished),
            channels=channels,
            services=services,
            loop_lag_s=stats.loop_lag,
            loop_lag_max_s=stats.loop_lag_max,
        )

    def check_bearer(self, authorization: str | None, client: str) -> BearerCheck:
        """The shared secret in an HTTP ``Authorization`` header, rate limited (``GatewayAPI``)."""
        from ..auth.credentials import constant_time_equals
        from ..auth.ratelimit import client_key

        settings, key = self.auth_settings, client_key(client)
        locked = settings.limiter.retry_after_ms(key)
        if locked is not None:  # no guessing while locked out, not even the right secret
            return BearerCheck(False, math.ceil(locked / 1000))
        scheme, _, given = (authorization or "").partition(" ")
        expected = settings.token if settings.mode == "token" else settings.password
        if (
            scheme.lower() == "bearer"
            and expected
            and constant_time_equals(given.strip(), expected)
        ):
            settings.limiter.record_success(key)
            return BearerCheck(True)
        settings.limiter.record_failure(key)
        return BearerCheck(False)

    # --- snapshots -----------------------------------------------------------------------------

    @property
    def uptime_ms(self) -> int:
        return int((time.monotonic() - self.started_at) * 1000)

    async def count_sessions(self) -> int:
        """Re-count the stored sessions for ``health``/``status`` (off the event loop)."""
        from ..state import sessions as session_store

        self.sessions_count = await self.db.run(session_store.count_sessions, self.db.conn)
        return self.sessions_count

    def _encode_health(self) -> None:
        snapshot = build_health_snapshot(
            config=self.config,
            sessions_count=self.sessions_count,
            channels=self.channels,
            heartbeat=self.heartbeat,
            plugin_report=self.plugin_report,
            uptime_ms=self.uptime_ms,
            connections=len(self.hub.connections),
        )
        self.health_bytes = dumps(snapshot)
        self.public_health_bytes = dumps(public_health(snapshot))

    def health_for(self, conn: Connection) -> bytes:
        """The cached health a socket may see: the full one for admins (paths, account details)."""
        return self.health_bytes if "operator.admin" in conn.scopes else self.public_health_bytes

    def refresh_health(self) -> bytes:
        """Rebuild the cached health snapshots, bump the version, and broadcast them (each socket
        gets the one its scopes allow)."""
        self._encode_health()
        self.hub.health_version += 1
        self.hub.broadcast(
            "health", Fragment(self.health_bytes), state_version=True, only=_is_admin
        )
        self.hub.broadcast(
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
            "presence": self.hub.presence.entries(),
            "health": Fragment(self.health_for(conn)),
            "stateVersion": self.hub.state_version(),
            "uptimeMs": self.uptime_ms,
            "sessionDefaults": {
                "defaultAgentId": "main",
                "modelConfigured": True,  # the offline agent answers too: no setup page first
                "ownership": "sole",
                "selectionRequired": False,
                "mainKey": "main",
                "mainSessionKey": "agent:main:main",
                "scope": "per-sender",
            },
            "suspension": {"phase": "accepting"},
            "updateSchedule": {"channel": "stable", "autoEnabled": False},
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
            "controlUiWidgetKinds": [],
            "controlUiLinkReaders": [],
            "pluginSurfaceUrls": {},
            "auth": auth,
            "policy": {
                "maxPayload": self.config.max_payload,
                "maxBufferedBytes": self.config.max_buffered_bytes,
                "tickIntervalMs": self.config.tick_interval_ms,
                "attachments": media_policy(),
            },
        }


def _is_admin(conn: Connection) -> bool:
    return "operator.admin" in conn.scopes


def _is_not_admin(conn: Connection) -> bool:
    return "operator.admin" not in conn.scopes


if TYPE_CHECKING:
    # The gateway is what plugins and built-in methods are handed: mypy proves it fits both.
    def _fits_api(gateway: Gateway) -> GatewayAPI:
        return gateway

    def _fits_services(gateway: Gateway) -> GatewayServices:
        return gateway
