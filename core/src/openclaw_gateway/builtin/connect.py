"""``connect`` and the handshake events. The handshake itself lives in ``server/ws.py``;
``connect`` is registered so it is advertised and so a second ``connect`` gets the reference's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..auth.scopes import ADMIN
from ..errors import invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EVERYONE, EventSpec, MethodContext, MethodSpec


class ChallengePayload(BaseModel):
    nonce: str
    ts: int


class TickPayload(BaseModel):
    ts: int


class ShutdownPayload(BaseModel):
    reason: str
    restartExpectedMs: int | None = None


async def second_connect(ctx: MethodContext, params: Any) -> None:
    raise invalid_request("connect is only valid as the first request")


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(MethodSpec(name="connect", handler=second_connect, scope=ADMIN, roles=EVERYONE))


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(
        EventSpec(name="connect.challenge", payload=ChallengePayload, scope=None, roles=EVERYONE)
    )
    register(EventSpec(name="tick", payload=TickPayload, scope=None, roles=EVERYONE))
    register(EventSpec(name="shutdown", payload=ShutdownPayload, scope=None, roles=EVERYONE))
