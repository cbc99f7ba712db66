"""The views behind the official Control UI's methods (registered lazily by :mod:`.control_ui`).

What the official Control UI asks of the gateway on its pages, in the reference's shapes.

The UI (``openclaw`` npm package, ``dist/control-ui``) calls some seventy methods as an operator
walks its views. Those of features this gateway has are answered from its state elsewhere (chat,
sessions, cron, nodes, devices, logs, channels); the ones here are either views of our state in
the reference's shapes (agents, models, system info, diagnostics lanes, plugins, environments) or
features we do not have, answered with the reference's well-formed *empty* shape — no approvals,
no questions, no boards, no skills, no update pending — never ``unknown method`` and never a shape
that makes the UI retry in a loop. Shapes were read off the reference 2026.9.6 answering the same
UI (``tests/test_control_ui.py`` keeps them honest against that list).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

import anyio

from .. import __version__
from ..agent.provider_settings import provider_settings
from ..agent.sessions import DEFAULT_AGENT, MAIN_SESSION
from ..auth.scopes import ADMIN
from ..clock import now_ms
from ..hooks.registry import MethodContext
from ..server.health import rss_bytes
from .loose_params import AnyParams

if TYPE_CHECKING:
    from ..server.services import GatewayServices

AGENT_RUNTIME = {
    "id": "openclaw-gateway",
    "cloudPlacementSupported": False,
    "devicePlacementSupported": False,
    "source": "implicit",
}
ACCOUNT_SELECTION = {"kind": "automatic", "label": "Automatic account selection"}
THEMES = [
    ("claw", "Claw", "Signature coral red and teal on charcoal or pale surfaces."),
    ("knot", "Knot", "Crimson accents on true black or clean white."),
    ("dash", "Dash", "Toasted caramel on deep cocoa or warm cream."),
    ("absolutely", "Absolutely", "Terracotta clay on warm graphite or soft cream."),
    ("tide", "Tide", "Steel cyan on cool slate or pale blue-gray."),
    ("beacon", "Beacon", "High-visibility amber on black or white, bold focus rings."),
    ("phosphor", "Phosphor", "Luminous green on green-tinted black or pale green."),
    ("crt", "CRT", "White phosphor and amber on tube black."),
    ("manuscript", "Manuscript", "Lapis blue and gold on aged paper."),
    ("rose", "Rosé", "Dried rose and gold on deep plum-gray or soft rose-tinted cream."),
    ("miami", "Miami", "Hot magenta and cyan on violet-black or pale lavender."),
]
"""The Control UI's built-in themes (it ships their styles; the list is what it asks for)."""


def _param(params: AnyParams, name: str, default: Any = None) -> Any:
    return (params.model_extra or {}).get(name, default)


# --- our state in the reference's shapes ---------------------------------------------------------


def model_ref(core: GatewayServices) -> tuple[str, str]:
    """``(provider, model)`` the agent runs on: ``("openai", "gpt-4o-mini")``, or the offline one."""
    agent = provider_settings(core.config.agent, core.runs.plugin_configs)
    if agent.provider == "offline":
        return "offline", "offline"
    return agent.provider, agent.model or "default"


def session_defaults(core: GatewayServices, *, admin: bool) -> dict[str, Any]:
    """``defaults`` of ``sessions.list`` / ``chat.startup``: the model new turns use."""
    provider, model = model_ref(core)
    return {
        "modelProvider": provider,
        "model": model,
        "contextTokens": None,
        "agentRuntime": AGENT_RUNTIME,
        "thinkingLevels": [],
        "thinkingOptions": [],
        "thinkingDefault": None,
        # Where a model choice would go: the session (the reference lets admins persist it in
        # config instead; this gateway has one configured model and no switching).
        "modelSelectionTarget": "session",
    }


def session_row(
    core: GatewayServices, key: str, *, updated_at: int | None, session_id: str | None = None
) -> dict[str, Any]:
    """One session as the UI lists and describes it."""
    provider, model = model_ref(core)
    active = [r.run_id for r in core.runs.active_in(key)]
    return {
        "key": key,
        "sessionId": session_id,
        "kind": "group" if ":group:" in key else "direct",
        "classification": "main" if key == MAIN_SESSION else "direct",
        "agentId": DEFAULT_AGENT,
        "isMain": key == MAIN_SESSION,
        "isBackground": False,
        "updatedAt": updated_at,
        "archived": False,
        "pinned": False,
        "unread": False,
        "modelProvider": provider,
        "model": model,
        "modelOverrideSource": None,
        "runtimeSelectionLocked": False,
        "agentRuntime": AGENT_RUNTIME,
        "hasActiveRun": bool(active),
        "activeRunIds": active,
    }


