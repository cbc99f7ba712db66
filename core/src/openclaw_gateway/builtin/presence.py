"""``system-presence``, ``system-event`` and the ``presence`` event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth.scopes import ADMIN, READ
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec


class PresenceParams(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SystemEventParams(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str = Field(min_length=1, max_length=64 * 1024)


class PresencePayload(BaseModel):
    presence: list[dict[str, Any]]


async def system_presence(ctx: MethodContext, params: PresenceParams) -> Any:
    return ctx.core.hub.presence.entries()


async def system_event(ctx: MethodContext, params: SystemEventParams) -> Any:
    gw = ctx.core
    gw.hub.presence.add_text(params.text)
    gw.hub.broadcast("presence", {"presence": gw.hub.presence.entries()}, state_version=True)
    return {"ok": True}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(
        MethodSpec(
            name="system-presence", handler=system_presence, params=PresenceParams, scope=READ
        )
    )
    register(
        MethodSpec(name="system-event", handler=system_event, params=SystemEventParams, scope=ADMIN)
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="presence", payload=PresencePayload, scope=READ))
