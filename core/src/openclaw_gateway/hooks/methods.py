"""An RPC method as a plugin registers it (:class:`MethodSpec`) and what its handler gets
(:class:`MethodContext`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from ..auth.scopes import READ, ROLE_OPERATOR

if TYPE_CHECKING:
    from ..server.connection import Connection
    from ..server.services import GatewayServices
    from .gateway_api import GatewayAPI


@dataclass(frozen=True)
class MethodContext:
    """What a handler gets besides its params: the gateway and the calling connection."""

    gateway: GatewayAPI
    conn: Connection
    request_id: str

    @property
    def core(self) -> GatewayServices:
        """The core's own collaborators, for the built-in methods: not part of the plugin API."""
        return cast("GatewayServices", self.gateway)


Handler = Callable[[MethodContext, Any], Awaitable[Any]]


@dataclass(frozen=True)
class MethodSpec:
    """One RPC method.

    ``scope`` is the operator scope required (``None``: any authenticated operator, like
    ``health``); ``scope_for`` computes it from the params when it depends on them. ``roles`` are the
    roles allowed to call it. With ``side_effects`` the params model must have ``idempotencyKey``;
    when ``dedupe`` is also set, a repeat within the TTL returns the first result.
    """

    name: str
    handler: Handler
    params: type[BaseModel] | None = None
    result: type[BaseModel] | None = None
    scope: str | None = READ
    scope_for: Callable[[Any], str | None] | None = None
    roles: frozenset[str] = frozenset({ROLE_OPERATOR})
    side_effects: bool = False
    dedupe: bool = True
    description: str = ""
    plugin: str = ""
    background: bool = False
    """Run the handler in its own task so a slow call (e.g. ``node.invoke``) does not hold up the
    other requests of the same connection."""

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.strip():
            raise ValueError(f"bad method name {self.name!r}")
        if self.side_effects:
            fields = self.params.model_fields if self.params is not None else {}
            if "idempotencyKey" not in fields:
                raise ValueError(
                    f"method {self.name!r} has side effects, so its params model must have an"
                    " 'idempotencyKey' field"
                )