async def agent_identity(ctx: MethodContext, params: AnyParams) -> Any:
    return {"agentId": DEFAULT_AGENT, "name": "Assistant", "nameSource": "default", "avatar": "A"}


async def agents_list(ctx: MethodContext, params: AnyParams) -> Any:
    provider, model = model_ref(ctx.core)
    return {
        "defaultId": DEFAULT_AGENT,
        "ownership": "sole",
        "selectionRequired": False,
        "mainKey": "main",
        "scope": "per-sender",
        "agents": [
            {
                "id": DEFAULT_AGENT,
                "kind": "agent",
                "workspace": str(ctx.core.config.state_dir),
                "workspaceGit": False,
                "agentRuntime": AGENT_RUNTIME,
                "thinkingLevels": [],
                "thinkingOptions": [],
                "model": {"primary": f"{provider}/{model}"},
                "defaultPermissionMode": "full",
            }
        ],
    }


async def models_list(ctx: MethodContext, params: AnyParams) -> Any:
    """The model the agent runs on (and, from an OpenAI-compatible server, the others it serves
    once the provider can list them)."""
    provider, model = model_ref(ctx.core)
    models = [
        {
            "id": model,
            "name": model,
            "provider": provider,
            "ref": f"{provider}/{model}",
            "available": True,
            "configured": True,
        }
    ]
    listed = await ctx.core.runs.list_models()
    models += [
        {
            "id": m,
            "name": m,
            "provider": provider,
            "ref": f"{provider}/{m}",
            "available": True,
            "configured": False,
        }
        for m in listed
        if m != model
    ]
    return {"models": models, "defaultModels": {}, "accountSelection": ACCOUNT_SELECTION}


async def models_auth_status(ctx: MethodContext, params: AnyParams) -> Any:
    return {"ts": now_ms(), "providers": [], "providerCapabilities": []}


async def chat_metadata(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "models": (await models_list(ctx, params))["models"],
        "commands": [],
        "swarmEnabled": False,
        "accountSelection": ACCOUNT_SELECTION,
        "runtimeSelectionLocked": False,
    }


async def chat_startup(ctx: MethodContext, params: AnyParams) -> Any:
    """``chat.history`` plus what the chat page needs to draw its header (defaults, the row)."""
    from ..agent.sessions import canonical_session_key
    from ..state import sessions as store

    core = ctx.core
    requested = str(_param(params, "sessionKey") or MAIN_SESSION)
    limit = max(1, min(int(_param(params, "limit", 200) or 200), 1000))
    key = canonical_session_key(requested, "")
    db = core.db
    session = await db.run(store.get_session, db.conn, key)
    messages, total = await db.run(store.history, db.conn, key, limit)
    info = session_row(
        core,
        key,
        updated_at=session.updated_at_ms if session is not None else None,
        session_id=session.session_id if session is not None else None,
    )
    return {
        "sessionKey": requested,
        "messages": messages,
        "pendingInputs": {"items": [], "total": 0},
        "hasMore": total > len(messages),
        "totalMessages": total,
        "defaults": session_defaults(core, admin=ADMIN in ctx.conn.scopes),
        "sessionInfo": {**info, "snapshotAt": now_ms()},
    }


async def sessions_describe(ctx: MethodContext, params: AnyParams) -> Any:
    from ..agent.sessions import canonical_session_key
    from ..state import sessions as store

    requested = _param(params, "key") or _param(params, "sessionKey")
    if not isinstance(requested, str) or not requested:
        return {"session": None}
    key = canonical_session_key(requested, "")
    db = ctx.core.db
    session = await db.run(store.get_session, db.conn, key)
    if session is None:
        return {"session": None}
    return {
        "session": session_row(
            ctx.core, key, updated_at=session.updated_at_ms, session_id=session.session_id
        )
    }


