"""What hooks register: method and event specifications, and the registries that hold them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

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


@dataclass(frozen=True)
class ConfigSection:
    """A plugin's config section ``[plugins.<name>]``, validated by ``model`` at start.

    With ``required`` the plugin stays idle (and says so) until the section is configured.
    """

    name: str
    model: type[BaseModel]
    required: bool = False
    plugin: str = ""


Permission = Literal["safe", "admin", "dangerous"]
"""``safe``: write scope approves and invokes it. ``admin``: admin scope needed for both.
``dangerous``: like admin, and offered for approval only when listed in ``nodes.allow_commands``."""


@dataclass(frozen=True)
class NodeCommandSpec:
    """Gateway side of a node command: what may be invoked, with which params, at which level."""

    name: str
    params: type[BaseModel] | None = None
    result: type[BaseModel] | None = None
    permission: Permission = "safe"
    description: str = ""
    plugin: str = ""


NodeHandler = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class NodeHandlerSpec:
    """Node side of a command: the handler our node host runs. ``cap`` groups commands
    (``location`` for ``location.get``) into the capabilities a node advertises."""

    name: str
    handler: NodeHandler
    cap: str = ""
    params: type[BaseModel] | None = None
    description: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class ChannelSpec:
    """A messaging surface: ``factory(context)`` builds the adapter (async start/stop/send)."""

    name: str
    factory: Callable[..., Any]
    label: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class AgentProviderSpec:
    """A model backend: ``factory(config)`` builds a provider that streams a turn."""

    name: str
    factory: Callable[..., Any]
    plugin: str = ""


@dataclass(frozen=True)
class AgentToolSpec:
    """A tool the agent may call."""

    name: str
    description: str
    handler: Callable[..., Awaitable[Any]]
    params: type[BaseModel] | None = None
    plugin: str = ""


@dataclass(frozen=True)
class HttpRoute:
    """One HTTP route on the gateway's HTTP listener. ``handler(request) -> response``; the request
    and response types are those of the HTTP layer (see docs/plugins.md)."""

    path: str
    handler: Callable[..., Awaitable[Any]]
    methods: tuple[str, ...] = ("GET",)
    plugin: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    """A long-running task: ``run(context)`` is awaited under supervision (restart with backoff)."""

    name: str
    run: Callable[..., Awaitable[None]]
    plugin: str = ""


class RegistrationError(Exception):
    """Raised when a registration clashes with an existing name or is malformed."""


@dataclass
class Registry:
    """Everything plugins registered, by name."""

    methods: dict[str, MethodSpec] = field(default_factory=dict)
    events: dict[str, EventSpec] = field(default_factory=dict)
    node_commands: dict[str, NodeCommandSpec] = field(default_factory=dict)
    node_handlers: dict[str, NodeHandlerSpec] = field(default_factory=dict)
    config_sections: dict[str, ConfigSection] = field(default_factory=dict)
    channels: dict[str, ChannelSpec] = field(default_factory=dict)
    agent_providers: dict[str, AgentProviderSpec] = field(default_factory=dict)
    agent_tools: dict[str, AgentToolSpec] = field(default_factory=dict)
    http_routes: dict[str, HttpRoute] = field(default_factory=dict)
    services: dict[str, ServiceSpec] = field(default_factory=dict)

    def add_method(self, spec: MethodSpec) -> None:
        existing = self.methods.get(spec.name)
        if existing is not None:
            raise RegistrationError(
                f"method {spec.name!r} is already registered by {existing.plugin or 'the core'}"
            )
        self.methods[spec.name] = spec

    def add_node_command(self, spec: NodeCommandSpec) -> None:
        existing = self.node_commands.get(spec.name)
        if existing is not None:
            raise RegistrationError(
                f"node command {spec.name!r} is already registered by {existing.plugin or 'the core'}"
            )
        self.node_commands[spec.name] = spec

    def add_event(self, spec: EventSpec) -> None:
        existing = self.events.get(spec.name)
        if existing is not None:
            raise RegistrationError(
                f"event {spec.name!r} is already registered by {existing.plugin or 'the core'}"
            )
        self.events[spec.name] = spec
