"""What the core's built-in methods see of the running gateway: :class:`GatewayServices`.

The public :class:`~openclaw_gateway.hooks.gateway_api.GatewayAPI` (what plugins see) plus the
core's collaborators. Built-in handlers reach it as ``ctx.core``; it is not part of the plugin API.
Every type here is imported for type checking only, and none of those modules imports the gateway
or the method specs, so this protocol closes no import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..hooks.gateway_api import GatewayAPI

if TYPE_CHECKING:
    from ..agent.cron import CronScheduler
    from ..agent.heartbeat import Heartbeat
    from ..agent.runs import RunManager
    from ..channels.manager import ChannelManager
    from ..state.db import Database
    from .connection import Connection
    from .hub import ConnectionHub
    from .nodes import NodeManager


class GatewayServices(GatewayAPI, Protocol):
    db: Database
    hub: ConnectionHub
    runs: RunManager
    channels: ChannelManager
    nodes: NodeManager
    cron: CronScheduler
    heartbeat: Heartbeat
    sessions_count: int
    boot_id: str

    @property
    def method_names(self) -> Sequence[str]: ...

    @property
    def event_names(self) -> Sequence[str]: ...

    @property
    def uptime_ms(self) -> int: ...

    async def count_sessions(self) -> int: ...

    def refresh_health(self) -> bytes: ...

    def health_for(self, conn: Connection) -> bytes: ...