async def system_info(ctx: MethodContext, params: AnyParams) -> Any:
    core = ctx.core

    def read() -> dict[str, Any]:
        disk = shutil.disk_usage(core.config.state_dir)
        memory = _meminfo()
        return {
            "machineName": socket.gethostname(),
            "hostname": socket.gethostname(),
            "platform": sys.platform,
            "release": platform.release(),
            "arch": platform.machine(),
            "osLabel": f"{platform.system()} {platform.release()}",
            "port": core.port,
            "runtimeVersion": __version__,
            "pythonVersion": platform.python_version(),
            "pid": os.getpid(),
            "processInstanceId": core.boot_id,
            "uptimeMs": core.uptime_ms,
            "cpuCount": os.cpu_count() or 1,
            "cpuModel": _cpu_model(),
            "loadAverage": list(os.getloadavg()) if hasattr(os, "getloadavg") else [],
            "memoryTotalBytes": memory.get("MemTotal", 0),
            "memoryFreeBytes": memory.get("MemAvailable", 0),
            "processMemory": {"rssBytes": rss_bytes()},
            "disks": [{"path": "/", "totalBytes": disk.total, "availableBytes": disk.free}],
            "diskTotalBytes": disk.total,
            "diskAvailableBytes": disk.free,
            "diskPath": str(core.config.state_dir),
        }

    return await anyio.to_thread.run_sync(read)


def _meminfo() -> dict[str, int]:
    try:
        with open("/proc/meminfo") as fh:
            out = {}
            for line in fh:
                name, _, value = line.partition(":")
                parts = value.split()
                if parts and parts[0].isdigit():
                    out[name] = int(parts[0]) * 1024
            return out
    except OSError:
        return {}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


async def diagnostics_lanes(ctx: MethodContext, params: AnyParams) -> Any:
    """Our one queue, per session, in the reference's lane shape: ``main`` counts the runs."""
    runs = [r for r in ctx.core.runs.runs.values() if r.active]
    running = sum(1 for r in runs if r.status == "running")
    lane = {
        "lane": "main",
        "queuedCount": len(runs) - running,
        "activeCount": running,
        "maxConcurrent": 1,
        "draining": False,
        "generation": 0,
        "blockedBy": None,
    }
    return {"ts": now_ms(), "lanes": [lane], "dynamic": None}


async def environments_list(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "environments": [
            {
                "id": "gateway",
                "type": "local",
                "label": "Gateway local",
                "status": "available",
                "platform": sys.platform,
                "sessionHost": True,
                "trust": "persistent",
                "capabilities": ["agent.run", "sessions"],
            }
        ]
    }


async def plugins_list(ctx: MethodContext, params: AnyParams) -> Any:
    report = ctx.core.plugin_report
    loaded = [p for p in report.get("loaded", []) if isinstance(p, dict)]
    plugins = [
        {
            "id": p.get("name", ""),
            "name": p.get("name", ""),
            "installed": True,
            "enabled": p.get("state") != "disabled",
            "state": p.get("state", "loaded"),
            "removable": False,
            "packageName": p.get("distribution") or p.get("name", ""),
            "description": p.get("description", ""),
            "version": p.get("version", ""),
            "origin": "installed",
            "featured": False,
            "order": i,
            "hasIcon": False,
            "hasActivityIcon": False,
            "category": "other",
            "categories": [],
            "runtime": {},
        }
        for i, p in enumerate(loaded)
    ]
    diagnostics = [
        {"level": "error", "message": str(e.get("error") if isinstance(e, dict) else e)}
        for e in report.get("errors", [])
    ]
    return {
        "plugins": plugins,
        "diagnostics": diagnostics,
        "mutationAllowed": False,
        "generation": 1,
    }


async def config_get(ctx: MethodContext, params: AnyParams) -> Any:
    """The config file's text for admins (secrets are ``secret:NAME`` references there, never
    values); the parsed view is left empty: the UI's editor writes the reference's config format,
    which is not ours."""
    config = ctx.core.config
    path = config.config_file
    admin = ADMIN in ctx.conn.scopes

    def read() -> tuple[bool, str]:
        try:
            return True, path.read_text() if admin else ""
        except OSError:
            return False, ""

    exists, raw = await anyio.to_thread.run_sync(read)
    digest = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    return {
        "path": str(path),
        "includedPaths": [],
        "includeProvenance": [],
        "exists": exists,
        "raw": raw,
        "parsed": {},
        "sourceConfig": {},
        "resolved": {},
        "valid": True,
        "runtimeConfig": {},
        "config": {},
        "hash": digest,
        "issues": [],
        "warnings": [],
        "legacyIssues": [],
        "configRevisionHash": digest,
        "appliedConfigHash": digest,
    }


