"""What hooks register besides methods: one frozen spec dataclass per kind (events, config
sections, node commands and handlers, channels, agent providers and tools, HTTP routes, services).

These name only leaf types (the adapter and provider bases, :class:`GatewayAPI`), so the parts of
the core that run them (runs, nodes, channels) can import them without importing the gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from ..auth.scopes import READ, ROLE_NODE, ROLE_OPERATOR

if TYPE_CHECKING:
    from ..agent.provider import AgentProvider
    from ..channels.adapter import ChannelAdapter, ChannelContext
    from ..config import AgentConfig
    from .gateway_api import GatewayAPI
    from .http_types import HttpRequest


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
``dangerous``: offered for approval only when listed in ``nodes.commands.allow``, approving it
needs admin, and once armed that way write scope invokes it (as in the reference)."""


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


class NodeCommandError(Exception):
    """A node command failed in a way the caller can act on: ``code`` is the stable code the
    reference's nodes use (``CAMERA_DISABLED``, ``LOCATION_TIMEOUT``, ``PAYLOAD_TOO_LARGE``…).

    The node host reports it as ``{"code": code, "message": "CODE: message"}``; any other exception
    is reported with ``UNAVAILABLE`` and its text.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.detail = message


@dataclass(frozen=True)
class NodeContext:
    """What the node host gives a capability plugin when it registers its handlers.

    ``settings`` are the tables of the node's own config file (``node.toml``: ``[camera]``,
    ``[location]``…), not the gateway's: the person who runs the node decides what it may capture.
    ``state_dir`` is the node's state directory (``None`` where no node host runs, e.g. when the
    gateway only lists what plugins register).
    """

    settings: Mapping[str, Any]
    state_dir: Path | None = None
    call: Callable[[str, Any], Awaitable[Any]] | None = None
    """Call a gateway method as this node (``node.pluginSurface.refresh``…); raises when the
    node is not connected. ``None`` where no node host runs."""

    async def call_gateway(self, method: str, params: Any) -> Any:
        if self.call is None:
            raise NodeCommandError("UNAVAILABLE", "not running in a node host")
        return await self.call(method, params)

    def section(self, name: str) -> dict[str, Any]:
        """The ``[name]`` table of the node config (empty when absent)."""
        table = self.settings.get(name)
        return dict(table) if isinstance(table, Mapping) else {}

    def data_dir(self, name: str) -> Path:
        """A private directory for plugin ``name`` under the node's state dir (created, 0700)."""
        if self.state_dir is None:
            raise RuntimeError("no node state directory: handlers run only in a node host")
        path = self.state_dir / "plugins" / name
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path


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


@dataclass(frozen=True)
class ServiceContext:
    """What a service gets: the gateway, its plugin's validated config (``None`` without a config
    section) and a logger named ``openclaw_gateway.plugins.<plugin>``."""

    gateway: GatewayAPI
    config: BaseModel | None
    log: logging.Logger
    plugin: str
    service: str
