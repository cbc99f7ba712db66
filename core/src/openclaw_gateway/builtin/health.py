"""``health`` and ``status``, and the ``health`` event.

``health`` answers from a cached snapshot (refreshed every ``health_refresh_ms``, or now with
``probe: true``), so the hot path serialises nothing. Unlike the reference, a plain ``health`` call
does not also broadcast a ``health`` event to every socket: that turned each call into a fan-out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from .. import __version__
from ..auth.scopes import READ
from ..hooks import hookimpl
from ..hooks.registry import EVERYONE, EventSpec, MethodContext, MethodSpec
from ..protocol.codec import Fragment

if TYPE_CHECKING:
    from ..server.gateway import Gateway


class HealthParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    probe: bool = False


class StatusParams(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def build_health_snapshot(gateway: Gateway) -> dict[str, Any]:
    started = time.perf_counter()
    sessions = {"path": str(gateway.config.db_path), "count": gateway.sessions_count, "recent": []}
    channels = gateway.channels.snapshot()
    snapshot: dict[str, Any] = {
        "ok": True,
        "ts": int(time.time() * 1000),
        "channels": channels,
        "channelOrder": sorted(channels),
        "channelLabels": {name: entry["label"] for name, entry in channels.items()},
        "heartbeatSeconds": gateway.heartbeat.seconds,
        "defaultAgentId": "main",
        "agents": [
            {
                "agentId": "main",
                "isDefault": True,
                "heartbeat": gateway.heartbeat.settings(),
                "sessions": sessions,
            }
        ],
        "sessions": sessions,
        "plugins": gateway.plugin_report,
        "gateway": {
            "version": __version__,
            "uptimeMs": gateway.uptime_ms,
            "connections": len(gateway.connections),
            "rssBytes": _rss_bytes(),
        },
    }
    snapshot["durationMs"] = int((time.perf_counter() - started) * 1000)
    return snapshot


def public_health(snapshot: dict[str, Any]) -> dict[str, Any]:
    """``health`` as a client without ``operator.admin`` sees it: the same shape, without what
    tells a local attacker where the state lives or which bot accounts these are (the database
    path; account details such as bot usernames). ``status`` draws the same line."""
    sessions = {**snapshot["sessions"], "path": None}
    channels = {
        name: {
            **entry,
            "accounts": {
                acc: {**status, "detail": None} for acc, status in entry["accounts"].items()
            },
        }
        for name, entry in snapshot["channels"].items()
    }
    agents = [{**agent, "sessions": sessions} for agent in snapshot["agents"]]
    return {**snapshot, "sessions": sessions, "agents": agents, "channels": channels}


async def health(ctx: MethodContext, params: HealthParams) -> Any:
    gw = ctx.gateway
    if params.probe:
        await gw.count_sessions()
        gw.refresh_health()
    return Fragment(gw.health_for(ctx.conn))


async def status(ctx: MethodContext, params: StatusParams) -> Any:
    gw = ctx.gateway
    admin = "operator.admin" in ctx.conn.scopes
    result: dict[str, Any] = {
        "runtimeVersion": __version__,
        "uptimeMs": gw.uptime_ms,
        "heartbeat": {"defaultAgentId": "main", "agents": []},
        "channelSummary": [],
        "queuedSystemEvents": list(gw.presence.system_events),
        "tasks": {
            "total": 0,
            "active": 0,
            "terminal": 0,
            "failures": 0,
            "byStatus": {},
            "byRuntime": {},
        },
        "sessions": {"count": await gw.count_sessions(), "recent": []},
        "connections": {
            "total": len(gw.connections),
            "byRole": _count_roles(gw),
        },
        "plugins": gw.plugin_report,
        "methods": len(gw.registry.methods),
        "events": len(gw.registry.events),
    }
    if admin:
        result["stateDir"] = str(gw.config.state_dir)
        result["bind"] = gw.config.bind
        result["port"] = gw.port
        result["authMode"] = gw.config.auth_mode
    return result


def _count_roles(gw: Gateway) -> dict[str, int]:
    counts: dict[str, int] = {}
    for conn in gw.connections.values():
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
