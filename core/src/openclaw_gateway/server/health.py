"""The ``health`` snapshot: built from the gateway's collaborators, cached and pushed by the
gateway (``refresh_health``); ``public_health`` is what a caller without ``operator.admin`` sees."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from ..agent.heartbeat import Heartbeat
    from ..channels.manager import ChannelManager
    from ..config import GatewayConfig


def rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def build_health_snapshot(
    *,
    config: GatewayConfig,
    sessions_count: int,
    channels: ChannelManager,
    heartbeat: Heartbeat,
    plugin_report: dict[str, Any],
    uptime_ms: int,
    connections: int,
) -> dict[str, Any]:
    """The ``health`` payload an admin sees (:func:`public_health` derives everyone else's)."""
    started = time.perf_counter()
    sessions = {"path": str(config.db_path), "count": sessions_count, "recent": []}
    by_channel = channels.snapshot()
    snapshot: dict[str, Any] = {
        "ok": True,
        "ts": int(time.time() * 1000),
        "channels": by_channel,
        "channelOrder": sorted(by_channel),
        "channelLabels": {name: entry["label"] for name, entry in by_channel.items()},
        "heartbeatSeconds": heartbeat.seconds,
        "defaultAgentId": "main",
        "agents": [
            {
                "agentId": "main",
                "isDefault": True,
                "heartbeat": heartbeat.settings(),
                "sessions": sessions,
            }
        ],
        "sessions": sessions,
        "plugins": plugin_report,
        "gateway": {
            "version": __version__,
            "uptimeMs": uptime_ms,
            "connections": connections,
            "rssBytes": rss_bytes(),
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
