"""The :class:`Registry`: everything plugins registered, by kind and name.

Every kind goes through one path, :meth:`Registry.add`, so clash detection is the same everywhere.
The spec types live in :mod:`.specs` and :mod:`.methods`; they are re-exported here because this is
where the core's built-in plugins have always found them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from .methods import Handler, MethodContext, MethodSpec
from .specs import (
    EVERYONE,
    AgentProviderSpec,
    AgentToolSpec,
    ChannelSpec,
    ConfigSection,
    EventSpec,
    HttpRoute,
    NodeCommandError,
    NodeCommandSpec,
    NodeContext,
    NodeHandler,
    NodeHandlerSpec,
    Permission,
    ServiceContext,
    ServiceSpec,
)

__all__ = [
    "EVERYONE",
    "KINDS",
    "AgentProviderSpec",
    "AgentToolSpec",
    "ChannelSpec",
    "ConfigSection",
    "EventSpec",
    "Handler",
    "HttpRoute",
    "Kind",
    "MethodContext",
    "MethodSpec",
    "NodeCommandError",
    "NodeCommandSpec",
    "NodeContext",
    "NodeHandler",
    "NodeHandlerSpec",
    "Permission",
    "RegistrationError",
    "Registry",
    "ServiceContext",
    "ServiceSpec",
]

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