async def config_schema(ctx: MethodContext, params: AnyParams) -> Any:
    from ..config import GatewayConfig

    return {
        "schema": GatewayConfig.model_json_schema(),
        "uiHints": {},
        "version": __version__,
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


async def themes_list(ctx: MethodContext, params: AnyParams) -> Any:
    themes = [
        {"id": i, "name": n, "description": d, "source": "builtin", "modes": ["light", "dark"]}
        for i, n, d in THEMES
    ]
    return {
        "current": {"id": "claw", "mode": "system", "scope": "profile", "overrides": {}},
        "theme": themes[0],
        "themes": themes,
    }


async def sessions_usage(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "updatedAt": now_ms(),
        "startDate": _param(params, "startDate"),
        "endDate": _param(params, "endDate"),
        "sessions": [],
        "totals": dict(ZERO_COST),
        "aggregates": {
            "sessionCount": 0,
            "messages": {
                "total": 0,
                "user": 0,
                "assistant": 0,
                "toolCalls": 0,
                "toolResults": 0,
                "errors": 0,
            },
            "tools": {"totalCalls": 0, "uniqueTools": 0, "tools": []},
            "byModel": [],
            "byProvider": [],
            "byAgent": [],
            "byChannel": [],
            "byCreator": [],
            "costDaily": [],
            "dailyLatency": [],
            "modelDaily": [],
            "daily": [],
        },
        "creatorOptions": [],
    }


async def sessions_messages_subscribe(ctx: MethodContext, params: AnyParams) -> Any:
    key = str(_param(params, "key") or MAIN_SESSION)
    return {
        "subscribed": True,
        "key": key,
        "approvalReplay": {
            "sessionKey": key,
            "updatedAtMs": now_ms(),
            "approvals": [],
            "truncated": False,
        },
    }


async def sessions_viewers_set(ctx: MethodContext, params: AnyParams) -> Any:
    keys = _param(params, "sessionKeys", [])
    return {
        "sessionKeys": [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []
    }


async def plugin_surface_refresh(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "surface": _param(params, "surface"),
        "pluginSurfaceUrls": {},
        "expiresAtMs": now_ms() + 600_000,
    }


async def usage_status(ctx: MethodContext, params: AnyParams) -> Any:
    return {"updatedAt": now_ms(), "providers": [], "refreshing": False}


ZERO_COST = {
    "input": 0,
    "output": 0,
    "cacheRead": 0,
    "cacheWrite": 0,
    "totalTokens": 0,
    "totalCost": 0,
    "inputCost": 0,
    "outputCost": 0,
    "cacheReadCost": 0,
    "cacheWriteCost": 0,
    "missingCostEntries": 0,
}


async def usage_cost(ctx: MethodContext, params: AnyParams) -> Any:
    """``openclaw gateway usage-cost``: tokens and cost per day (we keep no cost ledger: zeros)."""
    try:
        days = max(1, min(int(_param(params, "days", 30) or 30), 366))
    except (TypeError, ValueError):
        days = 30
    today = time.time() // 86400
    daily = [
        {
            "date": time.strftime("%Y-%m-%d", time.gmtime((today - days + 1 + i) * 86400)),
            **ZERO_COST,
        }
        for i in range(days)
    ]
    return {
        "updatedAt": now_ms(),
        "days": days,
        "daily": daily,
        "totals": dict(ZERO_COST),
        "cacheStatus": {"status": "fresh", "cachedFiles": 0, "pendingFiles": 0, "staleFiles": 0},
    }


async def diagnostics_stability(ctx: MethodContext, params: AnyParams) -> Any:
    """``openclaw gateway stability``: the reference's diagnostic event ring (we record none)."""
    return {
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "capacity": 1000,
        "count": 0,
        "dropped": 0,
        "firstSeq": 0,
        "lastSeq": 0,
        "events": [],
        "summary": {"byType": {}},
    }


async def mentions_list(ctx: MethodContext, params: AnyParams) -> Any:
    return {"gatewayInstanceId": ctx.core.boot_id, "revision": 0, "items": []}


async def board_get(ctx: MethodContext, params: AnyParams) -> Any:
    return {"sessionKey": _param(params, "sessionKey"), "revision": 0, "tabs": [], "widgets": []}


async def setup_detect(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "manualProviders": [],
        "authOptions": [],
        "prepareOptions": [],
        "nativeSessionCatalogs": [],
        "nativeSessionCatalogPreferenceRequired": False,
        "workspace": str(ctx.core.config.state_dir),
        "setupComplete": True,
        "candidates": [],
        "unavailableCandidates": [],
        "recommendedInstalls": [],
    }


async def skills_status(ctx: MethodContext, params: AnyParams) -> Any:
    return {
        "workspaceDir": str(ctx.core.config.state_dir),
        "managedSkillsDir": "",
        "agentId": DEFAULT_AGENT,
        "skills": [],
    }
