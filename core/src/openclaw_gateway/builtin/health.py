"""``health`` and ``status``, and the ``health`` event.

``health`` answers from a cached snapshot (refreshed every ``health_refresh_ms``, or now with
``probe: true``), so the hot path serialises nothing. Unlike the reference, a plain ``health`` call
does not also broadcast a ``health`` event to every socket: that turned each call into a fan-out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from .. import __version__
from ..auth.scopes import READ
from ..hooks import hookimpl
from ..hooks.registry import EVERYONE, EventSpec, MethodContext, MethodSpec
from ..protocol.codec import Fragment

if TYPE_CHECKING:
    from ..server.services import GatewayServices


class HealthParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    probe: bool = False


class StatusParams(BaseModel):
    model_config = ConfigDict(extra="ignore")


async def health(ctx: MethodContext, params: HealthParams) -> Any:
    gw = ctx.core
    if params.probe:
        await gw.count_sessions()
        gw.refresh_health()
    return Fragment(gw.health_for(ctx.conn))


async def status(ctx: MethodContext, params: StatusParams) -> Any:
    gw = ctx.core
    admin = "operator.admin" in ctx.conn.scopes
    result: dict[str, Any] = {
        "runtimeVersion": __version__,
        "uptimeMs": gw.uptime_ms,
        "heartbeat": {"defaultAgentId": "main", "agents": []},
        "channelSummary": [],
        "queuedSystemEvents": list(gw.hub.presence.system_events),
        "tasks": {
            "total": 0,
            "active": 0,
            "terminal": 0,
            "failures": 0,
            "byStatus": {},
            "byRuntime": {},
        },
        "sessions": _sessions_summary(gw, await gw.count_sessions(), admin),
        "connections": {
            "total": len(gw.hub.connections),
            "byRole": _count_roles(gw),
        },
        "plugins": gw.plugin_report,
        "methods": len(gw.method_names),
        "events": len(gw.event_names),
    }
    if admin:
        result["stateDir"] = str(gw.config.state_dir)
        result["bind"] = gw.config.bind
        result["port"] = gw.port
        result["authMode"] = gw.config.auth_mode
    return result


def _sessions_summary(gw: GatewayServices, count: int, admin: bool) -> dict[str, Any]:
    """The reference's ``status.sessions``: ``byAgent`` is what the official ``openclaw status``
    walks (one agent here); paths only for admins."""
    path = str(gw.config.db_path) if admin else None
    return {
        "paths": [path] if path else [],
        "count": count,
        "recent": [],
        "byAgent": [{"agentId": "main", "path": path, "count": count, "recent": []}],
    }


def _count_roles(gw: GatewayServices) -> dict[str, int]:
    counts: dict[str, int] = {}
    for conn in gw.hub.connections.values():
        counts[conn.role] = counts.get(conn.role, 0) + 1
    return counts


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(
        MethodSpec(name="health", handler=health, params=HealthParams, scope=None, roles=EVERYONE)
    )
    register(MethodSpec(name="status", handler=status, params=StatusParams, scope=READ))


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="health", scope=None, roles=EVERYONE))
