"""What hooks register (one frozen spec dataclass per kind) and the :class:`Registry` that holds it.

Every kind goes through one path, :meth:`Registry.add`, so clash detection is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from ..auth.scopes import READ, ROLE_NODE, ROLE_OPERATOR

if TYPE_CHECKING:
    from ..agent.provider import AgentProvider
    from ..channels.adapter import ChannelAdapter, ChannelContext
    from ..config import AgentConfig
    from ..server.connection import Connection
    from ..server.gateway import Gateway
    from ..server.http import HttpRequest
    from .supervisor import ServiceContext


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
    factory: Callable[[ChannelContext], ChannelAdapter]
    label: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class AgentProviderSpec:
    """A model backend: ``factory(config)`` builds a provider that streams a turn."""

    name: str
    factory: Callable[[AgentConfig], AgentProvider]
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
    """One route on the gateway's HTTP listener (``server/http.py``).

    ``handler(request)`` gets an :class:`~openclaw_gateway.server.http.HttpRequest` and returns an
    ``HttpResponse`` (or ``str``/``bytes``/a JSON-able ``dict``/``list``). A ``path`` ending in
    ``/*`` matches everything under that prefix (assets). ``max_body`` overrides the listener's
    request-body limit (``http_max_body``) for this route, e.g. for a webhook that posts media.
    ``when(configs)`` (the validated config sections by name) decides at start whether the route
    is served at all — a webhook only in webhook mode, so a polling-only gateway opens no HTTP
    port for it.
    """

    path: str
    handler: Callable[[HttpRequest], Awaitable[Any]]
    methods: tuple[str, ...] = ("GET",)
    max_body: int | None = None
    plugin: str = ""
    when: Callable[[Mapping[str, BaseModel]], bool] | None = None

    def __post_init__(self) -> None:
        if not self.path.startswith("/") or "*" in self.path.removesuffix("/*"):
            raise ValueError(f"bad route path {self.path!r}: absolute, with '/*' only at the end")
        if not self.methods:
            raise ValueError(f"route {self.path!r} has no methods")
        object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))


@dataclass(frozen=True)
class ServiceSpec:
    """A long-running task: ``run(context)`` is awaited under supervision (restart with backoff)."""

    name: str
    run: Callable[[ServiceContext], Awaitable[None]]
    plugin: str = ""


M = TypeVar("M", bound=BaseModel)


class RegistrationError(Exception):
    """Raised when a registration clashes with an existing name or is malformed."""


@dataclass(frozen=True)
class Kind:
    """One kind of registration: the hook that contributes it and where the registry keeps it."""

    attr: str
    spec: type[Any]
    noun: str
    key: str = "name"

    @property
    def hook(self) -> str:
        return f"register_{self.attr}" if self.attr != "config_sections" else "register_config"


KINDS: dict[str, Kind] = {
    "config": Kind("config_sections", ConfigSection, "config section"),
    "methods": Kind("methods", MethodSpec, "method"),
    "events": Kind("events", EventSpec, "event"),
    "node_commands": Kind("node_commands", NodeCommandSpec, "node command"),
    "node_handlers": Kind("node_handlers", NodeHandlerSpec, "node handler"),
    "channels": Kind("channels", ChannelSpec, "channel"),
    "agent_providers": Kind("agent_providers", AgentProviderSpec, "agent provider"),
    "agent_tools": Kind("agent_tools", AgentToolSpec, "agent tool"),
    "http_routes": Kind("http_routes", HttpRoute, "HTTP route", key="path"),
    "services": Kind("services", ServiceSpec, "service"),
}
"""Every kind a plugin can register, keyed like its hook (``register_<kind>``)."""


@dataclass
class Registry:
    """Everything plugins registered, by name (routes by path). Names are global across plugins."""

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
    configs: dict[str, BaseModel] = field(default_factory=dict)
    """Validated plugin config, by section name (filled when plugins load)."""

    def plugin_config(self, section: str, model: type[M]) -> M:
        """A plugin's validated config, typed: ``registry.plugin_config("echo", EchoConfig)``."""
        value = self.configs.get(section)
        if not isinstance(value, model):
            raise LookupError(f"no loaded config section {section!r} of type {model.__name__}")
        return value

    def table(self, kind: str) -> dict[str, Any]:
        """The dict holding ``kind`` (a key of :data:`KINDS`)."""
        table: dict[str, Any] = getattr(self, KINDS[kind].attr)
        return table

    def add(self, kind: str, spec: Any) -> None:
        """Register ``spec``; a wrong type or a name already taken raises :class:`RegistrationError`."""
        k = KINDS[kind]
        if not isinstance(spec, k.spec):
            raise RegistrationError(
                f"register() for {kind} expects a {k.spec.__name__}, got {type(spec).__name__}"
            )
        self._check_free(kind, spec)
        self.table(kind)[getattr(spec, k.key)] = spec

    def merge(self, other: Registry) -> None:
        """Add everything in ``other``, all or nothing: any clash raises before anything changes."""
        for kind in KINDS:
            for spec in other.table(kind).values():
                self._check_free(kind, spec)
        for kind in KINDS:
            self.table(kind).update(other.table(kind))

    def summary(self) -> dict[str, list[str]]:
        """``{kind: [names]}`` for every kind with at least one entry."""
        return {kind: sorted(self.table(kind)) for kind in KINDS if self.table(kind)}

    def _check_free(self, kind: str, spec: Any) -> None:
        k = KINDS[kind]
        name = getattr(spec, k.key)
        existing = self.table(kind).get(name)
        if existing is not None:
            owner = f"plugin {existing.plugin!r}" if existing.plugin else "the core"
            raise RegistrationError(f"{k.noun} {name!r} is already registered by {owner}")
