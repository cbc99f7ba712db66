"""The whole plugin contract, in one file.

Plugins (and the core's own built-ins, registered the same way) implement these hooks with
``@hookimpl``. Contribution hooks take a ``register`` callback, in the style of ``simonw/llm`` and
``datasette``; pluggy hooks are synchronous, so they only *declare* things — the async work lives on
the registered objects and runs inside the gateway's task group, supervised: a plugin that raises
is marked failed (visible in ``health``/``status``) and the gateway keeps serving.

Example::

    from openclaw_gateway import MethodSpec, hookimpl

    @hookimpl
    def register_methods(register):
        register(MethodSpec(name="echo", handler=echo, params=EchoParams, scope="operator.read"))

Spec types live in :mod:`openclaw_gateway.hooks.registry`. A plugin distribution publishes its
module under the entry-point group ``openclaw_gateway`` (see docs/plugins.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .gateway_api import GatewayAPI
    from .methods import MethodSpec
    from .specs import (
        AgentProviderSpec,
        AgentToolSpec,
        ChannelSpec,
        ConfigSection,
        EventSpec,
        HttpRoute,
        NodeCommandSpec,
        NodeContext,
        NodeHandlerSpec,
        ServiceSpec,
    )

PROJECT = "openclaw_gateway"
"""pluggy project name, and the entry-point group third-party plugins publish under."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- configuration: called first, so every section is validated before anything starts ---------


@hookspec
def register_config(register: Callable[[ConfigSection], None]) -> None:
    """Declare the plugin's config section: a name (``[plugins.<name>]`` in config.toml, env
    ``OPENCLAW_GATEWAY_PLUGINS__<NAME>__<FIELD>``) and a pydantic model. Invalid values fail at start
    with the field path. A plugin whose section is required but absent stays *idle*.
    """


# --- the control plane --------------------------------------------------------------------------


@hookspec
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    """Register RPC methods: name, params/result models, required scope, side effects.

    A method with ``side_effects=True`` must take an ``idempotencyKey``; the core deduplicates
    repeats through its idempotency cache. A name registered twice is a clash, reported against the
    second plugin (which is then marked failed).
    """


@hookspec
def register_events(register: Callable[[EventSpec], None]) -> None:
    """Register events: name, payload model, and the scope a socket needs to receive it."""


# --- nodes --------------------------------------------------------------------------------------


@hookspec
def register_node_commands(register: Callable[[NodeCommandSpec], None]) -> None:
    """Gateway side of a node capability: command name, params/result models, and its permission
    level (``"safe"`` or ``"dangerous"``: a dangerous command is invocable only when the operator
    allows it explicitly in config, and approving it needs ``operator.admin``).
    """


@hookspec
def register_node_handlers(register: Callable[[NodeHandlerSpec], None], node: NodeContext) -> None:
    """Node side of a capability: the async handler our Python node host runs for a command.

    ``node`` carries the node's own config tables (``node.section("camera")``) and state dir; an
    implementation may leave the argument out (pluggy passes only what it names).
    """


# --- messaging and agents -----------------------------------------------------------------------


@hookspec
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    """A messaging surface: a factory for an adapter with async start/stop, inbound delivery to the
    core's router, outbound send, status and login flows.
    """


@hookspec
def register_agent_providers(register: Callable[[AgentProviderSpec], None]) -> None:
    """A model backend for agent runs (streaming text and tool calls)."""


@hookspec
def register_agent_tools(register: Callable[[AgentToolSpec], None]) -> None:
    """A tool the agent may call: name, JSON-schema'd params, async handler."""


# --- HTTP and long-running work -----------------------------------------------------------------


@hookspec
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    """HTTP routes (pages, assets, webhook POSTs). They are served by a separate HTTP listener so the
    WebSocket path stays lean; it starts only when some plugin registers a route.
    """


@hookspec
def register_services(register: Callable[[ServiceSpec], None]) -> None:
    """Long-running async services. Each runs in its own supervised task: when it raises it is
    restarted with exponential backoff, and its state and last error show in ``health``.
    """


# --- the command line ---------------------------------------------------------------------------


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add ``openclaw-gateway <name> …`` subcommands: ``cli.add_command(my_group)``, a click group
    named after the plugin (``telegram``, ``slack``…). Plugins are loaded for this only when the
    user asks for a command the core does not have (or for ``--help``), so the core's own
    commands stay fast. A name the core already uses is ignored.
    """


# --- lifecycle: called on the running gateway ---------------------------------------------------


@hookspec
def startup(gateway: GatewayAPI) -> Awaitable[None] | None:
    """The gateway is listening and every service has started: set up what the plugin needs for
    its lifetime. May be ``async def``; each plugin's startup is awaited in turn, bounded by 30 s.
    A startup that raises marks its plugin failed (visible in ``health``); the gateway carries on.
    """


@hookspec
def shutdown(gateway: GatewayAPI) -> Awaitable[None] | None:
    """The gateway is stopping (after replies in flight were drained, before sockets close):
    release what ``startup`` took. May be ``async def``; bounded by 10 s per plugin; errors are
    logged, never stop the shutdown. Called in the reverse order of ``startup``.
    """
