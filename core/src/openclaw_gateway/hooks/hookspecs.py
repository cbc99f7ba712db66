"""The whole plugin contract, in one file.

Plugins (and the core's own built-ins, registered the same way) implement these hooks with
``@hookimpl``. Contribution hooks take a ``register`` callback, in the style of ``simonw/llm`` and
``datasette``; pluggy hooks are synchronous, so they only *declare* things — the async work lives on
the registered handlers and runs inside the gateway's task group.

Example::

    from openclaw_gateway.hooks import hookimpl
    from openclaw_gateway.hooks.registry import MethodSpec

    @hookimpl
    def register_methods(register):
        register(MethodSpec(name="echo", handler=echo, params=EchoParams, scope="operator.read"))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .registry import EventSpec, MethodSpec

PROJECT = "openclaw_gateway"
"""pluggy project name, and the entry-point group third-party plugins publish under."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- contributions: called once at start-up, in plugin registration order -----------------------


@hookspec
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    """Register RPC methods: name, params/result models, required scope, side effects.

    A method with ``side_effects=True`` must take an ``idempotencyKey``; the core deduplicates
    repeats through its idempotency cache. Two plugins registering one name is an error reported
    against the second one.
    """


@hookspec
def register_events(register: Callable[[EventSpec], None]) -> None:
    """Register events: name, payload model, and the scope a socket needs to receive it."""
