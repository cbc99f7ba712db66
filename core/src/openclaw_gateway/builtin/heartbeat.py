"""``last-heartbeat``, ``set-heartbeats`` and the ``heartbeat`` event (every socket, nodes too).

The loop lives in :mod:`openclaw_gateway.agent.heartbeat`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth.scopes import ADMIN, READ
from ..hooks import hookimpl
from ..hooks.registry import EVERYONE, EventSpec, MethodContext, MethodSpec


class Empty(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SetHeartbeatsParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    enabled: bool
    everyMs: int | None = Field(None, ge=100, le=7 * 24 * 3_600_000)


class HeartbeatRecord(BaseModel):
    model_config = ConfigDict(extra="allow")
    ts: int
    status: str
    runId: str | None
    durationMs: int
    text: str | None = None


async def last_heartbeat(ctx: MethodContext, params: Empty) -> Any:
    return ctx.core.heartbeat.last


async def set_heartbeats(ctx: MethodContext, params: SetHeartbeatsParams) -> Any:
    gw = ctx.core
    gw.heartbeat.configure(params.enabled, params.everyMs)
    gw.refresh_health()  # heartbeatSeconds / agents[0].heartbeat follow the setting
    return {"ok": True, "enabled": gw.heartbeat.enabled, "everyMs": gw.heartbeat.every_ms}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(MethodSpec(name="last-heartbeat", handler=last_heartbeat, params=Empty, scope=READ))
    register(
        MethodSpec(
            name="set-heartbeats", handler=set_heartbeats, params=SetHeartbeatsParams, scope=ADMIN
        )
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="heartbeat", payload=HeartbeatRecord, scope=None, roles=EVERYONE))
