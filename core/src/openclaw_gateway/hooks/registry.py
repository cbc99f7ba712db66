"""What hooks register: method and event specifications, and the registries that hold them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..auth.scopes import READ, ROLE_NODE, ROLE_OPERATOR

if TYPE_CHECKING:
    from ..server.connection import Connection
    from ..server.gateway import Gateway


@dataclass(frozen=True)
class MethodContext:
    """What a handler gets besides its params: the gateway's services and the calling connection."""

    gateway: Gateway
    conn: Connection
    request_id: str


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


@dataclass(frozen=True)
class EventSpec:
    """One event: its payload model and who may receive it.

    ``scope`` is the operator scope needed to receive it (``None``: every authenticated socket);
    ``roles`` are the roles that receive it at all.
    """

    name: str
    payload: type[BaseModel] | None = None
    scope: str | None = READ
    roles: frozenset[str] = frozenset({ROLE_OPERATOR})
    description: str = ""
    plugin: str = ""


EVERYONE = frozenset({ROLE_OPERATOR, ROLE_NODE})


class RegistrationError(Exception):
    """Raised when a registration clashes with an existing name or is malformed."""


@dataclass
class Registry:
    """All methods and events known to this gateway, by name."""

    methods: dict[str, MethodSpec] = field(default_factory=dict)
    events: dict[str, EventSpec] = field(default_factory=dict)

    def add_method(self, spec: MethodSpec) -> None:
        existing = self.methods.get(spec.name)
        if existing is not None:
            raise RegistrationError(
                f"method {spec.name!r} is already registered by {existing.plugin or 'the core'}"
            )
        self.methods[spec.name] = spec

    def add_event(self, spec: EventSpec) -> None:
        existing = self.events.get(spec.name)
        if existing is not None:
            raise RegistrationError(
                f"event {spec.name!r} is already registered by {existing.plugin or 'the core'}"
            )
        self.events[spec.name] = spec
